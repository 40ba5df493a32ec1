//! The two watch lists of the report: stuck learners and learners with no recent activity.
//!
//! **Stuck (wheel-spinning)** — a (learner, skill) pair whose status is
//! [`Status::Spinning`](crate::bkt::mastery::Status::Spinning) under the library's mastery rule: at
//! least `spinning` tries (default 10) since the skill was last mastered, or since the first
//! attempt, without mastery (Beck & Gong's 2013 wheel-spinning rule; a learner who reached mastery
//! on the 12th attempt is not stuck). Listed most attempts first.
//!
//! **No recent activity** — measured against the end of the cohort's log (the latest last
//! response of any learner), never against today's date, so a report on an old export is stable:
//! - timestamped logs: the learner's last response is at least `inactive_days` (default 14) before
//!   the end;
//! - sequence-ordered logs (a global sequence such as ASSISTments' `order_id`): the learner's last
//!   response is more than `inactive_share` (default 25%) of the log's order range before the end;
//! - sequence numbers that restart for every learner (every learner's first order key is the same,
//!   e.g. a per-learner `seq_idx`) cannot be compared across learners: the check is skipped and
//!   the report says so.
//!
//! Listed longest gap first.

use super::input::{CohortInput, ReportSettings};
use crate::OrderKind;
use crate::bkt::mastery::Status;

/// One stuck (learner, skill) pair, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Stuck {
    /// Learner index.
    pub learner: usize,
    /// Skill index.
    pub skill: usize,
    /// Attempts on the skill.
    pub attempts: u32,
    /// Correct attempts on the skill.
    pub correct: u32,
    /// Current P(known) of the skill.
    pub mastery: f64,
}

/// Which inactivity rule applied.
#[derive(Debug, Clone, PartialEq)]
pub enum InactiveRule {
    /// Timestamped log: inactive when the last response is at least `days` before the end.
    Days {
        /// The threshold in days.
        days: f64,
    },
    /// Global sequence: inactive when the last response is more than `share` of the order range
    /// before the end.
    Share {
        /// The share of the range.
        share: f64,
        /// The gap (in order units) that the share amounts to.
        gap: f64,
    },
    /// The rule could not apply; the reason says why.
    NotApplicable {
        /// Why, in one line.
        reason: String,
    },
}

/// A learner with no recent activity, with the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Inactive {
    /// Learner index.
    pub learner: usize,
    /// Order key of the learner's last response.
    pub last_order: i64,
    /// How far before the end of the log that is (milliseconds or order units).
    pub gap: i64,
}

/// Every stuck (learner, skill) pair — status [`Status::Spinning`] — most attempts first
/// (ties: learner, then skill order).
pub(crate) fn stuck(input: &CohortInput) -> Vec<Stuck> {
    let mut out = Vec::new();
    for (li, l) in input.learners.iter().enumerate() {
        for e in &l.evidence {
            if e.status == Status::Spinning {
                out.push(Stuck {
                    learner: li,
                    skill: e.skill,
                    attempts: e.evidence.attempts,
                    correct: e.evidence.correct,
                    mastery: e.mastery,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.attempts
            .cmp(&a.attempts)
            .then_with(|| {
                input.learners[a.learner]
                    .id
                    .cmp(&input.learners[b.learner].id)
            })
            .then(a.skill.cmp(&b.skill))
    });
    out
}

/// The learners with no recent activity and the rule that found them.
pub(crate) fn inactive(
    input: &CohortInput,
    settings: &ReportSettings,
) -> (InactiveRule, Vec<Inactive>) {
    let learners = &input.learners;
    let (Some(end), Some(start)) = (
        learners.iter().map(|l| l.last_order).max(),
        learners.iter().map(|l| l.first_order).min(),
    ) else {
        return (
            InactiveRule::NotApplicable {
                reason: "the cohort has no responses".into(),
            },
            Vec::new(),
        );
    };
    let (rule, threshold) = match input.order_kind {
        OrderKind::TimestampMillis => {
            let ms = settings.inactive_days * 86_400_000.0;
            (
                InactiveRule::Days {
                    days: settings.inactive_days,
                },
                ms,
            )
        }
        OrderKind::Sequence => {
            if learners.len() >= 2 && learners.iter().all(|l| l.first_order == start) {
                return (
                    InactiveRule::NotApplicable {
                        reason: "the order column restarts for every learner (per-learner \
                                 sequence numbers), so it cannot tell when learners were last \
                                 active; give a timestamp or a global sequence column"
                            .into(),
                    },
                    Vec::new(),
                );
            }
            let span = end.saturating_sub(start) as f64;
            if span <= 0.0 {
                return (
                    InactiveRule::NotApplicable {
                        reason: "all responses share one order key".into(),
                    },
                    Vec::new(),
                );
            }
            let gap = settings.inactive_share * span;
            (
                InactiveRule::Share {
                    share: settings.inactive_share,
                    gap,
                },
                gap,
            )
        }
    };
    let strict = matches!(rule, InactiveRule::Share { .. });
    let mut out: Vec<Inactive> = learners
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let gap = end.saturating_sub(l.last_order);
            let g = gap as f64;
            let hit = if strict {
                g > threshold
            } else {
                g >= threshold
            };
            hit.then_some(Inactive {
                learner: i,
                last_order: l.last_order,
                gap,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.gap
            .cmp(&a.gap)
            .then_with(|| learners[a.learner].id.cmp(&learners[b.learner].id))
    });
    (rule, out)
}
