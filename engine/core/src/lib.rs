//! # pathwise
//!
//! An adaptive learning-path engine: a **skill graph** (competencies, prerequisites, activities)
//! combined with **Bayesian Knowledge Tracing** fitted on interaction logs, recommending each
//! learner's next activities with reasons a person can read.
//!
//! The library never prints, never exits and never panics on bad input: every fallible call
//! returns [`Result`], whose [`Error`] names the file, line and column (or skill/item) at fault.
//!
//! Modules follow the data's journey (see `docs/architecture.md`): `log` (interaction logs) → `graph`
//! (skill graphs) → `bkt` (models) → `recommend` → `eval` / `report` / `record`.

// A library never prints or exits: it returns what it found and lets the front end decide.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod bkt;
pub use bkt::mastery;
mod error;
mod eval;
mod graph;
pub mod json;
mod log;
mod recommend;
pub mod record;
mod report;
pub mod text;

pub use bkt::{
    Bounds, DEFAULT_PSEUDO_COUNTS, EDGE_TOLERANCE, FEW_LEARNERS, FEW_OBSERVATIONS, Fallback,
    Fallbacks, FitFlag, FitInfo, FitOptions, FixedParams, GUESS_SLIP_MARGIN, ItemParams,
    LEARNER_CLASSES, LearnerState, MAX_RESTARTS, MAX_STATE_BYTES, MODEL_FORMAT, MODEL_VERSION,
    Model, Overlap, PROB_FLOOR, ParamName, Params, PredictionRow, Progress, PseudoCounts, Replay,
    STATE_FORMAT, STATE_VERSION, SkillModel, SkillStats, StateChanges, Step, Variant, fit, predict,
};
pub use error::{Error, Location, Result};
pub use eval::simulate;
pub use eval::{
    Afm, Bkt, DEFAULT_TEST_FRACTION, EvalOptions, EvalProgress, FoldSpread, LOG_LOSS_EPS,
    LearnerScorer, MAX_FOLDS, MAX_REPLAY_SLICES, MODEL_NAMES, Majority, MeanStd, Metrics,
    ModelFamily, ModelReport, Pfa, Predictions, Predictor, ReplayOptions, ReplayReport, ReplayStep,
    Scored, SkillMean, SkillMetrics, Split, accuracy, auc, cross_validate, cross_validate_with,
    group_folds, learner_folds, log_loss, model_families, model_family, replay, replay_with, rmse,
    summarize, time_cut, walk_order,
};
pub use graph::{
    Activity, ActivitySpec, BuildOptions, BuiltGraph, DeriveOptions, DropReason, DroppedEdge,
    MAX_DERIVED_SKILLS, Skill, SkillGraph, SkillGraphBuilder, SkillSpec, derive_graph,
};
pub use log::{
    InteractionLog, Interner, LogBuilder, NONE_ID, OrderKind, RawRow, Response, Sequence,
};
pub use recommend::{
    Components, GRID_POINTS, Kind, MAX_OPPORTUNITIES, Plan, PlanStep, Policy, Recommendation,
    Recommender, Replayer, SkillDynamics, SkillKnowledge,
};
pub use report::{
    ALL_LEARNERS, Cohort, CohortInput, CohortReport, CohortSelection, Group, GroupRule, Grouping,
    Inactive, InactiveRule, LearnerActivity, LearnerFigures, LearnerInput, ReportSettings,
    SkillFigures, SkillRef, Stuck, Summary, TopPick, build_report, cohort_reports, format_gap,
    format_order, learner_activity,
};
