//! `pathwise data stats LOG...`: what a log holds once loaded — rows, responses, learners,
//! skills, items, share correct, multi-skill responses, and the rows dropped and why — as
//! counted by the datasets crate's [`LogStats`]; this command prints them.

use std::path::{Path, PathBuf};

use pathwise::OrderKind;
use pathwise_datasets::LogStats;

use crate::Outcome;
use crate::log_args::LogArgs;
use crate::output::{Format, Table, write_atomic, write_json};

/// Arguments of `pathwise data`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do with the log.
    #[command(subcommand)]
    pub command: DataCommand,
}

/// The `data` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DataCommand {
    /// Summarise interaction logs: counts, share correct, rows dropped and why.
    Stats(StatsArgs),
}

/// Arguments of `pathwise data stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The log and how to read it.
    #[command(flatten)]
    pub log: LogArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the statistics to this file (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The statistics as a two-column table (`statistic`, `value`).
fn table(stats: &LogStats) -> Table {
    let mut t = Table::new(["statistic", "value"]);
    let detected = if stats.preset_detected {
        " (detected)"
    } else {
        ""
    };
    t.push(["preset".to_owned(), format!("{}{detected}", stats.preset)]);
    for (name, value) in [
        ("rows", stats.rows),
        ("rows_kept", stats.rows_kept),
        ("responses", stats.responses),
        ("observations", stats.observations),
        ("learners", stats.learners),
        ("skills", stats.skills),
        ("items", stats.items),
        ("groups", stats.groups),
    ] {
        t.push([name.to_owned(), value.to_string()]);
    }
    t.push([
        "correct_share".to_owned(),
        format!("{:.4}", stats.correct_share),
    ]);
    t.push([
        "multi_skill_responses".to_owned(),
        stats.multi_skill_responses.to_string(),
    ]);
    let order = match stats.order {
        OrderKind::Sequence => "sequence",
        OrderKind::TimestampMillis => "timestamp_millis",
    };
    t.push(["order".to_owned(), order.to_owned()]);
    t.push(["dropped".to_owned(), stats.dropped_total().to_string()]);
    for (reason, n) in &stats.dropped {
        t.push([format!("dropped_{reason}"), n.to_string()]);
    }
    t
}

/// Runs `pathwise data ...`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.command {
        DataCommand::Stats(stats) => run_stats(stats),
    }
}

fn run_stats(args: &StatsArgs) -> anyhow::Result<Outcome> {
    let stats = args.log.load()?.stats();
    let path = args.output.as_deref().unwrap_or(Path::new("-"));
    write_atomic(path, |out| match args.format {
        Format::Json => write_json(out, &stats),
        format => table(&stats).write(out, format),
    })?;
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pathwise::{LogBuilder, RawRow};
    use pathwise_datasets::Preset;

    #[test]
    fn the_table_lists_every_statistic_and_each_drop_reason() {
        let mut b = LogBuilder::new();
        b.push(RawRow {
            learner: "a",
            skills: &["x"],
            item: None,
            correct: true,
            order: 1,
            group: None,
        });
        b.drop_row("original = 0");
        let t = table(&LogStats::of(&b.build(), Preset::Generic, true));
        assert_eq!(t.rows[0], ["preset", "generic (detected)"]);
        assert!(t.rows.contains(&vec!["dropped".to_owned(), "1".to_owned()]));
        assert_eq!(t.rows.last().unwrap(), &["dropped_original_0", "1"]);
    }
}
