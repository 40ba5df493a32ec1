//! The `pathwise` command line: one module per subcommand under [`commands`], argument parsing
//! with clap derive, and the mapping of outcomes to exit codes (DESIGN.md):
//! 0 success, 1 the work ran but found a failure the user asked about, 2 bad input or usage.

pub mod commands;
pub mod log_args;
pub mod output;
pub mod output_dir;
pub mod temporary;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// pathwise — adaptive learning paths from skill graphs and Bayesian Knowledge Tracing.
#[derive(Debug, Parser)]
#[command(name = "pathwise", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pathwise: error: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// Dispatches a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
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
        Command::Simulate(args) => commands::simulate::run(&args),
    }
}

/// The error and its causes on one line, each cause once.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ").replace('\n', " ")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
