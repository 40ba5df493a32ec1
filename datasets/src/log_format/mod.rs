//! Interaction-log files (CSV, TSV, Parquet, the DKT line format, xAPI statements) read into a
//! [`pathwise::InteractionLog`], with column presets, `--col ROLE=NAME` overrides, preset
//! detection, Latin-1 input and errors that name file:line:column.
//!
//! ```no_run
//! use pathwise_datasets::{LogOptions, Preset, load_logs};
//! let options = LogOptions { preset: Some(Preset::Assistments), ..LogOptions::default() };
//! let loaded = load_logs(&["skill_builder.csv".into()], &options)?;
//! println!("{} responses", loaded.log.n_responses());
//! # Ok::<(), pathwise::Error>(())
//! ```

mod columns;
mod delimited;
mod delimiter;
mod dkt;
mod files;
mod item_map;
mod json_spans;
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(feature = "parquet")]
mod parquet_footer;
mod preset;
mod rows;
mod sniff;
mod values;
mod xapi_log;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pathwise::{Error, InteractionLog, Result, SkillGraph};

pub use delimiter::parse_delimiter;
pub use preset::{Preset, Role};
pub use values::Encoding;
pub use xapi_log::MAX_XAPI_FILE_BYTES;

use rows::{RowReader, Sink};
use sniff::Kind;

/// How to read interaction logs.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    /// The column layout; `None` detects it from the first file.
    pub preset: Option<Preset>,
    /// `--col ROLE=NAME` overrides: the column `NAME` holds `ROLE`, whatever the preset says.
    pub columns: Vec<(Role, String)>,
    /// How text is decoded.
    pub encoding: Encoding,
    /// The field delimiter of CSV/TSV files (and of the item→skill map); `None` detects it from
    /// each file's header line: see [`parse_delimiter`] for the values and the crate's README
    /// for the detection rules.
    pub delimiter: Option<u8>,
    /// An item→skill map (CSV/TSV: item, skill; an item may have several rows). When given, each
    /// row's skills are its item's skills from the map, and the log's own skill column (or the
    /// middle line of a 3-line DKT record, then read as item ids) is not used.
    pub item_skills: Option<PathBuf>,
    /// The skills of each activity of a skill graph (activity id → skill ids): how the items of
    /// xAPI statements map to skills when `item_skills` is not given. Other formats name their
    /// skills and do not use it. Set it with [`LogOptions::with_graph_activities`].
    pub activity_skills: Option<HashMap<String, Vec<String>>>,
}

impl LogOptions {
    /// These options, with `graph`'s activities as the item→skill map of xAPI statements.
    pub fn with_graph_activities(mut self, graph: &SkillGraph) -> Self {
        let skills = |a: &pathwise::graph::Activity| {
            a.skills
                .iter()
                .map(|&s| graph.skill(s).id.clone())
                .collect()
        };
        self.activity_skills = Some(
            graph
                .activities()
                .iter()
                .map(|a| (a.id.clone(), skills(a)))
                .collect(),
        );
        self
    }
}

/// A loaded log and how it was read.
#[derive(Debug, Clone)]
pub struct LoadedLog {
    /// The interaction log.
    pub log: InteractionLog,
    /// The preset used.
    pub preset: Preset,
    /// True when the preset was detected rather than given.
    pub preset_detected: bool,
}

/// Reads `paths` as one log (every file with the same layout, in the order given, which also
/// breaks ties in time order).
///
/// Rows dropped on purpose are counted in [`InteractionLog::dropped`] by reason: `original = 0`
/// (ASSISTments scaffolding), `no skill`, `no item` and `item not in the item-skill map`.
/// Everything else that is malformed is an [`Error::Input`] naming file:line:column.
pub fn load_logs(paths: &[PathBuf], options: &LogOptions) -> Result<LoadedLog> {
    if paths.is_empty() {
        return Err(Error::config("no interaction log file given"));
    }
    let item_skills = options
        .item_skills
        .as_deref()
        .map(|p| item_map::load(p, options.encoding, options.delimiter))
        .transpose()?;
    let item_map = item_skills.is_some();
    let mut sink = Sink::new(options.encoding, item_skills);
    let mut chosen = options.preset.map(|p| (p, false));
    let mut statements: Option<xapi_log::Statements> = None;
    for path in paths {
        if chosen.is_some_and(|(p, _)| p == Preset::Xapi) {
            statements_of(&mut statements, &sink, options)?.read(path)?;
            continue;
        }
        let kind = sniff::sniff(path, options.delimiter)?;
        if chosen.is_none() && kind == Kind::Statements {
            chosen = Some((Preset::Xapi, true));
            statements_of(&mut statements, &sink, options)?.read(path)?;
            continue;
        }
        if chosen.is_none() && kind == Kind::Lines {
            chosen = Some((Preset::Dkt, true));
        }
        if chosen.is_some_and(|(p, _)| p == Preset::Dkt) {
            dkt::read(path, &mut sink)?;
            continue;
        }
        let file = path.display().to_string();
        match kind {
            Kind::Parquet => read_parquet(path, &file, options, item_map, &mut chosen, &mut sink)?,
            Kind::Statements | Kind::Lines => {
                let table =
                    delimited::open(path, options.delimiter.unwrap_or(b','), options.encoding)?;
                read_table(table, options, item_map, &mut chosen, &mut sink)?;
            }
            Kind::Delimited(delimiter) => {
                let table = delimited::open(path, delimiter, options.encoding)?;
                read_table(table, options, item_map, &mut chosen, &mut sink)?;
            }
        }
    }
    let Some((preset, preset_detected)) = chosen else {
        return Err(Error::config("no interaction log file given"));
    };
    if let Some(statements) = statements {
        let file = sink.item_skills.clone();
        let map = match (file.as_deref(), &options.activity_skills) {
            (Some(file), _) => xapi_log::SkillMap::File(file),
            (None, Some(activities)) => xapi_log::SkillMap::Activities(activities),
            (None, None) => return Err(xapi_log::no_skill_map()),
        };
        statements.finish(&mut sink, map)?;
    }
    Ok(LoadedLog {
        log: sink.builder.build(),
        preset,
        preset_detected,
    })
}

/// The statements read so far, made on the first file of xAPI statements, once it is clear that
/// their items can be mapped to skills and that no option meant for tables is given (it would
/// be ignored).
fn statements_of<'s>(
    statements: &'s mut Option<xapi_log::Statements>,
    sink: &Sink,
    options: &LogOptions,
) -> Result<&'s mut xapi_log::Statements> {
    if sink.item_skills.is_none() && options.activity_skills.is_none() {
        return Err(xapi_log::no_skill_map());
    }
    if let Some((role, _)) = options.columns.first() {
        return Err(Error::config(format!(
            "xAPI statements have no columns to map (--col {role}=..., or report --group-by); \
             they give learner, item, correctness and time themselves"
        )));
    }
    if options.encoding != Encoding::Utf8 {
        return Err(Error::config(
            "xAPI statements are JSON, which is UTF-8: --encoding latin1 does not apply",
        ));
    }
    Ok(statements.get_or_insert_default())
}

/// Maps `header` with the chosen preset, or detects one (and remembers it) on the first file.
fn mapping(
    file: &str,
    header: &[String],
    options: &LogOptions,
    item_map: bool,
    chosen: &mut Option<(Preset, bool)>,
) -> Result<columns::Mapping> {
    let mapping = match *chosen {
        Some((preset, _)) => columns::resolve(file, header, preset, &options.columns, item_map)?,
        None => {
            let (preset, mapping) = columns::detect(file, header, &options.columns, item_map)?;
            *chosen = Some((preset, true));
            mapping
        }
    };
    columns::check_unique(file, header, &mapping)?;
    Ok(mapping)
}

fn read_table(
    table: delimited::Delimited,
    options: &LogOptions,
    item_map: bool,
    chosen: &mut Option<(Preset, bool)>,
    sink: &mut Sink,
) -> Result<()> {
    let file = table.file().to_owned();
    let mapping = mapping(&file, &table.header, options, item_map, chosen)?;
    let rows = RowReader {
        file: &file,
        mapping: &mapping,
    };
    table.read(&rows, sink)
}

#[cfg(feature = "parquet")]
fn read_parquet(
    path: &Path,
    file: &str,
    options: &LogOptions,
    item_map: bool,
    chosen: &mut Option<(Preset, bool)>,
    sink: &mut Sink,
) -> Result<()> {
    let header = parquet::header(path)?;
    let mapping = mapping(file, &header, options, item_map, chosen)?;
    let rows = RowReader {
        file,
        mapping: &mapping,
    };
    parquet::read(path, &header, &mapping, &rows, sink)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(
    _path: &Path,
    file: &str,
    _options: &LogOptions,
    _item_map: bool,
    _chosen: &mut Option<(Preset, bool)>,
    _sink: &mut Sink,
) -> Result<()> {
    Err(Error::input(
        pathwise::Location::file(file),
        "this is a Parquet file, but pathwise was built without the `parquet` feature",
    ))
}
