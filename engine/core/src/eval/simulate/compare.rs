//! Comparing policies: the paired difference of two summaries, and the recommender as a policy.

use serde_json::{Value, json};

use super::{PolicyName, RecommenderPolicy, RunFigures, Summary};
use crate::bkt::LearnerState;
use crate::eval::MeanStd;

impl Summary {
    /// The summary of `policy` as the JSON object `pathwise simulate --format json` prints per
    /// policy: `policy`, `mean_mastered`, `std_mastered`, `mean_steps_to_goals`,
    /// `std_steps_to_goals`, `reached_goals`, `learning_gain`, `std_learning_gain` (a standard
    /// deviation is 0 with one run), `curve` and `per_run` (`mastered`, `steps_to_goals`,
    /// `reached_goals`, `learning_gain` of each run).
    pub fn to_json(&self, policy: PolicyName) -> Value {
        let std = |m: &MeanStd| m.std.unwrap_or(0.0);
        json!({
            "policy": policy.to_string(),
            "mean_mastered": self.mastered.mean,
            "std_mastered": std(&self.mastered),
            "mean_steps_to_goals": self.steps_to_goals.mean,
            "std_steps_to_goals": std(&self.steps_to_goals),
            "reached_goals": self.reached_goals.mean,
            "learning_gain": self.learning_gain.mean,
            "std_learning_gain": std(&self.learning_gain),
            "curve": self.curve,
            "per_run": self.runs.iter().map(|r| json!({
                "mastered": r.mastered,
                "steps_to_goals": r.steps_to_goals,
                "reached_goals": r.reached_goals,
                "learning_gain": r.learning_gain,
            })).collect::<Vec<_>>(),
        })
    }

    /// The paired difference `self − other` of one figure over runs (the runs of both summaries
    /// share their seeds, so the difference removes the seed's own variation): its mean and its
    /// standard error (sample standard deviation / √runs; `None` with one run). `None` when the
    /// summaries have different numbers of runs.
    pub fn paired_difference(
        &self,
        other: &Summary,
        figure: impl Fn(&RunFigures) -> f64,
    ) -> Option<Difference> {
        if self.runs.len() != other.runs.len() {
            return None;
        }
        let diffs: Vec<f64> = self
            .runs
            .iter()
            .zip(&other.runs)
            .map(|(a, b)| figure(a) - figure(b))
            .collect();
        let spread = MeanStd::of(&diffs)?;
        Some(Difference {
            mean: spread.mean,
            standard_error: spread.std.map(|s| s / (diffs.len() as f64).sqrt()),
        })
    }
}

/// A paired difference between two policies' figures (see [`Summary::paired_difference`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Mean over runs.
    pub mean: f64,
    /// Standard error of the mean (`None` with one run).
    pub standard_error: Option<f64>,
}

impl Difference {
    /// How many standard errors the mean is from 0 (`None` without a standard error, or with
    /// a zero one).
    pub fn z(&self) -> Option<f64> {
        self.standard_error
            .filter(|&se| se > 0.0)
            .map(|se| self.mean / se)
    }
}

/// The recommender as a teaching policy on a world built from its graph
/// ([`World::from_graph`](super::World::from_graph)): the skill of its top recommendation for the tutor's state.
pub fn recommender_policy(
    recommender: &crate::Recommender,
) -> RecommenderPolicy<impl Fn(&LearnerState) -> Option<usize> + Sync + '_> {
    RecommenderPolicy(move |state: &LearnerState| {
        let top = recommender.recommend(state, 1).ok()?;
        recommender
            .graph()
            .skill_index(&top.first()?.skill)
            .map(|s| s as usize)
    })
}
