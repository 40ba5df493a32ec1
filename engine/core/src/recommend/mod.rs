//! The recommender: which activity a learner should do next, and in which order the skills on the
//! way to their goals should be learnt.
//!
//! Submodules, one job each: `dynamics` (the BKT arithmetic on one skill), `policy` (settings),
//! `score` (the score and its components), `explain` (the one-line reasons), `plan` (ordering a
//! path).

mod dynamics;
mod explain;
mod knowledge;
mod plan;
mod policy;
#[cfg(test)]
mod proptests;
mod rank;
mod recommender;
mod replay;
mod score;
mod tables;
#[cfg(test)]
mod tests;

pub use dynamics::{MAX_OPPORTUNITIES, SkillDynamics};
pub use knowledge::SkillKnowledge;
pub use plan::{Plan, PlanStep};
pub use policy::Policy;
pub use rank::Recommendation;
pub use recommender::Recommender;
pub use replay::Replayer;
pub use score::{Components, Kind};
