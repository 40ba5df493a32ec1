//! One skill's fit: EM from every starting point side by side, the best objective wins.

use std::ops::ControlFlow;

use rayon::prelude::*;

use super::counts::Counts;
use super::e_step::{e_step, tries_counts};
use super::em_run::{EmResult, EmRun};
use super::m_step::objective;
use super::options::FitOptions;
use super::progress::{Progress, Tracker};
use super::skill_data::{SkillData, skill_model};
use super::slot_params::SlotParams;
use super::start::start_params;
use crate::bkt::model::SkillModel;
use crate::error::{Error, Result};
use crate::log::InteractionLog;

/// Runs EM for one skill from every starting point; the best objective (log-likelihood, plus
/// the pseudo-counts' log prior) wins (ties: the earlier restart).
pub(super) fn fit_skill<F: Fn(Progress) -> ControlFlow<()> + Sync>(
    data: &SkillData<'_>,
    log: &InteractionLog,
    options: &FitOptions,
    tracker: &Tracker<'_, F>,
) -> Result<SkillModel> {
    let fixed = options.fixed.for_skill(log.skills().name(data.skill));
    // The restarts run side by side: each round evaluates every unfinished restart's next point
    // at once. The best is picked in restart order.
    let mut runs: Vec<EmRun> = (0..options.restarts)
        .map(|restart| EmRun::new(start_params(data, log, options, restart, 1)))
        .collect();
    loop {
        let waiting: Vec<usize> = (0..runs.len())
            .filter(|&r| runs[r].pending().is_some())
            .collect();
        if waiting.is_empty() {
            break;
        }
        let points: Vec<&SlotParams> = waiting.iter().filter_map(|&r| runs[r].pending()).collect();
        let evaluated = evaluate_points(data, &points, options, tracker)?;
        for (r, e) in waiting.into_iter().zip(evaluated) {
            runs[r].receive(e, options, fixed);
        }
    }
    let (sp, result) = best_run(runs)?;
    let EmResult {
        ll,
        iterations,
        converged: done,
        ..
    } = result;
    let stats = data.stats(ll, iterations, done);
    Ok(skill_model(data, log, &sp, &[1.0], stats))
}

/// The best of a skill's ended EM runs: the highest objective, ties to the earlier restart.
pub(super) fn best_run(runs: Vec<EmRun>) -> Result<(SlotParams, EmResult)> {
    let mut best: Option<(SlotParams, EmResult)> = None;
    for run in runs {
        let result = run
            .result()
            .ok_or_else(|| Error::config("EM ended without a result"))?;
        if best
            .as_ref()
            .is_none_or(|b| result.objective > b.1.objective)
        {
            best = Some((run.sp, result));
        }
    }
    best.ok_or_else(|| Error::config("no restarts"))
}

/// The E-step's counts at each of `points` (a skill's restarts waiting for one), with EM's
/// objective there: over pattern tries the points share the walks ([`tries_counts`]), otherwise
/// each point's E-step runs on its own, the points in parallel.
fn evaluate_points<F: Fn(Progress) -> ControlFlow<()> + Sync>(
    data: &SkillData<'_>,
    points: &[&SlotParams],
    options: &FitOptions,
    tracker: &Tracker<'_, F>,
) -> Result<Vec<(Counts, f64)>> {
    let counts: Vec<Counts> = if data.tries.is_empty() {
        points.par_iter().map(|p| e_step(data, p, None)).collect()
    } else {
        tries_counts(data, points)
    };
    counts
        .into_iter()
        .zip(points)
        .map(|(c, p)| {
            tracker.iteration_done()?;
            let value = objective(&c, p, options);
            Ok((c, value))
        })
        .collect()
}
