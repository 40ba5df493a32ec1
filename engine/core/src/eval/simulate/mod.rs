//! Simulated learners: compare teaching policies on a skill graph whose true BKT dynamics are known.
//!
//! Each simulated learner starts with each skill known with probability `prior`. At every step the
//! policy picks a skill from the tutor's *estimate* (a BKT filter over the learner's observed
//! answers, with the tutor's parameters); the learner answers from their hidden true state (guess /
//! slip) and then may learn it (`learn`, multiplied by the world's blocked-learn factor while a
//! prerequisite is unknown) or forget it (`forget`). The tutor then updates its estimate from the
//! answer. Outcomes are measured on the hidden truth.
//!
//! Figures per run (a seed): mean skills truly known after the last step, mean steps until every goal
//! skill is truly known (learners who never get there count as `steps`: censored), the share who got
//! there, and the learning gain `E_p = (E_end − E_start) / (E_max − E_start)` where `E` is the number
//! of goal skills truly known, summed over learners (1 when nothing was left to learn). A [`Summary`]
//! gives mean ± std of each over runs, and a learning curve (mean goal skills known per step).

mod compare;
mod on_graph;
mod policy;
mod world;

pub use compare::{Difference, recommender_policy};
pub use on_graph::GraphSimulation;
pub use policy::{BaselinePolicy, Policy, PolicyName, RecommenderPolicy, View};
pub use world::{DEFAULT_BLOCKED_LEARN_FACTOR, World, draw_params};

use rayon::prelude::*;

#[cfg(test)]
use crate::bkt::Params;
use crate::bkt::mastery::{MasteryRule, Status};
use crate::bkt::{LearnerState, Model};
use crate::error::{Error, Result};
use crate::eval::MeanStd;

/// The most simulated learner-steps (learners × steps × runs) a simulation takes: each run holds
/// every learner's attempts (16 bytes a step) until its figures are computed.
pub const MAX_LEARNER_STEPS: usize = 100_000_000;

/// How to run a simulation.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Learners per run.
    pub learners: usize,
    /// Practice steps per learner.
    pub steps: usize,
    /// Number of runs; run `r` uses seed `seed + r`.
    pub runs: usize,
    /// Seed of the first run.
    pub seed: u64,
    /// When the tutor counts a skill as mastered (default [`MasteryRule::default`]): every policy
    /// sees the same statuses.
    pub rule: MasteryRule,
    /// Goal skills (dense indices); empty means every skill.
    pub goals: Vec<usize>,
    /// Consecutive correct answers after which `curriculum-order` moves on (default 3).
    pub streak_to_advance: u32,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            learners: 100,
            steps: 100,
            runs: 1,
            seed: 0,
            rule: MasteryRule::default(),
            goals: Vec::new(),
            streak_to_advance: 3,
        }
    }
}

impl SimOptions {
    /// Checks the options against a world with `n_skills` skills (and learners × steps × runs
    /// against [`MAX_LEARNER_STEPS`], before anything is allocated). A broken rule is an
    /// [`Error::Config`] naming the field at fault (`learners`, `runs`, `goals`, or the mastery
    /// rule's); the product limit, a rule of three settings together, names none.
    pub fn validate(&self, n_skills: usize) -> Result<()> {
        if self.learners == 0 {
            return Err(Error::setting(
                "learners",
                "simulate: --learners must be at least 1",
            ));
        }
        if self.runs == 0 {
            return Err(Error::setting(
                "runs",
                "simulate: --runs must be at least 1",
            ));
        }
        let total = self
            .learners
            .checked_mul(self.steps)
            .and_then(|n| n.checked_mul(self.runs));
        if total.is_none_or(|n| n > MAX_LEARNER_STEPS) {
            return Err(Error::config(format!(
                "simulate: --learners × --steps × --runs is {} × {} × {}, more than the limit of \
                 {MAX_LEARNER_STEPS} simulated learner-steps",
                self.learners, self.steps, self.runs
            )));
        }
        self.rule.validate()?;
        if let Some(g) = self.goals.iter().find(|&&g| g >= n_skills) {
            return Err(Error::setting(
                "goals",
                format!("simulate: goal index {g} out of range"),
            ));
        }
        Ok(())
    }
}

/// One simulated answer, for writing the simulated interaction log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimAttempt {
    /// Run index (0-based).
    pub run: u32,
    /// Learner index within the run.
    pub learner: u32,
    /// Step (0-based), the answer's order within the learner.
    pub step: u32,
    /// Skill practised (dense index).
    pub skill: u32,
    /// How many earlier attempts this learner made on this skill (to pick an activity).
    pub attempt_on_skill: u32,
    /// Whether the answer was correct.
    pub correct: bool,
}

/// Figures of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFigures {
    /// Mean number of skills truly known after the last step.
    pub mastered: f64,
    /// Mean steps until every goal is truly known (censored at `steps`).
    pub steps_to_goals: f64,
    /// Share of learners who truly knew every goal at some step.
    pub reached_goals: f64,
    /// Learning gain on the goal skills.
    pub learning_gain: f64,
    /// Mean goal skills truly known after step `i` (index 0 = before any practice).
    pub curve: Vec<f64>,
}

/// A policy's figures over all runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Per run.
    pub runs: Vec<RunFigures>,
    /// Skills truly known after the last step.
    pub mastered: MeanStd,
    /// Steps until every goal is known (censored at `steps`).
    pub steps_to_goals: MeanStd,
    /// Share of learners reaching every goal.
    pub reached_goals: MeanStd,
    /// Learning gain on the goal skills.
    pub learning_gain: MeanStd,
    /// Learning curve averaged over runs.
    pub curve: Vec<f64>,
}

/// The tutor's learner model: a BKT [`Model`] and, for each world skill, its dense index in that
/// model. The tutor's estimate of a learner is a [`LearnerState`] of this model, filtered on the
/// learner's observed answers only.
#[derive(Debug, Clone, Copy)]
pub struct Tutor<'a> {
    /// The tutor's model (its belief, which may differ from the world's truth).
    pub model: &'a Model,
    /// `skill_index[s]` = the model's dense index of world skill `s`.
    pub skill_index: &'a [usize],
}
/// Simulates `options.runs` runs of `options.learners` learners under `policy`, calling `record` with
/// every answer (in run, learner, step order). Deterministic for a seed, whatever the thread count.
///
/// ```
/// use pathwise::Params;
/// use pathwise::eval::simulate::{BaselinePolicy, SimOptions, Tutor, World, run};
/// let skill = Params { prior: 0.1, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let world = World::new(vec![skill; 3], vec![vec![], vec![0], vec![1]], 0.1)?;
/// let ids = ["a", "b", "c"];
/// let model = world.as_model(&ids)?; // the tutor knows the truth
/// let index: Vec<usize> = ids.iter().map(|id| model.skill_index(id).unwrap()).collect();
/// let tutor = Tutor { model: &model, skill_index: &index };
/// let options = SimOptions { learners: 50, steps: 40, ..SimOptions::default() };
/// let summary = run(&world, tutor, &BaselinePolicy::LowestMasteryReady, &options, |_| {})?;
/// assert!(summary.mastered.mean > 2.0);
/// # Ok::<(), pathwise::Error>(())
/// ```
pub fn run(
    world: &World,
    tutor: Tutor<'_>,
    policy: &dyn Policy,
    options: &SimOptions,
    mut record: impl FnMut(&SimAttempt),
) -> Result<Summary> {
    options.validate(world.n_skills())?;
    if tutor.skill_index.len() != world.n_skills()
        || tutor
            .skill_index
            .iter()
            .any(|&m| m >= tutor.model.n_skills())
    {
        return Err(Error::config(format!(
            "simulate: the tutor maps {} skills into a model of {}, the world has {}",
            tutor.skill_index.len(),
            tutor.model.n_skills(),
            world.n_skills()
        )));
    }
    let goals: Vec<usize> = if options.goals.is_empty() {
        (0..world.n_skills()).collect()
    } else {
        options.goals.clone()
    };
    let order = curriculum(&world.prerequisites, &goals)?;
    let mut runs = Vec::with_capacity(options.runs);
    for run in 0..options.runs {
        let seed = options.seed.wrapping_add(run as u64);
        let learners: Vec<LearnerOutcome> = (0..options.learners)
            .into_par_iter()
            .map(|l| {
                simulate_learner(
                    world, tutor, policy, options, &order, &goals, seed, l as u64,
                )
            })
            .collect();
        for (l, outcome) in learners.iter().enumerate() {
            for (step, &(skill, attempt_on_skill, correct)) in outcome.attempts.iter().enumerate() {
                record(&SimAttempt {
                    run: run as u32,
                    learner: l as u32,
                    step: step as u32,
                    skill,
                    attempt_on_skill,
                    correct,
                });
            }
        }
        runs.push(run_figures(&learners, options.steps, goals.len()));
    }
    let curve_len = options.steps + 1;
    let curve = (0..curve_len)
        .map(|i| runs.iter().map(|r| r.curve[i]).sum::<f64>() / runs.len() as f64)
        .collect();
    Ok(Summary {
        mastered: spread(&runs, |r| r.mastered),
        steps_to_goals: spread(&runs, |r| r.steps_to_goals),
        reached_goals: spread(&runs, |r| r.reached_goals),
        learning_gain: spread(&runs, |r| r.learning_gain),
        curve,
        runs,
    })
}

/// Mean ± sample std of one figure over runs (there is at least one run).
fn spread(runs: &[RunFigures], figure: impl Fn(&RunFigures) -> f64) -> MeanStd {
    let values: Vec<f64> = runs.iter().map(figure).collect();
    MeanStd::of(&values).unwrap_or(MeanStd {
        mean: f64::NAN,
        std: None,
    })
}

/// What happened to one learner.
struct LearnerOutcome {
    /// (skill, attempt number on that skill, correct) per step.
    attempts: Vec<(u32, u32, bool)>,
    /// Skills truly known at the end.
    mastered_end: usize,
    /// Goal skills truly known after each step (index 0 = start).
    goals_known: Vec<u32>,
    /// First step count after which every goal was known.
    reached_at: Option<usize>,
}

#[allow(clippy::too_many_arguments)]
fn simulate_learner(
    world: &World,
    tutor: Tutor<'_>,
    policy: &dyn Policy,
    options: &SimOptions,
    order: &[u32],
    goals: &[usize],
    seed: u64,
    learner: u64,
) -> LearnerOutcome {
    let mut rng = world::learner_rng(seed, learner);
    let mut known = world.new_learner(&mut rng);
    let model = tutor.model;
    let mut state = LearnerState::blank_with(model, options.rule);
    let mut estimate: Vec<f64> = tutor
        .skill_index
        .iter()
        .map(|&m| state.estimate_dense(model, m))
        .collect();
    let mut status = vec![Status::NotAssessed; world.n_skills()];
    let mut streak = vec![0u32; world.n_skills()];
    let mut tries = vec![0u32; world.n_skills()];
    let goals_known = |known: &[bool]| goals.iter().filter(|&&g| known[g]).count() as u32;
    let mut outcome = LearnerOutcome {
        attempts: Vec::with_capacity(options.steps),
        mastered_end: 0,
        goals_known: Vec::with_capacity(options.steps + 1),
        reached_at: None,
    };
    outcome.goals_known.push(goals_known(&known));
    if outcome.goals_known[0] as usize == goals.len() {
        outcome.reached_at = Some(0);
    }
    for step in 0..options.steps {
        let view = View {
            state: &state,
            estimate: &estimate,
            status: &status,
            streak: &streak,
            prerequisites: &world.prerequisites,
            order,
            streak_to_advance: options.streak_to_advance,
        };
        let s = policy.choose(&view, &mut rng);
        let correct = world.attempt(&mut known, s, tries[s], &mut rng);
        let m = tutor.skill_index[s];
        state.observe_dense(model, m, None, correct);
        estimate[s] = state.estimate_dense(model, m);
        status[s] = options.rule.status(estimate[s], &state.evidence_dense(m));
        streak[s] = if correct { streak[s] + 1 } else { 0 };
        outcome.attempts.push((s as u32, tries[s], correct));
        tries[s] += 1;
        let now = goals_known(&known);
        outcome.goals_known.push(now);
        if outcome.reached_at.is_none() && now as usize == goals.len() {
            outcome.reached_at = Some(step + 1);
        }
    }
    outcome.mastered_end = known.iter().filter(|&&k| k).count();
    outcome
}

fn run_figures(learners: &[LearnerOutcome], steps: usize, n_goals: usize) -> RunFigures {
    let n = learners.len() as f64;
    let start: f64 = learners.iter().map(|l| l.goals_known[0] as f64).sum();
    let end: f64 = learners.iter().map(|l| l.goals_known[steps] as f64).sum();
    let max = n * n_goals as f64;
    let learning_gain = if max > start {
        (end - start) / (max - start)
    } else {
        1.0
    };
    RunFigures {
        mastered: learners.iter().map(|l| l.mastered_end as f64).sum::<f64>() / n,
        steps_to_goals: learners
            .iter()
            .map(|l| l.reached_at.unwrap_or(steps) as f64)
            .sum::<f64>()
            / n,
        reached_goals: learners.iter().filter(|l| l.reached_at.is_some()).count() as f64 / n,
        learning_gain,
        curve: (0..=steps)
            .map(|i| {
                learners
                    .iter()
                    .map(|l| l.goals_known[i] as f64)
                    .sum::<f64>()
                    / n
            })
            .collect(),
    }
}

/// The curriculum: the goals and their ancestors in a topological order (Kahn, ties by index);
/// fails on a cycle.
fn curriculum(prerequisites: &[Vec<u32>], goals: &[usize]) -> Result<Vec<u32>> {
    let n = prerequisites.len();
    let mut relevant = vec![false; n];
    let mut stack: Vec<usize> = goals.to_vec();
    while let Some(s) = stack.pop() {
        if !std::mem::replace(&mut relevant[s], true) {
            stack.extend(prerequisites[s].iter().map(|&p| p as usize));
        }
    }
    let mut missing: Vec<usize> = prerequisites.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (s, pres) in prerequisites.iter().enumerate() {
        for &p in pres {
            dependents[p as usize].push(s as u32);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&s| missing[s] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = 0;
    while let Some(s) = ready.pop_first() {
        placed += 1;
        if relevant[s] {
            order.push(s as u32);
        }
        for &d in &dependents[s] {
            missing[d as usize] -= 1;
            if missing[d as usize] == 0 {
                ready.insert(d as usize);
            }
        }
    }
    if placed != n {
        return Err(Error::config(
            "simulated world: the prerequisites have a cycle",
        ));
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_out_of_range_name_their_setting() {
        let setting = |options: SimOptions| match options.validate(3) {
            Err(Error::Config { setting, .. }) => setting,
            other => panic!("expected a config error, got {other:?}"),
        };
        let d = SimOptions::default;
        assert!(d().validate(3).is_ok());
        let learners = SimOptions { learners: 0, ..d() };
        assert_eq!(setting(learners), Some("learners"));
        assert_eq!(setting(SimOptions { runs: 0, ..d() }), Some("runs"));
        let goals = SimOptions {
            goals: vec![3],
            ..d()
        };
        assert_eq!(setting(goals), Some("goals"));
        let too_many = SimOptions {
            steps: MAX_LEARNER_STEPS,
            ..d()
        };
        assert_eq!(
            setting(too_many),
            None,
            "a rule of three settings names none"
        );
    }

    fn chain(n: usize) -> (World, Model, Vec<usize>) {
        let skill = Params {
            prior: 0.05,
            learn: 0.25,
            forget: 0.0,
            guess: 0.2,
            slip: 0.1,
        };
        let prerequisites = (0..n)
            .map(|s| if s == 0 { vec![] } else { vec![s as u32 - 1] })
            .collect();
        let world = World::new(vec![skill; n], prerequisites, 0.05).unwrap();
        let ids: Vec<String> = (0..n).map(|s| format!("s{s:02}")).collect();
        let model = world.as_model(&ids).unwrap();
        let index = ids
            .iter()
            .map(|id| model.skill_index(id).unwrap())
            .collect();
        (world, model, index)
    }

    #[test]
    fn same_seed_same_outcome_and_log() {
        let (world, model, index) = chain(5);
        let options = SimOptions {
            learners: 30,
            steps: 25,
            runs: 2,
            seed: 11,
            ..SimOptions::default()
        };
        let mut first = Vec::new();
        let a = run(
            &world,
            Tutor {
                model: &model,
                skill_index: &index,
            },
            &BaselinePolicy::RandomReady,
            &options,
            |x| first.push(*x),
        )
        .unwrap();
        let mut second = Vec::new();
        let b = run(
            &world,
            Tutor {
                model: &model,
                skill_index: &index,
            },
            &BaselinePolicy::RandomReady,
            &options,
            |x| second.push(*x),
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(first, second);
        assert_eq!(first.len(), 2 * 30 * 25);
        assert_eq!(a.curve.len(), 26);
    }

    #[test]
    fn prerequisite_aware_policy_beats_random_on_a_chain() {
        let (world, model, index) = chain(8);
        let options = SimOptions {
            learners: 200,
            steps: 60,
            runs: 3,
            ..SimOptions::default()
        };
        let smart = run(
            &world,
            Tutor {
                model: &model,
                skill_index: &index,
            },
            &BaselinePolicy::LowestMasteryReady,
            &options,
            |_| {},
        )
        .unwrap();
        let random = run(
            &world,
            Tutor {
                model: &model,
                skill_index: &index,
            },
            &BaselinePolicy::Random,
            &options,
            |_| {},
        )
        .unwrap();
        assert!(
            smart.learning_gain.mean > random.learning_gain.mean + 0.1,
            "{} vs {}",
            smart.learning_gain.mean,
            random.learning_gain.mean
        );
        assert!(smart.mastered.mean > random.mastered.mean);
    }

    #[test]
    fn figures_by_hand() {
        // Two learners, one goal, 2 steps: one knows it from the start, the other learns at step 2.
        let outcome = |known: Vec<u32>, reached: Option<usize>| LearnerOutcome {
            attempts: vec![],
            mastered_end: 1,
            goals_known: known,
            reached_at: reached,
        };
        let figures = run_figures(
            &[
                outcome(vec![1, 1, 1], Some(0)),
                outcome(vec![0, 0, 1], Some(2)),
            ],
            2,
            1,
        );
        assert_eq!(figures.learning_gain, 1.0);
        assert_eq!(figures.steps_to_goals, 1.0);
        assert_eq!(figures.curve, vec![0.5, 0.5, 1.0]);
        let stuck = run_figures(
            &[
                outcome(vec![0, 0, 0], None),
                outcome(vec![0, 0, 1], Some(2)),
            ],
            2,
            1,
        );
        assert_eq!(stuck.learning_gain, 0.5);
        assert_eq!(stuck.steps_to_goals, 2.0);
        assert_eq!(stuck.reached_goals, 0.5);
    }

    #[test]
    fn bad_options_are_config_errors() {
        let (world, model, index) = chain(2);
        let tutor = Tutor {
            model: &model,
            skill_index: &index,
        };
        let fails = |world: &World, options: &SimOptions| {
            run(world, tutor, &BaselinePolicy::Random, options, |_| {}).is_err()
        };
        let bad_goal = SimOptions {
            goals: vec![5],
            ..SimOptions::default()
        };
        assert!(fails(&world, &bad_goal));
        let zero = SimOptions {
            learners: 0,
            ..SimOptions::default()
        };
        assert!(fails(&world, &zero));
        // Sizes that would overflow or exhaust memory are refused before anything is allocated.
        for (learners, steps, runs) in [
            (1, usize::MAX, 1),
            (1_000, 1_000_000, 1),
            (2, 2, usize::MAX),
        ] {
            let huge = SimOptions {
                learners,
                steps,
                runs,
                ..SimOptions::default()
            };
            assert!(fails(&world, &huge), "{learners} {steps} {runs}");
        }
        let cyclic = World::new(world.skills.clone(), vec![vec![1], vec![0]], 0.1).unwrap();
        assert!(fails(&cyclic, &SimOptions::default()));
    }
}
