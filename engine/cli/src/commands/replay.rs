//! `pathwise replay`: walk a log in time order as a deployed system would — fit on the first
//! learners, then predict every later response before it is revealed — and report the metrics
//! overall and per tenth of the walk; with `--graph`, also how often the learner's actual next
//! response practised a skill the recommender had in its top `k` at that moment (hit rate @k).

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pathwise::{
    FitOptions, InteractionLog, LearnerState, Policy, Recommender, SkillGraph,
    eval::{Metrics, ReplayOptions, ReplayReport, model_family, replay_with},
    fit,
};
use pathwise_datasets::{GraphOptions, load_graph};
use serde_json::{Value, json};

use crate::log_args::LogArgs;
use crate::output::{Format, Table, check_writable, write_atomic, write_json};
use crate::status::progress_bar;
use crate::{Outcome, limits};

/// Arguments of `pathwise replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The interaction log(s) and how to read them.
    #[command(flatten)]
    pub log: LogArgs,

    /// The model family (as in `eval --models`: majority, skill-mean, afm, pfa, bkt, ...).
    #[arg(long, value_name = "KIND")]
    pub model_kind: String,

    /// Learners, the first to appear, that the model is fitted on (default: a fifth of them).
    #[arg(long, value_name = "N")]
    pub warmup_learners: Option<usize>,

    /// Report metrics for this many equal slices of the walk.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = limits::range::<usize>(1, limits::MAX_SLICES))]
    pub slices: usize,

    /// Seed passed to the model's fit.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// A skill graph: also measure the recommender's hit rate @k during the replay (a standard
    /// BKT model fitted on the warm-up learners drives it).
    #[arg(long, value_name = "GRAPH")]
    pub graph: Option<PathBuf>,

    /// k of the hit rate @k.
    #[arg(long, default_value_t = 3, value_name = "K", value_parser = limits::range::<usize>(1, limits::MAX_TOP))]
    pub top: usize,

    /// Drop cycle-closing edges of the graph instead of failing.
    #[arg(long)]
    pub drop_cycle_edges: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the report to this file (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How often the actual next response practised a skill in the recommender's top k.
struct HitRate {
    hits: usize,
    steps: usize,
}

/// Runs the replay.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let family = model_family(&args.model_kind).context("--model-kind")?;
    let path = args.output.as_deref().unwrap_or(Path::new("-"));
    check_writable(path)?;
    let graph = match &args.graph {
        Some(path) => Some(
            load_graph(
                path,
                &GraphOptions {
                    drop_cycle_edges: args.drop_cycle_edges,
                    ..GraphOptions::default()
                },
            )?
            .graph,
        ),
        None => None,
    };
    let loaded = match &graph {
        Some(graph) => args.log.load_with_graph(graph)?,
        None => args.log.load()?,
    };
    let log = &loaded.log;
    let options = ReplayOptions {
        warmup_learners: args
            .warmup_learners
            .unwrap_or_else(|| (log.learners().len() / 5).max(1)),
        slices: args.slices,
        seed: args.seed,
    };
    let bar = progress_bar("{spinner} replaying [{bar:30}] {pos}/{len} responses");
    let report = replay_with(log, family.as_ref(), &options, |p| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        ControlFlow::Continue(())
    })?;
    bar.finish_and_clear();
    let hits = match graph {
        Some(graph) => Some(hit_rate(log, &report, graph, args)?),
        None => None,
    };
    write_atomic(path, |out| {
        match args.format {
            Format::Json => write_json(out, &report_json(&report, hits.as_ref(), args))?,
            Format::Table | Format::Csv => table(&report).write(out, args.format)?,
        }
        if let (Some(h), Format::Table) = (&hits, args.format) {
            writeln!(
                out,
                "hit rate @{}: {:.4} ({} of {} responses practised a recommended skill)",
                args.top,
                h.hits as f64 / h.steps.max(1) as f64,
                h.hits,
                h.steps
            )?;
        }
        Ok(())
    })?;
    Ok(Outcome::Success)
}

/// Replays the scored responses through a BKT filter and the recommender: before each response,
/// is one of its skills among the top `k` recommended?
fn hit_rate(
    log: &InteractionLog,
    report: &ReplayReport,
    graph: SkillGraph,
    args: &Args,
) -> anyhow::Result<HitRate> {
    let graph = if graph.n_activities() == 0 {
        graph.with_log_items(log)
    } else {
        graph
    };
    let mut scored = vec![false; log.learners().len()];
    for step in &report.steps {
        scored[log.response(step.response as usize).learner as usize] = true;
    }
    let train = log.filter_responses(|r| !scored[log.response(r).learner as usize]);
    let model = fit(
        &train,
        &FitOptions::default(),
        |_| ControlFlow::Continue(()),
    )?;
    let model = std::sync::Arc::new(model);
    let recommender = Recommender::new(graph.into(), model.clone(), Policy::default())?;
    let mut states: Vec<Option<LearnerState>> = vec![None; log.learners().len()];
    let mut hits = HitRate { hits: 0, steps: 0 };
    let bar = progress_bar("{spinner} hit rate [{bar:30}] {pos}/{len} responses");
    bar.set_length(report.steps.len() as u64);
    for step in &report.steps {
        if hits.steps % 1024 == 0 {
            bar.set_position(hits.steps as u64);
        }
        let response = log.response(step.response as usize);
        let state =
            states[response.learner as usize].get_or_insert_with(|| LearnerState::new(&model));
        let top = recommender.recommend(state, args.top)?;
        let skill_names: Vec<&str> = response
            .skills
            .iter()
            .map(|&s| log.skills().name(s))
            .collect();
        if top.iter().any(|r| skill_names.contains(&r.skill.as_str())) {
            hits.hits += 1;
        }
        hits.steps += 1;
        let item = response.item.map(|i| log.items().name(i));
        for name in &skill_names {
            state.observe(&model, name, item, response.correct)?;
        }
    }
    bar.finish_and_clear();
    Ok(hits)
}

fn metrics_json(m: &Option<Metrics>) -> Value {
    match m {
        None => Value::Null,
        Some(m) => json!({
            "n": m.n,
            "auc": m.auc,
            "rmse": m.rmse,
            "accuracy": m.accuracy,
            "log_loss": m.log_loss,
        }),
    }
}

fn report_json(report: &ReplayReport, hits: Option<&HitRate>, args: &Args) -> Value {
    json!({
        "hit_rate": hits.map(|h| h.hits as f64 / h.steps.max(1) as f64),
        "hit_rate_k": args.top,
        "model": args.model_kind,
        "warmup_learners": report.warmup_learners,
        "scored_learners": report.scored_learners,
        "overall": metrics_json(&report.overall),
        "slices": report.slices.iter().map(metrics_json).collect::<Vec<_>>(),
    })
}

fn table(report: &ReplayReport) -> Table {
    let mut table = Table::new(["part", "n", "auc", "rmse", "accuracy", "log_loss"]);
    let n = report.slices.len();
    let mut row = |part: String, m: &Option<Metrics>| match m {
        Some(m) => table.push([
            part,
            m.n.to_string(),
            m.auc.map_or("-".into(), |a| format!("{a:.4}")),
            format!("{:.4}", m.rmse),
            format!("{:.4}", m.accuracy),
            format!("{:.4}", m.log_loss),
        ]),
        None => table.push([
            part,
            "0".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
        ]),
    };
    row("all".into(), &report.overall);
    for (i, slice) in report.slices.iter().enumerate() {
        row(format!("{}-{}%", i * 100 / n, (i + 1) * 100 / n), slice);
    }
    table
}
