//! The simulated world: true BKT parameters per skill, prerequisite structure, and how a learner's
//! true knowledge evolves when they practise.
//!
//! Each attempt is drawn by [`Params::simulate_attempt`], the same answer-and-transition step as
//! the synthetic logs of `pathwise_datasets::generate`. The two differ on purpose in what
//! surrounds that step, because they serve different questions:
//!
//! - **Parameter ranges.** [`draw_params`] draws low priors (0.05–0.35), little forgetting
//!   (0–0.02) and modest slips: a world in which policies are compared must leave most of the
//!   curriculum to teach and must let mastery last, or every policy looks alike. The synthetic
//!   logs draw wide priors (0.1–0.7) and larger forgetting (0.01–0.08) so that EM's parameter
//!   recovery is tested across the range and forgetting is large enough to be identified.
//! - **Prerequisites.** Here learning is slowed while a prerequisite is unknown; the synthetic
//!   logs have independent skills, as the fitted BKT model assumes.
//! - **Items.** Here a skill's activities come in turn (as a course presents them); the synthetic
//!   logs pick an item at random on each attempt so that item and practice count are not
//!   confounded when item-level guess and slip are recovered.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::bkt::{FitInfo, Model, Params, SkillModel, SkillStats, Variant};
use crate::error::{Error, Result};
use crate::graph::SkillGraph;
use crate::text::quoted;

/// Draws plausible true parameters of one skill from `rng`: prior 0.05–0.35, learn 0.08–0.30,
/// forget 0–0.02, guess 0.10–0.30, slip 0.05–0.15 (uniform). These are the documented defaults
/// `simulate` uses when no model is given.
pub fn draw_params(rng: &mut impl Rng) -> Params {
    Params {
        prior: rng.random_range(0.05..0.35),
        learn: rng.random_range(0.08..0.30),
        forget: rng.random_range(0.0..0.02),
        guess: rng.random_range(0.10..0.30),
        slip: rng.random_range(0.05..0.15),
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
    pub(crate) skills: Vec<Params>,
    pub(crate) prerequisites: Vec<Vec<u32>>,
    pub(crate) blocked_learn_factor: f64,
    /// Per skill, the true (guess, slip) of each of its items, used in turn; empty = the skill's.
    pub(crate) items: Vec<Vec<(f64, f64)>>,
}

impl World {
    /// Builds a world from per-skill true parameters and prerequisite lists (dense skill indices).
    ///
    /// Fails with [`Error::Config`] when there are no skills, the lengths differ, an index is out of range, a probability is
    /// outside [0, 1], or the factor is outside [0, 1].
    pub fn new(
        skills: Vec<Params>,
        prerequisites: Vec<Vec<u32>>,
        blocked_learn_factor: f64,
    ) -> Result<World> {
        if skills.len() != prerequisites.len() {
            return Err(Error::config(format!(
                "simulated world: {} skills but {} prerequisite lists",
                skills.len(),
                prerequisites.len()
            )));
        }
        if skills.is_empty() {
            return Err(Error::config("simulated world: no skills"));
        }
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if !unit(blocked_learn_factor) {
            return Err(Error::setting(
                "blocked_factor",
                format!("blocked learn factor must be in [0, 1], got {blocked_learn_factor}"),
            ));
        }
        for (index, s) in skills.iter().enumerate() {
            let all = [s.prior, s.learn, s.forget, s.guess, s.slip];
            if !all.iter().all(|&p| unit(p)) {
                return Err(Error::config(format!(
                    "simulated skill #{index}: parameters must be probabilities in [0, 1], got {s:?}"
                )));
            }
        }
        if let Some(bad) = prerequisites
            .iter()
            .flatten()
            .find(|&&p| p as usize >= skills.len())
        {
            return Err(Error::config(format!(
                "simulated world: prerequisite index {bad} out of range"
            )));
        }
        let items = vec![Vec::new(); skills.len()];
        Ok(World {
            skills,
            prerequisites,
            blocked_learn_factor,
            items,
        })
    }

    /// Gives skills item-level difficulty (KT-IDEM style): `items[s]` lists the true (guess, slip)
    /// of each item of skill `s`; a learner's `k`-th attempt at the skill uses item
    /// `k % items[s].len()`. An empty list keeps the skill's own guess and slip.
    pub fn with_items(mut self, items: Vec<Vec<(f64, f64)>>) -> Result<World> {
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if items.len() != self.skills.len()
            || !items.iter().flatten().all(|&(g, s)| unit(g) && unit(s))
        {
            return Err(Error::config(
                "simulated world: item parameters must be one list per skill, probabilities in [0, 1]",
            ));
        }
        self.items = items;
        Ok(self)
    }

    /// The world of a skill graph: its prerequisites, and per skill the true parameters of
    /// `truth` (skills it lacks get its population average) or, without a model, parameters
    /// drawn by [`draw_params`] from `seed`. Item difficulty per activity: the model's item
    /// guess/slip when it has the activity, else (no model) the skill's own shifted by up to
    /// ±0.08, drawn from the same seed.
    pub fn from_graph(
        graph: &SkillGraph,
        truth: Option<&Model>,
        seed: u64,
        blocked_learn_factor: f64,
    ) -> Result<World> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let params = graph
            .skills()
            .iter()
            .map(|skill| match truth {
                Some(model) => model
                    .skill(&skill.id)
                    .map_or(*model.average(), |s| *s.params()),
                None => draw_params(&mut rng),
            })
            .collect();
        let prerequisites = (0..graph.n_skills() as u32)
            .map(|s| graph.prerequisites(s).to_vec())
            .collect();
        let world = World::new(params, prerequisites, blocked_learn_factor)?;
        let items = (0..graph.n_skills() as u32)
            .map(|s| {
                let own = world.skill(s as usize);
                let fitted = truth.and_then(|m| m.skill(&graph.skill(s).id));
                graph
                    .skill_activities(s)
                    .iter()
                    .map(|&a| match (truth, fitted) {
                        (_, Some(skill)) => skill
                            .item_index(&graph.activity(a).id)
                            .map_or((own.guess, own.slip), |i| {
                                (skill.items()[i].guess, skill.items()[i].slip)
                            }),
                        (Some(_), None) => (own.guess, own.slip),
                        (None, None) => (
                            (own.guess + rng.random_range(-0.08..0.08)).clamp(0.01, 0.45),
                            (own.slip + rng.random_range(-0.08..0.08)).clamp(0.01, 0.45),
                        ),
                    })
                    .collect()
            })
            .collect();
        world.with_items(items)
    }

    /// Number of skills.
    pub fn n_skills(&self) -> usize {
        self.skills.len()
    }

    /// The true parameters of skill `s`.
    pub fn skill(&self, s: usize) -> &Params {
        &self.skills[s]
    }

    /// The world's truth as a BKT [`Model`] whose skill `s` has id `ids[s]` (a tutor that knows
    /// the true parameters). Fails when the ids are not one per skill or not unique.
    pub fn as_model<S: AsRef<str>>(&self, ids: &[S]) -> Result<Model> {
        if ids.len() != self.skills.len() {
            return Err(Error::config(format!(
                "simulated world: {} ids for {} skills",
                ids.len(),
                self.skills.len()
            )));
        }
        let variant = Variant {
            forgets: self.skills.iter().any(|s| s.forget > 0.0),
            ..Variant::default()
        };
        let skills = ids
            .iter()
            .zip(&self.skills)
            .map(|(id, p)| SkillModel::new(id.as_ref(), *p, vec![], vec![], SkillStats::default()))
            .collect();
        Model::new(variant, skills, vec![], FitInfo::default())
    }

    /// The world's truth as the tutor model of `graph` (the world [`World::from_graph`] built
    /// from it), with each graph skill's dense index in that model: the pieces of a
    /// [`Tutor`](super::Tutor) that knows the true parameters. Fails when the graph's skills are
    /// not the world's (a different count).
    pub fn tutor_for(&self, graph: &SkillGraph) -> Result<(Model, Vec<usize>)> {
        let ids: Vec<&str> = graph.skills().iter().map(|s| s.id.as_str()).collect();
        let model = self.as_model(&ids)?;
        let index = ids
            .iter()
            .map(|id| {
                model.skill_index(id).ok_or_else(|| {
                    Error::config(format!(
                        "simulated world: the tutor model lost skill {}",
                        quoted(id)
                    ))
                })
            })
            .collect::<Result<Vec<usize>>>()?;
        Ok((model, index))
    }

    /// A fresh learner's true knowledge: each skill known with probability `prior`.
    pub(crate) fn new_learner(&self, rng: &mut ChaCha8Rng) -> Vec<bool> {
        self.skills
            .iter()
            .map(|s| s.draw_initial_knowledge(rng))
            .collect()
    }

    /// The `k`-th attempt at skill `s`: [`Params::simulate_attempt`] with the item's guess and
    /// slip and, while a prerequisite is unknown, the slowed learn rate. Returns whether it was
    /// correct.
    pub(crate) fn attempt(
        &self,
        known: &mut [bool],
        s: usize,
        k: u32,
        rng: &mut ChaCha8Rng,
    ) -> bool {
        let truth = &self.skills[s];
        let items = &self.items[s];
        let (guess, slip) = if items.is_empty() {
            (truth.guess, truth.slip)
        } else {
            items[k as usize % items.len()]
        };
        let blocked = self.prerequisites[s].iter().any(|&p| !known[p as usize]);
        let learn = if blocked {
            truth.learn * self.blocked_learn_factor
        } else {
            truth.learn
        };
        let params = Params {
            guess,
            slip,
            learn,
            ..*truth
        };
        let attempt = params.simulate_attempt(known[s], rng);
        known[s] = attempt.known_after;
        attempt.correct
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

    fn skill(learn: f64) -> Params {
        Params {
            prior: 0.0,
            learn,
            forget: 0.0,
            guess: 0.2,
            slip: 0.1,
        }
    }

    #[test]
    fn rejects_inconsistent_worlds() {
        let factor = World::new(vec![skill(0.2)], vec![vec![]], 2.0).unwrap_err();
        assert!(matches!(
            factor,
            Error::Config {
                setting: Some("blocked_factor"),
                ..
            }
        ));
        assert!(World::new(vec![], vec![], 0.1).is_err());
        assert!(World::new(vec![skill(0.2)], vec![], 0.1).is_err());
        assert!(World::new(vec![skill(0.2)], vec![vec![3]], 0.1).is_err());
        assert!(World::new(vec![skill(1.5)], vec![vec![]], 0.1).is_err());
        assert!(World::new(vec![skill(0.2)], vec![vec![]], 2.0).is_err());
    }

    fn graph(ids: &[&str]) -> SkillGraph {
        let mut b = crate::graph::SkillGraphBuilder::new("g.toml");
        for id in ids {
            b.add_skill(crate::graph::SkillSpec::new(*id));
        }
        b.build(&crate::graph::BuildOptions::default())
            .unwrap()
            .graph
    }

    #[test]
    fn tutor_for_maps_each_graph_skill_to_its_truth() {
        // Graph order differs from the model's (sorted) order: the index must follow the ids.
        let g = graph(&["zeta", "alpha", "mid"]);
        let world = World::new(
            vec![skill(0.1), skill(0.2), skill(0.3)],
            vec![vec![]; 3],
            0.1,
        )
        .unwrap();
        let (model, index) = world.tutor_for(&g).unwrap();
        assert_eq!(index.len(), 3);
        for (s, &m) in index.iter().enumerate() {
            assert_eq!(model.skills()[m].id(), g.skill(s as u32).id);
            assert_eq!(model.skills()[m].params().learn, world.skill(s).learn);
        }
    }

    #[test]
    fn tutor_for_a_graph_of_other_size_is_a_config_error() {
        let world = World::new(vec![skill(0.1)], vec![vec![]], 0.1).unwrap();
        let e = world.tutor_for(&graph(&["a", "b"])).unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e}");
    }

    #[test]
    fn unknown_prerequisites_slow_learning() {
        // Skill 1 requires skill 0; with factor 0 it can never be learnt while 0 is unknown.
        let world = World::new(vec![skill(0.0), skill(1.0)], vec![vec![], vec![0]], 0.0).unwrap();
        let mut rng = learner_rng(7, 0);
        let mut known = vec![false, false];
        for _ in 0..50 {
            world.attempt(&mut known, 1, 0, &mut rng);
        }
        assert_eq!(known, vec![false, false]);
        known[0] = true;
        world.attempt(&mut known, 1, 0, &mut rng);
        assert_eq!(known, vec![true, true]);
    }

    #[test]
    fn items_take_turns_with_their_own_guess() {
        let world = World::new(vec![skill(0.0)], vec![vec![]], 0.1)
            .unwrap()
            .with_items(vec![vec![(0.0, 0.1), (1.0, 0.1)]])
            .unwrap();
        let mut rng = learner_rng(5, 0);
        let mut unknown = vec![false];
        let answers: Vec<bool> = (0..6)
            .map(|k| world.attempt(&mut unknown, 0, k, &mut rng))
            .collect();
        assert_eq!(answers, vec![false, true, false, true, false, true]);
        assert!(
            World::new(vec![skill(0.0)], vec![vec![]], 0.1)
                .unwrap()
                .with_items(vec![])
                .is_err()
        );
    }

    #[test]
    fn responses_follow_guess_and_slip() {
        let world = World::new(vec![skill(0.0)], vec![vec![]], 0.1).unwrap();
        let mut rng = learner_rng(1, 0);
        let n = 20_000;
        let mut unknown = vec![false];
        let guessed = (0..n)
            .filter(|_| world.attempt(&mut unknown, 0, 0, &mut rng))
            .count();
        let mut known = vec![true];
        let slipped = (0..n)
            .filter(|_| !world.attempt(&mut known, 0, 0, &mut rng))
            .count();
        assert!((guessed as f64 / n as f64 - 0.2).abs() < 0.01);
        assert!((slipped as f64 / n as f64 - 0.1).abs() < 0.01);
    }
}
