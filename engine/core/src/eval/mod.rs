//! Model evaluation: prediction metrics, learner-level cross-validation, a time split and a data
//! set's own split (group labels), and the
//! model families: the baselines (`majority`, `skill-mean`, `afm`, `pfa`) and the BKT variants
//! (`bkt`, `bkt-forgets`, `bkt-item`, `bkt-item-learn`, `bkt-learner-prior`);
//! and, in [`simulate`], simulated learners for comparing teaching policies.
//!
//! ```
//! use pathwise::{eval::{EvalOptions, Split, cross_validate, model_families, summarize}, LogBuilder, RawRow};
//! let mut b = LogBuilder::new();
//! for (l, learner) in ["ann", "bob", "cy", "dee"].iter().enumerate() {
//!     for t in 0..6 {
//!         b.push(RawRow { learner, skills: &["add"], item: None, correct: (t + l) % 3 != 0,
//!                         order: t as i64, group: None });
//!     }
//! }
//! let log = b.build();
//! let families = model_families(&["majority", "skill-mean"]).unwrap();
//! let options = EvalOptions { split: Split::Learner { folds: 2 }, seed: 7 };
//! let predictions = cross_validate(&log, &families, &options).unwrap();
//! assert_eq!(predictions.scored.len(), 24); // every response of every learner, once
//! let reports = summarize(&log, &predictions, false);
//! assert_eq!(reports[0].model, "majority");
//! assert_eq!(reports[0].pooled.n, 24);
//! ```
//!
//! Multi-skill responses are scored once. How each family combines the skills of one response is
//! documented on the family: `skill-mean`, `afm` and `pfa` average the skills' probabilities
//! (the logistic models are fitted per skill; see `docs/eval.md`).

mod afm;
mod baseline;
mod bkt;
mod family;
mod folds;
mod logistic;
mod metrics;
mod pfa;
mod replay;
mod run;
mod summary;

pub mod simulate;

pub use afm::Afm;
pub use baseline::{Majority, SkillMean};
pub use bkt::Bkt;
pub use family::{LearnerScorer, ModelFamily, Predictor};
pub use folds::{DEFAULT_TEST_FRACTION, MAX_FOLDS, Split, group_folds, learner_folds, time_cut};
pub use metrics::{LOG_LOSS_EPS, Metrics, accuracy, auc, log_loss, rmse};
pub use pfa::Pfa;
pub use replay::{
    MAX_REPLAY_SLICES, ReplayOptions, ReplayReport, ReplayStep, replay, replay_with, walk_order,
};
pub use run::{
    EvalOptions, EvalProgress, Predictions, Scored, cross_validate, cross_validate_with,
};
pub use summary::{FoldSpread, MeanStd, ModelReport, SkillMetrics, summarize};

use crate::{Error, Result};

/// Names of the model families [`model_family`] knows, in the order they are usually compared.
/// Every BKT name also exists with `-ml` appended: the same variant fitted by maximum likelihood,
/// without pseudo-counts (e.g. `bkt-ml`).
pub const MODEL_NAMES: &[&str] = &[
    "majority",
    "skill-mean",
    "afm",
    "pfa",
    "bkt",
    "bkt-forgets",
    "bkt-item",
    "bkt-item-learn",
    "bkt-learner-prior",
];

/// The model family called `name` (one of [`MODEL_NAMES`]).
pub fn model_family(name: &str) -> Result<Box<dyn ModelFamily>> {
    Ok(match name {
        "majority" => Box::new(Majority),
        "skill-mean" => Box::new(SkillMean),
        "afm" => Box::new(Afm),
        "pfa" => Box::new(Pfa),
        _ => match Bkt::named(name) {
            Some(bkt) => Box::new(bkt),
            None => {
                return Err(Error::setting(
                    "models",
                    format!(
                        "unknown model '{name}'; known models: {} (and each bkt one ending in -ml)",
                        MODEL_NAMES.join(", ")
                    ),
                ));
            }
        },
    })
}

/// The model families called `names`, in that order; a name given twice is an error.
pub fn model_families(names: &[&str]) -> Result<Vec<Box<dyn ModelFamily>>> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(Error::setting(
                "models",
                format!("model '{name}' is listed twice"),
            ));
        }
    }
    names.iter().map(|n| model_family(n)).collect()
}

#[cfg(test)]
mod tests;
