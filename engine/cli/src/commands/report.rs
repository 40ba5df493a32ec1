//! `pathwise report`: cohort reports for teachers — an HTML page and CSV/JSON tables per cohort
//! (the whole log, or each value of `--group-by`), written atomically into `-o DIR` by
//! [`OutputDir`], which refuses a folder it did not write.
//! The rules and every column are documented in `docs/report.md`.

use std::io::Write;
use std::path::{Path, PathBuf};

use pathwise::text::terminal_safe;
use pathwise::{
    InteractionLog, Location, Policy, Recommender,
    report::{Cohort, CohortSelection, ReportSettings, cohort_reports},
};
use pathwise_datasets::{GraphOptions, load_graph};
use pathwise_report::{CohortEntry, FileFormat, cohorts_sheet, write_cohorts};

use crate::Outcome;
use crate::commands::fit::read_model;
use crate::log_args::LogArgs;
use crate::mastery_args::MasteryArgs;
use crate::output::{Format, write_json};
use crate::output_dir::OutputDir;
use crate::overlap;
use crate::status::progress_bar;

/// Arguments of `pathwise report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The fitted model (from `pathwise fit`).
    #[arg(long, value_name = "MODEL.json")]
    pub model: PathBuf,

    /// The skill graph (native TOML/JSON, edge list, Junyi table); gives the curriculum order.
    #[arg(long, value_name = "GRAPH")]
    pub graph: PathBuf,

    /// Interaction logs and how to read them.
    #[command(flatten)]
    pub log: LogArgs,

    /// One report per value of this log column (e.g. a class id); it becomes the `group` role.
    #[arg(long, value_name = "COLUMN")]
    pub group_by: Option<String>,

    /// Only these learners: a file with one id per line (or a CSV whose first column is the id;
    /// a first line `learner` is a header).
    #[arg(long, value_name = "FILE")]
    pub learners: Option<PathBuf>,

    /// Exactly K teaching groups [default: the smallest k in 2..=6 whose simplified silhouette
    /// is within 0.02 of the best].
    #[arg(long, value_name = "K")]
    pub groups: Option<usize>,

    /// When a skill is mastered and when a learner is stuck on it (the rule `recommend` uses).
    #[command(flatten)]
    pub mastery: MasteryArgs,

    /// Timestamped logs: inactive after this many days without a response before the log's end.
    #[arg(long, value_name = "D", default_value_t = 14.0)]
    pub inactive_days: f64,

    /// Logs ordered by a global sequence: inactive when the last response is more than this
    /// share of the order range before the end.
    #[arg(long, value_name = "S", default_value_t = 0.25)]
    pub inactive_share: f64,

    /// Drop self-loops and the edges that close cycles in the graph instead of failing.
    #[arg(long)]
    pub drop_cycle_edges: bool,

    /// Table files as CSV (table, csv) or JSON (json); the terminal summary follows it too.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// The report folder: a new or empty folder, or an earlier report (replaced as a whole, only
    /// when everything was written). Any other folder is refused.
    #[arg(short, long = "output", alias = "out", value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `pathwise report`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let settings = ReportSettings {
        rule: args.mastery.rule()?,
        inactive_days: args.inactive_days,
        inactive_share: args.inactive_share,
        groups: args.groups,
        ..ReportSettings::default()
    };
    settings.validate()?;
    crate::output::refuse_stdout(&args.out, "-o", "a report is a folder of files")?;
    // Before any work: a folder that may not be replaced is refused at once.
    let out = OutputDir::check(&args.out, "report")?;
    let model = read_model(&args.model)?;
    let mut log_args = args.log.clone();
    if let Some(column) = &args.group_by {
        log_args.columns.push(format!("group={column}"));
    }
    let graph_options = GraphOptions {
        drop_cycle_edges: args.drop_cycle_edges,
        ..GraphOptions::default()
    };
    let graph = load_graph(&args.graph, &graph_options)?.graph;
    let log = log_args.load_with_graph(&graph)?.log;
    overlap::refuse_disjoint_graph(&model, &args.model, &graph, &args.graph)?;
    overlap::check_log(&model, &args.model, &log, &args.log.logs)?;
    let graph = if graph.n_activities() == 0 {
        graph.with_log_items(&log)
    } else {
        graph
    };
    let selection = CohortSelection {
        learners: match &args.learners {
            Some(path) => Some(select_learners(path, &log)?),
            None => None,
        },
        by_group: args.group_by.is_some(),
    };
    let model = std::sync::Arc::new(model);
    let recommender = Recommender::new(graph.into(), model.clone(), Policy::default())?;
    for warning in recommender.warnings() {
        crate::warning!("{warning}");
    }
    if selection.by_group && log.groups().is_empty() {
        anyhow::bail!("--group-by: no response of the log has a value in that column");
    }
    // The library reports no progress here: a spinner shows the work goes on.
    let spinner = progress_bar("{spinner} building the report");
    let cohorts = cohort_reports(&log, &model, &recommender, &selection, &settings);
    spinner.finish_and_clear();
    let cohorts = cohorts?;
    let name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let logs: Vec<String> = args.log.logs.iter().map(|p| name(p)).collect();
    let sources = format!(
        "model {}, graph {}, log {}",
        name(&args.model),
        name(&args.graph),
        logs.join(", ")
    );
    let file_format = match args.format {
        Format::Json => FileFormat::Json,
        Format::Table | Format::Csv => FileFormat::Csv,
    };
    let entries = write_report(
        &out,
        &cohorts,
        args.group_by.is_some(),
        &sources,
        &settings,
        file_format,
    )?;
    let mut out = std::io::stdout().lock();
    print_summary(&mut out, &args.out, &entries, &cohorts, args.format)?;
    Ok(Outcome::Success)
}

/// Reads `--learners FILE` and maps every id to the log's dense learner id.
fn select_learners(path: &Path, log: &InteractionLog) -> anyhow::Result<Vec<u32>> {
    let file = path.display().to_string();
    // At most 64 MiB (a million ids of 64 bytes), so /dev/zero is an error, not a full memory.
    let bytes = crate::input::read_limited(path, 64 << 20, "a learner list")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut ids = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 1;
        let record = record
            .map_err(|e| pathwise::Error::input(Location::file(&file).line(line), e.to_string()))?;
        let id = record.get(0).unwrap_or("").trim();
        if id.is_empty() || (line == 1 && id == "learner") {
            continue;
        }
        let Some(dense) = log.learners().id(id) else {
            return Err(pathwise::Error::input(
                Location::file(&file).line(line),
                format!("learner '{id}' is not in the log"),
            )
            .into());
        };
        if !ids.contains(&dense) {
            ids.push(dense);
        }
    }
    if ids.is_empty() {
        anyhow::bail!("{file}: the learner list is empty");
    }
    Ok(ids)
}

/// Writes the report folder ([`write_cohorts`]) through [`OutputDir`]: into a temporary folder
/// that replaces the target once everything is written.
fn write_report(
    out: &OutputDir,
    cohorts: &[Cohort],
    grouped: bool,
    sources: &str,
    settings: &ReportSettings,
    format: FileFormat,
) -> anyhow::Result<Vec<CohortEntry>> {
    out.write(|dir| {
        let entries = write_cohorts(
            dir,
            out.path(),
            cohorts,
            grouped,
            sources,
            settings,
            format,
            || crate::temporary::checkpoint("cohort-written"),
        )?;
        Ok(entries)
    })
}

/// The short terminal summary: per cohort, its size, attempts, groups and watch lists.
fn print_summary(
    out: &mut dyn Write,
    dir: &Path,
    entries: &[CohortEntry],
    cohorts: &[Cohort],
    format: Format,
) -> anyhow::Result<()> {
    let sheet = cohorts_sheet(entries);
    match format {
        Format::Json => {
            let value = serde_json::json!({
                "out": dir.display().to_string(),
                "page": dir.join("index.html").display().to_string(),
                "cohorts": sheet.to_json(),
            });
            write_json(out, &value)?;
        }
        Format::Csv => sheet.write_csv(out)?,
        Format::Table => {
            for (e, cohort) in entries.iter().zip(cohorts) {
                let s = &e.report.summary;
                let ready_next: Vec<String> = e
                    .report
                    .ready_next
                    .iter()
                    .take(3)
                    .map(|&k| {
                        let name = terminal_safe(&cohort.input.skills[k].name);
                        format!("{name} ({})", e.report.skills[k].ready)
                    })
                    .collect();
                let mean = s
                    .mean_mastery
                    .map_or_else(|| "none".to_owned(), |m| format!("{m:.3}"));
                writeln!(
                    out,
                    "{}: {} learners, {} skills, {} attempts, {} of {} learner-skill cells \
                     assessed (mean mastery there {mean})",
                    terminal_safe(&e.name),
                    s.learners,
                    s.skills,
                    s.responses,
                    s.assessed,
                    (s.learners as u64).saturating_mul(s.skills as u64),
                )?;
                writeln!(
                    out,
                    "  groups {}, stuck learner-skill pairs {}, inactive learners {}",
                    e.report.grouping.groups.len(),
                    e.report.stuck.len(),
                    e.report.inactive.len()
                )?;
                if let Some(k) = e.report.top_pick {
                    let skill = &cohort.input.skills[k];
                    if skill.flagged() {
                        writeln!(
                            out,
                            "  warning: the most common next step, {} ({} learners), rests on a \
                             flagged fit ({})",
                            terminal_safe(&skill.name),
                            e.report.skills[k].top_picks,
                            terminal_safe(&skill.flag_names().join(", "))
                        )?;
                    }
                }
                if !ready_next.is_empty() {
                    writeln!(out, "  ready next: {}", ready_next.join(", "))?;
                }
            }
            let page = dir.join("index.html").display().to_string();
            writeln!(out, "wrote {}", terminal_safe(&page))?;
        }
    }
    Ok(())
}
