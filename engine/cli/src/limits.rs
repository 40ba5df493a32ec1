//! The largest value of every numeric argument that sizes an allocation, a thread pool or the
//! work of a run, in one place (listed in the README's "Limits" section). clap checks them while
//! parsing, before anything is read or allocated; a value out of range is a one-line usage error
//! that names the flag and the range, e.g.
//! `invalid value '100000' for '--threads <N>': 100000 is not in 1..=1024`.
//! The library checks the limits it owns (restarts, replay slices, simulated learner-steps) too.

use clap::builder::RangedU64ValueParser;

/// `--threads` (every command): worker threads.
pub const MAX_THREADS: u64 = 1024;

/// `fit --restarts`: starting points per skill (the library's limit).
pub const MAX_RESTARTS: u64 = pathwise::bkt::MAX_RESTARTS as u64;

/// `fit --max-iter`: EM iterations per skill and restart.
pub const MAX_ITERATIONS: u64 = 100_000;

/// `eval --folds`: cross-validation folds (also at most the log's learners; the library's limit, which
/// also bounds the labels of `--split-column`).
pub const MAX_FOLDS: u64 = pathwise::eval::MAX_FOLDS as u64;

/// `recommend --top`, `replay --top`: recommendations per learner.
pub const MAX_TOP: u64 = 10_000;

/// `replay --slices`: slices of the walk reported (the library's limit).
pub const MAX_SLICES: u64 = pathwise::eval::MAX_REPLAY_SLICES as u64;

/// `simulate --learners`, `--steps`, `--runs`: each at most, and their product at most, this many
/// simulated learner-steps (the library's limit; about 1.6 GB at the most, 2.4 GB more with `-o`).
pub const MAX_LEARNER_STEPS: u64 = pathwise::eval::simulate::MAX_LEARNER_STEPS as u64;

/// `record issue --valid-days`: a validity of at most about 1000 years.
pub const MAX_VALID_DAYS: u64 = 365_250;

/// A parser of whole numbers in `min..=max` (into `usize`, `u32` or `u64`).
pub fn range<T>(min: u64, max: u64) -> RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
{
    RangedU64ValueParser::<T>::new().range(min..=max)
}
