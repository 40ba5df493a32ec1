//! `pathwise._native.write_report`: the cohort report of `pathwise report` (the library's cohort
//! figures, rendered and written by the `pathwise-report` crate) into a folder the Python side
//! made safe to fill.

use std::path::PathBuf;
use std::sync::Arc;

use pathwise::report::{CohortSelection, ReportSettings, cohort_reports};
use pathwise::text::quoted;
use pathwise::{MasteryRule, Policy, Recommender};
use pathwise_report::{FileFormat, write_cohorts};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::log::Log;
use crate::model::Model;
use crate::recommend::SkillGraph;
use crate::to_py;

/// Writes the cohort report of `log` under `model` on `graph` into `dir` (an empty folder; `shown`
/// names it in errors), as `pathwise report` does, with the GIL released: one cohort of every
/// learner (or of `learners`, ids of the log), or with `by_group` one per value of the log's group
/// column. `sources` is the line naming the inputs on every page; `format` is `csv` or `json`;
/// `groups`, the mastery rule and the inactivity settings are `pathwise report`'s. Returns the
/// recommender's warnings.
#[pyfunction]
#[pyo3(signature = (
    log, graph, model, dir, shown, sources, by_group = false, learners = None, groups = None,
    mastery = 0.95, streak = 3, spinning = 10, inactive_days = 14.0, inactive_share = 0.25,
    format = "csv"
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_report(
    py: Python<'_>,
    log: PyRef<'_, Log>,
    graph: PyRef<'_, SkillGraph>,
    model: PyRef<'_, Model>,
    dir: PathBuf,
    shown: PathBuf,
    sources: &str,
    by_group: bool,
    learners: Option<Vec<String>>,
    groups: Option<usize>,
    mastery: f64,
    streak: u32,
    spinning: u32,
    inactive_days: f64,
    inactive_share: f64,
    format: &str,
) -> PyResult<Vec<String>> {
    let settings = ReportSettings {
        rule: MasteryRule {
            threshold: mastery,
            streak,
            spinning,
        },
        inactive_days,
        inactive_share,
        groups,
        ..ReportSettings::default()
    };
    settings.validate().map_err(to_py)?;
    let format = match format {
        "csv" => FileFormat::Csv,
        "json" => FileFormat::Json,
        other => {
            return Err(PyValueError::new_err(format!(
                "format must be 'csv' or 'json', got {other:?}"
            )));
        }
    };
    let log = Arc::clone(&log.inner);
    let model = Arc::clone(model.fitted()?);
    let graph = Arc::clone(&graph.inner);
    for (what, skills) in [
        (
            "the graph",
            graph.skills().iter().map(|s| s.id.as_str()).collect(),
        ),
        (
            "the log",
            log.skills()
                .names()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
    ] {
        if model.overlap(skills).is_disjoint() {
            return Err(PyValueError::new_err(format!(
                "the model shares no skill with {what}"
            )));
        }
    }
    let selection = CohortSelection {
        learners: learners
            .map(|ids| {
                let mut dense = Vec::with_capacity(ids.len());
                for id in ids {
                    let d = log.learners().id(&id).ok_or_else(|| {
                        PyValueError::new_err(format!(
                            "learners: {} is not in the log",
                            quoted(&id)
                        ))
                    })?;
                    if !dense.contains(&d) {
                        dense.push(d);
                    }
                }
                Ok::<_, PyErr>(dense)
            })
            .transpose()?,
        by_group,
    };
    if by_group && log.groups().is_empty() {
        return Err(PyValueError::new_err(
            "group_by: no response of the log has a value in that column",
        ));
    }
    py.detach(|| {
        let graph = if graph.n_activities() == 0 {
            Arc::new((*graph).clone().with_log_items(&log))
        } else {
            graph
        };
        let recommender = Recommender::new(graph, Arc::clone(&model), Policy::default())?;
        let cohorts = cohort_reports(&log, &model, &recommender, &selection, &settings)?;
        write_cohorts(
            &dir,
            &shown,
            &cohorts,
            by_group,
            sources,
            &settings,
            format,
            || {},
        )?;
        Ok(recommender.warnings().to_vec())
    })
    .map_err(to_py)
    .map(|warnings: Vec<_>| warnings.iter().map(ToString::to_string).collect())
}
