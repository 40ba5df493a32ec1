//! # pathwise
//!
//! An adaptive learning-path engine: a **skill graph** (competencies, prerequisites, activities)
//! combined with **Bayesian Knowledge Tracing** fitted on interaction logs, recommending each
//! learner's next activities with reasons a person can read.
//!
//! The library never prints, never exits and never panics on bad input: every fallible call
//! returns [`Result`], whose [`Error`] names the file, line and column (or skill/item) at fault.
//!
//! The crate root holds the embedding flow: an [`InteractionLog`] (built with [`LogBuilder`])
//! → [`FitOptions`] and [`fit`] → a [`Model`] → one [`LearnerState`] per learner → a
//! [`Recommender`] on a [`SkillGraph`] → [`Recommendation`]s and [`Plan`]s, with [`Error`] and
//! [`Result`].
//! Everything else lives in public modules that follow the data's journey (see
//! `docs/architecture.md`): [`log`] (interaction logs) → [`graph`] (skill graphs) → [`bkt`]
//! (models) → [`recommend`] → [`eval`] (evaluation and [`eval::simulate`]) / [`report`] (cohort
//! figures) / [`record`] (verifiable mastery records), with [`json`] and [`text`] as helpers.
//!
//! The whole flow on a generated log (two skills, `add` before `carry`):
//!
//! ```
//! use std::ops::ControlFlow;
//! use std::sync::Arc;
//! use pathwise::{
//!     ActivitySpec, BuildOptions, FitOptions, Kind, LearnerState, LogBuilder, Policy, RawRow,
//!     Recommender, SkillGraphBuilder, SkillSpec, fit,
//! };
//!
//! // A log: 40 learners, 8 answers per skill each, more often right the more they practise.
//! let learners: Vec<String> = (0..40).map(|l| format!("learner-{l}")).collect();
//! let mut log = LogBuilder::new();
//! for (l, learner) in learners.iter().enumerate() {
//!     for (s, skill) in ["add", "carry"].into_iter().enumerate() {
//!         for t in 0..8usize {
//!             let correct = (l * 7 + t * 3 + s) % 10 < 3 + t;
//!             let order = (s * 8 + t) as i64;
//!             let row = RawRow { learner, skills: &[skill], item: None, correct, order,
//!                                group: None };
//!             log.push(row);
//!         }
//!     }
//! }
//!
//! // Fit a model (EM with restarts; progress could stop it with ControlFlow::Break).
//! let model = Arc::new(fit(&log.build(), &FitOptions::default(), |_| ControlFlow::Continue(()))?);
//!
//! // The curriculum: carrying needs adding.
//! let mut graph = SkillGraphBuilder::new("curriculum");
//! graph.add_skill(SkillSpec::new("add"));
//! graph.add_skill(SkillSpec::new("carry").requires(["add"]));
//! graph.add_activity(ActivitySpec::new("add-drill", ["add"]));
//! let graph = Arc::new(graph.build(&BuildOptions::default())?.graph);
//!
//! // One recommender serves every learner (Send + Sync); one state per learner.
//! let recommender = Recommender::new(graph, model.clone(), Policy::default())?;
//! let mut state = LearnerState::new(&model);
//! state.observe(&model, "add", Some("add-drill"), false)?;
//! let next = recommender.recommend(&state, 1)?;
//! assert_eq!((next[0].skill.as_str(), next[0].kind), ("add", Kind::Learn));
//! assert_eq!(next[0].activity.as_deref(), Some("add-drill"));
//! let path = recommender.path(&state, &["carry"])?;
//! assert_eq!(path.steps.iter().map(|s| s.skill.as_str()).collect::<Vec<_>>(), ["add", "carry"]);
//!
//! // The state is stored as JSON between requests.
//! let stored = state.to_json(&model)?;
//! let (state, _changes) = LearnerState::from_json(&stored, &model)?;
//! # let _ = state;
//! # Ok::<(), pathwise::Error>(())
//! ```

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
