//! The recommender: which activity a learner should do next, and in which order the skills on the
//! way to their goals should be learnt.
//!
//! Submodules, one job each: `dynamics` (the BKT arithmetic on one skill), `policy` (settings),
//! `score` (the score and its components), `explain` (the one-line reasons), `plan` (ordering a
//! path).

// The ranking and planning cores are wired to `Recommender::new(&SkillGraph, &Model, Policy)` once
// the graph and BKT modules land on main; until then only their tests use them.
#![allow(dead_code)]

mod dynamics;
mod explain;
mod plan;
mod policy;
#[cfg(test)]
mod proptests;
mod rank;
mod score;
mod tables;

pub use dynamics::{GRID_POINTS, MAX_OPPORTUNITIES, SkillDynamics};
pub use plan::{Plan, PlanStep};
pub use policy::{Band, Policy, Weights};
pub use rank::Recommendation;
pub use score::{Components, Kind};
