//! `pathwise demo`: the main job, end to end, on the built-in demo curriculum and cohort.
//!
//! Not built yet: the loaders, the skill graph and the BKT engine it runs do not exist so far, so
//! the command says so and exits with code 2 instead of printing invented results.

use std::path::PathBuf;

use crate::Outcome;

/// Arguments of `pathwise demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the demo's output files.
    #[arg(short, long, default_value = "pathwise-demo")]
    pub out: PathBuf,
}

/// Runs the demo.
pub fn run(_args: &Args) -> anyhow::Result<Outcome> {
    anyhow::bail!(
        "the demo is not built yet: it needs the log loaders, skill graph and BKT engine (issues 2-4)"
    )
}
