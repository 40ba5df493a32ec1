//! `pathwise._native.SkillGraph`, `load_graph` and `Recommender`.

use std::path::PathBuf;
use std::sync::Arc;

use pathwise::Policy;
use pathwise_datasets::GraphOptions;
use pyo3::prelude::*;

use crate::model::Model;
use crate::objects::to_python;
use crate::state::LearnerState;
use crate::to_py;

/// A checked, acyclic skill graph: skills, prerequisites and activities.
#[pyclass(frozen, module = "pathwise._native")]
pub struct SkillGraph {
    pub(crate) inner: Arc<pathwise::SkillGraph>,
}

#[pymethods]
impl SkillGraph {
    /// The skill ids, in the graph's order.
    #[getter]
    fn skills(&self) -> Vec<String> {
        self.inner.skills().iter().map(|s| s.id.clone()).collect()
    }

    /// The number of prerequisite edges.
    #[getter]
    fn n_edges(&self) -> usize {
        self.inner.n_edges()
    }

    /// The number of activities.
    #[getter]
    fn n_activities(&self) -> usize {
        self.inner.n_activities()
    }
}

/// Reads a skill-graph file (native TOML or JSON, an edge-list CSV, the Junyi table or AL-CPL
/// pairs, detected from the extension and header). With `drop_cycle_edges`, edges that close a
/// cycle are dropped instead of failing. Errors name the file and the line, column or skill.
#[pyfunction]
#[pyo3(signature = (path, drop_cycle_edges = false))]
pub fn load_graph(py: Python<'_>, path: PathBuf, drop_cycle_edges: bool) -> PyResult<SkillGraph> {
    let options = GraphOptions {
        drop_cycle_edges,
        ..GraphOptions::default()
    };
    let loaded = py
        .detach(|| pathwise_datasets::load_graph(&path, &options))
        .map_err(to_py)?;
    Ok(SkillGraph {
        inner: Arc::new(loaded.graph),
    })
}

/// Ranks a learner's next activities on a skill graph under a model, and plans learning paths.
/// Methods return JSON text; `pathwise.Recommender` decodes it.
#[pyclass(frozen, module = "pathwise._native")]
pub struct Recommender {
    inner: pathwise::Recommender,
}

#[pymethods]
impl Recommender {
    /// A recommender for `graph` and `model`: `goals` (skill ids; empty = the whole graph),
    /// `ready` (a prerequisite counts at this mastery estimate; `None` = when mastered),
    /// `activities_per_skill` in one list.
    #[new]
    #[pyo3(signature = (graph, model, goals = Vec::new(), ready = None, activities_per_skill = 1))]
    fn new(
        graph: PyRef<'_, SkillGraph>,
        model: PyRef<'_, Model>,
        goals: Vec<String>,
        ready: Option<f64>,
        activities_per_skill: usize,
    ) -> PyResult<Self> {
        let policy = Policy {
            ready,
            goals,
            activities_per_skill,
            ..Policy::default()
        };
        let inner = pathwise::Recommender::new(
            Arc::clone(&graph.inner),
            Arc::clone(model.fitted()?),
            policy,
        )
        .map_err(to_py)?;
        Ok(Self { inner })
    }

    /// The top `k` recommendations for `state`, best first, as a list of dicts (the fields of
    /// the library's JSON).
    fn recommend<'py>(
        &self,
        py: Python<'py>,
        state: PyRef<'_, LearnerState>,
        k: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let state = self.checked(&state)?;
        let list = self.inner.recommend(state, k).map_err(to_py)?;
        to_python(py, &list)
    }

    /// The learning path of `state` to `goals` (empty = the recommender's goals) as a dict.
    fn path<'py>(
        &self,
        py: Python<'py>,
        state: PyRef<'_, LearnerState>,
        goals: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let state = self.checked(&state)?;
        let goals: Vec<&str> = goals.iter().map(String::as_str).collect();
        let plan = self.inner.path(state, &goals).map_err(to_py)?;
        to_python(py, &plan)
    }
}

impl Recommender {
    /// The library state of `state`, which must belong to the recommender's model.
    fn checked<'a>(&self, state: &'a LearnerState) -> PyResult<&'a pathwise::LearnerState> {
        state.inner.check(self.inner.model()).map_err(to_py)?;
        Ok(&state.inner)
    }
}
