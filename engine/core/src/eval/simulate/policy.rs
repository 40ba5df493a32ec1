//! Teaching policies: which skill a simulated learner practises next, chosen from the tutor's
//! *estimate* of their knowledge (never from the hidden truth).

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::bkt::LearnerState;
use crate::bkt::mastery::Status;
use crate::error::Error;
use crate::graph::is_ready;

/// What a policy may look at when it chooses: the tutor's view of one learner.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The tutor's state of this learner (in the tutor model's skill order).
    pub state: &'a LearnerState,
    /// The tutor's mastery estimate per world skill (see [`crate::bkt::mastery`]).
    pub estimate: &'a [f64],
    /// The tutor's status per world skill, under the simulation's mastery rule.
    pub status: &'a [Status],
    /// Current run of consecutive correct answers per skill.
    pub streak: &'a [u32],
    /// Prerequisites per skill (dense indices).
    pub prerequisites: &'a [Vec<u32>],
    /// The skills on the way to the goals (every skill without goals), in a topological order:
    /// the curriculum every policy draws from.
    pub order: &'a [u32],
    /// Consecutive correct answers after which `curriculum-order` moves on.
    pub streak_to_advance: u32,
}

impl View<'_> {
    /// Whether the tutor counts skill `s` as mastered (the mastery rule: estimate and evidence).
    pub fn mastered(&self, s: usize) -> bool {
        self.status[s] == Status::Mastered
    }

    /// Whether skill `s` is ready: not mastered and all its prerequisites mastered.
    pub fn ready(&self, s: usize) -> bool {
        is_ready(self.mastered(s), &self.prerequisites[s], |p| {
            self.mastered(p as usize)
        })
    }
}

/// A teaching policy.
pub trait Policy: Sync {
    /// The skill to practise next.
    fn choose(&self, view: &View<'_>, rng: &mut ChaCha8Rng) -> usize;
}

/// The built-in comparison policies (the recommender's own policy is supplied by the caller as a
/// [`RecommenderPolicy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaselinePolicy {
    /// A uniformly random skill (of the skills on the way to the goals, as for every policy).
    Random,
    /// A uniformly random ready skill (else a random unmastered skill, else any skill).
    RandomReady,
    /// The ready skill with the lowest estimated mastery (the OATutor/ALEKS heuristic); ties by
    /// curriculum order; fallbacks as `RandomReady` but lowest-first.
    LowestMasteryReady,
    /// Fixed topological order: stay on a skill until `streak_to_advance` correct answers in a row.
    CurriculumOrder,
}

impl Policy for BaselinePolicy {
    fn choose(&self, view: &View<'_>, rng: &mut ChaCha8Rng) -> usize {
        let pick = |from: &[usize], rng: &mut ChaCha8Rng| from[rng.random_range(0..from.len())];
        let curriculum: Vec<usize> = view.order.iter().map(|&s| s as usize).collect();
        match self {
            BaselinePolicy::Random => pick(&curriculum, rng),
            BaselinePolicy::RandomReady => {
                let ready: Vec<usize> = curriculum
                    .iter()
                    .copied()
                    .filter(|&s| view.ready(s))
                    .collect();
                if !ready.is_empty() {
                    return pick(&ready, rng);
                }
                let open: Vec<usize> = curriculum
                    .iter()
                    .copied()
                    .filter(|&s| !view.mastered(s))
                    .collect();
                if open.is_empty() {
                    pick(&curriculum, rng)
                } else {
                    pick(&open, rng)
                }
            }
            BaselinePolicy::LowestMasteryReady => lowest(view, |s| view.ready(s))
                .or_else(|| lowest(view, |s| !view.mastered(s)))
                .or_else(|| lowest(view, |_| true))
                .unwrap_or(0),
            BaselinePolicy::CurriculumOrder => curriculum
                .iter()
                .copied()
                .find(|&s| view.streak[s] < view.streak_to_advance)
                .unwrap_or_else(|| pick(&curriculum, rng)),
        }
    }
}

/// The skill with the lowest estimate among those passing `keep`, ties by curriculum order.
fn lowest(view: &View<'_>, keep: impl Fn(usize) -> bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for &s in view.order {
        let s = s as usize;
        if keep(s) && best.is_none_or(|b| view.estimate[s] < view.estimate[b]) {
            best = Some(s);
        }
    }
    best
}

/// A policy backed by a recommender: a function from the tutor's state of the learner to the world
/// skill to practise, or `None` when it has nothing to suggest (then `lowest-mastery-ready` chooses).
pub struct RecommenderPolicy<F>(pub F);

impl<F: Fn(&LearnerState) -> Option<usize> + Sync> Policy for RecommenderPolicy<F> {
    fn choose(&self, view: &View<'_>, rng: &mut ChaCha8Rng) -> usize {
        (self.0)(view.state).unwrap_or_else(|| BaselinePolicy::LowestMasteryReady.choose(view, rng))
    }
}

/// A policy named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyName {
    /// The pathwise recommender.
    Pathwise,
    /// A built-in baseline.
    Baseline(BaselinePolicy),
}

impl PolicyName {
    /// Every policy, in the order reports list them.
    pub const ALL: [PolicyName; 5] = [
        PolicyName::Pathwise,
        PolicyName::Baseline(BaselinePolicy::LowestMasteryReady),
        PolicyName::Baseline(BaselinePolicy::CurriculumOrder),
        PolicyName::Baseline(BaselinePolicy::RandomReady),
        PolicyName::Baseline(BaselinePolicy::Random),
    ];
}

impl PolicyName {
    /// The policies named in `text`: comma-separated names (see [`PolicyName::ALL`]), or `all`;
    /// without repeats, in the order given.
    pub fn list(text: &str) -> Result<Vec<PolicyName>, Error> {
        if text.trim() == "all" {
            return Ok(PolicyName::ALL.to_vec());
        }
        let mut names = Vec::new();
        for part in text.split(',') {
            let name: PolicyName = part.trim().parse()?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(names)
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyName::Pathwise => "pathwise",
            PolicyName::Baseline(BaselinePolicy::Random) => "random",
            PolicyName::Baseline(BaselinePolicy::RandomReady) => "random-ready",
            PolicyName::Baseline(BaselinePolicy::LowestMasteryReady) => "lowest-mastery-ready",
            PolicyName::Baseline(BaselinePolicy::CurriculumOrder) => "curriculum-order",
        })
    }
}

impl FromStr for PolicyName {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        PolicyName::ALL
            .into_iter()
            .find(|p| p.to_string() == text)
            .ok_or_else(|| {
                let names: Vec<String> = PolicyName::ALL.iter().map(|p| p.to_string()).collect();
                Error::setting(
                    "policy",
                    format!(
                        "unknown policy `{text}`; expected one of: {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::simulate::world::learner_rng;

    fn state() -> &'static LearnerState {
        static STATE: std::sync::OnceLock<LearnerState> = std::sync::OnceLock::new();
        STATE.get_or_init(|| {
            let skill = crate::bkt::Params::default();
            let world =
                crate::eval::simulate::World::new(vec![skill; 3], vec![vec![]; 3], 0.1).unwrap();
            LearnerState::new(&world.as_model(&["a", "b", "c"]).unwrap())
        })
    }

    fn view<'a>(
        estimate: &'a [f64],
        status: &'a [Status],
        streak: &'a [u32],
        prerequisites: &'a [Vec<u32>],
    ) -> View<'a> {
        View {
            state: state(),
            estimate,
            status,
            streak,
            prerequisites,
            order: &[0, 1, 2],
            streak_to_advance: 3,
        }
    }

    const M: Status = Status::Mastered;
    const L: Status = Status::Learning;

    #[test]
    fn names_round_trip() {
        for p in PolicyName::ALL {
            assert_eq!(p.to_string().parse::<PolicyName>().unwrap(), p);
        }
        let err = "greedy".parse::<PolicyName>().unwrap_err().to_string();
        assert!(err.contains("unknown policy `greedy`") && err.contains("random-ready"));
    }

    #[test]
    fn ready_policies_respect_prerequisites() {
        // 0 mastered; 1 requires 0 (ready); 2 requires 1 (not ready).
        let prerequisites = vec![vec![], vec![0], vec![1]];
        let estimate = [0.99, 0.6, 0.1];
        let v = view(&estimate, &[M, L, L], &[0, 0, 0], &prerequisites);
        let mut rng = learner_rng(3, 0);
        for _ in 0..50 {
            assert_eq!(BaselinePolicy::RandomReady.choose(&v, &mut rng), 1);
        }
        assert_eq!(BaselinePolicy::LowestMasteryReady.choose(&v, &mut rng), 1);
    }

    #[test]
    fn curriculum_order_moves_on_after_a_streak() {
        let prerequisites = vec![vec![], vec![0], vec![1]];
        let estimate = [0.5, 0.5, 0.5];
        let mut rng = learner_rng(3, 0);
        let at_start = view(&estimate, &[L; 3], &[2, 0, 0], &prerequisites);
        assert_eq!(
            BaselinePolicy::CurriculumOrder.choose(&at_start, &mut rng),
            0
        );
        let after_streak = view(&estimate, &[L; 3], &[3, 1, 0], &prerequisites);
        assert_eq!(
            BaselinePolicy::CurriculumOrder.choose(&after_streak, &mut rng),
            1
        );
    }

    #[test]
    fn recommender_policy_falls_back_when_it_has_nothing() {
        let prerequisites = vec![vec![], vec![], vec![]];
        let estimate = [0.99, 0.97, 0.96];
        let v = view(&estimate, &[M; 3], &[0, 0, 0], &prerequisites);
        let mut rng = learner_rng(3, 0);
        assert_eq!(
            RecommenderPolicy(|_: &LearnerState| Some(1)).choose(&v, &mut rng),
            1
        );
        assert_eq!(
            RecommenderPolicy(|_: &LearnerState| None).choose(&v, &mut rng),
            2
        );
    }

    #[test]
    fn a_policy_list_keeps_the_order_given_without_repeats_and_names_an_unknown_one() {
        let listed = PolicyName::list("random, pathwise,random").unwrap();
        assert_eq!(
            listed,
            [
                PolicyName::Baseline(BaselinePolicy::Random),
                PolicyName::Pathwise
            ]
        );
        assert_eq!(PolicyName::list("all").unwrap(), PolicyName::ALL);
        let e = PolicyName::list("pathwise,best").unwrap_err().to_string();
        assert!(e.contains("unknown policy `best`"), "{e}");
    }
}
