//! The recommender: which activity a learner should do next, and in which order the skills on the
//! way to their goals should be learnt.
//!
//! Submodules, one job each: `dynamics` (the BKT arithmetic on one skill), `score` (the score and
//! its components), `explain` (the one-line reasons), `plan` (ordering a path).

mod dynamics;

pub use dynamics::{GRID_POINTS, MAX_OPPORTUNITIES, SkillDynamics};
