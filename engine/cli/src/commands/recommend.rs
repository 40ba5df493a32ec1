//! `pathwise recommend`: the next activities for each learner of a log, with score components
//! and reasons. Also holds the set-up `pathwise path` shares (model, graph, log, policy).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use pathwise::bkt::mastery::MasteryRule;
use pathwise::{
    InteractionLog, Model, Policy, Recommendation, Recommender, SkillGraph, recommend::Replayer,
};
use rayon::prelude::*;

use crate::commands::fit::read_model;
use crate::log_args::LogArgs;
use crate::mastery_args::MasteryArgs;
use crate::output::{Format, Table, check_writable, write_atomic, write_json};
use crate::overlap::{self, name_list};
use crate::status::progress_bar;
use crate::{Outcome, limits};

/// How many learners without a recommendation are named on stderr before a count.
const NAMED_NOTES: usize = 10;

/// Inputs and settings shared by `recommend` and `path`.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// The fitted model (JSON written by `pathwise fit`).
    #[arg(long, value_name = "MODEL.json")]
    pub model: PathBuf,

    /// The skill graph (TOML, JSON, edge-list CSV or the Junyi exercise table). When it lists no
    /// activities, the items of the log are the activities.
    #[arg(long, value_name = "GRAPH")]
    pub graph: PathBuf,

    /// Break cycles of the graph by dropping the fewest edges found (listed on stderr).
    #[arg(long)]
    pub drop_cycle_edges: bool,

    /// The interaction log(s) the learners' states are replayed from.
    #[command(flatten)]
    pub log: LogArgs,

    /// Goal skill (repeatable): only skills on the way to a goal count, nearer ones first.
    #[arg(long = "goal", value_name = "SKILL")]
    pub goals: Vec<String>,

    /// When a skill counts as mastered.
    #[command(flatten)]
    pub mastery: MasteryArgs,

    /// Softer estimate at which a prerequisite counts as satisfied (with the streak of correct
    /// answers) [default: mastered].
    #[arg(long, value_name = "P")]
    pub ready: Option<f64>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the output to this file (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `pathwise recommend`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model, graph, log and policy.
    #[command(flatten)]
    pub inputs: Inputs,

    /// Learner id (repeatable) [default: every learner of the log].
    #[arg(long = "learner", value_name = "ID")]
    pub learners: Vec<String>,

    /// Recommendations per learner.
    #[arg(long, value_name = "K", default_value_t = 5, value_parser = limits::range::<usize>(0, limits::MAX_TOP))]
    pub top: usize,
}

/// The loaded inputs.
pub(crate) struct Loaded {
    pub model: Arc<Model>,
    pub graph: Arc<SkillGraph>,
    pub log: InteractionLog,
    pub policy: Policy,
    pub rule: MasteryRule,
}

impl Loaded {
    /// The recommender and the replayer over these inputs; their warnings go to stderr.
    pub(crate) fn engines(&self) -> anyhow::Result<(Recommender, Replayer<'_>)> {
        let recommender =
            Recommender::new(self.graph.clone(), self.model.clone(), self.policy.clone())?;
        for w in recommender.warnings() {
            crate::warning!("{w}");
        }
        let replayer = Replayer::new(&self.model, &self.log).with_rule(self.rule);
        Ok((recommender, replayer))
    }
}

impl Inputs {
    /// Reads the model, the graph and the log, and builds the policy; warnings go to stderr.
    pub(crate) fn load(&self) -> anyhow::Result<Loaded> {
        if let Some(path) = &self.output {
            check_writable(path)?;
        }
        let rule = self.mastery.rule()?;
        let policy = Policy {
            ready: self.ready,
            goals: self.goals.clone(),
            ..Policy::default()
        };
        policy.validate().context("--ready")?;
        let model = read_model(&self.model)?;
        let options = pathwise_datasets::GraphOptions {
            drop_cycle_edges: self.drop_cycle_edges,
            ..Default::default()
        };
        let loaded = pathwise_datasets::load_graph(&self.graph, &options)?;
        if !loaded.dropped_edges.is_empty() {
            let edges: Vec<String> = loaded
                .dropped_edges
                .iter()
                .map(|(a, b)| format!("{a} -> {b}"))
                .collect();
            crate::warning!(
                "dropped {} edge(s) to break cycles: {}",
                edges.len(),
                edges.join(", ")
            );
        }
        let log = self.log.load_with_graph(&loaded.graph)?.log;
        let mut graph = loaded.graph;
        overlap::refuse_disjoint_graph(&model, &self.model, &graph, &self.graph)?;
        overlap::check_log(&model, &self.model, &log, &self.log.logs)?;
        if graph.n_activities() == 0 {
            crate::status!("the graph lists no activities: using the log's items");
            graph = graph.with_log_items(&log);
        }
        let missing: Vec<&str> = log
            .skills()
            .names()
            .iter()
            .map(String::as_str)
            .filter(|s| graph.skill_index(s).is_none())
            .collect();
        if !missing.is_empty() {
            crate::warning!(
                "{} log skills are not in the graph ({}); their responses \
                 update the learners' states but they are never recommended",
                missing.len(),
                name_list(&missing)
            );
        }
        Ok(Loaded {
            model: Arc::new(model),
            graph: Arc::new(graph),
            log,
            policy,
            rule,
        })
    }

    /// Writes `fill`'s output to `--output` atomically, or to stdout.
    pub(crate) fn write(
        &self,
        fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        write_atomic(self.output.as_deref().unwrap_or(Path::new("-")), fill)
    }
}

/// The dense log ids of the requested learners (all, in id order, when none is named). A named
/// learner absent from the log is recommended for as a new learner, with a warning.
pub(crate) fn learners(log: &InteractionLog, named: &[String]) -> Vec<(String, u32)> {
    if named.is_empty() {
        return log
            .learners()
            .names()
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i as u32))
            .collect();
    }
    named
        .iter()
        .map(|name| match log.learners().id(name) {
            Some(id) => (name.clone(), id),
            None => {
                crate::warning!(
                    "learner '{name}' has no responses in the log; \
                     treating them as a new learner"
                );
                (name.clone(), u32::MAX)
            }
        })
        .collect()
}

/// One learner's answer.
struct Answer {
    learner: String,
    recommendations: Vec<Recommendation>,
    note: Option<String>,
}

#[derive(serde::Serialize)]
struct JsonRow<'a> {
    learner: &'a str,
    #[serde(flatten)]
    recommendation: &'a Recommendation,
}

/// Runs `pathwise recommend`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let loaded = args.inputs.load()?;
    let (recommender, replayer) = loaded.engines()?;
    let log = &loaded.log;
    let learners = learners(log, &args.learners);
    let bar = progress_bar("{spinner} recommending [{bar:30}] {pos}/{len} learners");
    bar.set_length(learners.len() as u64);
    let answers = learners
        .par_iter()
        .map(|(name, id)| {
            bar.inc(1);
            let state = replayer.replay(*id);
            let recommendations = recommender.recommend(&state, args.top)?;
            let note = if recommendations.is_empty() && args.top > 0 {
                Some(recommender.why_none(&state)?)
            } else {
                None
            };
            Ok(Answer {
                learner: name.clone(),
                recommendations,
                note,
            })
        })
        .collect::<pathwise::Result<Vec<Answer>>>()?;
    bar.finish_and_clear();
    let notes: Vec<&Answer> = answers.iter().filter(|a| a.note.is_some()).collect();
    for a in notes.iter().take(NAMED_NOTES) {
        crate::status!(
            "learner '{}': no recommendation: {}",
            a.learner,
            a.note.as_deref().unwrap_or_default()
        );
    }
    if notes.len() > NAMED_NOTES {
        crate::status!(
            "{} more learners have no recommendation",
            notes.len() - NAMED_NOTES
        );
    }
    args.inputs
        .write(|out| write_answers(out, &answers, args.inputs.format))?;
    Ok(Outcome::Success)
}

fn write_answers(out: &mut dyn Write, answers: &[Answer], format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        let rows: Vec<JsonRow<'_>> = answers
            .iter()
            .flat_map(|a| {
                a.recommendations.iter().map(|r| JsonRow {
                    learner: &a.learner,
                    recommendation: r,
                })
            })
            .collect();
        return write_json(out, &rows);
    }
    let mut table = Table::new([
        "learner",
        "rank",
        "activity",
        "skill",
        "kind",
        "score",
        "components",
        "mastery",
        "estimate",
        "status",
        "p_correct",
        "reason",
    ]);
    for a in answers {
        for r in &a.recommendations {
            let c = &r.components;
            table.push([
                a.learner.clone(),
                r.rank.to_string(),
                r.activity.clone().unwrap_or_default(),
                r.skill.clone(),
                r.kind.as_str().to_owned(),
                format!("{:.3}", r.score),
                format!(
                    "learning={:.3} readiness={:.2} persistence={:.2} doubt={:.2} \
                     forgetting={:.3} unlock={:.3}",
                    c.learning, c.readiness, c.persistence, c.doubt, c.forgetting, c.unlock
                ),
                format!("{:.3}", r.mastery),
                format!("{:.3}", r.estimate),
                r.status.as_str().to_owned(),
                format!("{:.3}", r.p_correct),
                r.reason.clone(),
            ]);
        }
    }
    table.write(out, format)
}
