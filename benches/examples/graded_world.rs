//! A check of the default policy in a simulator that is not pathwise's own (docs/recommender.md,
//! "An independent world"): knowledge is graded rather than binary, an attempt teaches only when the
//! skill's prerequisites are solid, and correctness follows a logistic curve in knowledge with item
//! guess, slip and difficulty. pathwise never sees this world's truth: it is fitted (default `fit`)
//! on a log of random practice drawn from it, then steers new learners with `Policy::default()`
//! against simple rules that see only answers.
//!
//! ```sh
//! cargo run --release -p pathwise-benches --example graded_world -- 10
//! ```

use std::ops::ControlFlow;
use std::sync::Arc;

use pathwise::eval::MeanStd;
use pathwise::{
    ActivitySpec, BuildOptions, FitOptions, InteractionLog, LearnerState, LogBuilder, Model,
    Policy, RawRow, Recommender, SkillGraph, SkillGraphBuilder, SkillSpec, fit,
};
use pathwise_datasets::demo_curriculum;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Learners and steps of the random-practice log pathwise is fitted on.
const LOG_LEARNERS: usize = 400;
const LOG_STEPS: usize = 120;
/// Learners per run and steps per learner when comparing policies.
const LEARNERS: usize = 100;
const STEPS: usize = 150;
/// Knowledge at which a skill counts as mastered in this world.
const MASTERED: f64 = 0.85;
/// Correct answers in a row after which the simple rules move on (a common mastery criterion).
const IN_A_ROW: u32 = 3;

/// How the world's learners learn.
#[derive(Clone, Copy)]
struct Regime {
    name: &'static str,
    /// Range of the per-skill learning rate.
    rate: (f64, f64),
    /// Knowledge of a prerequisite at which it counts as half solid, and the softness of that edge.
    solid_at: f64,
    solid_width: f64,
}

const REGIMES: [Regime; 3] = [
    Regime {
        name: "slow learning, strict prerequisites",
        rate: (0.08, 0.3),
        solid_at: 0.75,
        solid_width: 0.04,
    },
    Regime {
        name: "fast learning, strict prerequisites",
        rate: (0.2, 0.5),
        solid_at: 0.8,
        solid_width: 0.03,
    },
    Regime {
        name: "fast learning, soft prerequisites",
        rate: (0.2, 0.5),
        solid_at: 0.6,
        solid_width: 0.1,
    },
];

/// The world's hidden truth for one curriculum.
struct Truth {
    regime: Regime,
    rate: Vec<f64>,
    guess: Vec<f64>,
    slip: Vec<f64>,
    difficulty: Vec<f64>,
}

impl Truth {
    fn draw(graph: &SkillGraph, regime: Regime, rng: &mut ChaCha8Rng) -> Self {
        let n = graph.n_activities();
        Truth {
            regime,
            rate: (0..graph.n_skills())
                .map(|_| rng.random_range(regime.rate.0..regime.rate.1))
                .collect(),
            guess: (0..n).map(|_| rng.random_range(0.1..0.3)).collect(),
            slip: (0..n).map(|_| rng.random_range(0.03..0.12)).collect(),
            difficulty: (0..n).map(|_| rng.random_range(0.35..0.65)).collect(),
        }
    }

    /// A new learner: some early skills known from before (less often the deeper they lie).
    fn learner(&self, graph: &SkillGraph, rng: &mut ChaCha8Rng) -> Learner {
        let knowledge = (0..graph.n_skills() as u32)
            .map(|s| {
                if rng.random::<f64>() < 0.5 * 0.6f64.powi(graph.depth(s) as i32) {
                    rng.random_range(0.7..0.95)
                } else {
                    rng.random_range(0.0..0.2)
                }
            })
            .collect();
        Learner {
            knowledge,
            ability: rng.random_range(0.6..1.4),
        }
    }

    /// How solid the prerequisites of `s` are, in `[0, 1]`.
    fn foundation(&self, graph: &SkillGraph, learner: &Learner, s: u32) -> f64 {
        graph
            .prerequisites(s)
            .iter()
            .map(|&p| {
                let x = (learner.knowledge[p as usize] - self.regime.solid_at)
                    / self.regime.solid_width;
                1.0 / (1.0 + (-x).exp())
            })
            .product()
    }

    /// One attempt at activity `a`: its correctness, and what it teaches.
    fn attempt(
        &self,
        graph: &SkillGraph,
        learner: &mut Learner,
        a: u32,
        rng: &mut ChaCha8Rng,
    ) -> bool {
        let skills = &graph.activity(a).skills;
        let known = skills
            .iter()
            .map(|&s| learner.knowledge[s as usize])
            .sum::<f64>()
            / skills.len() as f64;
        let a = a as usize;
        let curve = 1.0 / (1.0 + (-10.0 * (known - self.difficulty[a])).exp());
        let correct =
            rng.random::<f64>() < self.guess[a] + (1.0 - self.guess[a] - self.slip[a]) * curve;
        for k in &mut learner.knowledge {
            *k *= 1.0 - 0.0005;
        }
        for &s in skills {
            let taught = learner.ability
                * self.rate[s as usize]
                * self.foundation(graph, learner, s)
                * if correct { 1.0 } else { 0.6 };
            let k = &mut learner.knowledge[s as usize];
            *k = (*k + taught * (1.0 - *k)).min(1.0);
        }
        correct
    }
}

#[derive(Clone)]
struct Learner {
    knowledge: Vec<f64>,
    ability: f64,
}

/// A log of uniformly random practice, the only data pathwise is fitted on.
fn random_practice_log(graph: &SkillGraph, truth: &Truth, seed: u64) -> InteractionLog {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut log = LogBuilder::new();
    for l in 0..LOG_LEARNERS {
        let mut learner = truth.learner(graph, &mut rng);
        let name = format!("L{l}");
        for step in 0..LOG_STEPS {
            let a = rng.random_range(0..graph.n_activities() as u32);
            let correct = truth.attempt(graph, &mut learner, a, &mut rng);
            let activity = graph.activity(a);
            let skills: Vec<&str> = activity
                .skills
                .iter()
                .map(|&s| graph.skill(s).id.as_str())
                .collect();
            log.push(RawRow {
                learner: &name,
                skills: &skills,
                item: Some(&activity.id),
                correct,
                order: step as i64,
                group: None,
            });
        }
    }
    log.build()
}

#[derive(Clone, Copy, Debug)]
enum Rule {
    Pathwise,
    RandomReady,
    CurriculumOrder,
    Random,
}

const RULES: [Rule; 4] = [
    Rule::Pathwise,
    Rule::RandomReady,
    Rule::CurriculumOrder,
    Rule::Random,
];

/// What a rule sees: answers only (and pathwise its own learner state).
struct Seen {
    state: LearnerState,
    in_a_row: Vec<u32>,
    done: Vec<bool>,
    position: usize,
    turn: usize,
}

fn choose(
    rule: Rule,
    graph: &SkillGraph,
    recommender: &Recommender,
    seen: &mut Seen,
    rng: &mut ChaCha8Rng,
) -> u32 {
    let any = |rng: &mut ChaCha8Rng| rng.random_range(0..graph.n_activities() as u32);
    let practisable = |s: u32| !graph.skill_activities(s).is_empty();
    match rule {
        Rule::Random => any(rng),
        Rule::Pathwise => match recommender
            .recommend(&seen.state, 1)
            .expect("the state's own model")
            .first()
        {
            Some(r) => match &r.activity {
                Some(id) => graph.activity_index(id).expect("an activity of the graph"),
                None => {
                    graph.skill_activities(graph.skill_index(&r.skill).expect("a graph skill"))[0]
                }
            },
            None => any(rng),
        },
        Rule::CurriculumOrder => {
            let order = graph.topological_order();
            while seen.position < order.len()
                && (seen.done[order[seen.position] as usize] || !practisable(order[seen.position]))
            {
                seen.position += 1;
            }
            match order.get(seen.position) {
                Some(&s) => {
                    seen.turn += 1;
                    let acts = graph.skill_activities(s);
                    acts[seen.turn % acts.len()]
                }
                None => any(rng),
            }
        }
        Rule::RandomReady => {
            let ready: Vec<u32> = graph
                .ready_frontier(&seen.done)
                .into_iter()
                .filter(|&s| practisable(s))
                .collect();
            if ready.is_empty() {
                any(rng)
            } else {
                let acts = graph.skill_activities(ready[rng.random_range(0..ready.len())]);
                acts[rng.random_range(0..acts.len())]
            }
        }
    }
}

/// Mean skills mastered and mean learning gain (knowledge gained per skill) of one run.
fn run(
    rule: Rule,
    graph: &SkillGraph,
    truth: &Truth,
    recommender: &Recommender,
    model: &Model,
    seed: u64,
) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut mastered, mut gain) = (0.0, 0.0);
    let n = graph.n_skills();
    for _ in 0..LEARNERS {
        let mut learner = truth.learner(graph, &mut rng);
        let before = learner.knowledge.clone();
        let mut choices = ChaCha8Rng::seed_from_u64(rng.random());
        let mut seen = Seen {
            state: LearnerState::new(model),
            in_a_row: vec![0; n],
            done: vec![false; n],
            position: 0,
            turn: 0,
        };
        for _ in 0..STEPS {
            let a = choose(rule, graph, recommender, &mut seen, &mut choices);
            let correct = truth.attempt(graph, &mut learner, a, &mut rng);
            let activity = graph.activity(a);
            for &s in &activity.skills {
                let row = &mut seen.in_a_row[s as usize];
                *row = if correct { *row + 1 } else { 0 };
                seen.done[s as usize] |= *row >= IN_A_ROW;
                seen.state
                    .observe(model, &graph.skill(s).id, Some(&activity.id), correct)
                    .expect("the state's own model");
            }
        }
        mastered += learner.knowledge.iter().filter(|&&k| k >= MASTERED).count() as f64;
        gain += learner
            .knowledge
            .iter()
            .zip(&before)
            .map(|(a, b)| a - b)
            .sum::<f64>()
            / n as f64;
    }
    (mastered / LEARNERS as f64, gain / LEARNERS as f64)
}

/// A generated curriculum: `n` skills, each requiring one or two of the eight before it, three
/// activities per skill.
fn generated_curriculum(n: usize, rng: &mut ChaCha8Rng) -> SkillGraph {
    let mut graph = SkillGraphBuilder::new("generated");
    for s in 0..n {
        let mut requires: Vec<String> = Vec::new();
        for _ in 0..rng.random_range(1..=2).min(s) {
            let p = format!("k{}", rng.random_range(s.saturating_sub(8)..s));
            if !requires.contains(&p) {
                requires.push(p);
            }
        }
        graph.add_skill(SkillSpec::new(format!("k{s}")).requires(requires));
        for a in 0..3 {
            graph.add_activity(ActivitySpec::new(format!("k{s}.a{a}"), [format!("k{s}")]));
        }
    }
    graph
        .build(&BuildOptions::default())
        .expect("an acyclic generated curriculum")
        .graph
}

/// Mean and standard error of the mean over runs (NaN without runs).
fn mean_se(x: &[f64]) -> (f64, f64) {
    MeanStd::of(x).map_or((f64::NAN, f64::NAN), |spread| {
        let se = spread.std.unwrap_or(0.0) / (x.len() as f64).sqrt();
        (spread.mean, se)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: u64 = std::env::args().nth(1).map_or(Ok(10), |r| r.parse())?;
    println!("| world | curriculum | rule | mastered | gain | pathwise − rule: mastered | gain |");
    println!("|---|---|---|--:|--:|--:|--:|");
    for regime in REGIMES {
        for curriculum in ["demo", "generated 30–80 skills"] {
            let mut figures = vec![(Vec::new(), Vec::new()); RULES.len()];
            for seed in 0..runs {
                let mut rng = ChaCha8Rng::seed_from_u64(1_000 + seed);
                let graph = if curriculum == "demo" {
                    demo_curriculum()
                } else {
                    generated_curriculum(30 + (seed as usize * 7) % 51, &mut rng)
                };
                let truth = Truth::draw(&graph, regime, &mut rng);
                let log = random_practice_log(&graph, &truth, 2_000 + seed);
                let model = Arc::new(fit(&log, &FitOptions::default(), |_| {
                    ControlFlow::Continue(())
                })?);
                let graph = Arc::new(graph);
                let recommender =
                    Recommender::new(graph.clone(), model.clone(), Policy::default())?;
                for (rule, (mastered, gain)) in RULES.iter().zip(&mut figures) {
                    let (m, g) = run(*rule, &graph, &truth, &recommender, &model, 3_000 + seed);
                    mastered.push(m);
                    gain.push(g);
                }
            }
            let (ours_m, ours_g) = &figures[0];
            for (rule, (mastered, gain)) in RULES.iter().zip(&figures) {
                let (m, m_se) = mean_se(mastered);
                let (g, g_se) = mean_se(gain);
                let diff = |ours: &[f64], theirs: &[f64]| {
                    let d: Vec<f64> = ours.iter().zip(theirs).map(|(a, b)| a - b).collect();
                    let (mean, se) = mean_se(&d);
                    (mean, mean / se)
                };
                let paired = if matches!(rule, Rule::Pathwise) {
                    "| — | — |".to_string()
                } else {
                    let (dm, zm) = diff(ours_m, mastered);
                    let (dg, zg) = diff(ours_g, gain);
                    format!("| {dm:+.2} ({zm:+.1} se) | {dg:+.3} ({zg:+.1} se) |")
                };
                println!(
                    "| {} | {curriculum} | {rule:?} | {m:.2} ± {m_se:.2} | {g:.3} ± {g_se:.3} {paired}",
                    regime.name
                );
            }
        }
    }
    Ok(())
}
