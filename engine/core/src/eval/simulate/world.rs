//! The simulated world: true BKT parameters per skill, prerequisite structure, and how a learner's
//! true knowledge evolves when they practise.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// True BKT parameters of one skill in a simulated world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrueSkill {
    /// P(known) before the first attempt.
    pub prior: f64,
    /// P(unknown → known) per attempt, when every prerequisite is known.
    pub learn: f64,
    /// P(known → unknown) per attempt.
    pub forget: f64,
    /// P(correct | unknown).
    pub guess: f64,
    /// P(incorrect | known).
    pub slip: f64,
}

impl TrueSkill {
    /// Draws plausible parameters from `rng`: prior 0.05–0.35, learn 0.08–0.30, forget 0–0.02,
    /// guess 0.10–0.30, slip 0.05–0.15 (uniform). These are the documented defaults `simulate` uses
    /// when no model is given.
    pub fn draw(rng: &mut impl Rng) -> TrueSkill {
        TrueSkill {
            prior: rng.random_range(0.05..0.35),
            learn: rng.random_range(0.08..0.30),
            forget: rng.random_range(0.0..0.02),
            guess: rng.random_range(0.10..0.30),
            slip: rng.random_range(0.05..0.15),
        }
    }
}

/// Default factor on `learn` while a prerequisite of the practised skill is not yet known.
pub const DEFAULT_BLOCKED_LEARN_FACTOR: f64 = 0.1;

/// A skill graph with true parameters: what the simulated learners really know and how they learn.
///
/// Learning a skill is much harder while any of its prerequisites is unknown: its `learn` is
/// multiplied by `blocked_learn_factor` (default [`DEFAULT_BLOCKED_LEARN_FACTOR`]).
#[derive(Debug, Clone)]
pub struct World {
    pub(crate) skills: Vec<TrueSkill>,
    pub(crate) prerequisites: Vec<Vec<u32>>,
    pub(crate) blocked_learn_factor: f64,
}

impl World {
    /// Builds a world from per-skill true parameters and prerequisite lists (dense skill indices).
    ///
    /// Fails with [`Error::Config`] when there are no skills, the lengths differ, an index is out of range, a probability is
    /// outside [0, 1], or the factor is outside [0, 1].
    pub fn new(
        skills: Vec<TrueSkill>,
        prerequisites: Vec<Vec<u32>>,
        blocked_learn_factor: f64,
    ) -> Result<World> {
        if skills.len() != prerequisites.len() {
            return Err(Error::Config(format!(
                "simulated world: {} skills but {} prerequisite lists",
                skills.len(),
                prerequisites.len()
            )));
        }
        if skills.is_empty() {
            return Err(Error::Config("simulated world: no skills".into()));
        }
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if !unit(blocked_learn_factor) {
            return Err(Error::Config(format!(
                "blocked learn factor must be in [0, 1], got {blocked_learn_factor}"
            )));
        }
        for (index, s) in skills.iter().enumerate() {
            let all = [s.prior, s.learn, s.forget, s.guess, s.slip];
            if !all.iter().all(|&p| unit(p)) {
                return Err(Error::Config(format!(
                    "simulated skill #{index}: parameters must be probabilities in [0, 1], got {s:?}"
                )));
            }
        }
        if let Some(bad) = prerequisites
            .iter()
            .flatten()
            .find(|&&p| p as usize >= skills.len())
        {
            return Err(Error::Config(format!(
                "simulated world: prerequisite index {bad} out of range"
            )));
        }
        Ok(World {
            skills,
            prerequisites,
            blocked_learn_factor,
        })
    }

    /// Number of skills.
    pub fn n_skills(&self) -> usize {
        self.skills.len()
    }

    /// The true parameters of skill `s`.
    pub fn skill(&self, s: usize) -> &TrueSkill {
        &self.skills[s]
    }

    /// A fresh learner's true knowledge: each skill known with probability `prior`.
    pub(crate) fn new_learner(&self, rng: &mut ChaCha8Rng) -> Vec<bool> {
        self.skills
            .iter()
            .map(|s| rng.random_bool(s.prior))
            .collect()
    }

    /// One attempt at skill `s`: draws the response from the true state, then the transition
    /// (learning, slowed while a prerequisite is unknown; or forgetting). Returns whether it was
    /// correct.
    pub(crate) fn attempt(&self, known: &mut [bool], s: usize, rng: &mut ChaCha8Rng) -> bool {
        let truth = &self.skills[s];
        let correct = if known[s] {
            !rng.random_bool(truth.slip)
        } else {
            rng.random_bool(truth.guess)
        };
        if known[s] {
            if rng.random_bool(truth.forget) {
                known[s] = false;
            }
        } else {
            let blocked = self.prerequisites[s].iter().any(|&p| !known[p as usize]);
            let learn = if blocked {
                truth.learn * self.blocked_learn_factor
            } else {
                truth.learn
            };
            if rng.random_bool(learn) {
                known[s] = true;
            }
        }
        correct
    }
}

/// A random stream for (run seed, learner), independent of thread count and of other learners.
pub(crate) fn learner_rng(seed: u64, learner: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(learner);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(learn: f64) -> TrueSkill {
        TrueSkill {
            prior: 0.0,
            learn,
            forget: 0.0,
            guess: 0.2,
            slip: 0.1,
        }
    }

    #[test]
    fn rejects_inconsistent_worlds() {
        assert!(World::new(vec![], vec![], 0.1).is_err());
        assert!(World::new(vec![skill(0.2)], vec![], 0.1).is_err());
        assert!(World::new(vec![skill(0.2)], vec![vec![3]], 0.1).is_err());
        assert!(World::new(vec![skill(1.5)], vec![vec![]], 0.1).is_err());
        assert!(World::new(vec![skill(0.2)], vec![vec![]], 2.0).is_err());
    }

    #[test]
    fn unknown_prerequisites_slow_learning() {
        // Skill 1 requires skill 0; with factor 0 it can never be learnt while 0 is unknown.
        let world = World::new(vec![skill(0.0), skill(1.0)], vec![vec![], vec![0]], 0.0).unwrap();
        let mut rng = learner_rng(7, 0);
        let mut known = vec![false, false];
        for _ in 0..50 {
            world.attempt(&mut known, 1, &mut rng);
        }
        assert_eq!(known, vec![false, false]);
        known[0] = true;
        world.attempt(&mut known, 1, &mut rng);
        assert_eq!(known, vec![true, true]);
    }

    #[test]
    fn responses_follow_guess_and_slip() {
        let world = World::new(vec![skill(0.0)], vec![vec![]], 0.1).unwrap();
        let mut rng = learner_rng(1, 0);
        let n = 20_000;
        let mut unknown = vec![false];
        let guessed = (0..n)
            .filter(|_| world.attempt(&mut unknown, 0, &mut rng))
            .count();
        let mut known = vec![true];
        let slipped = (0..n)
            .filter(|_| !world.attempt(&mut known, 0, &mut rng))
            .count();
        assert!((guessed as f64 / n as f64 - 0.2).abs() < 0.01);
        assert!((slipped as f64 / n as f64 - 0.1).abs() < 0.01);
    }
}
