//! `pathwise simulate`: simulated learners practise a skill graph under one or several teaching
//! policies; prints mean, std and standard error over runs of skills truly mastered, steps to the
//! goals and learning gain, pathwise's paired difference to each other policy, and can write the
//! simulated interaction log (generic schema) for fitting and replaying.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use pathwise::eval::MeanStd;
use pathwise::eval::simulate::{
    DEFAULT_BLOCKED_LEARN_FACTOR, Difference, GraphSimulation, PolicyName, SimAttempt, SimOptions,
    Summary,
};
use pathwise::text::quoted;
use pathwise_datasets::{GraphOptions, load_graph};
use serde_json::{Value, json};

use crate::commands::fit::read_model;
use crate::mastery_args::MasteryArgs;
use crate::output::{Format, Table, check_writable, is_stdout, write_atomic, write_json};
use crate::status::progress_bar;
use crate::{Outcome, limits};

/// Arguments of `pathwise simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The skill graph the learners practise.
    #[arg(long, value_name = "GRAPH")]
    pub graph: PathBuf,

    /// True BKT parameters per skill from this model (skills it lacks get its population
    /// average). Without it, parameters are drawn per skill from --seed (see docs/eval.md).
    #[arg(long, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,

    /// Learners per run (learners × steps × runs × policies at most 100,000,000).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = limits::range::<usize>(1, limits::MAX_LEARNER_STEPS))]
    pub learners: usize,

    /// Practice steps per learner.
    #[arg(long, default_value_t = 100, value_name = "T", value_parser = limits::range::<usize>(0, limits::MAX_LEARNER_STEPS))]
    pub steps: usize,

    /// Teaching policies, comma-separated, or `all`: pathwise, lowest-mastery-ready,
    /// curriculum-order, random-ready, random. With several, the table compares them and gives
    /// pathwise's paired difference to each.
    #[arg(long, default_value = "pathwise", value_name = "P[,P...]")]
    pub policy: String,

    /// Number of runs (seeds --seed, --seed+1, ...) that mean ± std are taken over.
    #[arg(long, default_value_t = 1, value_name = "R", value_parser = limits::range::<usize>(1, limits::MAX_LEARNER_STEPS))]
    pub runs: usize,

    /// Seed of the first run (and of the drawn parameters).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Goal skills (repeatable); default: every skill. Every policy practises only the goals and
    /// their prerequisites.
    #[arg(long = "goal", value_name = "SKILL")]
    pub goals: Vec<String>,

    /// When the tutor counts a skill as mastered (the same rule for every policy).
    #[command(flatten)]
    pub mastery: MasteryArgs,

    /// Factor on `learn` while a prerequisite is not truly known.
    #[arg(long, default_value_t = DEFAULT_BLOCKED_LEARN_FACTOR, value_name = "F")]
    pub blocked_factor: f64,

    /// `curriculum-order` moves on after this many correct answers in a row.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub advance_after: u32,

    /// Drop cycle-closing edges of the graph instead of failing.
    #[arg(long)]
    pub drop_cycle_edges: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the simulated interaction log (learner,skill,item,correct,order) to this CSV file;
    /// with `-`, to standard output (the summary then goes to stderr). One policy only.
    #[arg(short, long, value_name = "LOG.csv")]
    pub output: Option<PathBuf>,
}

/// Runs the simulation.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let policies = PolicyName::list(&args.policy).context("--policy")?;
    if args.output.is_some() && policies.len() > 1 {
        anyhow::bail!("--output: the simulated log is written for one --policy at a time");
    }
    let total = args
        .learners
        .checked_mul(args.steps)
        .and_then(|n| n.checked_mul(args.runs))
        .and_then(|n| n.checked_mul(policies.len()));
    if total.is_none_or(|n| n as u64 > limits::MAX_LEARNER_STEPS) {
        anyhow::bail!(
            "--learners × --steps × --runs × policies is more than the limit of {} simulated \
             learner-steps",
            limits::MAX_LEARNER_STEPS
        );
    }
    let rule = args.mastery.rule()?;
    if let Some(path) = &args.output {
        check_writable(path)?;
    }
    let loaded = load_graph(
        &args.graph,
        &GraphOptions {
            drop_cycle_edges: args.drop_cycle_edges,
            ..GraphOptions::default()
        },
    )?;
    let graph = Arc::new(loaded.graph);
    let fitted = match &args.model {
        Some(path) => Some(read_model(path)?),
        None => None,
    };
    let goals = args
        .goals
        .iter()
        .map(|g| {
            graph.skill_index(g).map(|s| s as usize).with_context(|| {
                format!(
                    "--goal {}: no such skill in {}",
                    quoted(g),
                    args.graph.display()
                )
            })
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let options = SimOptions {
        learners: args.learners,
        steps: args.steps,
        runs: args.runs,
        seed: args.seed,
        rule,
        goals,
        streak_to_advance: args.advance_after,
    };
    let simulation = GraphSimulation::new(graph, fitted.as_ref(), args.blocked_factor, options)?;

    let mut attempts: Vec<SimAttempt> = Vec::new();
    let keep_log = args.output.is_some();
    let mut results: Vec<(PolicyName, Summary)> = Vec::with_capacity(policies.len());
    let bar = progress_bar("{spinner} simulating {msg} [{bar:30}] {pos}/{len} runs");
    bar.set_length((policies.len() * args.runs) as u64);
    for (i, name) in policies.iter().enumerate() {
        bar.suspend(|| {
            crate::status!(
                "simulating {name}: {} runs of {} learners",
                args.runs,
                args.learners
            )
        });
        bar.set_message(name.to_string());
        let runs_before = (i * args.runs) as u64;
        let mut reported_run = None;
        let summary = simulation.run(*name, |a| {
            // A run's attempts are handed over once the run is simulated.
            if reported_run != Some(a.run) {
                reported_run = Some(a.run);
                bar.set_position(runs_before + u64::from(a.run) + 1);
            }
            if keep_log {
                attempts.push(*a)
            }
        })?;
        bar.set_position(runs_before + args.runs as u64);
        results.push((*name, summary));
    }
    bar.finish_and_clear();
    if let Some(path) = &args.output {
        write_atomic(path, |w| write_log(w, &simulation, &attempts))?;
    }
    // With the log on standard output, the summary goes to stderr.
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) if is_stdout(path) => Box::new(std::io::stderr().lock()),
        _ => Box::new(std::io::stdout().lock()),
    };
    match args.format {
        Format::Json => write_json(&mut out, &summary_json(&results, args))?,
        Format::Table | Format::Csv => {
            summary_table(&results).write(&mut out, args.format)?;
            if args.format == Format::Table {
                for line in differences(&results) {
                    writeln!(out, "{line}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// The simulated log in the generic schema (see [`GraphSimulation::skill_and_item`] and
/// [`GraphSimulation::learner_id`]); the order is the step.
fn write_log(
    w: &mut dyn Write,
    simulation: &GraphSimulation,
    attempts: &[SimAttempt],
) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(["learner", "skill", "item", "correct", "order"])?;
    for a in attempts {
        let (skill, item) = simulation.skill_and_item(a);
        csv.write_record([
            GraphSimulation::learner_id(a).as_str(),
            skill,
            item,
            if a.correct { "1" } else { "0" },
            a.step.to_string().as_str(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

fn std_or_zero(m: &MeanStd) -> f64 {
    m.std.unwrap_or(0.0)
}

/// Standard error of the mean over runs.
fn se(m: &MeanStd, runs: usize) -> f64 {
    std_or_zero(m) / (runs.max(1) as f64).sqrt()
}

/// pathwise's paired difference to every other policy, one line each (nothing without pathwise
/// or with one policy).
fn differences(results: &[(PolicyName, Summary)]) -> Vec<String> {
    let Some((_, ours)) = results.iter().find(|(n, _)| *n == PolicyName::Pathwise) else {
        return Vec::new();
    };
    let show = |d: Option<Difference>, digits: usize| match d {
        Some(Difference {
            mean,
            standard_error: Some(se),
        }) => format!("{mean:+.digits$} ± {se:.digits$} (se)"),
        Some(d) => format!("{:+.digits$}", d.mean),
        None => "-".to_owned(),
    };
    results
        .iter()
        .filter(|(n, _)| *n != PolicyName::Pathwise)
        .map(|(name, theirs)| {
            format!(
                "pathwise − {name} (paired by seed): mastered {}, learning gain {}",
                show(ours.paired_difference(theirs, |r| r.mastered), 2),
                show(ours.paired_difference(theirs, |r| r.learning_gain), 3),
            )
        })
        .collect()
}

fn summary_json(results: &[(PolicyName, Summary)], args: &Args) -> Value {
    let policies: Vec<Value> = results
        .iter()
        .map(|(name, summary)| summary.to_json(*name))
        .collect();
    json!({
        "learners": args.learners,
        "steps": args.steps,
        "runs": args.runs,
        "seed": args.seed,
        "policies": policies,
    })
}

/// One row per policy: mean, standard deviation and standard error of each figure in columns of
/// their own (the terminal table shows mean ± std).
fn summary_table(results: &[(PolicyName, Summary)]) -> Table {
    let mut table = Table::new([
        "policy",
        "mastered_mean",
        "mastered_std",
        "mastered_se",
        "steps_to_goals_mean",
        "steps_to_goals_std",
        "reached_goals",
        "learning_gain_mean",
        "learning_gain_std",
        "learning_gain_se",
    ]);
    for (name, s) in results {
        let runs = s.runs.len();
        table.push([
            name.to_string(),
            format!("{:.3}", s.mastered.mean),
            format!("{:.3}", std_or_zero(&s.mastered)),
            format!("{:.3}", se(&s.mastered, runs)),
            format!("{:.3}", s.steps_to_goals.mean),
            format!("{:.3}", std_or_zero(&s.steps_to_goals)),
            format!("{:.3}", s.reached_goals.mean),
            format!("{:.4}", s.learning_gain.mean),
            format!("{:.4}", std_or_zero(&s.learning_gain)),
            format!("{:.4}", se(&s.learning_gain, runs)),
        ]);
    }
    table
}
