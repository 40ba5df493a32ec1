//! The score of a candidate and its components, and the deterministic order of candidates.

use std::cmp::Ordering;

use super::dynamics::SkillDynamics;
use super::policy::Policy;

/// Why a skill is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A ready skill that is itself a goal (or any ready skill when there are no goals).
    Learn,
    /// A ready skill that is not a goal but lies on the way to one: it blocks the goal.
    Prerequisite,
    /// A skill once mastered whose P(known) fell below the threshold under a forgetting model.
    Review,
}

impl Kind {
    /// The snake_case name used in CSV and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Learn => "learn",
            Kind::Prerequisite => "prerequisite",
            Kind::Review => "review",
        }
    }
}

/// The parts of a score, each in [0, 1]; the score is their weighted sum
/// (see [`Weights`](super::policy::Weights)).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Components {
    /// Expected P(known) gain of one attempt as a share of the way left to the mastery threshold:
    /// `clamp(expected_gain / (mastery − P(known)), 0, 1)`.
    pub gain: f64,
    /// Skills opened by mastering this one: `u / (1 + u)` where `u` counts the unmastered
    /// dependents (on the way to the goals) whose other prerequisites are all satisfied.
    pub unlock: f64,
    /// Nearness to the goals: `1 / (1 + d)`, `d` = prerequisite edges from the skill to the
    /// nearest goal (1 for every skill when there are no goals).
    pub goal: f64,
    /// Fit of the predicted P(correct) to the productive-success band.
    pub band: f64,
    /// 1 for a review of a forgotten skill, 0 otherwise.
    pub review: f64,
}

impl Components {
    /// The weighted sum under `policy.weights`.
    pub fn score(&self, policy: &Policy) -> f64 {
        let w = &policy.weights;
        w.gain * self.gain
            + w.unlock * self.unlock
            + w.goal * self.goal
            + w.band * self.band
            + w.review * self.review
    }
}

/// The skill-level facts a score needs, beside the attempt's dynamics.
#[derive(Debug, Clone, Copy)]
pub struct Situation {
    /// Current P(known).
    pub mastery: f64,
    /// Dependents that mastering the skill would make ready.
    pub unlocks: u32,
    /// Edges to the nearest goal (`None` = no goals: every skill is a goal).
    pub goal_distance: Option<u32>,
    /// The recommendation's kind.
    pub kind: Kind,
}

/// Scores one attempt with `dynamics` (the skill's, or the item's when the model has item
/// parameters) in `situation`. Returns the components, the expected gain and P(correct).
pub fn components(
    dynamics: &SkillDynamics,
    situation: &Situation,
    policy: &Policy,
) -> (Components, f64, f64) {
    let m = situation.mastery;
    let gain = dynamics.expected_gain(m);
    let left = policy.mastery - m;
    let gain_share = if left > 0.0 {
        (gain / left).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let p_correct = dynamics.p_correct(m);
    let unlocks = f64::from(situation.unlocks);
    let parts = Components {
        gain: gain_share,
        unlock: unlocks / (1.0 + unlocks),
        goal: situation
            .goal_distance
            .map_or(1.0, |d| 1.0 / (1.0 + f64::from(d))),
        band: policy.band.fit(p_correct),
        review: if situation.kind == Kind::Review {
            1.0
        } else {
            0.0
        },
    };
    (parts, gain, p_correct)
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

    const D: SkillDynamics = SkillDynamics {
        learn: 0.2,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };

    #[test]
    fn components_follow_their_formulas() {
        let policy = Policy::default();
        let s = Situation {
            mastery: 0.45,
            unlocks: 3,
            goal_distance: Some(1),
            kind: Kind::Prerequisite,
        };
        let (c, gain, pc) = components(&D, &s, &policy);
        assert!((gain - 0.55 * 0.2).abs() < 1e-12);
        assert!((c.gain - 0.11 / 0.5).abs() < 1e-12);
        assert!((c.unlock - 0.75).abs() < 1e-12);
        assert!((c.goal - 0.5).abs() < 1e-12);
        assert!((pc - (0.45 * 0.9 + 0.55 * 0.2)).abs() < 1e-12);
        assert_eq!(c.band, 1.0);
        assert_eq!(c.review, 0.0);
        let score = c.score(&policy);
        let w = policy.weights;
        let expected = w.gain * 0.22 + w.unlock * 0.75 + w.goal * 0.5 + w.band;
        assert!((score - expected).abs() < 1e-12);
    }

    #[test]
    fn no_goals_means_every_skill_is_a_goal() {
        let s = Situation {
            mastery: 0.1,
            unlocks: 0,
            goal_distance: None,
            kind: Kind::Learn,
        };
        let (c, _, _) = components(&D, &s, &Policy::default());
        assert_eq!(c.goal, 1.0);
        assert_eq!(c.unlock, 0.0);
    }

    #[test]
    fn ties_break_on_topological_then_activity_position() {
        let mut v = vec![(0.5, 3, 1), (0.7, 9, 9), (0.5, 2, 8), (0.5, 2, 4)];
        v.sort_by(|a, b| rank_order(*a, *b));
        assert_eq!(v, vec![(0.7, 9, 9), (0.5, 2, 4), (0.5, 2, 8), (0.5, 3, 1)]);
    }
}
