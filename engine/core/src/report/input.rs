//! What a cohort report is computed from: plain data the caller assembles from a log, a model and
//! the recommender, so the aggregation itself needs none of them.
//!
//! A learner's data is **sparse**: one [`SkillEvidence`] per skill they attempted, nothing for the
//! skills they never attempted (those are *not assessed*, whatever the model's prior says). So a
//! cohort's input grows with the log, not with learners × skills.

use crate::bkt::FitFlag;
use crate::bkt::mastery::{Evidence, MasteryRule, Status};
use crate::recommend::SkillKnowledge;
use crate::{Error, Kind, OrderKind, Result};

/// The flag of a report skill the model does not know (its P(known) is the population
/// average's).
pub const NOT_IN_MODEL: &str = "not_in_model";

/// One skill of the report, in curriculum order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SkillRef {
    /// The skill id (as in the graph).
    pub id: String,
    /// The skill's display name (the id when the graph has none).
    pub name: String,
    /// Indices (into [`CohortInput::skills`]) of the skill's prerequisites.
    pub requires: Vec<usize>,
    /// The fit's warnings about the skill's model (the model file's `flags`: too few learners
    /// or observations, a parameter at the edge of its range, …).
    pub flags: Vec<FitFlag>,
    /// The model does not know the skill: its P(known) comes from the model's population
    /// average, not from a fit.
    pub not_in_model: bool,
}

impl SkillRef {
    /// Whether the skill's model should not be trusted: a fit flag, or no fit at all. A flagged
    /// skill is marked on the page and is never a group's next step.
    pub fn flagged(&self) -> bool {
        self.not_in_model || !self.flags.is_empty()
    }

    /// The names of the skill's flags as the tables print them (`few_learners`, …, and
    /// [`NOT_IN_MODEL`]).
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.flags.iter().map(|f| f.as_str()).collect();
        if self.not_in_model {
            names.push(NOT_IN_MODEL);
        }
        names
    }

    /// One short explanation per flag, in the order of [`SkillRef::flag_names`].
    pub fn flag_explanations(&self) -> Vec<&'static str> {
        let mut lines: Vec<&'static str> = self.flags.iter().map(|f| f.explanation()).collect();
        if self.not_in_model {
            lines.push("the model does not know the skill (population-average parameters)");
        }
        lines
    }
}

/// A learner's standing on one skill they attempted, as the library's mastery rule judges it:
/// [`Recommender::knowledge`](crate::Recommender::knowledge) of the learner's replayed
/// [`LearnerState`](crate::LearnerState) gives every field, so the report and `recommend` agree
/// on every status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkillEvidence {
    /// Index of the skill in [`CohortInput::skills`].
    pub skill: usize,
    /// The learner's responses on the skill (at least one; a response practising two skills
    /// counts for both).
    pub evidence: Evidence,
    /// Current P(known), from the model's filter over the learner's history.
    pub mastery: f64,
    /// P(known) as a share of the skill's attainable ceiling (see [`crate::bkt::mastery`]): what the
    /// mastery threshold applies to.
    pub estimate: f64,
    /// The status under the rule, [`MasteryRule::status`] of `estimate` and `evidence`.
    pub status: Status,
}

impl SkillEvidence {
    /// The evidence on report skill `skill` with the status `rule` gives it.
    pub fn judged(
        skill: usize,
        evidence: Evidence,
        mastery: f64,
        estimate: f64,
        rule: &MasteryRule,
    ) -> Self {
        Self {
            skill,
            evidence,
            mastery,
            estimate,
            status: rule.status(estimate, &evidence),
        }
    }

    /// The recommender's knowledge of one skill, as report skill `skill`.
    pub fn from_knowledge(skill: usize, k: &SkillKnowledge) -> Self {
        Self {
            skill,
            evidence: k.evidence,
            mastery: k.mastery.clamp(0.0, 1.0),
            estimate: k.estimate.clamp(0.0, 1.0),
            status: k.status,
        }
    }
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

/// One learner: activity from the log and mastery from the model, for the skills they attempted.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerInput {
    /// The learner id.
    pub id: String,
    /// Responses of this learner (each scored once, whatever its number of skills).
    pub responses: u64,
    /// One entry per attempted report skill, by ascending skill index. A skill without an entry
    /// was never attempted: *not assessed*.
    pub evidence: Vec<SkillEvidence>,
    /// Order key of the learner's first response (see [`CohortInput::order_kind`]).
    pub first_order: i64,
    /// Order key of the learner's last response.
    pub last_order: i64,
    /// Index of the skill of the learner's last response, if it is a report skill.
    pub last_skill: Option<usize>,
    /// The learner's top recommendation, if any.
    pub top: Option<TopPick>,
}

impl LearnerInput {
    /// The learner's evidence on skill `skill`, if they attempted it.
    pub fn evidence_on(&self, skill: usize) -> Option<&SkillEvidence> {
        self.evidence
            .binary_search_by_key(&skill, |e| e.skill)
            .ok()
            .map(|i| &self.evidence[i])
    }

    /// Attempts summed over report skills.
    pub fn attempts(&self) -> u64 {
        self.evidence
            .iter()
            .map(|e| u64::from(e.evidence.attempts))
            .sum()
    }
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
    /// Checks that evidence names report skills in ascending order with consistent counts (at
    /// least one attempt), that P(known) and the estimate are probabilities, that each status is
    /// the one `rule` gives, and that prerequisites, top picks and last skills name report skills.
    pub fn validate(&self, rule: &MasteryRule) -> Result<()> {
        let n = self.skills.len();
        for (s, skill) in self.skills.iter().enumerate() {
            if let Some(&bad) = skill.requires.iter().find(|&&p| p >= n || p == s) {
                return Err(Error::config(format!(
                    "skill '{}': prerequisite index {bad} is not another report skill",
                    skill.id
                )));
            }
        }
        for l in &self.learners {
            let bad = |what: String| Err(Error::config(format!("learner '{}': {what}", l.id)));
            let mut previous: Option<usize> = None;
            for e in &l.evidence {
                if e.skill >= n || previous.is_some_and(|p| p >= e.skill) {
                    return bad(format!(
                        "evidence on skill index {} is out of range or out of order",
                        e.skill
                    ));
                }
                previous = Some(e.skill);
                let v = &e.evidence;
                if v.attempts == 0 || !v.is_consistent() {
                    return bad(format!(
                        "evidence on skill index {}: {} attempts, {} correct, streak {}, {} tries \
                         do not add up",
                        e.skill, v.attempts, v.correct, v.streak, v.tries
                    ));
                }
                if !(0.0..=1.0).contains(&e.mastery) || !(0.0..=1.0).contains(&e.estimate) {
                    return bad(format!(
                        "mastery {} or estimate {} is not a probability",
                        e.mastery, e.estimate
                    ));
                }
                if e.status != rule.status(e.estimate, v) {
                    return bad(format!(
                        "skill index {}: status {} is not the mastery rule's ({})",
                        e.skill,
                        e.status,
                        rule.status(e.estimate, v)
                    ));
                }
            }
            if l.top.as_ref().is_some_and(|t| t.skill >= n) || l.last_skill.is_some_and(|s| s >= n)
            {
                return bad("skill index out of range".into());
            }
        }
        Ok(())
    }
}

/// The rules of the report; [`ReportSettings::default`] documents the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSettings {
    /// When a skill counts as mastered and when practice is wheel-spinning ("stuck"): the
    /// library's [`MasteryRule`] (default 0.95 on the estimate, 3 correct in a row, 10 tries),
    /// the same rule as `recommend`'s.
    pub rule: MasteryRule,
    /// Timestamped logs: inactive when the last response is at least this many days before the
    /// log's last response (default 14).
    pub inactive_days: f64,
    /// Sequence-ordered logs: inactive when the last response lies in the first
    /// `1 - inactive_share` of the log's order range, i.e. more than this share of the range
    /// before its end (default 0.25).
    pub inactive_share: f64,
    /// A fixed number of groups; `None` picks k by the silhouette rule (see `groups`).
    pub groups: Option<usize>,
    /// The largest k the silhouette rule tries (default 6; it tries 2..=max and k = 1).
    pub max_groups: usize,
    /// The silhouette rule takes the smallest k whose score is within this of the best (default
    /// 0.02).
    pub silhouette_tolerance: f64,
    /// Below this simplified silhouette the cohort has no group structure worth teaching to and
    /// stays one group (default 0.25, Kaufman & Rousseeuw's "no substantial structure").
    pub min_silhouette: f64,
    /// The smallest group, in learners (default 4); the rule also never makes a group smaller
    /// than `min_group_share` of the cohort.
    pub min_group_size: usize,
    /// The smallest group, as a share of the cohort (default 0.1).
    pub min_group_share: f64,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            rule: MasteryRule::default(),
            inactive_days: 14.0,
            inactive_share: 0.25,
            groups: None,
            max_groups: 6,
            silhouette_tolerance: 0.02,
            min_silhouette: 0.25,
            min_group_size: 4,
            min_group_share: 0.1,
        }
    }
}

impl ReportSettings {
    /// Checks every setting against its range: an [`Error::Config`] whose `setting` is the
    /// field at fault (`inactive_days`, `max_groups`, ...) and whose message states the rule.
    pub fn validate(&self) -> Result<()> {
        self.rule.validate()?;
        if !(self.inactive_days.is_finite() && self.inactive_days > 0.0) {
            return Err(Error::setting(
                "inactive_days",
                format!(
                    "inactive days must be a positive number, got {}",
                    self.inactive_days
                ),
            ));
        }
        if !(self.inactive_share > 0.0 && self.inactive_share < 1.0) {
            return Err(Error::setting(
                "inactive_share",
                format!(
                    "inactive share must be in (0, 1), got {}",
                    self.inactive_share
                ),
            ));
        }
        if self.groups == Some(0) {
            return Err(Error::setting("groups", "groups must be at least 1"));
        }
        if self.max_groups < 2 {
            return Err(Error::setting(
                "max_groups",
                "max groups must be at least 2",
            ));
        }
        let finite_share = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        if !(self.silhouette_tolerance >= 0.0 && self.silhouette_tolerance.is_finite()) {
            return Err(Error::setting(
                "silhouette_tolerance",
                "silhouette tolerance must be a non-negative number",
            ));
        }
        if !(self.min_silhouette.is_finite() && (-1.0..=1.0).contains(&self.min_silhouette)) {
            return Err(Error::setting(
                "min_silhouette",
                "minimum silhouette must be in [-1, 1]",
            ));
        }
        if self.min_group_size == 0 {
            return Err(Error::setting(
                "min_group_size",
                "minimum group size must be at least 1",
            ));
        }
        if !finite_share(self.min_group_share) {
            return Err(Error::setting(
                "min_group_share",
                "minimum group share must be in [0, 1]",
            ));
        }
        Ok(())
    }

    /// The smallest group the silhouette rule accepts in a cohort of `learners`.
    pub fn min_group(&self, learners: usize) -> usize {
        let share = (self.min_group_share * learners as f64).ceil() as usize;
        self.min_group_size.max(share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_report_setting_out_of_range_names_its_field() {
        let d = ReportSettings::default;
        assert!(d().validate().is_ok());
        let cases = [
            (
                ReportSettings {
                    inactive_days: f64::NAN,
                    ..d()
                },
                "inactive_days",
            ),
            (
                ReportSettings {
                    inactive_share: 1.0,
                    ..d()
                },
                "inactive_share",
            ),
            (
                ReportSettings {
                    groups: Some(0),
                    ..d()
                },
                "groups",
            ),
            (
                ReportSettings {
                    max_groups: 1,
                    ..d()
                },
                "max_groups",
            ),
            (
                ReportSettings {
                    silhouette_tolerance: -0.1,
                    ..d()
                },
                "silhouette_tolerance",
            ),
            (
                ReportSettings {
                    min_silhouette: 2.0,
                    ..d()
                },
                "min_silhouette",
            ),
            (
                ReportSettings {
                    min_group_size: 0,
                    ..d()
                },
                "min_group_size",
            ),
            (
                ReportSettings {
                    min_group_share: 1.5,
                    ..d()
                },
                "min_group_share",
            ),
        ];
        for (settings, field) in cases {
            match settings.validate() {
                Err(Error::Config { setting, .. }) => assert_eq!(setting, Some(field)),
                other => panic!("{field}: expected a config error, got {other:?}"),
            }
        }
    }
}
