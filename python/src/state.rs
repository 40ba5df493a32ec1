//! `pathwise._native.LearnerState`: one learner's knowledge under one model, updated per response.

use std::sync::Arc;

use pathwise::MasteryRule;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::model::Model;
use crate::to_py;

/// One learner under one model: P(known) per skill and the evidence the mastery rule needs,
/// updated in constant time per response. Bound to the model it was made with; load a stored
/// state under a refitted model with `LearnerState.from_json`, which carries it over by skill id.
#[pyclass(module = "pathwise._native")]
pub struct LearnerState {
    pub(crate) model: Arc<pathwise::Model>,
    pub(crate) inner: pathwise::LearnerState,
}

#[pymethods]
impl LearnerState {
    /// A learner with no responses yet under `model`, judged by the mastery rule (`threshold`
    /// of the estimate, a run of `streak` correct answers, wheel-spinning after `spinning`
    /// attempts without mastery).
    #[new]
    #[pyo3(signature = (model, threshold = 0.95, streak = 3, spinning = 10))]
    fn new(model: PyRef<'_, Model>, threshold: f64, streak: u32, spinning: u32) -> PyResult<Self> {
        let model = Arc::clone(model.fitted()?);
        let rule = MasteryRule {
            threshold,
            streak,
            spinning,
        };
        let inner = pathwise::LearnerState::with_rule(&model, rule).map_err(to_py)?;
        Ok(Self { model, inner })
    }

    /// Records one response on `skill` (on `item`, if given) and returns the filter's step:
    /// `p_correct` and `p_known_before` before the response, `p_known_after` after it.
    #[pyo3(signature = (skill, correct, item = None))]
    fn observe<'py>(
        &mut self,
        py: Python<'py>,
        skill: &str,
        correct: bool,
        item: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let step = self
            .inner
            .observe(&self.model, skill, item, correct)
            .map_err(to_py)?;
        let out = PyDict::new(py);
        out.set_item("p_correct", step.p_correct)?;
        out.set_item("p_known_before", step.p_known_before)?;
        out.set_item("p_known_after", step.p_known_after)?;
        Ok(out)
    }

    /// P(known) of `skill` now (a skill the model does not know starts at the population-average
    /// prior).
    fn mastery(&self, skill: &str) -> PyResult<f64> {
        self.inner.mastery(&self.model, skill).map_err(to_py)
    }

    /// Where the learner stands on `skill`: `not_assessed`, `learning`, `spinning` or
    /// `mastered`.
    fn status(&self, skill: &str) -> PyResult<String> {
        let status = self.inner.status(&self.model, skill).map_err(to_py)?;
        Ok(status.to_string())
    }

    /// Responses observed so far.
    #[getter]
    fn responses(&self) -> u64 {
        self.inner.responses()
    }

    /// The state as JSON (keyed by skill id, with the model's fingerprint), for a platform to
    /// store.
    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json(&self.model).map_err(to_py)
    }

    /// A stored state under `model`, and what changed as a dict (`model_changed`, `carried`,
    /// `dropped`, `classes_reset`): under a refitted model the knowledge is carried over by
    /// skill id, new skills start at their prior, skills the model no longer has are dropped.
    #[staticmethod]
    fn from_json<'py>(
        py: Python<'py>,
        text: &str,
        model: PyRef<'_, Model>,
    ) -> PyResult<(LearnerState, Bound<'py, PyDict>)> {
        let model = Arc::clone(model.fitted()?);
        let (inner, changes) = pathwise::LearnerState::from_json(text, &model).map_err(to_py)?;
        let out = PyDict::new(py);
        out.set_item("model_changed", changes.model_changed)?;
        out.set_item("carried", changes.carried)?;
        out.set_item("dropped", changes.dropped)?;
        out.set_item("classes_reset", changes.classes_reset)?;
        Ok((LearnerState { model, inner }, out))
    }
}
