//! `pathwise._native.Model`: a fitted BKT model, fitted and replayed from coded columns.

use std::sync::Arc;

use pathwise::bkt::Bounds;
use pathwise::{FitOptions, FixedParams, PseudoCounts, Variant};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::columns::{Columns, RawColumns, f64_bytes, u32_column};
use crate::evaluate::{cross_validate, keep_other_skills};
use crate::progress::SkillCallback;
use crate::to_py;

/// A Bayesian Knowledge Tracing model. The Python class `pathwise.Model` extends this one with
/// DataFrame input; this base holds the fitted model and the fit settings.
#[pyclass(subclass, module = "pathwise._native")]
pub struct Model {
    pub(crate) inner: Option<Arc<pathwise::Model>>,
    options: FitOptions,
}

impl Model {
    /// This model's fit settings with `variant` and the parameters held by `fixed_json`.
    pub(crate) fn fit_options(
        &self,
        variant: (bool, bool, bool, bool),
        fixed_json: Option<&str>,
    ) -> PyResult<FitOptions> {
        let mut options = self.options.clone();
        let (forgets, item_guess_slip, item_learn, learner_prior) = variant;
        options.variant = Variant {
            forgets,
            item_guess_slip,
            item_learn,
            learner_prior,
        };
        if let Some(text) = fixed_json {
            options.fixed = FixedParams::from_json(text, "fixed").map_err(to_py)?;
        }
        Ok(options)
    }

    /// The fitted model, or a `ValueError` saying it is not fitted.
    pub(crate) fn fitted(&self) -> PyResult<&Arc<pathwise::Model>> {
        self.inner.as_ref().ok_or_else(|| {
            PyValueError::new_err("the model is not fitted yet: call fit() or load one")
        })
    }
}

#[pymethods]
impl Model {
    /// A model to fit: `seed` of the restarts' generator, `num_fits` starting points per skill,
    /// EM's `max_iter` and relative tolerance `tol`; `pseudo_counts` pseudo-observations per
    /// parameter at the textbook values (0: maximum likelihood, as pyBKT fits; `None`: 5, or 0
    /// with `bounds="none"`, as `pathwise fit`) and `bounds`
    /// (`"default"`: guess and slip below 0.5; `"none"`: every parameter free, as in pyBKT; or
    /// `PARAM=MAX` / `PARAM=MIN:MAX` changes of the defaults, e.g. `"guess=0.3,slip=0.3"`, as
    /// `pathwise fit --bounds`).
    #[new]
    #[pyo3(signature = (seed = 0, num_fits = 5, max_iter = 200, tol = 1e-6, pseudo_counts = None, bounds = "default"))]
    fn new(
        seed: u64,
        num_fits: u32,
        max_iter: u32,
        tol: f64,
        pseudo_counts: Option<f64>,
        bounds: &str,
    ) -> PyResult<Self> {
        if let Some(pseudo_counts) = pseudo_counts.filter(|k| !(k.is_finite() && *k >= 0.0)) {
            return Err(PyValueError::new_err(format!(
                "pseudo_counts must be a finite number at least 0, got {pseudo_counts}"
            )));
        }
        let bounds = Bounds::parse(bounds).map_err(to_py)?;
        let options = FitOptions {
            seed,
            restarts: num_fits,
            max_iter,
            tol,
            pseudo_counts: PseudoCounts::chosen(pseudo_counts, &bounds),
            bounds,
            ..FitOptions::default()
        };
        options.validate().map_err(to_py)?;
        Ok(Self {
            inner: None,
            options,
        })
    }

    /// Fits the model to coded columns (see `pathwise.Model.fit`), with the GIL released.
    /// `variant` is (forgets, item_guess_slip, item_learn, learner_prior). With `warm_start`
    /// (`pathwise.Model.partial_fit`), EM starts from the current parameters and the skills the
    /// columns do not hold keep theirs.
    /// `progress(skills_done, skills_total)` is called each time a skill's fit is finished; an
    /// exception it raises stops the fit and is raised again here.
    #[pyo3(signature = (columns, variant, fixed_json = None, warm_start = false, progress = None))]
    fn _fit_columns(
        &mut self,
        py: Python<'_>,
        columns: RawColumns<'_>,
        variant: (bool, bool, bool, bool),
        fixed_json: Option<&str>,
        warm_start: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        let columns = Columns::from_py(columns)?;
        let options = self.fit_options(variant, fixed_json)?;
        let previous = if warm_start {
            Some(Arc::clone(self.fitted()?))
        } else {
            None
        };
        let callback = SkillCallback::new(progress);
        let model = py.detach(|| {
            let mut options = options;
            options.warm_start = previous.as_deref().cloned();
            let fitted = pathwise::fit(&columns.build(&columns.all_rows())?, &options, |p| {
                callback.report(p)
            })?;
            match previous {
                Some(previous) => keep_other_skills(fitted, &previous),
                None => Ok(fitted),
            }
        });
        let model = model.map_err(|e| callback.take_error().unwrap_or_else(|| to_py(e)))?;
        self.inner = Some(Arc::new(model));
        Ok(())
    }

    /// Replays coded columns through the model, with the GIL released: per input row, P(correct)
    /// and P(known) before the response (native-endian float64 bytes), in row order.
    fn _predict_columns<'py>(
        &self,
        py: Python<'py>,
        columns: RawColumns<'py>,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let model = Arc::clone(self.fitted()?);
        let columns = Columns::from_py(columns)?;
        let (correct, known) = py
            .detach(|| {
                let mut correct = vec![0.0; columns.len()];
                let mut known = vec![0.0; columns.len()];
                columns.replay_into(&model, &columns.all_rows(), &mut correct, &mut known)?;
                Ok((f64_bytes(&correct), f64_bytes(&known)))
            })
            .map_err(to_py)?;
        Ok((PyBytes::new(py, &correct), PyBytes::new(py, &known)))
    }

    /// Cross-validation of this model's settings on coded columns, with the GIL released:
    /// `fold_of_row` (uint32 bytes) gives each row's fold in `0..folds`; for each fold a model is
    /// fitted on the other folds' rows and replays the fold's rows. Returns every row's
    /// out-of-fold P(correct) (float64 bytes, row order). This model is left unchanged.
    /// `progress(folds_done, folds)` is called after each fold; an exception it raises stops the
    /// cross-validation and is raised again here.
    #[pyo3(signature = (columns, variant, fold_of_row, folds, fixed_json = None, progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn _cross_validate_columns<'py>(
        &self,
        py: Python<'py>,
        columns: RawColumns<'py>,
        variant: (bool, bool, bool, bool),
        fold_of_row: Bound<'py, PyBytes>,
        folds: u32,
        fixed_json: Option<&str>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let columns = Columns::from_py(columns)?;
        let options = self.fit_options(variant, fixed_json)?;
        let fold_of_row = u32_column("fold", fold_of_row.as_bytes(), columns.len())?;
        let callback = SkillCallback::new(progress);
        let predicted = py
            .detach(|| cross_validate(&columns, &options, &fold_of_row, folds, &callback))
            .map_err(|e| callback.take_error().unwrap_or_else(|| to_py(e)))?;
        Ok(PyBytes::new(py, &f64_bytes(&predicted)))
    }

    /// True once the model is fitted or loaded.
    #[getter]
    fn is_fitted(&self) -> bool {
        self.inner.is_some()
    }

    /// The skill ids of the model, sorted.
    #[getter]
    fn skills(&self) -> PyResult<Vec<String>> {
        Ok(self
            .fitted()?
            .skills()
            .iter()
            .map(|s| s.id().to_owned())
            .collect())
    }

    /// The model's fingerprint: the SHA-256 (hex) of its parameters, which a learner state
    /// records.
    #[getter]
    fn fingerprint(&self) -> PyResult<String> {
        Ok(self.fitted()?.fingerprint().to_owned())
    }

    /// Every parameter as `(skill, param, class, value)` rows, with pyBKT's names: `prior`,
    /// `learns`, `forgets`, `guesses`, `slips`; `class` is `default`, an item id (per-item
    /// parameters) or `class<k>` (the learner classes' priors).
    fn _param_rows(&self) -> PyResult<Vec<(String, &'static str, String, f64)>> {
        let model = self.fitted()?;
        let variant = model.variant();
        let mut rows = Vec::new();
        for skill in model.skills() {
            let id = skill.id();
            let p = skill.params();
            let mut push = |param: &'static str, class: String, value: f64| {
                rows.push((id.to_owned(), param, class, value))
            };
            push("prior", "default".into(), p.prior);
            for (k, prior) in skill.class_priors().iter().enumerate() {
                push("prior", format!("class{k}"), *prior);
            }
            push("learns", "default".into(), p.learn);
            push("forgets", "default".into(), p.forget);
            push("guesses", "default".into(), p.guess);
            push("slips", "default".into(), p.slip);
            for item in skill.items() {
                if variant.item_learn {
                    push("learns", item.id.clone(), item.learn);
                    push("forgets", item.id.clone(), item.forget);
                }
                if variant.item_guess_slip {
                    push("guesses", item.id.clone(), item.guess);
                    push("slips", item.id.clone(), item.slip);
                }
            }
        }
        Ok(rows)
    }

    /// The model as pathwise's JSON model file (the CLI reads and writes the same format).
    fn to_json(&self) -> PyResult<String> {
        Ok(self.fitted()?.to_json())
    }

    /// A model from the JSON that `to_json` (or `pathwise fit`) wrote. `ValueError` names what is
    /// wrong.
    #[classmethod]
    fn from_json<'py>(cls: &Bound<'py, PyType>, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let object = cls.call0()?;
        object.cast::<Model>()?.borrow_mut()._load_json(text)?;
        Ok(object)
    }

    /// Replaces this model by the one in `text` (JSON written by `to_json` or `pathwise fit`).
    fn _load_json(&mut self, text: &str) -> PyResult<()> {
        let model = pathwise::Model::from_json(text, "model").map_err(to_py)?;
        self.inner = Some(Arc::new(model));
        Ok(())
    }

    /// The fitted variant's switches: `forgets`, `item_guess_slip`, `item_learn`,
    /// `learner_prior`.
    #[getter]
    fn variant(&self) -> PyResult<(bool, bool, bool, bool)> {
        let v = self.fitted()?.variant();
        Ok((v.forgets, v.item_guess_slip, v.item_learn, v.learner_prior))
    }
}
