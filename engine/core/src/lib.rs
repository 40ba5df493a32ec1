//! # pathwise
//!
//! An adaptive learning-path engine: a **skill graph** (competencies, prerequisites, activities)
//! combined with **Bayesian Knowledge Tracing** fitted on interaction logs, recommending each
//! learner's next activities with reasons a person can read.
//!
//! The library never prints, never exits and never panics on bad input: every fallible call
//! returns [`Result`], whose [`Error`] names the file, line and column (or skill/item) at fault.
//!
//! Modules follow the data's journey (see `DESIGN.md`): `log` (interaction logs) → `graph`
//! (skill graphs) → `bkt` (models) → `recommend` → `eval` / `report` / `record`.

mod error;
mod eval;
mod log;

pub use error::{Error, Location, Result};
pub use eval::simulate;
pub use eval::{
    Afm, DEFAULT_TEST_FRACTION, EvalOptions, FoldSpread, LOG_LOSS_EPS, LearnerScorer, MODEL_NAMES,
    Majority, MeanStd, Metrics, ModelFamily, ModelReport, Pfa, Predictions, Predictor, Scored,
    SkillMean, SkillMetrics, Split, accuracy, auc, cross_validate, learner_folds, log_loss,
    model_families, model_family, rmse, summarize, time_cut,
};
pub use log::{
    InteractionLog, Interner, LogBuilder, NONE_ID, OrderKind, RawRow, Response, Sequence,
};
