//! Evaluation from Python: learner folds, cross-validation on coded columns, the metrics, and
//! the merge of a partial fit into the model it continued.

use std::ops::ControlFlow;

use pathwise::eval::{MAX_FOLDS, accuracy, auc, learner_folds as deal_learners, log_loss, rmse};
use pathwise::{Error, FitOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::columns::Columns;
use crate::progress::SkillCallback;

/// Per-row out-of-fold P(correct): for each fold, a model fitted on the other folds' rows
/// replays the fold's rows. Every row is tested exactly once. `progress` is told
/// `(folds_done, folds)` after each fold; an exception it raises cancels the rest.
pub(crate) fn cross_validate(
    columns: &Columns,
    options: &FitOptions,
    fold_of_row: &[u32],
    folds: u32,
    progress: &SkillCallback,
) -> pathwise::Result<Vec<f64>> {
    if let Some(row) = fold_of_row.iter().position(|&f| f >= folds) {
        return Err(Error::config(format!(
            "row {row}: fold {} is not below the fold count {folds}",
            fold_of_row[row]
        )));
    }
    let n = columns.len();
    let mut predicted = vec![f64::NAN; n];
    let mut known = vec![f64::NAN; n];
    for fold in 0..folds {
        let (test, train): (Vec<u32>, Vec<u32>) =
            (0..n as u32).partition(|&r| fold_of_row[r as usize] == fold);
        if !test.is_empty() {
            if train.is_empty() {
                return Err(Error::config(format!(
                    "fold {fold} holds every row: no rows are left to fit a model on"
                )));
            }
            let model = pathwise::fit(&columns.build(&train)?, options, |_| {
                ControlFlow::Continue(())
            })?;
            columns.replay_into(&model, &test, &mut predicted, &mut known)?;
        }
        if progress.count(fold as usize + 1, folds as usize).is_break() {
            return Err(Error::Cancelled);
        }
    }
    Ok(predicted)
}

/// `fitted` (a partial fit continued from `previous`) with the skills of `previous` that it
/// does not hold, unchanged.
pub(crate) fn keep_other_skills(
    fitted: pathwise::Model,
    previous: &pathwise::Model,
) -> pathwise::Result<pathwise::Model> {
    let mut skills = fitted.skills().to_vec();
    skills.extend(
        previous
            .skills()
            .iter()
            .filter(|s| fitted.skill_index(s.id()).is_none())
            .cloned(),
    );
    pathwise::Model::new(
        fitted.variant(),
        skills,
        fitted.class_weights().to_vec(),
        fitted.fit_info().clone(),
    )
}

/// The fold (`0..folds`) of each of `learners` learners, as uint32 bytes: learners shuffled by
/// the seeded generator, then dealt round-robin, so fold sizes differ by at most one and no
/// learner is left out. `ValueError` unless `2 ≤ folds ≤ learners` (and at most 1000).
#[pyfunction]
pub(crate) fn learner_folds<'py>(
    py: Python<'py>,
    learners: usize,
    folds: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyBytes>> {
    if folds < 2 || folds > learners.min(MAX_FOLDS) {
        return Err(PyValueError::new_err(format!(
            "folds must be between 2 and the number of learners ({learners}, at most \
             {MAX_FOLDS}), got {folds}"
        )));
    }
    let fold_of = deal_learners(learners, folds, seed);
    let bytes: Vec<u8> = fold_of.iter().flat_map(|f| f.to_ne_bytes()).collect();
    Ok(PyBytes::new(py, &bytes))
}

/// `metric` (`auc`, `rmse`, `accuracy` or `log_loss`) of predictions `p` (float64 bytes)
/// against outcomes `y` (0/1 bytes). AUC is NaN when `y` holds only one class; every metric is
/// NaN on no rows.
#[pyfunction]
pub(crate) fn metric(
    metric: &str,
    p: &Bound<'_, PyBytes>,
    y: &Bound<'_, PyBytes>,
) -> PyResult<f64> {
    let y = y.as_bytes();
    let p: Vec<f64> = f64_values(p.as_bytes(), y.len())?;
    if y.is_empty() {
        return Ok(f64::NAN);
    }
    match metric {
        "auc" => Ok(auc(&p, y).unwrap_or(f64::NAN)),
        "rmse" => Ok(rmse(&p, y)),
        "accuracy" => Ok(accuracy(&p, y)),
        "log_loss" => Ok(log_loss(&p, y)),
        other => Err(PyValueError::new_err(format!(
            "unknown metric {other:?}: use 'auc', 'rmse', 'accuracy', 'log_loss' or a callable"
        ))),
    }
}

/// `n` float64 values from native-endian bytes.
fn f64_values(bytes: &[u8], n: usize) -> PyResult<Vec<f64>> {
    if bytes.len() != n * 8 {
        return Err(PyValueError::new_err(format!(
            "predictions hold {} bytes, expected {n} float64 values",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|w| f64::from_ne_bytes(w.try_into().expect("chunks_exact gives 8 bytes")))
        .collect())
}
