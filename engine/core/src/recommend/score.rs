//! The score of a candidate and its components, and the deterministic order of candidates.
//!
//! The score is the expected learning an attempt buys, in P(known) per attempt (see
//! `docs/recommender.md`):
//!
//! ```text
//! score = learning × readiness × persistence × doubt − forgetting + unlock
//! ```

use std::cmp::Ordering;

/// Why a skill is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A ready skill that is itself a goal (or any ready skill when there are no goals).
    Learn,
    /// A ready skill that is not a goal but lies on the way to one: it blocks the goal.
    Prerequisite,
    /// A skill once mastered that is no longer (forgetting, or wrong answers since).
    Review,
    /// A prerequisite of a skill the learner is wheel-spinning on: the evidence of the spinning
    /// suggests the prerequisite is not as solid as its estimate says.
    Remedial,
}

impl Kind {
    /// The snake_case name used in CSV and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Learn => "learn",
            Kind::Prerequisite => "prerequisite",
            Kind::Review => "review",
            Kind::Remedial => "remedial",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of a score (see the module documentation and `docs/recommender.md`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Components {
    /// P(unknown → known) at this attempt if the skill is not known yet: `(1 − P(known))·learn`
    /// (the activity's learn rate when the model has item parameters).
    pub learning: f64,
    /// The probability that the skill's prerequisites are truly known (the product of their
    /// P(known)); 1 without prerequisites. Learning rarely sticks on shaky foundations.
    pub readiness: f64,
    /// Diminishing returns of repetition: `κ / (κ + n)`, `n` the attempts since the skill was
    /// last mastered and `κ` the wheel-spinning count of the mastery rule.
    pub persistence: f64,
    /// For a remedial step, the probability that the prerequisite is in fact not known given
    /// the wheel-spinning on its dependent (Bayes); 1 otherwise.
    pub doubt: f64,
    /// Expected P(known) lost at this attempt under a forgetting model: `P(known)·forget`.
    pub forgetting: f64,
    /// What mastering the skill opens: the learning of the best dependent it would make ready
    /// beyond the best other choice now, spread over the attempts mastery still needs.
    pub unlock: f64,
}

impl Components {
    /// `learning × readiness × persistence × doubt − forgetting + unlock`.
    pub fn score(&self) -> f64 {
        self.value() - self.forgetting + self.unlock
    }

    /// The learning part of the score.
    pub(crate) fn value(&self) -> f64 {
        self.learning * self.readiness * self.persistence * self.doubt
    }
}

/// The ranking order: higher score first; ties by the skill's position in the graph's topological
/// order, then by the activity's position in the graph (both unique), so the order is total and
/// deterministic.
pub fn rank_order(a: (f64, u32, u32), b: (f64, u32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_follows_its_formula() {
        let c = Components {
            learning: 0.2,
            readiness: 0.9,
            persistence: 0.5,
            doubt: 1.0,
            forgetting: 0.01,
            unlock: 0.03,
        };
        assert!((c.score() - (0.2 * 0.9 * 0.5 - 0.01 + 0.03)).abs() < 1e-15);
    }

    #[test]
    fn ties_break_on_topological_then_activity_position() {
        let mut v = vec![(0.5, 3, 1), (0.7, 9, 9), (0.5, 2, 8), (0.5, 2, 4)];
        v.sort_by(|a, b| rank_order(*a, *b));
        assert_eq!(v, vec![(0.7, 9, 9), (0.5, 2, 4), (0.5, 2, 8), (0.5, 3, 1)]);
    }
}
