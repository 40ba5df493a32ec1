//! Comparing policies: the paired difference of two summaries, and the recommender as a policy.

use super::{RecommenderPolicy, RunFigures, Summary};
use crate::bkt::LearnerState;
use crate::eval::MeanStd;

impl Summary {
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
