//! `pathwise demo`: the main job, end to end, on the built-in demo curriculum (70 skills from
//! counting to linear systems) and a generated cohort of three classes (see
//! `pathwise_datasets::write_demo_cohort`). Every step is an ordinary `pathwise` command run
//! in-process, inside the output folder on paths relative to it, so the demo doubles as a tour of
//! the CLI: the commands are printed as they run and can be re-run by hand from that folder.
//!
//! The folder is written as every output folder is ([`OutputDir`]): built in a temporary folder
//! beside `-o DIR` (the working folder is that temporary folder while the steps run), which then
//! replaces `DIR`; a folder that is not empty and not an earlier demo is refused.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;
use pathwise_datasets::{DEMO_COHORT_CSV, DEMO_CURRICULUM_TOML, write_demo_cohort};

use crate::Outcome;
use crate::output::{Format, Table, refuse_stdout, write_atomic};
use crate::output_dir::OutputDir;

/// Arguments of `pathwise demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the demo's files (curriculum, cohort, model, report, credential): a new or
    /// empty folder, or an earlier demo's (replaced as a whole). Any other folder is refused.
    #[arg(short, long = "output", alias = "out", default_value = "pathwise-demo")]
    pub out: PathBuf,

    /// Only regenerate the demo cohort CSV into this file (used to refresh
    /// `datasets/demo/cohort.csv`) and exit.
    #[arg(long, value_name = "FILE")]
    pub write_cohort: Option<PathBuf>,
}

/// Runs the demo.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.write_cohort {
        write_atomic(path, |w| Ok(write_demo_cohort(w)?))?;
        return Ok(Outcome::Success);
    }
    refuse_stdout(&args.out, "-o", "the demo writes a folder of files")?;
    let out = OutputDir::check(&args.out, "demo")?;
    println!(
        "pathwise demo: a 70-skill curriculum and three simulated classes, in {}\n\
         Each step is an ordinary pathwise command run inside that folder (cd there to re-run \
         one).\n",
        out.path().display()
    );
    out.write(|dir| {
        let _inside = InFolder::enter(dir)?;
        run_steps()
    })?;
    println!("Files are in {}.", out.path().display());
    Ok(Outcome::Success)
}

/// The demo's steps, run inside the (temporary) demo folder on relative paths.
fn run_steps() -> anyhow::Result<()> {
    let curriculum = Path::new("curriculum.toml");
    let cohort = Path::new("cohort.csv");
    write_atomic(curriculum, |w| {
        Ok(w.write_all(DEMO_CURRICULUM_TOML.as_bytes())?)
    })?;
    write_atomic(cohort, |w| Ok(w.write_all(DEMO_COHORT_CSV.as_bytes())?))?;
    let model = Path::new("model.json");
    let steps: Vec<(&str, Vec<OsString>)> = vec![
        (
            "What the cohort log holds",
            args_of(["data", "stats"], [cohort]),
        ),
        (
            "The curriculum graph",
            args_of(["graph", "stats"], [curriculum]),
        ),
        (
            "Fit BKT with forgetting and item-level guess/slip",
            args_of(
                ["fit", "--forgets", "--item-guess-slip", "--quiet", "-o"],
                [model, cohort],
            ),
        ),
        (
            "Next activities for three learners, with reasons",
            args_of(
                [
                    "recommend",
                    "--learner",
                    "7A-01",
                    "--learner",
                    "7B-05",
                    "--learner",
                    "7C-03",
                    "--top",
                    "2",
                    "--model",
                ],
                [model, Path::new("--graph"), curriculum, cohort],
            ),
        ),
        (
            "A path to solving linear equations for learner 7C-03",
            args_of(
                [
                    "path",
                    "--learner",
                    "7C-03",
                    "--goal",
                    "eq.two_step",
                    "--model",
                ],
                [model, Path::new("--graph"), curriculum, cohort],
            ),
        ),
        (
            "The teacher's cohort report, one page per class (open report/index.html)",
            args_of(
                ["report", "--group-by", "group", "--model"],
                [
                    model,
                    Path::new("--graph"),
                    curriculum,
                    Path::new("-o"),
                    Path::new("report"),
                    cohort,
                ],
            ),
        ),
        (
            "Cross-validate BKT against the baselines (5 folds, every learner tested once)",
            args_of(
                [
                    "eval",
                    "--models",
                    "majority,skill-mean,pfa,bkt,bkt-forgets",
                    "--folds",
                    "5",
                ],
                [cohort],
            ),
        ),
        (
            "Compare teaching policies on simulated learners whose truth is the fitted model \
             (pathwise against every baseline, paired by seed)",
            args_of(
                [
                    "simulate",
                    "--learners",
                    "100",
                    "--steps",
                    "150",
                    "--runs",
                    "5",
                    "--policy",
                    "all",
                    "--model",
                ],
                [model, Path::new("--graph"), curriculum],
            ),
        ),
        (
            "A learner's signed mastery record: issuer key, credential, offline verification",
            args_of(["record", "keygen", "-o"], [Path::new("issuer.key")]),
        ),
        (
            "",
            args_of(
                ["record", "issue", "--learner", "7A-01", "--key"],
                [
                    Path::new("issuer.key"),
                    Path::new("--model"),
                    model,
                    Path::new("--graph"),
                    curriculum,
                    Path::new("-o"),
                    Path::new("credential-7A-01.json"),
                    cohort,
                ],
            ),
        ),
        (
            "",
            args_of(["record", "verify"], [Path::new("credential-7A-01.json")]),
        ),
    ];
    for (title, argv) in steps {
        if !title.is_empty() {
            println!("== {title}");
        }
        let line = shown(&argv);
        println!("$ pathwise {line}");
        let cli = crate::parse(std::iter::once(OsString::from("pathwise")).chain(argv))
            .context("the demo built an invalid command line")?;
        let fitted = matches!(&cli.command, crate::Command::Fit(_));
        // A step that finds a failure (a credential that does not verify) fails the demo.
        if matches!(crate::dispatch(cli.command)?, Outcome::Failure) {
            anyhow::bail!("demo step `pathwise {line}` failed");
        }
        println!();
        if fitted {
            println!("== How close the fit came to the parameters the cohort was simulated with");
            print_recovery(model)?;
            println!();
        }
    }
    Ok(())
}

/// The working folder changed for as long as this guard lives (the demo's commands run inside
/// its folder, so the paths they print are the folder's own).
struct InFolder {
    previous: PathBuf,
}

impl InFolder {
    fn enter(dir: &Path) -> anyhow::Result<Self> {
        let previous = std::env::current_dir().context("cannot read the working folder")?;
        std::env::set_current_dir(dir)
            .with_context(|| format!("{}: cannot enter the folder", dir.display()))?;
        Ok(Self { previous })
    }
}

impl Drop for InFolder {
    fn drop(&mut self) {
        let _ = std::env::set_current_dir(&self.previous);
    }
}

/// Command-line words followed by paths.
fn args_of<const N: usize, const M: usize>(words: [&str; N], paths: [&Path; M]) -> Vec<OsString> {
    words
        .iter()
        .map(OsString::from)
        .chain(paths.iter().map(|p| p.as_os_str().to_owned()))
        .collect()
}

fn shown(argv: &[OsString]) -> String {
    argv.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Skills with fewer learners than this are left out of the recovery table (their estimates are
/// mostly prior).
const RECOVERY_MIN_LEARNERS: u64 = 20;

/// Prints the true parameters of the demo cohort's simulation beside the fitted ones: mean over
/// skills with enough learners, and the mean absolute error.
fn print_recovery(model_path: &Path) -> anyhow::Result<()> {
    let graph = pathwise_datasets::demo_curriculum();
    let world = pathwise_datasets::demo_world(&graph)?;
    let model = super::fit::read_model(model_path)?;
    let pairs: Vec<(pathwise::Params, pathwise::Params)> = graph
        .skills()
        .iter()
        .enumerate()
        .filter_map(|(s, skill)| {
            let fitted = model.skill(&skill.id)?;
            (fitted.stats().learners >= RECOVERY_MIN_LEARNERS)
                .then(|| (*world.skill(s), *fitted.params()))
        })
        .collect();
    if pairs.is_empty() {
        println!("no skill has {RECOVERY_MIN_LEARNERS} learners or more");
        return Ok(());
    }
    let n = pairs.len() as f64;
    let mut table = Table::new(["parameter", "true_mean", "fitted_mean", "mean_abs_error"]);
    let values = |p: &pathwise::Params| [p.prior, p.learn, p.forget, p.guess, p.slip];
    let mean = |f: &dyn Fn(&[f64; 5], &[f64; 5]) -> f64| {
        pairs
            .iter()
            .map(|(t, fit)| f(&values(t), &values(fit)))
            .sum::<f64>()
            / n
    };
    for (k, name) in ["prior", "learn", "forget", "guess", "slip"]
        .iter()
        .enumerate()
    {
        table.push([
            name.to_string(),
            format!("{:.3}", mean(&|t, _| t[k])),
            format!("{:.3}", mean(&|_, f| f[k])),
            format!("{:.3}", mean(&|t, f| (t[k] - f[k]).abs())),
        ]);
    }
    table.write(&mut std::io::stdout().lock(), Format::Table)?;
    println!(
        "over the {} skills with at least {RECOVERY_MIN_LEARNERS} learners. The simulation slows \
         learning {}x while a prerequisite is unknown, so the fitted learn rate is an effective \
         one; guess and slip also vary by activity around the skill's values.",
        pairs.len(),
        pathwise::eval::simulate::DEFAULT_BLOCKED_LEARN_FACTOR.recip()
    );
    Ok(())
}
