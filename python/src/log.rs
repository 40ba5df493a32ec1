//! `pathwise._native.Log`: an interaction log read as `pathwise` reads it (files with a preset
//! or column overrides), or built from a table's coded columns, for the functions that take a
//! whole log (`cross_validate`).

use std::path::PathBuf;
use std::sync::Arc;

use pathwise::InteractionLog;
use pathwise_datasets::{Encoding, LogOptions, Preset, Role, load_logs, parse_delimiter};
use pyo3::prelude::*;

use crate::columns::{Columns, RawColumns};
use crate::to_py;

/// An interaction log: responses by learner in time order, with their skills and items.
#[pyclass(frozen, module = "pathwise._native")]
pub struct Log {
    pub(crate) inner: Arc<InteractionLog>,
}

#[pymethods]
impl Log {
    /// The number of responses.
    #[getter]
    fn n_responses(&self) -> usize {
        self.inner.n_responses()
    }

    /// The learner ids, in the log's order.
    #[getter]
    fn learners(&self) -> Vec<String> {
        self.inner.learners().names().to_vec()
    }

    /// The skill ids, in the log's order.
    #[getter]
    fn skills(&self) -> Vec<String> {
        self.inner.skills().names().to_vec()
    }

    /// Rows dropped on purpose while reading, by reason (`original = 0`, `no skill`, ...).
    #[getter]
    fn dropped(&self) -> Vec<(String, u64)> {
        self.inner
            .dropped()
            .iter()
            .map(|(reason, n)| (reason.clone(), *n))
            .collect()
    }

    /// A log of coded columns (see `pathwise.Model.fit`), one response per row.
    #[staticmethod]
    fn _from_columns(py: Python<'_>, columns: RawColumns<'_>) -> PyResult<Log> {
        let columns = Columns::from_py(columns)?;
        let log = py
            .detach(|| columns.build(&columns.all_rows()))
            .map_err(to_py)?;
        Ok(Log {
            inner: Arc::new(log),
        })
    }
}

/// Reads interaction-log files as one log, exactly as the `pathwise` CLI reads its `LOG...`
/// arguments: `preset` (`assistments`, `datashop`, `pybkt`, `dkt`, `generic`; detected from the
/// first file when `None`), `columns` (`{role: column}` overrides, role one of `learner`,
/// `skill`, `item`, `correct`, `order`, `group`), `encoding` (`utf8` or `latin1`), `delimiter`
/// (one character or `tab`, `comma`, `semicolon`, `pipe`; detected when `None`), `item_skills`
/// (an item→skill map file). Errors name the file, line and column.
#[pyfunction]
#[pyo3(signature = (paths, preset = None, columns = Vec::new(), encoding = "utf8", delimiter = None, item_skills = None))]
pub(crate) fn read_log(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    preset: Option<&str>,
    columns: Vec<(String, String)>,
    encoding: &str,
    delimiter: Option<&str>,
    item_skills: Option<PathBuf>,
) -> PyResult<Log> {
    let options = LogOptions {
        preset: preset
            .map(str::parse::<Preset>)
            .transpose()
            .map_err(to_py)?,
        columns: columns
            .into_iter()
            .map(|(role, name)| Ok((role.parse::<Role>()?, name)))
            .collect::<pathwise::Result<Vec<_>>>()
            .map_err(to_py)?,
        encoding: encoding.parse::<Encoding>().map_err(to_py)?,
        delimiter: delimiter.map(parse_delimiter).transpose().map_err(to_py)?,
        item_skills,
        activity_skills: None,
    };
    let loaded = py.detach(|| load_logs(&paths, &options)).map_err(to_py)?;
    Ok(Log {
        inner: Arc::new(loaded.log),
    })
}
