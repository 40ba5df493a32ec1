//! Bayesian Knowledge Tracing: parameters, EM fitting with every standard variant, the online
//! filter and prediction. The model, EM, variants, bounds and fallbacks are described with
//! formulas in `docs/bkt.md`.

mod combine;
mod filter;
mod fit;
mod fit_flags;
mod generative;
pub mod mastery;
mod model;
mod model_file;
mod overlap;
mod params;
mod predict;
mod state;
mod state_file;
#[cfg(test)]
mod testdata;

pub use filter::{Fallback, Step};
pub use fit::{
    DEFAULT_PSEUDO_COUNTS, FitOptions, MAX_RESTARTS, PartitionCounts, PartitionedFit, Progress,
    PseudoCounts, fit,
};
pub use fit_flags::{EDGE_TOLERANCE, FEW_LEARNERS, FEW_OBSERVATIONS, FitFlag};
pub use generative::SimulatedAttempt;
pub use model::{FitInfo, ItemParams, Model, SkillModel, SkillStats};
pub use model_file::{MODEL_FORMAT, MODEL_VERSION};
pub use overlap::Overlap;
pub use params::{
    Bounds, FixedParams, GUESS_SLIP_MARGIN, LEARNER_CLASSES, PROB_FLOOR, ParamName, Params, Variant,
};
pub use predict::{Fallbacks, PredictionRow, Replay, predict};
pub use state::LearnerState;
pub(crate) use state::estimate;
pub use state_file::{MAX_STATE_BYTES, STATE_FORMAT, STATE_VERSION, StateChanges};
