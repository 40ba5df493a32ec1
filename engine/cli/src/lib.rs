//! The `pathwise` command line: one module per subcommand under [`commands`], argument parsing
//! with clap derive, and the mapping of outcomes to exit codes (`docs/architecture.md`):
//! 0 success, 1 the work ran but found a failure the user asked about, 2 bad input or usage.

pub mod commands;
pub mod input;
pub mod limits;
pub mod log_args;
pub mod mastery_args;
pub mod output;
pub mod output_dir;
pub mod overlap;
pub mod status;
pub mod temporary;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// pathwise — adaptive learning paths from skill graphs and Bayesian Knowledge Tracing.
#[derive(Debug, Parser)]
#[command(name = "pathwise", version, about, max_term_width = 100)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after its name.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GlobalArgs {
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = limits::range::<usize>(1, limits::MAX_THREADS))]
    pub threads: Option<usize>,

    /// No progress bars and no status lines on stderr (warnings, errors and the output still
    /// print).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the main job end to end on the built-in demo curriculum and cohort.
    Demo(commands::demo::Args),
    /// Learner-owned verifiable mastery records: issuer keys, credentials, verification.
    Record(commands::record::Args),
    /// Interaction logs: `data stats LOG...` summarises what a log holds.
    Data(commands::data::Args),
    /// Skill graphs: `graph check|stats|dot GRAPH` validates, summarises or draws one.
    Graph(commands::graph::Args),
    /// Recommend each learner's next activities, with score components and reasons.
    Recommend(commands::recommend::Args),
    /// A learner's path to their goals: the skills to learn, in order, with expected practice.
    Path(commands::path::Args),
    /// Compare models by learner-level cross-validation: AUC, RMSE, accuracy, log loss.
    Eval(commands::eval::Args),
    /// Fit a BKT model to interaction logs and write it as JSON.
    Fit(commands::fit::Args),
    /// Score every response of a log with a fitted model: P(correct), P(known) before and after.
    Predict(commands::predict::Args),
    /// Replay a log in time order as a deployed system would: predict each response before it is revealed.
    Replay(commands::replay::Args),
    /// Cohort report for teachers: a self-contained HTML page plus CSV/JSON tables.
    Report(commands::report::Args),
    /// Serve next activities over HTTP/JSON from a durable store of learners' events.
    Serve(commands::serve::Args),
    /// Simulated learners on a skill graph: compare teaching policies (pathwise, baselines).
    Simulate(commands::simulate::Args),
}

/// What a command that ran to the end found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything the user asked about is fine (exit 0).
    Success,
    /// The work ran and found a failure the user asked about, e.g. a graph check or a credential
    /// that does not verify (exit 1).
    Failure,
}

/// Runs the command line; errors become one line on stderr and exit code 2.
pub fn main() -> ExitCode {
    temporary::install_signal_handler();
    quiet_polars_panics();
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        // --help and --version print as clap writes them, on stdout, with exit 0.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            status::print_error(&usage_error(&e));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            status::print_error(&one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// Keeps panics raised inside polars off the terminal: the Parquet reader catches them and
/// reports the file as one `pathwise: error:` line (polars panics on some corrupt data pages).
/// Every other panic is printed as Rust prints it.
fn quiet_polars_panics() {
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A polars crate's source folder is `polars-<part>-<version>`, whatever the separator.
        let in_polars = info.location().is_some_and(|at| {
            std::path::Path::new(at.file())
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with("polars-"))
        });
        if !in_polars {
            print(info);
        }
    }));
}

/// The command line's definition: [`Cli`]'s, with negative numbers read as values everywhere, so
/// that `--seed -1` is refused by the flag's own parser (`invalid value '-1' for '--seed'`), not
/// taken for an unknown flag.
pub fn command() -> clap::Command {
    fn negative_numbers(command: clap::Command) -> clap::Command {
        command
            .allow_negative_numbers(true)
            .mut_subcommands(negative_numbers)
    }
    negative_numbers(<Cli as clap::CommandFactory>::command())
}

/// Parses a command line (the program's name first) with [`command`].
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command().try_get_matches_from(args)?;
    <Cli as clap::FromArgMatches>::from_arg_matches(&matches)
}

/// A command-line error as one line: what is wrong, then where to read about it,
/// e.g. `unexpected argument '--fo' found; did you mean '--format'? (see 'pathwise fit --help')`.
fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let strings = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    };
    let rendered = e.render().to_string();
    let mut what = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_owned();
    if e.kind() == ErrorKind::MissingRequiredArgument {
        what = format!(
            "missing required argument: {}",
            strings(ContextKind::InvalidArg).join(", ")
        );
    }
    let valid = strings(ContextKind::ValidValue);
    if !valid.is_empty() && e.kind() == ErrorKind::InvalidValue {
        what.push_str(&format!("; possible values: {}", valid.join(", ")));
    }
    let suggested: Vec<String> = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
        ContextKind::SuggestedSubcommand,
    ]
    .into_iter()
    .flat_map(strings)
    .collect();
    if !suggested.is_empty() {
        what.push_str(&format!("; did you mean '{}'?", suggested.join("' or '")));
    }
    // The subcommand the arguments reached, e.g. `pathwise record issue`.
    let mut command = command();
    let mut path = vec![command.get_name().to_owned()];
    for arg in std::env::args_os().skip(1) {
        let Some(arg) = arg.to_str() else { continue };
        if let Some(sub) = command.find_subcommand(arg).cloned() {
            path.push(sub.get_name().to_owned());
            command = sub;
        }
    }
    if matches!(
        e.kind(),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let names: Vec<&str> = command
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| *n != "help")
            .collect();
        what = format!("missing a command: one of {}", names.join(", "));
    }
    let command = path.join(" ");
    format!("{what} (see '{command} --help')")
}

/// Runs a parsed command line: the global options set the worker threads and quiet mode, then
/// the command runs inside that thread pool.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    status::set_quiet(cli.global.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cli.global.threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    pool.install(|| dispatch(cli.command))
}

/// Runs one command in the current thread pool and quiet mode (the demo runs its steps so).
pub fn dispatch(command: Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Demo(args) => commands::demo::run(&args),
        Command::Record(args) => commands::record::run(&args),
        Command::Data(args) => commands::data::run(&args),
        Command::Graph(args) => commands::graph::run(&args),
        Command::Recommend(args) => commands::recommend::run(&args),
        Command::Path(args) => commands::path::run(&args),
        Command::Eval(args) => commands::eval::run(&args),
        Command::Fit(args) => commands::fit::run(&args),
        Command::Predict(args) => commands::predict::run(&args),
        Command::Replay(args) => commands::replay::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Simulate(args) => commands::simulate::run(&args),
    }
}

/// The error and its causes on one line, each cause once.
pub(crate) fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
