//! `pathwise simulate`: simulated learners practise a skill graph under a teaching policy; prints
//! mean ± std over runs of skills truly mastered, steps to the goals and learning gain, and can
//! write the simulated interaction log (generic schema) for fitting and replaying.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use pathwise::simulate::{
    DEFAULT_BLOCKED_LEARN_FACTOR, Policy, PolicyName, RecommenderPolicy, SimAttempt, SimOptions,
    Summary, Tutor, World, draw_params,
};
use pathwise::{LearnerState, MeanStd, Model, Recommender, SkillGraph};
use pathwise_datasets::{GraphOptions, load_graph};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::commands::fit::read_model;
use crate::output::{Format, Table, check_writable, is_stdout, write_atomic, write_json};
use crate::{Outcome, limits};

/// Arguments of `pathwise simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The skill graph the learners practise.
    #[arg(long, value_name = "GRAPH")]
    pub graph: PathBuf,

    /// True BKT parameters per skill from this model (skills it lacks get its population
    /// average). Without it, parameters are drawn per skill from --seed (see docs/eval.md).
    #[arg(long, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,

    /// Learners per run (learners × steps × runs at most 100,000,000).
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = limits::range::<usize>(1, limits::MAX_LEARNER_STEPS))]
    pub learners: usize,

    /// Practice steps per learner.
    #[arg(long, default_value_t = 100, value_name = "T", value_parser = limits::range::<usize>(0, limits::MAX_LEARNER_STEPS))]
    pub steps: usize,

    /// Teaching policy: pathwise, lowest-mastery-ready, curriculum-order, random-ready, random.
    #[arg(long, default_value = "pathwise", value_name = "P")]
    pub policy: String,

    /// Number of runs (seeds --seed, --seed+1, ...) that mean ± std are taken over.
    #[arg(long, default_value_t = 1, value_name = "R", value_parser = limits::range::<usize>(1, limits::MAX_LEARNER_STEPS))]
    pub runs: usize,

    /// Seed of the first run (and of the drawn parameters).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Goal skills (repeatable); default: every skill.
    #[arg(long = "goal", value_name = "SKILL")]
    pub goals: Vec<String>,

    /// Mastery threshold on the tutor's estimate.
    #[arg(long, default_value_t = 0.95, value_name = "P")]
    pub mastery: f64,

    /// Factor on `learn` while a prerequisite is not truly known.
    #[arg(long, default_value_t = DEFAULT_BLOCKED_LEARN_FACTOR, value_name = "F")]
    pub blocked_factor: f64,

    /// `curriculum-order` moves on after this many correct answers in a row.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub streak: u32,

    /// Drop cycle-closing edges of the graph instead of failing.
    #[arg(long)]
    pub drop_cycle_edges: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write the simulated interaction log (learner,skill,item,correct,order) to this CSV file;
    /// with `-`, to standard output (the summary then goes to stderr).
    #[arg(short, long, value_name = "LOG.csv")]
    pub output: Option<PathBuf>,
}

/// Runs the simulation.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let policy_name: PolicyName = args.policy.parse().context("--policy")?;
    if let Some(path) = &args.output {
        check_writable(path)?;
    }
    let loaded = load_graph(
        &args.graph,
        &GraphOptions {
            drop_cycle_edges: args.drop_cycle_edges,
            ..GraphOptions::default()
        },
    )?;
    let graph = &loaded.graph;
    let fitted = match &args.model {
        Some(path) => Some(read_model(path)?),
        None => None,
    };
    let world = world_of(graph, fitted.as_ref(), args)?;
    let ids: Vec<&str> = graph.skills().iter().map(|s| s.id.as_str()).collect();
    let tutor_model = world.as_model(&ids)?;
    let skill_index: Vec<usize> = ids
        .iter()
        .map(|id| tutor_model.skill_index(id))
        .collect::<Option<_>>()
        .context("the tutor model lost a skill")?;
    let goals =
        args.goals
            .iter()
            .map(|g| {
                graph.skill_index(g).map(|s| s as usize).with_context(|| {
                    format!("--goal {g}: no such skill in {}", args.graph.display())
                })
            })
            .collect::<anyhow::Result<Vec<usize>>>()?;
    let options = SimOptions {
        learners: args.learners,
        steps: args.steps,
        runs: args.runs,
        seed: args.seed,
        mastery: args.mastery,
        goals,
        streak_to_advance: args.streak,
    };
    let tutor = Tutor {
        model: &tutor_model,
        skill_index: &skill_index,
    };

    let recommender = Recommender::new(
        graph,
        &tutor_model,
        pathwise::Policy {
            mastery: args.mastery,
            goals: args.goals.clone(),
            ..pathwise::Policy::default()
        },
    )?;
    let pathwise_policy = RecommenderPolicy(|state: &LearnerState| {
        let top = recommender.recommend(state, 1).ok()?;
        graph.skill_index(&top.first()?.skill).map(|s| s as usize)
    });
    let baseline;
    let policy: &dyn Policy = match policy_name {
        PolicyName::Pathwise => &pathwise_policy,
        PolicyName::Baseline(b) => {
            baseline = b;
            &baseline
        }
    };

    let mut attempts: Vec<SimAttempt> = Vec::new();
    let keep_log = args.output.is_some();
    let summary = pathwise::simulate::run(&world, tutor, policy, &options, |a| {
        if keep_log {
            attempts.push(*a)
        }
    })?;
    if let Some(path) = &args.output {
        write_atomic(path, |w| write_log(w, graph, &attempts))?;
    }
    // With the log on standard output, the summary goes to stderr.
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) if is_stdout(path) => Box::new(std::io::stderr().lock()),
        _ => Box::new(std::io::stdout().lock()),
    };
    match args.format {
        Format::Json => write_json(&mut out, &summary_json(&summary, &policy_name, args))?,
        Format::Table | Format::Csv => {
            summary_table(&summary, &policy_name).write(&mut out, args.format)?
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

/// The simulated world: the graph's prerequisites and true parameters per skill.
fn world_of(graph: &SkillGraph, fitted: Option<&Model>, args: &Args) -> anyhow::Result<World> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    let truth = graph
        .skills()
        .iter()
        .map(|skill| match fitted {
            Some(model) => model
                .skill(&skill.id)
                .map_or(*model.average(), |s| *s.params()),
            None => draw_params(&mut rng),
        })
        .collect();
    let prerequisites = (0..graph.n_skills() as u32)
        .map(|s| graph.prerequisites(s).to_vec())
        .collect();
    let world = World::new(truth, prerequisites, args.blocked_factor)?;
    // Item-level difficulty per activity: the model's item guess/slip when it has the activity,
    // else (no model) the skill's own shifted by up to ±0.08, drawn from the seed.
    let items = (0..graph.n_skills() as u32)
        .map(|s| {
            let own = world.skill(s as usize);
            graph
                .skill_activities(s)
                .iter()
                .map(|&a| {
                    let id = &graph.activity(a).id;
                    match fitted.and_then(|m| m.skill(&graph.skill(s).id)) {
                        Some(skill) => skill.item_index(id).map_or((own.guess, own.slip), |i| {
                            (skill.items()[i].guess, skill.items()[i].slip)
                        }),
                        None if fitted.is_some() => (own.guess, own.slip),
                        None => (
                            (own.guess + rng.random_range(-0.08..0.08)).clamp(0.01, 0.45),
                            (own.slip + rng.random_range(-0.08..0.08)).clamp(0.01, 0.45),
                        ),
                    }
                })
                .collect()
        })
        .collect();
    Ok(world.with_items(items)?)
}

/// The simulated log in the generic schema; the item is the skill's activities in turn (the skill
/// id when it has none), the learner `r<run>-l<learner>`, the order the step.
fn write_log(w: &mut dyn Write, graph: &SkillGraph, attempts: &[SimAttempt]) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(["learner", "skill", "item", "correct", "order"])?;
    for a in attempts {
        let skill = &graph.skill(a.skill).id;
        let activities = graph.skill_activities(a.skill);
        let item = if activities.is_empty() {
            skill.as_str()
        } else {
            let pick = activities[a.attempt_on_skill as usize % activities.len()];
            graph.activity(pick).id.as_str()
        };
        csv.write_record([
            format!("r{}-l{:05}", a.run, a.learner).as_str(),
            skill,
            item,
            if a.correct { "1" } else { "0" },
            a.step.to_string().as_str(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

fn std_or_zero(m: &MeanStd) -> f64 {
    m.std.unwrap_or(0.0)
}

fn summary_json(summary: &Summary, policy: &PolicyName, args: &Args) -> Value {
    json!({
        "policy": policy.to_string(),
        "learners": args.learners,
        "steps": args.steps,
        "runs": args.runs,
        "seed": args.seed,
        "mean_mastered": summary.mastered.mean,
        "std_mastered": std_or_zero(&summary.mastered),
        "mean_steps_to_goals": summary.steps_to_goals.mean,
        "std_steps_to_goals": std_or_zero(&summary.steps_to_goals),
        "reached_goals": summary.reached_goals.mean,
        "learning_gain": summary.learning_gain.mean,
        "std_learning_gain": std_or_zero(&summary.learning_gain),
        "curve": summary.curve,
        "per_run": summary.runs.iter().map(|r| json!({
            "mastered": r.mastered,
            "steps_to_goals": r.steps_to_goals,
            "reached_goals": r.reached_goals,
            "learning_gain": r.learning_gain,
        })).collect::<Vec<_>>(),
    })
}

fn summary_table(summary: &Summary, policy: &PolicyName) -> Table {
    let fmt = |m: &MeanStd| format!("{:.3} ± {:.3}", m.mean, std_or_zero(m));
    let mut table = Table::new([
        "policy",
        "mastered",
        "steps_to_goals",
        "reached_goals",
        "learning_gain",
    ]);
    table.push([
        policy.to_string(),
        fmt(&summary.mastered),
        fmt(&summary.steps_to_goals),
        format!("{:.3}", summary.reached_goals.mean),
        fmt(&summary.learning_gain),
    ]);
    table
}
