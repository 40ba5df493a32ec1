//! `pathwise path`: one learner's learning path to their goals — every unmastered skill on the
//! way, in order, with the expected practice opportunities and minutes to mastery.

use std::io::Write;

use pathwise::Plan;

use super::recommend::{Inputs, learners};
use crate::Outcome;
use crate::output::{Format, Table, write_json};

/// Arguments of `pathwise path`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model, graph, log, goals and policy (without `--goal` the whole graph is the goal).
    #[command(flatten)]
    pub inputs: Inputs,

    /// The learner.
    #[arg(long, value_name = "ID")]
    pub learner: String,
}

#[derive(serde::Serialize)]
struct JsonStep<'a> {
    learner: &'a str,
    #[serde(flatten)]
    step: &'a pathwise::PlanStep,
}

/// Runs `pathwise path`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let loaded = args.inputs.load()?;
    let (recommender, replayer) = loaded.engines()?;
    let log = &loaded.log;
    let (name, id) = learners(log, std::slice::from_ref(&args.learner))
        .pop()
        .unwrap_or((args.learner.clone(), u32::MAX));
    let state = replayer.replay(id);
    let plan = recommender.path(&state, &[])?;
    if plan.steps.is_empty() {
        crate::status!(
            "learner '{name}': nothing to learn: {}",
            recommender.why_none(&state)?
        );
    }
    args.inputs
        .write(|out| write_plan(out, &name, &plan, args.inputs.format))?;
    Ok(Outcome::Success)
}

fn write_plan(
    out: &mut dyn Write,
    learner: &str,
    plan: &Plan,
    format: Format,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let rows: Vec<JsonStep<'_>> = plan
            .steps
            .iter()
            .map(|step| JsonStep { learner, step })
            .collect();
        return write_json(out, &rows);
    }
    let mut table = Table::new([
        "learner",
        "step",
        "skill",
        "mastery",
        "estimate",
        "status",
        "expected_opportunities",
        "minutes",
    ]);
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
    for s in &plan.steps {
        table.push([
            learner.to_owned(),
            s.step.to_string(),
            s.skill.clone(),
            format!("{:.3}", s.mastery),
            format!("{:.3}", s.estimate),
            s.status.as_str().to_owned(),
            opt(s.expected_opportunities),
            opt(s.minutes),
        ]);
    }
    table.write(out, format)?;
    if format == Format::Table {
        writeln!(
            out,
            "total: {} skills, {} expected opportunities, {} minutes{}",
            plan.steps.len(),
            plan.expected_opportunities.map_or_else(
                || "unknown (a skill cannot be learnt)".to_owned(),
                |v| format!("{v:.1}")
            ),
            plan.minutes
                .map_or_else(|| "unknown".to_owned(), |v| format!("{v:.0}")),
            if plan.steps_without_minutes > 0 {
                format!(" ({} steps without minutes)", plan.steps_without_minutes)
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}
