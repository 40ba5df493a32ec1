//! Evaluation: simulated learners for comparing teaching policies.

pub mod simulate;
