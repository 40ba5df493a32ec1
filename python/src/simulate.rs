//! `pathwise._native.simulate`: simulated learners practise a skill graph under teaching
//! policies (the library's [`GraphSimulation`], which `pathwise simulate` runs too).

use std::sync::Arc;

use pathwise::MasteryRule;
use pathwise::eval::simulate::{
    DEFAULT_BLOCKED_LEARN_FACTOR, GraphSimulation, MAX_LEARNER_STEPS, PolicyName, SimAttempt,
    SimOptions, Summary,
};
use pathwise::text::quoted;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::model::Model;
use crate::objects::to_python;
use crate::recommend::SkillGraph;
use crate::to_py;

/// Simulates `runs` runs of `learners` learners practising `graph` for `steps` steps under each
/// of `policies` (comma-separated names or `all`), with the GIL released. Returns a dict:
/// `policies` (per policy, `policy` and the figures of `pathwise simulate --format json`),
/// `differences` (pathwise's paired difference to each other policy: `policy`, `mastered`,
/// `mastered_se`, `learning_gain`, `learning_gain_se`), and `log` (with `keep_log`: the columns
/// `policy`, `learner`, `skill`, `item`, `correct`, `order` of every simulated answer; else
/// `None`). `progress(policies_done, policies_total)` is called after each policy.
#[pyfunction]
#[pyo3(signature = (
    graph, model = None, policies = "pathwise", learners = 100, steps = 100, runs = 1, seed = 0,
    goals = Vec::new(), mastery = 0.95, streak = 3, spinning = 10,
    blocked_factor = DEFAULT_BLOCKED_LEARN_FACTOR, advance_after = 3, keep_log = false,
    progress = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    graph: PyRef<'_, SkillGraph>,
    model: Option<PyRef<'_, Model>>,
    policies: &str,
    learners: usize,
    steps: usize,
    runs: usize,
    seed: u64,
    goals: Vec<String>,
    mastery: f64,
    streak: u32,
    spinning: u32,
    blocked_factor: f64,
    advance_after: u32,
    keep_log: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let names = PolicyName::list(policies).map_err(to_py)?;
    let total = learners
        .checked_mul(steps)
        .and_then(|n| n.checked_mul(runs))
        .and_then(|n| n.checked_mul(names.len()));
    if total.is_none_or(|n| n > MAX_LEARNER_STEPS) {
        return Err(PyValueError::new_err(format!(
            "learners × steps × runs × policies is more than the limit of {MAX_LEARNER_STEPS} \
             simulated learner-steps"
        )));
    }
    let graph = Arc::clone(&graph.inner);
    let goals = goals
        .iter()
        .map(|g| {
            graph.skill_index(g).map(|s| s as usize).ok_or_else(|| {
                PyValueError::new_err(format!("goals: no skill {} in the graph", quoted(g)))
            })
        })
        .collect::<PyResult<Vec<usize>>>()?;
    let rule = MasteryRule {
        threshold: mastery,
        streak,
        spinning,
    };
    let options = SimOptions {
        learners,
        steps,
        runs,
        seed,
        rule,
        goals,
        streak_to_advance: advance_after,
    };
    let truth = match &model {
        Some(m) => Some(Arc::clone(m.fitted()?)),
        None => None,
    };
    let simulation = py
        .detach(|| GraphSimulation::new(graph, truth.as_deref(), blocked_factor, options))
        .map_err(to_py)?;
    let mut results: Vec<(PolicyName, Summary)> = Vec::with_capacity(names.len());
    let mut log = keep_log.then(LogColumns::default);
    for (done, name) in names.iter().enumerate() {
        let summary = py
            .detach(|| {
                simulation.run(*name, |a| {
                    if let Some(log) = log.as_mut() {
                        log.push(&simulation, *name, a);
                    }
                })
            })
            .map_err(to_py)?;
        results.push((*name, summary));
        if let Some(callback) = &progress {
            callback.call1(py, (done + 1, names.len()))?;
        }
    }
    let entries: Vec<Value> = results
        .iter()
        .map(|(name, summary)| summary.to_json(*name))
        .collect();
    let value = json!({
        "policies": entries,
        "differences": differences(&results),
        "log": log.map(|l| l.to_json()),
    });
    to_python(py, &value)
}

/// pathwise's paired difference (by seed) to every other policy; none without pathwise.
fn differences(results: &[(PolicyName, Summary)]) -> Vec<Value> {
    let Some((_, ours)) = results.iter().find(|(n, _)| *n == PolicyName::Pathwise) else {
        return Vec::new();
    };
    results
        .iter()
        .filter(|(n, _)| *n != PolicyName::Pathwise)
        .map(|(name, theirs)| {
            let mastered = ours.paired_difference(theirs, |r| r.mastered);
            let gain = ours.paired_difference(theirs, |r| r.learning_gain);
            json!({
                "policy": name.to_string(),
                "mastered": mastered.map(|d| d.mean),
                "mastered_se": mastered.and_then(|d| d.standard_error),
                "learning_gain": gain.map(|d| d.mean),
                "learning_gain_se": gain.and_then(|d| d.standard_error),
            })
        })
        .collect()
}

/// The simulated log, column by column (the schema `pathwise simulate -o` writes, plus the
/// policy).
#[derive(Default)]
struct LogColumns {
    policy: Vec<String>,
    learner: Vec<String>,
    skill: Vec<String>,
    item: Vec<String>,
    correct: Vec<bool>,
    order: Vec<u32>,
}

impl LogColumns {
    fn push(&mut self, simulation: &GraphSimulation, policy: PolicyName, attempt: &SimAttempt) {
        let (skill, item) = simulation.skill_and_item(attempt);
        self.policy.push(policy.to_string());
        self.learner.push(GraphSimulation::learner_id(attempt));
        self.skill.push(skill.to_owned());
        self.item.push(item.to_owned());
        self.correct.push(attempt.correct);
        self.order.push(attempt.step);
    }

    fn to_json(&self) -> Value {
        json!({
            "policy": self.policy,
            "learner": self.learner,
            "skill": self.skill,
            "item": self.item,
            "correct": self.correct,
            "order": self.order,
        })
    }
}
