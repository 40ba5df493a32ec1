//! `pathwise._native.cross_validate_models`: model families (BKT variants and the baselines)
//! compared on one log as `pathwise eval` compares them, through the library's
//! [`cross_validate_with`].

use pathwise::eval::{EvalOptions, Split, cross_validate_with, model_families, summarize};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::log::Log;
use crate::objects::to_python;
use crate::progress::SkillCallback;
use crate::to_py;

/// Cross-validates each of `models` (the names `pathwise eval --models` takes) on `log`, with
/// the GIL released: `split` is `learner` (`folds` learner-level folds dealt with `seed`),
/// `time` (each learner's last `test_fraction` of responses) or `group` (the log's group column
/// names the folds, as `--split-column`). Returns `(fold names, reports)`: per model, its
/// `model` name, `pooled` metrics, `folds` (metrics per fold, `None` for a fold that tested
/// nothing), `spread` (mean and std over folds) and, with `per_skill`, `per_skill` metrics.
/// `progress(fits_done, fits_total)` is called as model fits finish.
#[pyfunction]
#[pyo3(signature = (log, models, split = "learner", folds = 5, test_fraction = 0.2, seed = 0, per_skill = false, progress = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn cross_validate_models<'py>(
    py: Python<'py>,
    log: PyRef<'_, Log>,
    models: Vec<String>,
    split: &str,
    folds: usize,
    test_fraction: f64,
    seed: u64,
    per_skill: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Vec<String>, Bound<'py, PyAny>)> {
    let split = match split {
        "learner" => Split::Learner { folds },
        "time" => Split::Time { test_fraction },
        "group" => Split::Group,
        other => {
            return Err(PyValueError::new_err(format!(
                "split must be 'learner', 'time' or 'group', got {other:?}"
            )));
        }
    };
    let names: Vec<&str> = models.iter().map(|s| s.trim()).collect();
    let families = model_families(&names).map_err(to_py)?;
    let options = EvalOptions { split, seed };
    let log = std::sync::Arc::clone(&log.inner);
    let callback = SkillCallback::new(progress);
    let (fold_names, reports) = py
        .detach(|| {
            let predictions = cross_validate_with(&log, &families, &options, |p| {
                callback.count(p.done, p.total)
            })?;
            Ok::<_, pathwise::Error>((
                predictions.folds.clone(),
                summarize(&log, &predictions, per_skill),
            ))
        })
        .map_err(|e| callback.take_error().unwrap_or_else(|| to_py(e)))?;
    Ok((fold_names, to_python(py, &reports)?))
}
