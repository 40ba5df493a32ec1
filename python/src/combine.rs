//! `pathwise._native.combine_models`: one model from models fitted apart to disjoint sets of
//! skills (what `pathwise.spark.fit` assembles on the driver).

use pyo3::prelude::*;

use crate::to_py;

/// The JSON model file of the model that one fit of all their skills would give, from the JSON
/// model files `parts` (each fitted with the same settings to its own skills; see
/// `pathwise::Model::combine`). `ValueError` names a skill found twice or the differing settings.
#[pyfunction]
pub(crate) fn combine_models(py: Python<'_>, parts: Vec<String>) -> PyResult<String> {
    py.detach(|| {
        let models = parts
            .iter()
            .enumerate()
            .map(|(k, text)| pathwise::Model::from_json(text, &format!("part {k}")))
            .collect::<pathwise::Result<Vec<_>>>()?;
        Ok(pathwise::Model::combine(models)?.to_json())
    })
    .map_err(to_py)
}
