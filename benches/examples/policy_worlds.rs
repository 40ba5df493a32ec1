//! The policy comparison of docs/recommender.md: pathwise's default policy against every baseline
//! in four simulated worlds, paired by seed, as a Markdown table.
//!
//! ```sh
//! cargo run --release -p pathwise-benches --example policy_worlds -- ../shared/datasets 20
//! ```
//!
//! (a) the demo curriculum with parameters drawn per seed; (b) the demo curriculum whose truth is
//! the model fitted on the demo cohort (forgetting, item guess/slip); (c) generated curricula of
//! 30, 45, 60 and 80 skills, each with its own seeds; (d) a model fitted on ASSISTments 2009 with
//! a skill graph derived from the order learners first meet skills ([`pathwise::graph::derive_graph`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pathwise::eval::simulate::{
    DEFAULT_BLOCKED_LEARN_FACTOR, Policy, PolicyName, RunFigures, SimOptions, Summary, Tutor,
    World, recommender_policy, run,
};
use pathwise::{
    FitOptions, Model, Recommender, SkillGraph, Variant,
    eval::MeanStd,
    fit,
    graph::{DeriveOptions, derive_graph},
};
use pathwise_benches::recommend_world;
use pathwise_datasets::{LogOptions, demo_curriculum, load_logs};

/// Learners per run and steps per learner in every world.
const LEARNERS: usize = 100;
const STEPS: usize = 150;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let shared = PathBuf::from(
        args.next()
            .ok_or("usage: policy_worlds DATASETS_DIR [RUNS]")?,
    );
    let runs: usize = args.next().map_or(Ok(20), |r| r.parse())?;
    let demo = Arc::new(demo_curriculum());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");

    let mut table = Vec::new();
    table.push(("(a) demo, drawn parameters", compare(&demo, None, 0, runs)?));

    let cohort = load_logs(
        &[repo.join("datasets/demo/cohort.csv")],
        &LogOptions::default(),
    )?
    .log;
    let variant = Variant {
        forgets: true,
        item_guess_slip: true,
        ..Variant::default()
    };
    let fitted = fit(
        &cohort,
        &FitOptions {
            variant,
            ..FitOptions::default()
        },
        |_| std::ops::ControlFlow::Continue(()),
    )?;
    table.push((
        "(b) demo, fitted model (forgetting, item guess/slip)",
        compare(&demo, Some(&fitted), 0, runs)?,
    ));

    let mut pooled: Vec<(PolicyName, Summary)> = Vec::new();
    for (i, skills) in [30, 45, 60, 80].into_iter().enumerate() {
        let graph = Arc::new(recommend_world::World::new(skills, 2, 100 + i as u64).graph());
        let results = compare(&graph, None, 1_000 * (i as u64 + 1), runs)?;
        pool(&mut pooled, results);
    }
    table.push(("(c) generated curricula, 30–80 skills", pooled));

    let dir = shared.join("assistments2009_skillbuilder_akt");
    let files = [
        dir.join("interactions_long_part01.csv"),
        dir.join("interactions_long_part02.csv"),
    ];
    let log = load_logs(&files, &LogOptions::default())?.log;
    let model = fit(&log, &FitOptions::default(), |_| {
        std::ops::ControlFlow::Continue(())
    })?;
    let derived = Arc::new(derive_graph(&log, &DeriveOptions::default())?);
    eprintln!(
        "ASSISTments: {} skills, {} derived prerequisite edges",
        derived.n_skills(),
        (0..derived.n_skills() as u32)
            .map(|s| derived.prerequisites(s).len())
            .sum::<usize>()
    );
    table.push((
        "(d) ASSISTments 2009 model, derived graph",
        compare(&derived, Some(&model), 0, runs)?,
    ));

    println!(
        "| world | policy | skills mastered | learning gain | pathwise − policy: mastered | \
         pathwise − policy: gain |"
    );
    println!("|---|---|--:|--:|--:|--:|");
    for (world, results) in &table {
        let ours = &results[0].1;
        for (name, s) in results {
            let (dm, dg) = if *name == PolicyName::Pathwise {
                ("—".to_owned(), "—".to_owned())
            } else {
                (
                    difference(ours.paired_difference(s, |r| r.mastered), 2),
                    difference(ours.paired_difference(s, |r| r.learning_gain), 3),
                )
            };
            println!(
                "| {world} | {name} | {} | {} | {dm} | {dg} |",
                mean_se(&s.mastered, s.runs.len(), 2),
                mean_se(&s.learning_gain, s.runs.len(), 3),
            );
        }
    }
    Ok(())
}

/// Every policy on one world (pathwise first), `runs` seeds from `seed`.
fn compare(
    graph: &Arc<SkillGraph>,
    truth: Option<&Model>,
    seed: u64,
    runs: usize,
) -> Result<Vec<(PolicyName, Summary)>, pathwise::Error> {
    let world = World::from_graph(graph, truth, seed, DEFAULT_BLOCKED_LEARN_FACTOR)?;
    let (tutor_model, index) = world.tutor_for(graph)?;
    let tutor_model = Arc::new(tutor_model);
    let tutor = Tutor {
        model: &tutor_model,
        skill_index: &index,
    };
    let recommender = Recommender::new(
        graph.clone(),
        tutor_model.clone(),
        pathwise::Policy::default(),
    )?;
    let ours = recommender_policy(&recommender);
    let options = SimOptions {
        learners: LEARNERS,
        steps: STEPS,
        runs,
        seed,
        ..SimOptions::default()
    };
    PolicyName::ALL
        .iter()
        .map(|name| {
            let policy: &dyn Policy = match name {
                PolicyName::Pathwise => &ours,
                PolicyName::Baseline(b) => b,
            };
            Ok((*name, run(&world, tutor, policy, &options, |_| {})?))
        })
        .collect()
}

/// Appends one curriculum's runs to the pooled summaries (runs stay paired by position).
fn pool(pooled: &mut Vec<(PolicyName, Summary)>, results: Vec<(PolicyName, Summary)>) {
    for (name, s) in results {
        let runs: Vec<RunFigures> = match pooled.iter_mut().find(|(n, _)| *n == name) {
            Some((_, p)) => p.runs.iter().chain(&s.runs).cloned().collect(),
            None => s.runs,
        };
        let spread = |f: fn(&RunFigures) -> f64| {
            MeanStd::of(&runs.iter().map(f).collect::<Vec<_>>()).expect("runs")
        };
        let summary = Summary {
            mastered: spread(|r| r.mastered),
            steps_to_goals: spread(|r| r.steps_to_goals),
            reached_goals: spread(|r| r.reached_goals),
            learning_gain: spread(|r| r.learning_gain),
            curve: Vec::new(),
            runs,
        };
        match pooled.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = summary,
            None => pooled.push((name, summary)),
        }
    }
}

fn mean_se(m: &MeanStd, runs: usize, digits: usize) -> String {
    let se = m.std.unwrap_or(0.0) / (runs.max(1) as f64).sqrt();
    format!("{:.digits$} ± {se:.digits$}", m.mean)
}

fn difference(d: Option<pathwise::eval::simulate::Difference>, digits: usize) -> String {
    match d {
        Some(d) => match d.z() {
            Some(z) => format!("{:+.digits$} ({z:+.1} se)", d.mean),
            None => format!("{:+.digits$}", d.mean),
        },
        None => "-".to_owned(),
    }
}
