//! One-line reasons a teacher or learner can read, e.g.
//! `Ready: prerequisites Fractions and Division mastered; mastery 0.41, 3 of 5 correct; 12%
//! chance to learn it on this attempt; P(correct) 0.63`.
//!
//! A reason states facts and chances, never a negative number as a reason to practise.

use std::fmt::Write;

use super::knowledge::SkillKnowledge;
use super::score::{Components, Kind};
use crate::bkt::mastery::Status;

/// How many prerequisites are named before "and N more".
const NAMED_PREREQUISITES: usize = 3;

/// Why a recommendation names a skill but no activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoActivity {
    /// No activity of the graph practises the skill.
    Missing,
    /// Every activity for the skill also practises a skill that is not ready.
    Locked,
}

/// What a reason says about one recommendation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReasonFacts<'a> {
    pub kind: Kind,
    pub knowledge: &'a SkillKnowledge,
    pub parts: &'a Components,
    pub p_correct: f64,
    /// The nearest goal and the edges to it, for prerequisites.
    pub goal: Option<(&'a str, u32)>,
    /// The policy's soft ready threshold, if any.
    pub ready: Option<f64>,
    /// For a remedial step: the spinning skill's name and knowledge.
    pub remedial_for: Option<(&'a str, &'a SkillKnowledge)>,
    pub no_activity: Option<NoActivity>,
}

/// Builds the reason into `out` (cleared first). `prerequisites` yields (name, estimate).
pub(crate) fn reason<'p>(
    out: &mut String,
    facts: &ReasonFacts<'_>,
    prerequisites: impl ExactSizeIterator<Item = (&'p str, f64)>,
) {
    out.clear();
    let k = facts.knowledge;
    match (facts.kind, facts.remedial_for) {
        (Kind::Remedial, Some((name, spinning))) => {
            let _ = write!(
                out,
                "Remedial: {} attempts at {name} without mastery; this prerequisite may not be \
                 solid (P(not known) {:.2} given that, estimate {:.2})",
                spinning.evidence.tries, facts.parts.doubt, k.estimate
            );
        }
        (Kind::Review, _) => {
            let _ = write!(
                out,
                "Review: mastered before, now estimate {:.2}",
                k.estimate
            );
            write_evidence(out, k);
        }
        _ => {
            if let (Kind::Prerequisite, Some((goal, distance))) = (facts.kind, facts.goal) {
                let steps = if distance == 1 { "step" } else { "steps" };
                let _ = write!(
                    out,
                    "Prerequisite on the way to {goal} ({distance} {steps}). "
                );
            }
            if k.status == Status::Spinning {
                let _ = write!(
                    out,
                    "Wheel-spinning: {} attempts without mastery, other ready work comes first. ",
                    k.evidence.tries
                );
            }
            out.push_str("Ready: ");
            write_prerequisites(out, facts.ready, prerequisites);
            let _ = write!(out, "; estimate {:.2}", k.estimate);
            write_evidence(out, k);
        }
    }
    let chance = facts.parts.value();
    if chance >= 0.005 {
        let _ = write!(
            out,
            "; {:.0}% chance to learn it on this attempt",
            chance * 100.0
        );
    }
    if facts.parts.unlock > 0.0 {
        out.push_str("; mastering it opens the next skills");
    }
    let _ = write!(out, "; P(correct) {:.2}", facts.p_correct);
    match facts.no_activity {
        Some(NoActivity::Missing) => out.push_str("; no activity in the graph practises it"),
        Some(NoActivity::Locked) => {
            out.push_str("; every activity for it also practises a skill not ready yet")
        }
        None => {}
    }
}

/// `, 3 of 5 correct` or `, not assessed yet`.
fn write_evidence(out: &mut String, k: &SkillKnowledge) {
    let e = &k.evidence;
    if e.attempts == 0 {
        out.push_str(", not assessed yet");
    } else {
        let _ = write!(out, ", {} of {} correct", e.correct, e.attempts);
    }
}

fn write_prerequisites<'p>(
    out: &mut String,
    ready: Option<f64>,
    prerequisites: impl ExactSizeIterator<Item = (&'p str, f64)>,
) {
    let n = prerequisites.len();
    if n == 0 {
        out.push_str("no prerequisites");
        return;
    }
    out.push_str(if n == 1 {
        "prerequisite "
    } else {
        "prerequisites "
    });
    let named = n.min(NAMED_PREREQUISITES);
    for (i, (name, _)) in prerequisites.take(named).enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == named && n == named {
                " and "
            } else {
                ", "
            });
        }
        out.push_str(name);
    }
    if n > named {
        let _ = write!(out, " and {} more", n - named);
    }
    match ready {
        None => out.push_str(" mastered"),
        Some(r) => {
            let _ = write!(out, " ready (estimate ≥ {r:.2})");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bkt::mastery::Evidence;

    const PARTS: Components = Components {
        learning: 0.2,
        readiness: 0.9,
        persistence: 1.0,
        doubt: 1.0,
        forgetting: 0.0,
        unlock: 0.0,
    };

    fn knowledge(attempts: u32, correct: u32, tries: u32, status: Status) -> SkillKnowledge {
        SkillKnowledge {
            mastery: 0.41,
            estimate: 0.43,
            evidence: Evidence {
                attempts,
                correct,
                streak: 0,
                tries,
            },
            status,
            idle: None,
        }
    }

    fn text(facts: &ReasonFacts<'_>, pre: &[(&str, f64)]) -> String {
        let mut s = String::new();
        reason(&mut s, facts, pre.iter().copied());
        s
    }

    #[test]
    fn reasons_name_prerequisites_evidence_and_chances() {
        let k = knowledge(5, 3, 5, Status::Learning);
        let facts = ReasonFacts {
            kind: Kind::Learn,
            knowledge: &k,
            parts: &PARTS,
            p_correct: 0.634,
            goal: None,
            ready: None,
            remedial_for: None,
            no_activity: None,
        };
        assert_eq!(
            text(&facts, &[("Fractions", 0.97), ("Division", 0.96)]),
            "Ready: prerequisites Fractions and Division mastered; estimate 0.43, 3 of 5 \
             correct; 18% chance to learn it on this attempt; P(correct) 0.63"
        );
        let fresh = knowledge(0, 0, 0, Status::NotAssessed);
        let many = [("A", 1.0), ("B", 1.0), ("C", 1.0), ("D", 1.0)];
        let s = text(
            &ReasonFacts {
                kind: Kind::Prerequisite,
                knowledge: &fresh,
                goal: Some(("Linear equations", 2)),
                ready: Some(0.8),
                no_activity: Some(NoActivity::Missing),
                ..facts
            },
            &many,
        );
        assert_eq!(
            s,
            "Prerequisite on the way to Linear equations (2 steps). Ready: prerequisites A, B, C \
             and 1 more ready (estimate ≥ 0.80); estimate 0.43, not assessed yet; 18% chance to \
             learn it on this attempt; P(correct) 0.63; no activity in the graph practises it"
        );
    }

    #[test]
    fn spinning_remedial_and_review_say_so_without_negative_numbers() {
        let spinning = knowledge(12, 5, 12, Status::Spinning);
        let base = ReasonFacts {
            kind: Kind::Learn,
            knowledge: &spinning,
            parts: &PARTS,
            p_correct: 0.5,
            goal: None,
            ready: None,
            remedial_for: None,
            no_activity: None,
        };
        assert!(text(&base, &[]).starts_with("Wheel-spinning: 12 attempts without mastery"));
        let prereq = knowledge(4, 4, 0, Status::Mastered);
        let doubt = Components {
            doubt: 0.41,
            ..PARTS
        };
        let s = text(
            &ReasonFacts {
                kind: Kind::Remedial,
                knowledge: &prereq,
                parts: &doubt,
                remedial_for: Some(("Division", &spinning)),
                ..base
            },
            &[],
        );
        assert!(
            s.starts_with("Remedial: 12 attempts at Division without mastery"),
            "{s}"
        );
        let losing = Components {
            learning: 0.001,
            forgetting: 0.05,
            ..PARTS
        };
        let review = knowledge(9, 7, 2, Status::Learning);
        let s = text(
            &ReasonFacts {
                kind: Kind::Review,
                knowledge: &review,
                parts: &losing,
                ..base
            },
            &[],
        );
        assert_eq!(
            s,
            "Review: mastered before, now estimate 0.43, 7 of 9 correct; P(correct) 0.50"
        );
        assert!(!s.contains('-'));
    }
}
