//! What the recommender knows of one learner on each graph skill, read from their
//! [`LearnerState`](crate::LearnerState) once per call.

use crate::bkt::mastery::{Evidence, MasteryRule, Status};

/// One learner on one skill, as the recommender sees it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SkillKnowledge {
    /// P(known) now (after the policy's decay for responses elsewhere, if any).
    pub mastery: f64,
    /// P(known) as a share of the skill's attainable ceiling, at most 1: what the mastery rule's
    /// threshold applies to.
    pub estimate: f64,
    /// The learner's responses on the skill.
    pub evidence: Evidence,
    /// Where the learner stands.
    pub status: Status,
    /// Responses since the skill was last practised (`None`: never).
    pub idle: Option<u64>,
}

impl SkillKnowledge {
    /// True when the skill counts as a satisfied prerequisite: mastered, or (with a softer
    /// `ready` threshold) an estimate at `ready` with the rule's run of correct answers.
    #[inline]
    pub(crate) fn satisfies(&self, rule: &MasteryRule, ready: f64) -> bool {
        self.status == Status::Mastered
            || (self.evidence.streak >= rule.streak && self.estimate >= ready)
    }
}
