//! How responses are split into training and test data.
//!
//! * [`learner_folds`]: learner-level k-fold cross-validation. The learners are shuffled with a
//!   seeded ChaCha8 generator and dealt round-robin into `k` folds, so **every learner is tested
//!   exactly once** and fold sizes (in learners) differ by at most one. (pyBKT's `crossvalidate`
//!   drops the leftover learners when their number is not divisible by `k`; here none is left out.)
//! * [`time_cut`]: per learner, the first part of the responses (in time order) is training data
//!   and the last `test_fraction` (default 20 %) is test data.
//! * [`group_folds`]: the data set's own split, carried in the log's group labels: AKT's `fold`
//!   column (1-5) gives five folds, DKVMN's `dkvmn_split` column (`train`/`test`) one split.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::text::quoted;
use crate::{Error, InteractionLog, Result};

/// Default share of each learner's responses tested by the time split: the last 20 %.
pub const DEFAULT_TEST_FRACTION: f64 = 0.2;

/// The setting [`group_folds`]' errors name: the column the groups come from.
const SPLIT_COLUMN: &str = "split_column";

/// The most splits (folds) an evaluation makes: each fits every model once.
pub const MAX_FOLDS: usize = 1000;

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
    /// The data set's own split, from each response's group label (see [`group_folds`]; the
    /// command line's `eval --split-column COL` reads the column `COL` as the group): labels
    /// `train` and `test` make one split testing the `test` responses; other labels make one
    /// fold each (leave one group out).
    Group,
}

impl Split {
    /// Short name: `learner`, `time` or `group`.
    pub fn name(&self) -> &'static str {
        match self {
            Split::Learner { .. } => "learner",
            Split::Time { .. } => "time",
            Split::Group => "group",
        }
    }

    /// Checks the settings against a log of `learners` learners: an [`Error::Config`] whose
    /// `setting` is `folds` or `test_fraction`.
    pub fn validate(&self, learners: usize) -> Result<()> {
        match *self {
            Split::Learner { folds } if folds < 2 => Err(Error::setting(
                "folds",
                format!("--folds must be at least 2, got {folds}"),
            )),
            Split::Learner { folds } if folds > MAX_FOLDS => Err(Error::setting(
                "folds",
                format!("--folds must be at most {MAX_FOLDS}, got {folds}"),
            )),
            Split::Learner { folds } if folds > learners => Err(Error::setting(
                "folds",
                format!("--folds {folds} needs at least {folds} learners, the log has {learners}"),
            )),
            Split::Time { test_fraction } if !(test_fraction > 0.0 && test_fraction < 1.0) => {
                Err(Error::setting(
                    "test_fraction",
                    format!(
                        "the test fraction must be strictly between 0 and 1, got {test_fraction}"
                    ),
                ))
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

/// The split of each response given by its group label, and the name of each split.
///
/// When every label is `train` or `test` (in any letter case, both present), there is one split,
/// named `test`: its test responses are those labelled `test` (fold 0), the others are never
/// tested (`None`). Otherwise each label is one fold, in numeric order when every label is an
/// integer (`1`, `2`, …, `10`), else in text order; there must be 2 to [`MAX_FOLDS`] labels.
/// A response without a label is an error naming its learner and order. Each error is an
/// [`Error::Config`] whose `setting` is `split_column` (the command line's `--split-column`).
pub fn group_folds(log: &InteractionLog) -> Result<(Vec<Option<u32>>, Vec<String>)> {
    if let Some(r) = (0..log.n_responses())
        .map(|i| log.response(i))
        .find(|r| r.group.is_none())
    {
        return Err(Error::setting(
            SPLIT_COLUMN,
            format!(
                "learner {} has a response (order {}) without a split label",
                quoted(log.learners().name(r.learner)),
                r.order
            ),
        ));
    }
    let groups = log.groups();
    let mut fold_of_group: Vec<Option<u32>> = vec![None; groups.len()];
    let role = |name: &str| {
        ["train", "test"]
            .into_iter()
            .position(|r| name.eq_ignore_ascii_case(r))
    };
    let roles: Vec<Option<usize>> = groups.names().iter().map(|n| role(n)).collect();
    let names = if roles.iter().all(Option::is_some) && roles.len() == 2 {
        for (fold, r) in fold_of_group.iter_mut().zip(&roles) {
            *fold = (*r == Some(1)).then_some(0);
        }
        vec!["test".to_owned()]
    } else if roles.iter().all(Option::is_some) {
        return Err(Error::setting(
            SPLIT_COLUMN,
            format!(
                "the split column's only label is {}: a train/test split needs both labels",
                quoted(groups.names().first().map_or("", String::as_str))
            ),
        ));
    } else {
        let mut order: Vec<u32> = (0..groups.len() as u32).collect();
        let numbers: Option<Vec<i64>> = groups.names().iter().map(|n| n.parse().ok()).collect();
        match numbers {
            Some(numbers) => order.sort_by_key(|&g| numbers[g as usize]),
            None => order.sort_by(|&a, &b| groups.name(a).cmp(groups.name(b))),
        }
        if !(2..=MAX_FOLDS).contains(&order.len()) {
            return Err(Error::setting(
                SPLIT_COLUMN,
                format!(
                    "the split column has {} distinct label(s); it needs 2 to {MAX_FOLDS} folds, \
                     or the labels train and test",
                    order.len()
                ),
            ));
        }
        for (fold, &g) in order.iter().enumerate() {
            fold_of_group[g as usize] = Some(fold as u32);
        }
        order.iter().map(|&g| groups.name(g).to_owned()).collect()
    };
    let test = (0..log.n_responses())
        .map(|i| {
            log.response(i)
                .group
                .and_then(|g| fold_of_group[g as usize])
        })
        .collect();
    Ok((test, names))
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
    fn a_split_out_of_range_names_its_setting() {
        let setting = |split: Split, learners| match split.validate(learners) {
            Err(Error::Config { setting, .. }) => setting,
            other => panic!("{split:?}: expected a config error, got {other:?}"),
        };
        assert_eq!(setting(Split::Learner { folds: 1 }, 10), Some("folds"));
        assert_eq!(setting(Split::Learner { folds: 5 }, 3), Some("folds"));
        let time = Split::Time { test_fraction: 1.0 };
        assert_eq!(setting(time, 10), Some("test_fraction"));
    }

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
