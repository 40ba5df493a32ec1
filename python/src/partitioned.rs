//! `pathwise._native.PartitionedFit` and `partition_counts`: EM of one skill whose learners are
//! spread over partitions (`pathwise.spark.fit_large_skill`). Points and counts cross between
//! the driver and the partitions as JSON text (exact for every number).

use pathwise::bkt::{Params, PartitionCounts};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::columns::{Columns, RawColumns};
use crate::model::Model;
use crate::to_py;

/// The driver's side of a partitioned fit of one skill (see `pathwise::bkt::PartitionedFit`):
/// `pending()` gives the points (JSON) whose expected counts EM waits for, `receive` takes
/// every partition's counts at them (JSON, added in the order given), `finish()` gives the
/// one-skill model (JSON).
#[pyclass(module = "pathwise._native")]
pub struct PartitionedFit {
    inner: Option<pathwise::bkt::PartitionedFit>,
}

#[pymethods]
impl PartitionedFit {
    /// EM of skill `skill` with `model`'s fit settings, `forgets` or not, the parameters in
    /// `fixed_json` held.
    #[new]
    #[pyo3(signature = (model, skill, forgets, fixed_json = None))]
    fn new(
        model: PyRef<'_, Model>,
        skill: &str,
        forgets: bool,
        fixed_json: Option<&str>,
    ) -> PyResult<Self> {
        let options = model.fit_options((forgets, false, false, false), fixed_json)?;
        let inner = pathwise::bkt::PartitionedFit::new(skill, &options).map_err(to_py)?;
        Ok(Self { inner: Some(inner) })
    }

    /// The points EM waits for, as a JSON list of parameter objects; `"[]"` once it has ended.
    fn pending(&self) -> PyResult<String> {
        Ok(serde_json::to_string(&self.running()?.pending()).expect("plain numbers"))
    }

    /// Adds the partitions' counts (JSON from `partition_counts`, at the pending points) and
    /// moves EM on by one E-step.
    fn receive(&mut self, py: Python<'_>, parts: Vec<String>) -> PyResult<()> {
        let em = self.inner.as_mut().ok_or_else(finished)?;
        py.detach(|| {
            let mut parts = parts
                .iter()
                .enumerate()
                .map(|(k, text)| PartitionCounts::from_json(text, &format!("partition {k}")));
            let mut total = parts
                .next()
                .ok_or_else(|| pathwise::Error::config("no partitions' counts"))??;
            for part in parts {
                total.add(&part?)?;
            }
            em.receive(&total)
        })
        .map_err(to_py)
    }

    /// The fitted one-skill model as JSON, once `pending()` is empty.
    fn finish(&mut self) -> PyResult<String> {
        let em = self.inner.take().ok_or_else(finished)?;
        Ok(em.finish().map_err(to_py)?.to_json())
    }
}

impl PartitionedFit {
    fn running(&self) -> PyResult<&pathwise::bkt::PartitionedFit> {
        self.inner.as_ref().ok_or_else(finished)
    }
}

fn finished() -> PyErr {
    PyValueError::new_err("the partitioned fit has finished")
}

/// One partition's expected counts (JSON) of skill `skill` at the points `points_json` (from
/// `PartitionedFit.pending`), from the partition's coded columns, with the GIL released.
#[pyfunction]
pub(crate) fn partition_counts(
    py: Python<'_>,
    columns: RawColumns<'_>,
    skill: &str,
    points_json: &str,
    forgets: bool,
) -> PyResult<String> {
    let columns = Columns::from_py(columns)?;
    let points: Vec<Params> = serde_json::from_str(points_json)
        .map_err(|e| PyValueError::new_err(format!("points: {e}")))?;
    let variant = pathwise::Variant {
        forgets,
        ..pathwise::Variant::default()
    };
    py.detach(|| {
        let log = columns.build(&columns.all_rows())?;
        PartitionCounts::of(&log, skill, &points, variant).map(|c| c.to_json())
    })
    .map_err(to_py)
}
