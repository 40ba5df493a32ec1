//! What a cohort report is computed from: plain data the caller assembles from a log, a model and
//! the recommender, so the aggregation itself needs none of them.

use crate::{Error, Result};
use crate::{Kind, OrderKind};

/// One skill of the report, in curriculum order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillRef {
    /// The skill id (as in the graph).
    pub id: String,
    /// The skill's display name (the id when the graph has none).
    pub name: String,
}

/// A learner's top recommendation, as the recommender explained it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopPick {
    /// Index of the recommended skill in [`CohortInput::skills`].
    pub skill: usize,
    /// The recommended activity id.
    pub activity: String,
    /// Why the skill is recommended (learn, prerequisite, review, remedial).
    pub kind: Kind,
    /// The one-line reason a teacher can read.
    pub reason: String,
}

/// One learner: activity counts from the log and mastery from the model, one entry per skill of
/// [`CohortInput::skills`] in every vector.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerInput {
    /// The learner id.
    pub id: String,
    /// Responses of this learner (each scored once, whatever its number of skills).
    pub responses: u64,
    /// Attempts per skill (a response practising two skills counts for both).
    pub attempts: Vec<u32>,
    /// Correct attempts per skill.
    pub correct: Vec<u32>,
    /// Current P(known) per skill, from the model's filter over the learner's history.
    pub mastery: Vec<f64>,
    /// Whether each skill is ready to learn (not mastered, prerequisites mastered), as the
    /// recommender decides.
    pub ready: Vec<bool>,
    /// Order key of the learner's first response (see [`CohortInput::order_kind`]).
    pub first_order: i64,
    /// Order key of the learner's last response.
    pub last_order: i64,
    /// Index of the skill of the learner's last response, if it is a report skill.
    pub last_skill: Option<usize>,
    /// The learner's top recommendation, if any.
    pub top: Option<TopPick>,
}

/// Everything a cohort report is computed from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CohortInput {
    /// The skills, in curriculum (topological) order.
    pub skills: Vec<SkillRef>,
    /// The learners of the cohort.
    pub learners: Vec<LearnerInput>,
    /// What the order keys of the learners mean.
    pub order_kind: OrderKind,
}

impl CohortInput {
    /// Checks that every per-skill vector has one entry per skill, that mastery values are
    /// probabilities and that top picks name a report skill.
    pub fn validate(&self) -> Result<()> {
        let n = self.skills.len();
        for l in &self.learners {
            let lens = [
                l.attempts.len(),
                l.correct.len(),
                l.mastery.len(),
                l.ready.len(),
            ];
            if lens.iter().any(|&len| len != n) {
                return Err(Error::config(format!(
                    "learner '{}': per-skill vectors have lengths {lens:?}, expected {n} (one per skill)",
                    l.id
                )));
            }
            if let Some(bad) = l.mastery.iter().find(|m| !(0.0..=1.0).contains(*m)) {
                return Err(Error::config(format!(
                    "learner '{}': mastery {bad} is not a probability",
                    l.id
                )));
            }
            let skill_ok = |s: &usize| *s < n;
            if l.top.as_ref().is_some_and(|t| !skill_ok(&t.skill))
                || l.last_skill.as_ref().is_some_and(|s| !skill_ok(s))
            {
                return Err(Error::config(format!(
                    "learner '{}': skill index out of range",
                    l.id
                )));
            }
        }
        Ok(())
    }
}

/// The rules of the report; [`ReportSettings::default`] documents the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSettings {
    /// A skill is mastered when P(known) ≥ this (default 0.95, as the recommender).
    pub mastery: f64,
    /// Stuck (wheel-spinning): at least this many attempts on a skill that is still not
    /// mastered (default 10, after Beck & Gong 2013).
    pub stuck_attempts: u32,
    /// Timestamped logs: inactive when the last response is at least this many days before the
    /// log's last response (default 14).
    pub inactive_days: f64,
    /// Sequence-ordered logs: inactive when the last response lies in the first
    /// `1 - inactive_share` of the log's order range, i.e. more than this share of the range
    /// before its end (default 0.25).
    pub inactive_share: f64,
    /// A fixed number of groups; `None` picks k by the silhouette rule (see `groups`).
    pub groups: Option<usize>,
    /// The largest k the silhouette rule tries (default 6; it tries 2..=max).
    pub max_groups: usize,
    /// The silhouette rule takes the smallest k whose score is within this of the best (default
    /// 0.02).
    pub silhouette_tolerance: f64,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            mastery: 0.95,
            stuck_attempts: 10,
            inactive_days: 14.0,
            inactive_share: 0.25,
            groups: None,
            max_groups: 6,
            silhouette_tolerance: 0.02,
        }
    }
}

impl ReportSettings {
    /// Checks every setting against its range; the message states the rule.
    pub fn validate(&self) -> Result<()> {
        if !(self.mastery > 0.0 && self.mastery <= 1.0) {
            return Err(Error::config(format!(
                "mastery must be in (0, 1], got {}",
                self.mastery
            )));
        }
        if self.stuck_attempts == 0 {
            return Err(Error::config("stuck attempts must be at least 1"));
        }
        if !(self.inactive_days.is_finite() && self.inactive_days > 0.0) {
            return Err(Error::config(format!(
                "inactive days must be a positive number, got {}",
                self.inactive_days
            )));
        }
        if !(self.inactive_share > 0.0 && self.inactive_share < 1.0) {
            return Err(Error::config(format!(
                "inactive share must be in (0, 1), got {}",
                self.inactive_share
            )));
        }
        if self.groups == Some(0) {
            return Err(Error::config("groups must be at least 1"));
        }
        if self.max_groups < 2 {
            return Err(Error::config("max groups must be at least 2"));
        }
        if !(self.silhouette_tolerance >= 0.0 && self.silhouette_tolerance.is_finite()) {
            return Err(Error::config(
                "silhouette tolerance must be a non-negative number",
            ));
        }
        Ok(())
    }
}
