//! One-line reasons a teacher or learner can read, e.g.
//! `Ready: prerequisites Fractions ≥ 0.97 and Division ≥ 0.96 mastered; current mastery 0.41;
//! expected +0.12`.

use std::fmt::Write;

use super::score::Kind;

/// How many prerequisites are named before "and N more".
const NAMED_PREREQUISITES: usize = 3;

/// Why a recommendation names a skill but no activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoActivity {
    /// No activity of the graph practises the skill.
    Missing,
    /// Every activity for the skill also practises a skill that is not ready.
    Locked,
}

/// What a reason says about one recommendation.
#[derive(Debug, Clone, Copy)]
pub struct ReasonFacts<'a> {
    /// The recommendation's kind.
    pub kind: Kind,
    /// Current P(known) of the skill.
    pub mastery: f64,
    /// Highest P(known) the learner had on the skill (for reviews).
    pub peak: f64,
    /// Expected P(known) gain from one attempt.
    pub expected_gain: f64,
    /// Predicted P(correct) of the attempt.
    pub p_correct: f64,
    /// The nearest goal and the edges to it, for prerequisites.
    pub goal: Option<(&'a str, u32)>,
    /// The threshold prerequisites had to reach, and whether it is the mastery threshold.
    pub ready_threshold: f64,
    /// True when the ready threshold is the mastery threshold.
    pub ready_is_mastery: bool,
    /// Why the skill itself, not an activity, is recommended (no activity practises it, or all
    /// its activities also practise skills that are not ready).
    pub no_activity: Option<NoActivity>,
}

/// Builds the reason into `out` (cleared first). `prerequisites` yields (name, P(known)).
pub fn reason<'p>(
    out: &mut String,
    facts: &ReasonFacts<'_>,
    prerequisites: impl ExactSizeIterator<Item = (&'p str, f64)>,
) {
    out.clear();
    match facts.kind {
        Kind::Review => {
            let _ = write!(
                out,
                "Review: mastered before (peak {:.2}), now {:.2} after forgetting",
                facts.peak, facts.mastery
            );
        }
        Kind::Learn | Kind::Prerequisite => {
            if let (Kind::Prerequisite, Some((goal, distance))) = (facts.kind, facts.goal) {
                let steps = if distance == 1 { "step" } else { "steps" };
                let _ = write!(
                    out,
                    "Prerequisite on the way to {goal} ({distance} {steps}). "
                );
            }
            out.push_str("Ready: ");
            write_prerequisites(out, facts, prerequisites);
            let _ = write!(out, "; current mastery {:.2}", facts.mastery);
        }
    }
    let _ = write!(
        out,
        "; expected {:+.2}; P(correct) {:.2}",
        facts.expected_gain, facts.p_correct
    );
    match facts.no_activity {
        Some(NoActivity::Missing) => out.push_str("; no activity in the graph practises it"),
        Some(NoActivity::Locked) => {
            out.push_str("; every activity for it also practises a skill not ready yet")
        }
        None => {}
    }
}

fn write_prerequisites<'p>(
    out: &mut String,
    facts: &ReasonFacts<'_>,
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
    for (i, (name, p)) in prerequisites.take(named).enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == named && n == named {
                " and "
            } else {
                ", "
            });
        }
        let _ = write!(out, "{name} ≥ {:.2}", floor2(p));
    }
    if n > named {
        let _ = write!(out, " and {} more", n - named);
    }
    if facts.ready_is_mastery {
        out.push_str(" mastered");
    } else {
        let _ = write!(out, " ready (≥ {:.2})", facts.ready_threshold);
    }
}

/// Rounds down to two decimals, so that "≥ 0.95" is never printed for 0.949.
fn floor2(p: f64) -> f64 {
    (p * 100.0).floor() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: Kind) -> ReasonFacts<'static> {
        ReasonFacts {
            kind,
            mastery: 0.41,
            peak: 0.41,
            expected_gain: 0.12,
            p_correct: 0.634,
            goal: None,
            ready_threshold: 0.95,
            ready_is_mastery: true,
            no_activity: None,
        }
    }

    #[test]
    fn ready_reason_names_the_prerequisites() {
        let mut s = String::new();
        let pre = [("Fractions", 0.972), ("Division", 0.969)];
        reason(&mut s, &facts(Kind::Learn), pre.into_iter());
        assert_eq!(
            s,
            "Ready: prerequisites Fractions ≥ 0.97 and Division ≥ 0.96 mastered; \
             current mastery 0.41; expected +0.12; P(correct) 0.63"
        );
    }

    #[test]
    fn root_skill_and_many_prerequisites() {
        let mut s = String::new();
        reason(&mut s, &facts(Kind::Learn), std::iter::empty());
        assert!(
            s.starts_with("Ready: no prerequisites; current mastery 0.41"),
            "{s}"
        );
        let pre = [
            ("A", 0.99),
            ("B", 0.98),
            ("C", 0.97),
            ("D", 0.96),
            ("E", 0.95),
        ];
        reason(&mut s, &facts(Kind::Learn), pre.into_iter());
        assert!(
            s.starts_with("Ready: prerequisites A ≥ 0.99, B ≥ 0.98, C ≥ 0.97 and 2 more mastered;"),
            "{s}"
        );
    }

    #[test]
    fn prerequisite_review_soft_ready_and_no_activity() {
        let mut s = String::new();
        let mut f = facts(Kind::Prerequisite);
        f.goal = Some(("Linear equations", 2));
        f.ready_threshold = 0.8;
        f.ready_is_mastery = false;
        f.no_activity = Some(NoActivity::Missing);
        reason(&mut s, &f, [("Ratios", 0.83)].into_iter());
        assert_eq!(
            s,
            "Prerequisite on the way to Linear equations (2 steps). Ready: prerequisite \
             Ratios ≥ 0.83 ready (≥ 0.80); current mastery 0.41; expected +0.12; P(correct) 0.63; \
             no activity in the graph practises it"
        );
        let mut f = facts(Kind::Review);
        f.peak = 0.981;
        f.mastery = 0.88;
        f.expected_gain = 0.031;
        reason(&mut s, &f, std::iter::empty());
        assert_eq!(
            s,
            "Review: mastered before (peak 0.98), now 0.88 after forgetting; expected +0.03; \
             P(correct) 0.63"
        );
    }
}
