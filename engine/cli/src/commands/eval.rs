//! `pathwise eval`: compare model families by learner-level cross-validation (or a time split, or
//! the data set's own split with `--split-column`) on an interaction log, printing AUC, RMSE, accuracy and log loss pooled over the test folds
//! and as mean ± standard deviation over folds; `--per-skill` adds per-skill rows.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pathwise::{
    InteractionLog,
    eval::{
        DEFAULT_TEST_FRACTION, EvalOptions, MeanStd, Metrics, ModelReport, Predictions, Split,
        cross_validate_with, model_families, summarize,
    },
};
use pathwise_datasets::Role;
use serde_json::{Map, Value, json};

use crate::log_args::LogArgs;
use crate::output::{Format, Table, check_writable, is_stdout, write_atomic, write_json};
use crate::status::progress_bar;
use crate::{Outcome, limits};

/// How the log is split into training and test data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitKind {
    /// Learner-level k-fold cross-validation: every learner is tested exactly once, by a model
    /// that never saw them.
    Learner,
    /// Per learner, train on the earlier responses and test the last `--test-fraction`.
    Time,
}

/// Arguments of `pathwise eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The interaction log(s) and how to read them.
    #[command(flatten)]
    pub log: LogArgs,

    /// Number of learner-level folds (--split learner).
    #[arg(long, default_value_t = 5, value_name = "K", value_parser = limits::range::<usize>(2, limits::MAX_FOLDS))]
    pub folds: usize,

    /// Models to compare, comma-separated: majority, skill-mean, afm, pfa, bkt, bkt-forgets,
    /// bkt-item, bkt-item-learn, bkt-learner-prior; each bkt one also ending in -ml (fitted by
    /// maximum likelihood, without pseudo-counts), e.g. bkt-ml.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "majority,skill-mean,afm,pfa"
    )]
    pub models: Vec<String>,

    /// How to split: learner folds, or each learner's earlier/later responses.
    #[arg(long, value_enum, default_value = "learner")]
    pub split: SplitKind,

    /// Use the data set's own split, in column COL (e.g. AKT's `fold`, DKVMN's `dkvmn_split`):
    /// labels train and test make one split; other labels one fold each, in numeric order.
    /// Replaces --split, --folds and --col group.
    #[arg(long, value_name = "COL", conflicts_with_all = ["split", "folds", "test_fraction"])]
    pub split_column: Option<String>,

    /// Share of each learner's responses tested by --split time (the last ones).
    #[arg(long, default_value_t = DEFAULT_TEST_FRACTION, value_name = "F")]
    pub test_fraction: f64,

    /// Seed of the fold assignment (and of any model randomness).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Add one row per skill and model (a multi-skill response counts for each of its skills).
    #[arg(long)]
    pub per_skill: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the report to this file (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write every test prediction as CSV: model, fold (its label with --split-column),
    /// learner, item, skills, order, correct, p_correct (`-`: standard output, when -o names a
    /// file).
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
}

/// Runs the evaluation.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    // Fail before a long evaluation, not after it.
    let report_on_stdout = args.output.as_deref().is_none_or(is_stdout);
    if let Some(path) = &args.predictions {
        if report_on_stdout && is_stdout(path) {
            anyhow::bail!("--predictions -: the report is on standard output; give -o a file");
        }
        check_writable(path)?;
    }
    if let Some(path) = &args.output {
        check_writable(path)?;
    }
    let split = match (args.split, &args.split_column) {
        (_, Some(_)) => Split::Group,
        (SplitKind::Learner, None) => Split::Learner { folds: args.folds },
        (SplitKind::Time, None) => Split::Time {
            test_fraction: args.test_fraction,
        },
    };
    let names: Vec<&str> = args.models.iter().map(|s| s.trim()).collect();
    let families = model_families(&names).context("--models")?;
    let mut log_options = args.log.options()?;
    if let Some(column) = &args.split_column {
        if log_options
            .columns
            .iter()
            .any(|(role, _)| *role == Role::Group)
        {
            anyhow::bail!(
                "--split-column reads its column as the log's group; leave out --col group=NAME"
            );
        }
        log_options.columns.push((Role::Group, column.clone()));
    }
    let loaded = args.log.load_with(&log_options)?;
    let log = &loaded.log;
    let options = EvalOptions {
        split,
        seed: args.seed,
    };

    let bar = progress_bar("{spinner} evaluating [{bar:30}] {pos}/{len} model fits");
    let predictions = cross_validate_with(log, &families, &options, |p| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        ControlFlow::Continue(())
    })?;
    bar.finish_and_clear();
    let reports = summarize(log, &predictions, args.per_skill);

    if let Some(path) = &args.predictions {
        write_atomic(path, |w| write_predictions(w, log, &predictions))?;
    }
    let render = |w: &mut dyn Write| -> anyhow::Result<()> {
        match args.format {
            Format::Json => write_json(w, &report_json(&reports, args, split, &predictions)),
            Format::Table | Format::Csv => table(&reports, args).write(w, args.format),
        }
    };
    write_atomic(args.output.as_deref().unwrap_or(Path::new("-")), render)?;
    Ok(Outcome::Success)
}

fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

fn metrics_json(m: &Metrics) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("n".into(), json!(m.n));
    o.insert("auc".into(), opt(m.auc));
    o.insert("rmse".into(), num(m.rmse));
    o.insert("accuracy".into(), num(m.accuracy));
    o.insert("log_loss".into(), num(m.log_loss));
    o
}

fn report_json(
    reports: &[ModelReport],
    args: &Args,
    split: Split,
    predictions: &Predictions,
) -> Value {
    let models: Vec<Value> = reports
        .iter()
        .map(|r| {
            let mut o = Map::new();
            o.insert("model".into(), json!(r.model));
            o.extend(metrics_json(&r.pooled));
            let spread = [
                ("auc", r.spread.auc),
                ("rmse", Some(r.spread.rmse)),
                ("accuracy", Some(r.spread.accuracy)),
                ("log_loss", Some(r.spread.log_loss)),
            ];
            for (name, ms) in spread {
                o.insert(format!("{name}_mean"), opt(ms.map(|m| m.mean)));
                o.insert(format!("{name}_std"), opt(ms.and_then(|m| m.std)));
            }
            let folds: Vec<Value> = r
                .folds
                .iter()
                .enumerate()
                .map(|(f, m)| {
                    let mut fo = Map::new();
                    fo.insert("fold".into(), json!(f + 1));
                    if split == Split::Group {
                        fo.insert("label".into(), json!(predictions.folds[f]));
                    }
                    match m {
                        Some(m) => fo.extend(metrics_json(m)),
                        None => {
                            fo.insert("n".into(), json!(0));
                        }
                    }
                    Value::Object(fo)
                })
                .collect();
            o.insert("folds".into(), Value::Array(folds));
            if args.per_skill {
                let skills: Vec<Value> = r
                    .per_skill
                    .iter()
                    .map(|s| {
                        let mut so = Map::new();
                        so.insert("skill".into(), json!(s.skill));
                        so.extend(metrics_json(&s.metrics));
                        Value::Object(so)
                    })
                    .collect();
                o.insert("per_skill".into(), Value::Array(skills));
            }
            Value::Object(o)
        })
        .collect();
    json!({
        "folds": predictions.folds.len(),
        "split": split.name(),
        "split_column": args.split_column,
        "test_fraction": match split {
            Split::Time { test_fraction } => num(test_fraction),
            Split::Learner { .. } | Split::Group => Value::Null,
        },
        "seed": args.seed,
        "tested_responses": predictions.scored.len(),
        "models": models,
    })
}

fn fixed(v: f64) -> String {
    format!("{v:.4}")
}

fn spread_text(ms: Option<MeanStd>) -> String {
    match ms {
        Some(MeanStd { mean, std: Some(s) }) => format!("{mean:.4} ± {s:.4}"),
        Some(MeanStd { mean, std: None }) => fixed(mean),
        None => "-".into(),
    }
}

fn table(reports: &[ModelReport], args: &Args) -> Table {
    let csv = args.format == Format::Csv;
    let mut header = vec!["model"];
    if args.per_skill {
        header.push("skill");
    }
    header.push("n");
    let metric_names = ["auc", "rmse", "accuracy", "log_loss"];
    let mut spread_header = Vec::new();
    for name in metric_names {
        spread_header.push(name.to_owned());
        if csv {
            spread_header.push(format!("{name}_mean"));
            spread_header.push(format!("{name}_std"));
        } else {
            spread_header.push(format!("{name}_folds"));
        }
    }
    let mut t = Table::new(header.iter().map(|s| s.to_string()).chain(spread_header));
    let value = |v: Option<f64>| -> String {
        match v {
            Some(v) if csv => v.to_string(),
            Some(v) => fixed(v),
            None if csv => String::new(),
            None => "-".into(),
        }
    };
    for r in reports {
        let mut row = vec![r.model.clone()];
        if args.per_skill {
            row.push("(all)".into());
        }
        row.push(r.pooled.n.to_string());
        let pooled = [
            Some(r.pooled.auc).flatten(),
            Some(r.pooled.rmse),
            Some(r.pooled.accuracy),
            Some(r.pooled.log_loss),
        ];
        let spread = [
            r.spread.auc,
            Some(r.spread.rmse),
            Some(r.spread.accuracy),
            Some(r.spread.log_loss),
        ];
        for (p, s) in pooled.into_iter().zip(spread) {
            row.push(value(p));
            if csv {
                row.push(value(s.map(|m| m.mean)));
                row.push(value(s.and_then(|m| m.std)));
            } else {
                row.push(spread_text(s));
            }
        }
        t.push(row);
        for s in &r.per_skill {
            let m = &s.metrics;
            let mut row = vec![r.model.clone(), s.skill.clone(), m.n.to_string()];
            for v in [m.auc, Some(m.rmse), Some(m.accuracy), Some(m.log_loss)] {
                row.push(value(v));
                if csv {
                    row.push(String::new());
                    row.push(String::new());
                } else {
                    row.push(String::new());
                }
            }
            t.push(row);
        }
    }
    t
}

fn write_predictions(
    w: &mut dyn Write,
    log: &InteractionLog,
    predictions: &Predictions,
) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "model",
        "fold",
        "learner",
        "item",
        "skills",
        "order",
        "correct",
        "p_correct",
    ])?;
    for (model, p) in &predictions.models {
        for (s, &p) in predictions.scored.iter().zip(p) {
            let r = log.response(s.response as usize);
            let skills: Vec<&str> = r.skills.iter().map(|&k| log.skills().name(k)).collect();
            out.write_record([
                model.as_str(),
                &fold_name(predictions, s.fold),
                log.learners().name(r.learner),
                r.item.map_or("", |i| log.items().name(i)),
                &skills.join("~~"),
                &r.order.to_string(),
                if r.correct { "1" } else { "0" },
                &p.to_string(),
            ])?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The fold column of `--predictions`: the split's label for `--split-column`, else the 1-based
/// fold number.
fn fold_name(predictions: &Predictions, fold: u32) -> String {
    match predictions.split {
        Split::Group => predictions.folds[fold as usize].clone(),
        _ => (fold + 1).to_string(),
    }
}
