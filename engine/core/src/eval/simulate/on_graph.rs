//! A simulation on a skill graph, set up once for every front end (`pathwise simulate`, the
//! Python package): the world the graph and an optional model define, a tutor that knows its
//! truth, the pathwise recommender on that tutor, and every policy run by name on the same seeds.

use std::sync::Arc;

use super::{PolicyName, SimAttempt, SimOptions, Summary, Tutor, World, recommender_policy, run};
use crate::bkt::Model;
use crate::error::Result;
use crate::graph::SkillGraph;
use crate::recommend::{Policy, Recommender};

/// Simulated learners on a skill graph, ready to run any [`PolicyName`] with the same options.
#[derive(Debug)]
pub struct GraphSimulation {
    graph: Arc<SkillGraph>,
    world: World,
    tutor_model: Arc<Model>,
    skill_index: Vec<usize>,
    recommender: Recommender,
    options: SimOptions,
}

impl GraphSimulation {
    /// The simulation of `graph`: true parameters from `truth` (skills it lacks get its
    /// population average) or drawn from `options.seed` ([`World::from_graph`]), `learn` slowed
    /// by `blocked_learn_factor` while a prerequisite is unknown; the tutor knows the truth, and
    /// the recommender aims at `options.goals`. Fails on bad options (see
    /// [`SimOptions::validate`]) or a bad factor.
    pub fn new(
        graph: Arc<SkillGraph>,
        truth: Option<&Model>,
        blocked_learn_factor: f64,
        options: SimOptions,
    ) -> Result<Self> {
        let world = World::from_graph(&graph, truth, options.seed, blocked_learn_factor)?;
        options.validate(world.n_skills())?;
        let (tutor_model, skill_index) = world.tutor_for(&graph)?;
        let tutor_model = Arc::new(tutor_model);
        let goals = options
            .goals
            .iter()
            .map(|&g| graph.skill(g as u32).id.clone())
            .collect();
        let recommender = Recommender::new(
            Arc::clone(&graph),
            Arc::clone(&tutor_model),
            Policy {
                goals,
                ..Policy::default()
            },
        )?;
        Ok(Self {
            graph,
            world,
            tutor_model,
            skill_index,
            recommender,
            options,
        })
    }

    /// The simulated world (the true parameters).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The options every run uses.
    pub fn options(&self) -> &SimOptions {
        &self.options
    }

    /// Runs `policy` ([`run`]), calling `record` with every answer. Every policy sees the same
    /// seeds, so summaries of two policies can be compared run by run
    /// ([`Summary::paired_difference`]).
    pub fn run(&self, policy: PolicyName, record: impl FnMut(&SimAttempt)) -> Result<Summary> {
        let tutor = Tutor {
            model: &self.tutor_model,
            skill_index: &self.skill_index,
        };
        let pathwise_policy = recommender_policy(&self.recommender);
        let chosen: &dyn super::Policy = match &policy {
            PolicyName::Pathwise => &pathwise_policy,
            PolicyName::Baseline(b) => b,
        };
        run(&self.world, tutor, chosen, &self.options, record)
    }

    /// The id of the learner who made `attempt`: `r<run>-l<learner>`, the learner zero-padded to
    /// five digits.
    pub fn learner_id(attempt: &SimAttempt) -> String {
        format!("r{}-l{:05}", attempt.run, attempt.learner)
    }

    /// The skill id and item id of `attempt`: the item is the skill's activities in turn, or the
    /// skill id when it has none.
    pub fn skill_and_item(&self, attempt: &SimAttempt) -> (&str, &str) {
        let skill = self.graph.skill(attempt.skill).id.as_str();
        let activities = self.graph.skill_activities(attempt.skill);
        let item = if activities.is_empty() {
            skill
        } else {
            let pick = activities[attempt.attempt_on_skill as usize % activities.len()];
            self.graph.activity(pick).id.as_str()
        };
        (skill, item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, SkillGraphBuilder, SkillSpec};

    #[test]
    fn every_policy_runs_on_the_same_seeds_and_names_its_items() {
        let mut b = SkillGraphBuilder::new("g.toml");
        b.add_skill(SkillSpec::new("a"))
            .add_skill(SkillSpec::new("b").requires(["a"]));
        let graph = Arc::new(b.build(&BuildOptions::default()).unwrap().graph);
        let options = SimOptions {
            learners: 20,
            steps: 10,
            runs: 2,
            seed: 3,
            ..SimOptions::default()
        };
        let sim = GraphSimulation::new(graph, None, 0.1, options).unwrap();
        for policy in PolicyName::ALL {
            let mut attempts = Vec::new();
            let first = sim.run(policy, |a| attempts.push(*a)).unwrap();
            assert_eq!(first, sim.run(policy, |_| {}).unwrap(), "{policy}");
            assert_eq!(attempts.len(), 2 * 20 * 10);
            let (skill, item) = sim.skill_and_item(&attempts[0]);
            assert_eq!(skill, item);
            assert_eq!(GraphSimulation::learner_id(&attempts[0]), "r0-l00000");
        }
        let bad = SimOptions {
            goals: vec![2],
            ..SimOptions::default()
        };
        let graph = Arc::clone(&sim.graph);
        assert!(GraphSimulation::new(graph, None, 0.1, bad).is_err());
    }
}
