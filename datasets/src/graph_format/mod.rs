//! Skill-graph files: the native TOML schema (and the same schema as JSON), an edge-list CSV
//! with an optional skills CSV, the Junyi exercise table, and AL-CPL `.preqs` pairs. Each reader
//! turns a file into a [`SkillGraphBuilder`]; [`load_graph`] picks the reader and builds the
//! checked [`SkillGraph`]. The formats are documented in `datasets/GRAPHS.md`.

mod alcpl;
mod edge_list;
mod junyi;
mod native;

use std::path::{Path, PathBuf};

use pathwise::text::{cut, quoted};
use pathwise::{BuildOptions, Error, Location, Result, SkillGraph, SkillGraphBuilder};

/// How to load a graph file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphOptions {
    /// Drop self-loops and a small set of edges that breaks every cycle, instead of failing
    /// (see [`BuildOptions::drop_cycle_edges`]); the dropped edges are listed in
    /// [`LoadedGraph::dropped_edges`].
    pub drop_cycle_edges: bool,
    /// For an edge-list CSV: the skills CSV (`id,name[,standard][,description]`). When `None`,
    /// `<stem>.skills.csv` beside the edge list is used if it exists.
    pub skills_file: Option<PathBuf>,
}

/// The kinds of graph file [`load_graph`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GraphFormat {
    /// The native schema in TOML (`.toml`).
    Toml,
    /// The native schema in JSON (`.json`).
    Json,
    /// A CSV of `prerequisite,skill` rows.
    EdgeList,
    /// The Junyi Academy exercise table (`name`, `prerequisites`, … columns).
    Junyi,
    /// AL-CPL `.preqs` pairs (`concept,prerequisite` rows, no header).
    AlCpl,
}

impl GraphFormat {
    /// A short name for messages: `toml`, `json`, `edge-list`, `junyi`, `al-cpl`.
    pub fn name(self) -> &'static str {
        match self {
            GraphFormat::Toml => "toml",
            GraphFormat::Json => "json",
            GraphFormat::EdgeList => "edge-list",
            GraphFormat::Junyi => "junyi",
            GraphFormat::AlCpl => "al-cpl",
        }
    }
}

/// A loaded graph and what loading it did.
#[derive(Debug, Clone)]
pub struct LoadedGraph {
    /// The checked, acyclic graph.
    pub graph: SkillGraph,
    /// Edges dropped by [`GraphOptions::drop_cycle_edges`] as `(prerequisite, skill)`:
    /// self-loops (both ids equal) first, then edges that closed a cycle, in file order.
    pub dropped_edges: Vec<(String, String)>,
    /// The format the file was read as.
    pub format: GraphFormat,
    /// The skills CSV that was read with an edge list, if any.
    pub skills_file: Option<PathBuf>,
}

/// Reads a skill-graph file, detecting its format from the extension (`.toml`, `.json`,
/// `.preqs`) or, for CSV files, from the header (`name` and `prerequisites` columns: the Junyi
/// table; a prerequisite and a skill column: an edge list), and checks it.
///
/// Errors ([`Error::Input`]) name the file and the line, column or skill at fault: unreadable
/// file, a file longer than [`MAX_GRAPH_FILE_BYTES`], syntax errors
/// (file:line:column), a member named twice in one JSON object, unknown fields, an unrecognised
/// header, a graph without skills, and everything [`SkillGraphBuilder::build`] rejects.
pub fn load_graph(path: &Path, options: &GraphOptions) -> Result<LoadedGraph> {
    let file = path.display().to_string();
    let bytes = read_graph_file(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::input(
            Location::file(&file),
            format!(
                "not UTF-8 (invalid byte at offset {}); graph files must be UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let format = match extension.as_str() {
        "toml" => GraphFormat::Toml,
        "json" => GraphFormat::Json,
        "preqs" => GraphFormat::AlCpl,
        _ => detect_csv(&file, text)?,
    };
    let skills_file = match format {
        GraphFormat::EdgeList => options
            .skills_file
            .clone()
            .or_else(|| Some(edge_list::skills_beside(path)).filter(|p| p.is_file())),
        _ => None,
    };
    let builder = match format {
        GraphFormat::EdgeList => edge_list::read(&file, text, skills_file.as_deref())?,
        _ => reader(format, &file, text)?,
    };
    finish(&file, builder, format, skills_file, options)
}

/// The longest graph file read: 256 MiB (the Junyi exercise table is 0.4 MiB; a 100,000-skill
/// chain as an edge list about 2 MiB).
pub const MAX_GRAPH_FILE_BYTES: u64 = 256 << 20;

/// All of a graph (or skills) file through [`read_limited`](crate::read_limited), refused past
/// [`MAX_GRAPH_FILE_BYTES`], so that `/dev/zero` or a huge file named by mistake is one error line
/// rather than an exhausted memory, and a FIFO without a writer reads as empty instead of hanging.
fn read_graph_file(path: &Path) -> Result<Vec<u8>> {
    crate::read_limited(path, MAX_GRAPH_FILE_BYTES, "a graph file")
}

/// Parses graph text already in memory (`source` names it in messages). An edge list is read
/// without a skills file (`options.skills_file` is ignored).
///
/// ```
/// use pathwise_datasets::{GraphFormat, GraphOptions, parse_graph};
/// let text = "prerequisite,skill\ncount,add\nadd,multiply\n";
/// let loaded = parse_graph(text, "inline.csv", GraphFormat::EdgeList, &GraphOptions::default()).unwrap();
/// assert_eq!(loaded.graph.n_skills(), 3);
/// assert_eq!(loaded.graph.n_edges(), 2);
/// ```
pub fn parse_graph(
    text: &str,
    source: &str,
    format: GraphFormat,
    options: &GraphOptions,
) -> Result<LoadedGraph> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let builder = match format {
        GraphFormat::EdgeList => edge_list::read(source, text, None)?,
        _ => reader(format, source, text)?,
    };
    finish(source, builder, format, None, options)
}

fn reader(format: GraphFormat, file: &str, text: &str) -> Result<SkillGraphBuilder> {
    match format {
        GraphFormat::Toml => native::read_toml(file, text),
        GraphFormat::Json => native::read_json(file, text),
        GraphFormat::AlCpl => alcpl::read(file, text),
        GraphFormat::Junyi => junyi::read(file, text),
        GraphFormat::EdgeList => edge_list::read(file, text, None),
    }
}

/// The format of a CSV graph file, from its header.
fn detect_csv(file: &str, text: &str) -> Result<GraphFormat> {
    let header = text.lines().next().unwrap_or("");
    if junyi::is_junyi_header(header) {
        Ok(GraphFormat::Junyi)
    } else if edge_list::is_edge_list_header(header) {
        Ok(GraphFormat::EdgeList)
    } else {
        Err(Error::input(
            Location::file(file).line(1),
            format!(
                "unrecognised graph file: expected .toml, .json, .preqs, an edge-list CSV \
                 (header prerequisite,skill) or the Junyi exercise table (name,prerequisites,...); \
                 found header {}",
                quoted(header)
            ),
        ))
    }
}

fn finish(
    file: &str,
    builder: SkillGraphBuilder,
    format: GraphFormat,
    skills_file: Option<PathBuf>,
    options: &GraphOptions,
) -> Result<LoadedGraph> {
    if builder.n_skills() == 0 {
        return Err(Error::input(
            Location::file(file),
            "the file defines no skills",
        ));
    }
    let built = builder.build(&BuildOptions {
        drop_cycle_edges: options.drop_cycle_edges,
    })?;
    Ok(LoadedGraph {
        graph: built.graph,
        dropped_edges: built
            .dropped_edges
            .into_iter()
            .map(|d| (d.prerequisite, d.skill))
            .collect(),
        format,
        skills_file,
    })
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

/// Line numbers of byte offsets in one text, each found by binary search over the newline
/// offsets (counting newlines per lookup is quadratic on a graph with thousands of tables).
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let newlines = text
            .bytes()
            .enumerate()
            .filter_map(|(i, b)| (b == b'\n').then_some(i))
            .collect();
        Self { newlines }
    }

    /// The 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> u64 {
        self.newlines.partition_point(|&n| n < offset) as u64 + 1
    }
}

/// Reads a CSV document (header first) with the csv crate; `at(line)` locations are 1-based with
/// the header on line 1.
fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// A csv crate error as an input error at its line.
fn csv_error(file: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let mut at = Location::file(file);
    if line > 0 {
        at = at.line(line);
    }
    Error::input(
        at,
        format!("malformed CSV: {}", parser_message(&e.to_string())),
    )
}

/// A TOML, JSON or CSV parser's message for an error line: it may quote the input (an unknown
/// field's name), so it is escaped and cut like any input text.
fn parser_message(message: &str) -> String {
    cut(&message.replace('\n', " "), PARSER_MESSAGE_CHARS).into_owned()
}

/// The most characters of a parser's message an error keeps.
const PARSER_MESSAGE_CHARS: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let text = "ab\ncd\nef";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 100), (3, 3));
    }

    #[test]
    fn line_index_agrees_with_line_column() {
        let text = "a\n\nbc\nd\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line(offset),
                line_column(text, offset).0,
                "offset {offset}"
            );
        }
    }
}
