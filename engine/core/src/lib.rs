//! # pathwise
//!
//! An adaptive learning-path engine: a **skill graph** (competencies, prerequisites, activities)
//! combined with **Bayesian Knowledge Tracing** fitted on interaction logs, recommending each
//! learner's next activities with reasons a person can read.
//!
//! The library never prints, never exits and never panics on bad input: every fallible call
//! returns [`Result`], whose [`Error`] names the file, line and column (or skill/item) at fault.
//!
//! The crate root holds the embedding flow: an [`InteractionLog`] (built with [`LogBuilder`]) →
//! [`FitOptions`] and [`fit`] → a [`Model`] → one [`LearnerState`] per learner → a [`Recommender`]
//! on a [`SkillGraph`] → [`Recommendation`]s and [`Plan`]s, with [`Error`] and [`Result`].
//! Everything else lives in public modules that follow the data's journey (see
//! `docs/architecture.md`): [`log`] (interaction logs) → [`graph`] (skill graphs) → [`bkt`]
//! (models) → [`recommend`] → [`eval`] (evaluation and [`eval::simulate`]) / [`report`] (cohort
//! figures) / [`record`] (verifiable mastery records), with [`json`] and [`text`] as helpers.

// A library never prints or exits: it returns what it found and lets the front end decide.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod bkt;
mod error;
pub mod eval;
pub mod graph;
pub mod json;
pub mod log;
pub mod recommend;
pub mod record;
pub mod report;
pub mod text;

pub use bkt::mastery::{MasteryRule, Status};
pub use bkt::{
    FitInfo, FitOptions, FixedParams, LearnerState, Model, Params, PredictionRow, Progress,
    PseudoCounts, SkillModel, Variant, fit, predict,
};
pub use error::{Error, Location, Result, Subject, SubjectKind};
pub use graph::{
    Activity, ActivitySpec, BuildOptions, BuiltGraph, Skill, SkillGraph, SkillGraphBuilder,
    SkillSpec,
};
pub use log::{InteractionLog, LogBuilder, OrderKind, RawRow, Response};
pub use recommend::{
    Components, Kind, Plan, PlanStep, Policy, Recommendation, Recommender, SkillKnowledge,
};
