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

mod bkt;
mod error;
mod log;

pub use bkt::{
    Bounds, FEW_LEARNERS, Fallback, Fallbacks, FitInfo, FitOptions, FixedParams, GUESS_SLIP_MARGIN,
    ItemParams, LEARNER_CLASSES, LearnerState, MODEL_FORMAT, MODEL_VERSION, Model, PROB_FLOOR,
    ParamName, Params, PredictionRow, Predictions, Progress, SkillModel, SkillStats, Step, Variant,
    fit, predict,
};
pub use error::{Error, Location, Result};
pub use log::{
    InteractionLog, Interner, LogBuilder, NONE_ID, OrderKind, RawRow, Response, Sequence,
};
