//! The evaluation run: split the log, fit every model family on every training part (folds and
//! families in parallel with rayon), score the test learners online, and gather the predictions.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::family::ModelFamily;
use super::folds::{Split, group_folds, learner_folds, time_cut};
use crate::{Error, InteractionLog, Result};

/// Marks a response that no split tests.
const NOT_TESTED: u32 = u32::MAX;

/// Settings of an evaluation run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalOptions {
    /// How the log is split.
    pub split: Split,
    /// Seed of the fold assignment; fold `f` fits its models with a seed derived from it.
    pub seed: u64,
}

impl Default for EvalOptions {
    /// 5 learner-level folds, seed 0.
    fn default() -> Self {
        Self {
            split: Split::Learner { folds: 5 },
            seed: 0,
        }
    }
}

/// One tested response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    /// Index of the response in the evaluated log.
    pub response: u32,
    /// The split (fold, 0-based) that tested it.
    pub fold: u32,
}

/// Every model's online predictions for every tested response.
#[derive(Debug, Clone)]
pub struct Predictions {
    /// The split used.
    pub split: Split,
    /// The name of each split, in fold order: `1`, `2`, … for learner folds, `time` for the time
    /// split, the labels of a [`Split::Group`] (`test` for a train/test split).
    pub folds: Vec<String>,
    /// The tested responses, in log order (by learner, then time); each exactly once.
    pub scored: Vec<Scored>,
    /// Per model (in the order given): its name and P(correct) of each response of `scored`.
    pub models: Vec<(String, Vec<f64>)>,
}

/// The seed a model is fitted with in fold `fold`.
fn fold_seed(seed: u64, fold: usize) -> u64 {
    seed ^ (fold as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// For each response, the split (fold) that tests it, or [`NOT_TESTED`]; and the name of each
/// split.
fn test_folds(log: &InteractionLog, split: Split, seed: u64) -> Result<(Vec<u32>, Vec<String>)> {
    let n_learners = log.learners().len();
    let mut test = vec![NOT_TESTED; log.n_responses()];
    let names = match split {
        Split::Learner { folds } => {
            let fold_of = learner_folds(n_learners, folds, seed);
            for (l, &f) in fold_of.iter().enumerate() {
                for i in log.learner_responses(l as u32) {
                    test[i] = f;
                }
            }
            (1..=folds).map(|f| f.to_string()).collect()
        }
        Split::Time { test_fraction } => {
            for l in 0..n_learners as u32 {
                let range = log.learner_responses(l);
                let cut = range.start + time_cut(range.len(), test_fraction);
                for t in &mut test[cut..range.end] {
                    *t = 0;
                }
            }
            vec!["time".to_owned()]
        }
        Split::Group => {
            let (folds, names) = group_folds(log)?;
            for (t, f) in test.iter_mut().zip(folds) {
                *t = f.unwrap_or(NOT_TESTED);
            }
            names
        }
    };
    Ok((test, names))
}

/// How far a long evaluation has come, passed to the progress callback of
/// [`cross_validate_with`] (units: one model fitted and scored on one split) and
/// [`replay_with`](crate::eval::replay_with) (units: scored responses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalProgress {
    /// Units done.
    pub done: usize,
    /// Units in all.
    pub total: usize,
}

/// Cross-validates `families` on `log`: every family is fitted on each split's training responses
/// and predicts each test learner's responses online (each prediction uses only that learner's
/// earlier responses, plus the training data). The result is the same whatever the number of
/// threads.
///
/// ```
/// use pathwise::eval::{EvalOptions, Split, cross_validate, model_families, summarize};
/// use pathwise::{LogBuilder, RawRow};
///
/// let learners: Vec<String> = (0..30).map(|l| format!("l{l}")).collect();
/// let mut log = LogBuilder::new();
/// for (l, learner) in learners.iter().enumerate() {
///     for t in 0..6usize {
///         let correct = (l + t * 4) % 7 < 2 + t;
///         log.push(RawRow { learner, skills: &["add"], item: None, correct,
///                           order: t as i64, group: None });
///     }
/// }
/// let log = log.build();
/// let options = EvalOptions { split: Split::Learner { folds: 3 }, ..EvalOptions::default() };
/// let predictions = cross_validate(&log, &model_families(&["majority", "bkt"])?, &options)?;
/// let reports = summarize(&log, &predictions, false);
/// assert_eq!(reports.len(), 2);
/// // Every response is predicted once, by a model that never saw its learner.
/// assert!(reports.iter().all(|r| r.pooled.n == 180));
/// # Ok::<(), pathwise::Error>(())
/// ```
pub fn cross_validate(
    log: &InteractionLog,
    families: &[Box<dyn ModelFamily>],
    options: &EvalOptions,
) -> Result<Predictions> {
    cross_validate_with(log, families, options, |_| ControlFlow::Continue(()))
}

/// [`cross_validate`] with a progress callback, called from worker threads each time a model
/// was fitted and scored on a split; returning `ControlFlow::Break(())` stops the evaluation
/// with [`Error::Cancelled`].
pub fn cross_validate_with<F>(
    log: &InteractionLog,
    families: &[Box<dyn ModelFamily>],
    options: &EvalOptions,
    progress: F,
) -> Result<Predictions>
where
    F: Fn(EvalProgress) -> ControlFlow<()> + Sync,
{
    let split = options.split;
    split.validate(log.learners().len())?;
    let (test, folds) = test_folds(log, split, options.seed)?;
    let scored: Vec<Scored> = test
        .iter()
        .enumerate()
        .filter(|&(_, &f)| f != NOT_TESTED)
        .map(|(i, &f)| Scored {
            response: i as u32,
            fold: f,
        })
        .collect();
    if scored.is_empty() {
        return Err(Error::setting(
            "test_fraction",
            "nothing to test: with the time split every learner needs at least 5 responses for \
             the last 20% to hold one (or raise the test fraction)",
        ));
    }

    let total = folds.len() * families.len();
    let done = AtomicUsize::new(0);
    let per_split: Vec<Result<Vec<Vec<f64>>>> = (0..folds.len())
        .into_par_iter()
        .map(|f| {
            let fold = f as u32;
            let train = log.filter_responses(|i| test[i] != fold);
            let learners: Vec<u32> = (0..log.learners().len() as u32)
                .filter(|&l| log.learner_responses(l).any(|i| test[i] == fold))
                .collect();
            let per_family: Vec<Result<Vec<f64>>> = families
                .par_iter()
                .map(|family| {
                    let predictor = family.fit(&train, fold_seed(options.seed, f))?;
                    let mut out = Vec::new();
                    for &l in &learners {
                        let mut scorer = predictor.scorer(l);
                        for i in log.learner_responses(l) {
                            let r = log.response(i);
                            if test[i] == fold {
                                let p = scorer.predict(&r);
                                if !p.is_finite() {
                                    return Err(Error::config(format!(
                                        "{}: non-finite prediction for learner '{}'",
                                        family.name(),
                                        log.learners().name(l)
                                    )));
                                }
                                out.push(p.clamp(0.0, 1.0));
                            }
                            scorer.observe(&r);
                        }
                    }
                    let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress(EvalProgress { done, total }).is_break() {
                        return Err(Error::Cancelled);
                    }
                    Ok(out)
                })
                .collect();
            per_family.into_iter().collect::<Result<Vec<_>>>()
        })
        .collect();
    let mut per_split = per_split
        .into_iter()
        .enumerate()
        .map(|(f, r)| r.map_err(|e| in_fold(e, &folds[f], split)))
        .collect::<Result<Vec<_>>>()?;

    // Each split's predictions come learner by learner in time order, i.e. in log order within
    // the split: merge them back into the log order of `scored`.
    let mut next = vec![0usize; per_split.len()];
    let mut models: Vec<(String, Vec<f64>)> = families
        .iter()
        .map(|f| (f.name().to_owned(), Vec::with_capacity(scored.len())))
        .collect();
    for s in &scored {
        let f = s.fold as usize;
        for (m, (_, preds)) in models.iter_mut().enumerate() {
            preds.push(per_split[f][m][next[f]]);
        }
        next[f] += 1;
    }
    per_split.clear();
    Ok(Predictions {
        split,
        folds,
        scored,
        models,
    })
}

fn in_fold(e: Error, fold: &str, split: Split) -> Error {
    match (e, split) {
        (Error::Config { setting, message }, Split::Learner { .. } | Split::Group) => {
            Error::Config {
                setting,
                message: format!("fold {}: {message}", quoted_fold(fold)),
            }
        }
        (e, _) => e,
    }
}

/// A fold's name in a message: `3`, or a group label quoted (`'test'`).
fn quoted_fold(fold: &str) -> String {
    if fold.parse::<u64>().is_ok() {
        fold.to_owned()
    } else {
        crate::text::quoted(fold)
    }
}
