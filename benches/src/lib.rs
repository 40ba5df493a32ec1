//! Shared helpers for the pathwise benchmarks.
