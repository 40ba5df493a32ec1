//! `pathwise graph check|stats|dot GRAPH`: validate a skill-graph file, summarise its shape, or
//! draw it with Graphviz. The file formats are described in `datasets/GRAPHS.md`.

use std::io::Write;
use std::path::{Path, PathBuf};

use pathwise::text::terminal_safe;
use pathwise_datasets::{GraphOptions, LoadedGraph, load_graph};
use serde::Serialize;

use crate::Outcome;
use crate::output::{Format, Table, write_atomic, write_json};

/// Arguments of `pathwise graph`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do with the graph.
    #[command(subcommand)]
    pub command: GraphCommand,
}

/// The `graph` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum GraphCommand {
    /// Check a graph file: ids, duplicates, self-loops, cycles (exit 0 valid, 2 invalid).
    Check(CheckArgs),
    /// Summarise a graph: skills, edges, activities, roots, leaves, depth, degrees.
    Stats(StatsArgs),
    /// Write the graph in Graphviz DOT (render with `dot -Tsvg`).
    Dot(DotArgs),
}

/// The graph file and how to read it (shared by the `graph` subcommands).
#[derive(Debug, Clone, clap::Args)]
pub struct GraphInput {
    /// The graph: native `.toml`/`.json`, an edge-list CSV, the Junyi exercise table, or AL-CPL `.preqs`.
    #[arg(value_name = "GRAPH")]
    pub graph: PathBuf,

    /// Drop self-loops and a small set of edges that breaks every cycle (each dropped edge is listed)
    /// instead of rejecting the graph.
    #[arg(long)]
    pub drop_cycle_edges: bool,

    /// For an edge-list CSV: the skills CSV (`id,name[,standard][,description]`); by default
    /// `<stem>.skills.csv` beside the edge list, if present.
    #[arg(long, value_name = "FILE")]
    pub skills: Option<PathBuf>,
}

/// Arguments of `pathwise graph check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The graph.
    #[command(flatten)]
    pub input: GraphInput,

    /// Output format: the verdict as sentences (table), or its figures as `statistic,value` CSV or
    /// a JSON object.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// What `graph check` found about a valid graph; also its JSON output.
#[derive(Debug, Serialize)]
struct CheckReport {
    valid: bool,
    format: String,
    skills: usize,
    edges: usize,
    activities: usize,
    dropped_edges: Vec<String>,
    skills_without_activities: usize,
}

/// Arguments of `pathwise graph stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The graph.
    #[command(flatten)]
    pub input: GraphInput,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the statistics to this file (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `pathwise graph dot`.
#[derive(Debug, clap::Args)]
pub struct DotArgs {
    /// The graph.
    #[command(flatten)]
    pub input: GraphInput,

    /// Write the DOT text to this file (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Loads a graph file for a command; when edges were dropped to break cycles, says which on
/// stderr (one line). Other commands that take `--graph` can use it too.
pub fn load(
    path: &Path,
    drop_cycle_edges: bool,
    skills: Option<&Path>,
) -> anyhow::Result<LoadedGraph> {
    let loaded = load_graph(
        path,
        &GraphOptions {
            drop_cycle_edges,
            skills_file: skills.map(Path::to_path_buf),
        },
    )?;
    if !loaded.dropped_edges.is_empty() {
        crate::note!(
            "{}: dropped {} edge(s) to break cycles: {}",
            path.display(),
            loaded.dropped_edges.len(),
            dropped_list(&loaded.dropped_edges)
        );
    }
    Ok(loaded)
}

/// Dropped edges as `prerequisite -> skill`.
fn dropped_strings(dropped: &[(String, String)]) -> Vec<String> {
    dropped.iter().map(|(p, s)| format!("{p} -> {s}")).collect()
}

/// `a -> b (self-loop), c -> d`.
fn dropped_list(dropped: &[(String, String)]) -> String {
    dropped
        .iter()
        .map(|(p, s)| {
            if p == s {
                format!("{p} -> {s} (self-loop)")
            } else {
                format!("{p} -> {s}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl GraphInput {
    fn load(&self) -> anyhow::Result<LoadedGraph> {
        load(&self.graph, self.drop_cycle_edges, self.skills.as_deref())
    }
}

/// The JSON output of `graph stats` (stable snake_case keys): the library's [`pathwise::graph::GraphStats`]
/// between the file's format and the dropped edges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphStats {
    /// The format the file was read as (`toml`, `json`, `edge-list`, `junyi`, `al-cpl`).
    pub format: String,
    /// The graph's shape (after any dropped edges).
    #[serde(flatten)]
    pub shape: pathwise::graph::GraphStats,
    /// Edges dropped by `--drop-cycle-edges`, as `prerequisite -> skill`.
    pub dropped_edges: Vec<String>,
}

impl GraphStats {
    /// Measures `loaded`.
    pub fn of(loaded: &LoadedGraph) -> Self {
        GraphStats {
            format: loaded.format.name().to_owned(),
            shape: loaded.graph.stats(),
            dropped_edges: dropped_strings(&loaded.dropped_edges),
        }
    }

    /// The statistics as a two-column table (`statistic`, `value`); the longest path shows only
    /// its two ends (`longest_path_from`, `longest_path_to`), the JSON has every skill on it.
    pub fn table(&self) -> Table {
        let g = &self.shape;
        let mut t = Table::new(["statistic", "value"]);
        t.push(["format", self.format.as_str()]);
        for (name, value) in [
            ("skills", g.skills),
            ("edges", g.edges),
            ("activities", g.activities),
            ("roots", g.roots),
            ("leaves", g.leaves),
            ("isolated", g.isolated),
            ("depth", g.depth as usize),
        ] {
            t.push([name.to_owned(), value.to_string()]);
        }
        let ends = |i: Option<&String>| i.cloned().unwrap_or_default();
        t.push(["longest_path_from".to_owned(), ends(g.longest_path.first())]);
        t.push(["longest_path_to".to_owned(), ends(g.longest_path.last())]);
        t.push(["max_in_degree".to_owned(), g.max_in_degree.to_string()]);
        t.push(["max_in_degree_skill", g.max_in_degree_skill.as_str()]);
        t.push(["max_out_degree".to_owned(), g.max_out_degree.to_string()]);
        t.push(["max_out_degree_skill", g.max_out_degree_skill.as_str()]);
        t.push([
            "skills_without_activities".to_owned(),
            g.skills_without_activities.to_string(),
        ]);
        t.push([
            "dropped_edges".to_owned(),
            self.dropped_edges.len().to_string(),
        ]);
        t
    }
}

/// Runs `pathwise graph ...`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.command {
        GraphCommand::Check(check) => run_check(check),
        GraphCommand::Stats(stats) => run_stats(stats),
        GraphCommand::Dot(dot) => run_dot(dot),
    }
}

fn run_check(args: &CheckArgs) -> anyhow::Result<Outcome> {
    // Dropped edges are listed on stdout here, so no note on stderr.
    let loaded = load_graph(
        &args.input.graph,
        &GraphOptions {
            drop_cycle_edges: args.input.drop_cycle_edges,
            skills_file: args.input.skills.clone(),
        },
    )?;
    let g = &loaded.graph;
    let without = (0..g.n_skills() as u32)
        .filter(|&s| g.skill_activities(s).is_empty())
        .count();
    let mut out = std::io::stdout().lock();
    if args.format != Format::Table {
        let report = CheckReport {
            valid: true,
            format: loaded.format.name().to_owned(),
            skills: g.n_skills(),
            edges: g.n_edges(),
            activities: g.n_activities(),
            dropped_edges: dropped_strings(&loaded.dropped_edges),
            skills_without_activities: if g.n_activities() > 0 { without } else { 0 },
        };
        match args.format {
            Format::Json => write_json(&mut out, &report)?,
            _ => {
                let mut t = Table::new(["statistic", "value"]);
                t.push(["valid".to_owned(), report.valid.to_string()]);
                t.push(["format".to_owned(), report.format.clone()]);
                for (name, value) in [
                    ("skills", report.skills),
                    ("edges", report.edges),
                    ("activities", report.activities),
                    (
                        "skills_without_activities",
                        report.skills_without_activities,
                    ),
                ] {
                    t.push([name.to_owned(), value.to_string()]);
                }
                t.push(["dropped_edges".to_owned(), report.dropped_edges.join(", ")]);
                t.write(&mut out, args.format)?;
            }
        }
        out.flush()?;
        return Ok(Outcome::Success);
    }
    writeln!(
        out,
        "{}: ok ({}): {} skills, {} prerequisite edges, {} activities, acyclic",
        terminal_safe(&args.input.graph.display().to_string()),
        loaded.format.name(),
        g.n_skills(),
        g.n_edges(),
        g.n_activities()
    )?;
    if !loaded.dropped_edges.is_empty() {
        writeln!(
            out,
            "dropped {} edge(s): {}",
            loaded.dropped_edges.len(),
            terminal_safe(&dropped_list(&loaded.dropped_edges))
        )?;
    }
    if g.n_activities() > 0 && without > 0 {
        writeln!(out, "note: {without} skill(s) have no activity")?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn run_stats(args: &StatsArgs) -> anyhow::Result<Outcome> {
    let loaded = args.input.load()?;
    let stats = GraphStats::of(&loaded);
    let path = args.output.as_deref().unwrap_or(Path::new("-"));
    write_atomic(path, |out| match args.format {
        Format::Json => write_json(out, &stats),
        format => stats.table().write(out, format),
    })?;
    Ok(Outcome::Success)
}

fn run_dot(args: &DotArgs) -> anyhow::Result<Outcome> {
    let loaded = args.input.load()?;
    let dot = loaded.graph.to_dot();
    let path = args.output.as_deref().unwrap_or(Path::new("-"));
    write_atomic(path, |w| Ok(w.write_all(dot.as_bytes())?))?;
    Ok(Outcome::Success)
}
