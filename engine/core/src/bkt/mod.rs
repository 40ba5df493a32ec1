//! Bayesian Knowledge Tracing: parameters, EM fitting with every standard variant, the online
//! filter and prediction. The model, EM, variants, bounds and fallbacks are described with
//! formulas in `docs/bkt.md`.

mod em;
mod filter;
mod fit;
mod fit_flags;
pub mod mastery;
mod mixture;
mod model;
mod model_file;
mod params;
mod predict;
mod pseudo_counts;
mod squarem;
mod state;
mod state_file;
#[cfg(test)]
mod testdata;
mod trie;

pub use filter::{Fallback, Step};
pub use fit::{FitOptions, MAX_RESTARTS, Progress, fit};
pub use fit_flags::{EDGE_TOLERANCE, FEW_LEARNERS, FEW_OBSERVATIONS, FitFlag};
pub use mixture::LEARNER_CLASSES;
pub use model::{FitInfo, ItemParams, Model, SkillModel, SkillStats};
pub use model_file::{MODEL_FORMAT, MODEL_VERSION};
pub use params::{Bounds, FixedParams, GUESS_SLIP_MARGIN, PROB_FLOOR, ParamName, Params, Variant};
pub use predict::{Fallbacks, PredictionRow, Replay, predict};
pub use pseudo_counts::{DEFAULT_PSEUDO_COUNTS, PseudoCounts};
pub use state::LearnerState;
pub(crate) use state::estimate;
pub use state_file::{MAX_STATE_BYTES, STATE_FORMAT, STATE_VERSION, StateChanges};
