//! How responses are split into training and test data.
//!
//! * [`learner_folds`]: learner-level k-fold cross-validation. The learners are shuffled with a
//!   seeded ChaCha8 generator and dealt round-robin into `k` folds, so **every learner is tested
//!   exactly once** and fold sizes (in learners) differ by at most one. (pyBKT's `crossvalidate`
//!   drops the leftover learners when their number is not divisible by `k`; here none is left out.)
//! * [`time_cut`]: per learner, the first part of the responses (in time order) is training data
//!   and the last `test_fraction` (default 20 %) is test data.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::{Error, Result};

/// Default share of each learner's responses tested by the time split: the last 20 %.
pub const DEFAULT_TEST_FRACTION: f64 = 0.2;

/// How the log is split for evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Split {
    /// Learner-level k-fold cross-validation: each fold's learners are unseen during training.
    Learner {
        /// Number of folds (at least 2, at most the number of learners).
        folds: usize,
    },
    /// One split in time: every learner's last `test_fraction` of responses is tested, the model
    /// being trained on everybody's earlier responses.
    Time {
        /// Share of each learner's responses to test, in (0, 1).
        test_fraction: f64,
    },
}

impl Split {
    /// The number of train/test splits this makes (1 for the time split).
    pub fn n_splits(&self) -> usize {
        match *self {
            Split::Learner { folds } => folds,
            Split::Time { .. } => 1,
        }
    }

    /// Short name: `learner` or `time`.
    pub fn name(&self) -> &'static str {
        match self {
            Split::Learner { .. } => "learner",
            Split::Time { .. } => "time",
        }
    }

    /// Checks the settings against a log of `learners` learners.
    pub fn validate(&self, learners: usize) -> Result<()> {
        match *self {
            Split::Learner { folds } if folds < 2 => Err(Error::config(format!(
                "--folds must be at least 2, got {folds}"
            ))),
            Split::Learner { folds } if folds > learners => Err(Error::config(format!(
                "--folds {folds} needs at least {folds} learners, the log has {learners}"
            ))),
            Split::Time { test_fraction } if !(test_fraction > 0.0 && test_fraction < 1.0) => {
                Err(Error::config(format!(
                    "the test fraction must be strictly between 0 and 1, got {test_fraction}"
                )))
            }
            _ => Ok(()),
        }
    }
}

/// The fold (0-based) of each of `learners` learners: a seeded shuffle dealt round-robin, so every
/// learner is in exactly one fold and fold sizes differ by at most one. `folds` must be ≥ 1.
pub fn learner_folds(learners: usize, folds: usize, seed: u64) -> Vec<u32> {
    let folds = folds.max(1);
    let mut order: Vec<u32> = (0..learners as u32).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    order.shuffle(&mut rng);
    let mut fold_of = vec![0u32; learners];
    for (position, &learner) in order.iter().enumerate() {
        fold_of[learner as usize] = (position % folds) as u32;
    }
    fold_of
}

/// For a learner with `n` responses, the index (0-based, in time order) of the first tested
/// response under the time split: `n − floor(n · test_fraction)` (with a 1e-9 tolerance against
/// rounding, so 5 responses at 20 % test exactly one). Responses before it are training data. A
/// learner with too few responses (fewer than 5 at 20 %) has none tested.
pub fn time_cut(n: usize, test_fraction: f64) -> usize {
    let tested = (n as f64 * test_fraction + 1e-9).floor() as usize;
    n - tested.min(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_learner_is_in_exactly_one_fold_of_balanced_size() {
        for (learners, folds) in [(7, 3), (10, 5), (11, 5), (5, 5), (103, 10)] {
            let fold_of = learner_folds(learners, folds, 42);
            assert_eq!(fold_of.len(), learners);
            let mut sizes = vec![0usize; folds];
            for &f in &fold_of {
                sizes[f as usize] += 1;
            }
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "{sizes:?}");
            assert_eq!(sizes.iter().sum::<usize>(), learners);
        }
    }

    #[test]
    fn folds_depend_on_the_seed_only() {
        assert_eq!(learner_folds(50, 5, 1), learner_folds(50, 5, 1));
        assert_ne!(learner_folds(50, 5, 1), learner_folds(50, 5, 2));
    }

    #[test]
    fn time_cut_tests_the_last_fifth() {
        assert_eq!(time_cut(10, 0.2), 8);
        assert_eq!(time_cut(5, 0.2), 4);
        assert_eq!(time_cut(4, 0.2), 4); // floor(0.8) = 0 tested
        assert_eq!(time_cut(1, 0.2), 1);
        assert_eq!(time_cut(0, 0.2), 0);
        assert_eq!(time_cut(7, 0.5), 4);
    }

    #[test]
    fn split_settings_are_checked() {
        assert!(Split::Learner { folds: 1 }.validate(10).is_err());
        let e = Split::Learner { folds: 6 }.validate(5).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--folds 6 needs at least 6 learners, the log has 5"
        );
        assert!(Split::Learner { folds: 5 }.validate(5).is_ok());
        assert!(Split::Time { test_fraction: 1.0 }.validate(5).is_err());
        assert!(Split::Time { test_fraction: 0.2 }.validate(5).is_ok());
    }
}
