//! Shared helpers for the pathwise benchmarks.

pub mod recommend_world;
