//! The Python bindings of pathwise: the native module `pathwise._native`, which the pure-Python
//! package `pathwise` (python/pathwise) wraps with DataFrame handling. Every call goes to the
//! `pathwise` library, never to the CLI; long work (fitting, replaying a log) runs with the GIL
//! released.

// A library never prints or exits: it returns what it found and lets the front end decide.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod columns;
mod combine;
mod eval;
mod evaluate;
mod log;
mod model;
mod objects;
mod partitioned;
mod progress;
mod recommend;
mod report;
mod simulate;
mod state;

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A pathwise error as a Python exception: bad input and settings are `ValueError`, files that
/// cannot be read `OSError`, anything else `RuntimeError`. The message is the library's one line.
pub(crate) fn to_py(error: pathwise::Error) -> PyErr {
    match error {
        pathwise::Error::Io { .. } => PyOSError::new_err(error.to_string()),
        pathwise::Error::Cancelled => PyRuntimeError::new_err(error.to_string()),
        _ => PyValueError::new_err(error.to_string()),
    }
}

/// The native part of the `pathwise` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::Model>()?;
    m.add_class::<state::LearnerState>()?;
    m.add_class::<recommend::SkillGraph>()?;
    m.add_class::<recommend::Recommender>()?;
    m.add_function(wrap_pyfunction!(recommend::load_graph, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::learner_folds, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::metric, m)?)?;
    m.add_function(wrap_pyfunction!(combine::combine_models, m)?)?;
    m.add_class::<partitioned::PartitionedFit>()?;
    m.add_function(wrap_pyfunction!(partitioned::partition_counts, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate, m)?)?;
    m.add_class::<log::Log>()?;
    m.add_function(wrap_pyfunction!(log::read_log, m)?)?;
    m.add_function(wrap_pyfunction!(eval::cross_validate_models, m)?)?;
    m.add_function(wrap_pyfunction!(report::write_report, m)?)?;
    Ok(())
}
