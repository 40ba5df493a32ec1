//! `pathwise fit LOG... -o MODEL.json`: fits a BKT model (any combination of variants) and writes
//! it atomically, then prints a per-skill report (iterations, converged, log-likelihood,
//! observations, learners, flags), and a warning naming the skills whose fit is flagged.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use pathwise::{
    FitOptions, FixedParams, Model, PseudoCounts, Variant,
    bkt::{Bounds, FitFlag},
};
use pathwise_datasets::files_sha256;
use serde::Serialize;

use crate::input::{MODEL_LIMIT, read_text};
use crate::log_args::LogArgs;
use crate::output::{Format, Table, write_atomic, write_json};
use crate::status::progress_bar;
use crate::{Outcome, limits};

/// Arguments of `pathwise fit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The log and how to read it.
    #[command(flatten)]
    pub log: LogArgs,

    /// Let mastery be lost: fit a forget rate per skill.
    #[arg(long)]
    pub forgets: bool,

    /// KT-IDEM: fit guess and slip per item (within each skill).
    #[arg(long)]
    pub item_guess_slip: bool,

    /// Fit learn (and, with --forgets, forget) per item.
    #[arg(long)]
    pub item_learn: bool,

    /// Two learner classes with their own prior per skill; a learner's class is inferred from
    /// their own earlier responses only (docs/bkt.md).
    #[arg(long)]
    pub learner_prior: bool,

    /// Parameter bounds: `default` (guess, slip ≤ 0.499), `none` (unconstrained EM), or a list
    /// of PARAM=MAX / PARAM=MIN:MAX changing the defaults, e.g. `guess=0.3,slip=0.3`.
    #[arg(long, value_name = "SPEC", default_value = "default")]
    pub bounds: String,

    /// Pseudo-observations added to each parameter's counts at the textbook values (prior 0.5,
    /// learn 0.1, forget 0.05, guess 0.2, slip 0.1): a weak Beta prior that keeps skills with
    /// little data away from degenerate fits. 0 is maximum-likelihood EM. [default: 5, or 0 with
    /// --bounds none, so that `--bounds none` alone is plain unconstrained EM]
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    pub pseudo_counts: Option<f64>,

    /// JSON file of parameters to hold fixed: `{"<skill>" or "*": {"guess": 0.2, ...}}`.
    #[arg(long, value_name = "FILE")]
    pub fixed: Option<PathBuf>,

    /// Start EM from this model's parameters (skills and items it knows).
    #[arg(long, value_name = "MODEL")]
    pub warm_start: Option<PathBuf>,

    /// Starting points per skill; the best fit wins (log-likelihood plus the pseudo-counts' log
    /// prior).
    #[arg(long, default_value_t = 5, value_parser = limits::range::<u32>(1, limits::MAX_RESTARTS))]
    pub restarts: u32,

    /// Seed of the restarts' random starting points.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Stop when the relative change of EM's objective (the log-likelihood, plus the
    /// pseudo-counts' log prior) between iterations is at most this.
    #[arg(long, default_value_t = 1e-6, allow_negative_numbers = true)]
    pub tol: f64,

    /// Stop after this many EM iterations even if not converged.
    #[arg(long, default_value_t = 200, value_parser = limits::range::<u32>(1, limits::MAX_ITERATIONS))]
    pub max_iter: u32,

    /// Where to write the model (JSON).
    #[arg(short, long = "output", alias = "out", value_name = "MODEL.json")]
    pub out: PathBuf,

    /// Format of the per-skill report on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One line of the per-skill report (also the JSON output).
#[derive(Debug, Serialize)]
struct SkillLine<'a> {
    skill: &'a str,
    iterations: u32,
    converged: bool,
    log_likelihood: f64,
    observations: u64,
    learners: u64,
    flags: &'a [FitFlag],
}

/// Reads a model file (`--model` of every command that uses one, and `fit --warm-start`).
pub fn read_model(path: &Path) -> anyhow::Result<Model> {
    let text = read_text(path, MODEL_LIMIT, "a model file")?;
    Ok(Model::from_json(&text, &path.display().to_string())?)
}

impl Args {
    /// The library options these arguments stand for (checked, and files read).
    pub fn options(&self) -> anyhow::Result<FitOptions> {
        let fixed = match &self.fixed {
            Some(path) => {
                let text = read_text(path, MODEL_LIMIT, "a parameter file")?;
                FixedParams::from_json(&text, &path.display().to_string())?
            }
            None => FixedParams::default(),
        };
        let warm_start = self.warm_start.as_deref().map(read_model).transpose()?;
        let bounds = Bounds::parse(&self.bounds)?;
        let options = FitOptions {
            variant: Variant {
                forgets: self.forgets,
                item_guess_slip: self.item_guess_slip,
                item_learn: self.item_learn,
                learner_prior: self.learner_prior,
            },
            bounds,
            pseudo_counts: PseudoCounts::chosen(self.pseudo_counts, &bounds),
            restarts: self.restarts,
            seed: self.seed,
            tol: self.tol,
            max_iter: self.max_iter,
            fixed,
            warm_start,
        };
        options.validate().map_err(|e| match e {
            pathwise::Error::Config {
                setting: Some(setting),
                message,
            } => anyhow::anyhow!("--{}: {message}", setting.replace('_', "-")),
            other => other.into(),
        })?;
        Ok(options)
    }
}

/// A skill's flags as the report shows them: names separated by spaces.
fn flag_names(flags: &[FitFlag]) -> String {
    flags
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many skills the warning about flagged fits names.
const FLAGGED_SHOWN: usize = 5;

/// The warning about skills whose fit is flagged: their count and the first few with their flags,
/// or `None` when no skill is flagged.
fn flagged_warning(model: &Model) -> Option<String> {
    let flagged: Vec<_> = model
        .skills()
        .iter()
        .filter(|s| !s.flags().is_empty())
        .collect();
    if flagged.is_empty() {
        return None;
    }
    let shown: Vec<String> = flagged
        .iter()
        .take(FLAGGED_SHOWN)
        .map(|s| {
            format!(
                "{} ({})",
                pathwise::text::quoted(s.id()),
                flag_names(s.flags())
            )
        })
        .collect();
    let more = match flagged.len().saturating_sub(FLAGGED_SHOWN) {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    Some(format!(
        "{} of {} skills have a degenerate or thinly supported fit (flags in docs/bkt.md): {}{more}",
        flagged.len(),
        model.n_skills(),
        shown.join(", "),
    ))
}

/// Runs `pathwise fit`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let options = args.options()?;
    // Fail before a long fit, not after it.
    crate::output::refuse_stdout(&args.out, "-o", "fit prints its report on standard output")?;
    crate::output::check_writable(&args.out)?;
    // The input's digest is computed while the log is read (the reader leaves a core idle at times).
    let (loaded, sha) = rayon::join(|| args.log.load(), || files_sha256(&args.log.logs));
    let loaded = loaded?;
    let log = &loaded.log;
    let sha = sha?;

    let bar = progress_bar("{spinner} fitting [{bar:30}] {pos}/{len} skills, {msg}");
    let progress = |p: pathwise::Progress| {
        bar.set_length(p.skills_total as u64);
        bar.set_position(p.skills_done as u64);
        bar.set_message(format!("{} EM iterations", p.iterations));
        ControlFlow::Continue(())
    };
    let mut model = pathwise::fit(log, &options, progress)?;
    bar.finish_and_clear();
    model.set_input_sha256(Some(sha));

    write_atomic(&args.out, |w| Ok(w.write_all(model.to_json().as_bytes())?))?;

    let lines: Vec<SkillLine<'_>> = model
        .skills()
        .iter()
        .map(|s| SkillLine {
            skill: s.id(),
            iterations: s.stats().iterations,
            converged: s.stats().converged,
            log_likelihood: s.stats().log_likelihood,
            observations: s.stats().observations,
            learners: s.stats().learners,
            flags: s.flags(),
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => write_json(&mut out, &lines)?,
        format => {
            let mut t = Table::new([
                "skill",
                "iterations",
                "converged",
                "log_likelihood",
                "observations",
                "learners",
                "flags",
            ]);
            for l in &lines {
                t.push([
                    l.skill.to_owned(),
                    l.iterations.to_string(),
                    l.converged.to_string(),
                    format!("{:.3}", l.log_likelihood),
                    l.observations.to_string(),
                    l.learners.to_string(),
                    flag_names(l.flags),
                ]);
            }
            t.write(&mut out, format)?;
        }
    }
    if let Some(warning) = flagged_warning(&model) {
        crate::warning!("{warning}");
    }
    let info = model.fit_info();
    crate::status!(
        "fitted {} skills on {} observations, log-likelihood {:.3}{}; model written to {}",
        model.n_skills(),
        log.n_observations(),
        info.log_likelihood,
        if info.converged {
            String::new()
        } else {
            format!(
                " ({} skills did not converge in {} iterations)",
                lines.iter().filter(|l| !l.converged).count(),
                args.max_iter
            )
        },
        args.out.display()
    );
    Ok(Outcome::Success)
}
