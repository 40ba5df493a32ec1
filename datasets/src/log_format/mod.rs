//! Interaction-log files (CSV, TSV, Parquet, the DKT line format) read into a
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
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(feature = "parquet")]
mod parquet_footer;
mod preset;
mod rows;
mod sniff;
mod values;

use std::path::{Path, PathBuf};

use pathwise::{Error, InteractionLog, Result};

pub use delimiter::parse_delimiter;
pub use preset::{Preset, Role};
pub use values::Encoding;

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
    for path in paths {
        let kind = sniff::sniff(path, options.delimiter)?;
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
            Kind::Lines => {
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
    Ok(LoadedLog {
        log: sink.builder.build(),
        preset,
        preset_detected,
    })
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
