//! Fitting: per skill, EM from several starting points (the best log-likelihood wins), with
//! bounds, fixed parameters, warm starts, a deterministic parallel reduction and a progress /
//! cancel callback.
//!
//! One module per stage: the settings ([`options`]), the data layout of a skill ([`skill_data`]),
//! the starting points ([`start`]), the E-step ([`e_step`] over the kernels of [`em`] and
//! [`trie`], producing [`counts`]), the M-step ([`m_step`], with [`pseudo_counts`]), one EM run ([`em_run`], with
//! [`squarem`]), a skill's restarts ([`restarts`]), the learner-prior mixture ([`mixture`]), and
//! one skill's EM over partitions of its learners ([`partitioned`]).

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::bkt::model::{FitInfo, Model, SkillModel};
use crate::error::Result;
use crate::log::InteractionLog;

mod counts;
mod e_step;
mod em;
mod em_run;
mod m_step;
mod mixture;
mod options;
mod partitioned;
mod progress;
mod pseudo_counts;
mod restarts;
mod skill_data;
mod slot_params;
mod squarem;
mod start;
#[cfg(test)]
mod tests;
mod trie;

pub use options::{FitOptions, MAX_RESTARTS};
pub use partitioned::{PartitionCounts, PartitionedFit};
pub use progress::Progress;
pub use pseudo_counts::{DEFAULT_PSEUDO_COUNTS, PseudoCounts};

use progress::Tracker;
use skill_data::SkillData;

/// Fits a BKT model of `options.variant` to `log`.
///
/// `progress` is called after every EM iteration and every finished skill (from worker threads);
/// returning `ControlFlow::Break(())` stops the fit with [`crate::Error::Cancelled`].
///
/// ```
/// use pathwise::{FitOptions, LogBuilder, RawRow, fit};
/// let mut b = LogBuilder::new();
/// for (l, answers) in [("a", [0, 1, 1, 1]), ("b", [0, 0, 1, 1]), ("c", [1, 1, 1, 1])] {
///     for (t, c) in answers.iter().enumerate() {
///         b.push(RawRow { learner: l, skills: &["add"], item: None, correct: *c == 1,
///                         order: t as i64, group: None });
///     }
/// }
/// let model = fit(&b.build(), &FitOptions::default(), |_| std::ops::ControlFlow::Continue(()))?;
/// let add = model.skill("add").unwrap();
/// assert!(add.params().guess < 0.5 && add.params().slip < 0.5);
/// assert_eq!(add.stats().observations, 12);
/// # Ok::<(), pathwise::Error>(())
/// ```
pub fn fit<F>(log: &InteractionLog, options: &FitOptions, progress: F) -> Result<Model>
where
    F: Fn(Progress) -> ControlFlow<()> + Sync,
{
    options.validate()?;
    if options.variant.learner_prior {
        return mixture::fit_mixture(log, options, &progress);
    }
    let skills: Vec<u32> = (0..log.skills().len() as u32)
        .filter(|&s| log.skill_observations(s) > 0)
        .collect();
    let tracker = Tracker::new(skills.len(), &progress);
    let fitted: Vec<SkillModel> = skills
        .par_iter()
        .map(|&s| {
            let data = SkillData::new(log, s, options.variant);
            let result = restarts::fit_skill(&data, log, options, &tracker)?;
            tracker.skill_done()?;
            Ok(result)
        })
        .collect::<Result<_>>()?;
    let info = FitInfo {
        restarts: options.restarts,
        seed: options.seed,
        iterations: fitted
            .iter()
            .map(|s| s.stats().iterations)
            .max()
            .unwrap_or(0),
        converged: fitted.iter().all(|s| s.stats().converged),
        log_likelihood: fitted.iter().map(|s| s.stats().log_likelihood).sum(),
        input_sha256: None,
        pseudo_counts: options.pseudo_counts.weight,
    };
    Model::new(options.variant, fitted, Vec::new(), info)
}
