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
mod dkt;
mod item_map;
#[cfg(feature = "parquet")]
mod parquet;
mod preset;
mod rows;
mod values;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pathwise::{Error, InteractionLog, Location, Result};

pub use preset::{Preset, Role};

use rows::{RowReader, Sink};

/// How the bytes of a text log are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is allowed); an invalid byte is an error.
    #[default]
    Utf8,
    /// ISO-8859-1: every byte is the character of the same code point (e.g. the original
    /// ASSISTments 2009 download).
    Latin1,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "utf8",
            Encoding::Latin1 => "latin1",
        })
    }
}

impl FromStr for Encoding {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf8" | "utf-8" => Ok(Encoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" => Ok(Encoding::Latin1),
            _ => Err(Error::input(
                Location::subject("encoding", s),
                "unknown encoding; expected utf8 or latin1",
            )),
        }
    }
}

/// How to read interaction logs.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    /// The column layout; `None` detects it from the first file.
    pub preset: Option<Preset>,
    /// `--col ROLE=NAME` overrides: the column `NAME` holds `ROLE`, whatever the preset says.
    pub columns: Vec<(Role, String)>,
    /// How text is decoded.
    pub encoding: Encoding,
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
        .map(|p| item_map::load(p, options.encoding))
        .transpose()?;
    let item_map = item_skills.is_some();
    let mut sink = Sink::new(options.encoding, item_skills);
    let mut chosen = options.preset.map(|p| (p, false));
    for path in paths {
        let kind = sniff(path)?;
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
                let table = delimited::open(path, b',', options.encoding)?;
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
    match *chosen {
        Some((preset, _)) => columns::resolve(file, header, preset, &options.columns, item_map),
        None => {
            let (preset, mapping) = columns::detect(file, header, &options.columns, item_map)?;
            *chosen = Some((preset, true));
            Ok(mapping)
        }
    }
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
        Location::file(file),
        "this is a Parquet file, but pathwise was built without the `parquet` feature",
    ))
}

/// What kind of file a log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Parquet,
    /// The DKT line format.
    Lines,
    /// CSV or TSV with this delimiter.
    Delimited(u8),
}

/// Opens `path` for reading; a missing or unreadable file is an input error naming it.
pub(crate) fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        Error::input(
            Location::file(path.display().to_string()),
            format!("cannot open the file: {reason}"),
        )
    })
}

/// The first bytes of a file (enough for its first lines).
fn head(path: &Path) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1 << 16);
    open(path)?
        .take(1 << 16)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path.display().to_string(), e))?;
    Ok(head)
}

fn sniff(path: &Path) -> Result<Kind> {
    let head = head(path)?;
    let ext = extension(path);
    if head.starts_with(b"PAR1") || ext == "parquet" || ext == "pq" {
        return Ok(Kind::Parquet);
    }
    if head.trim_ascii().is_empty() || head == b"\xEF\xBB\xBF" {
        return Err(Error::input(
            Location::file(path.display().to_string()),
            "the file is empty; expected a header line",
        ));
    }
    if dkt::looks_like_dkt(&head) {
        return Ok(Kind::Lines);
    }
    Ok(Kind::Delimited(delimiter_of(path, &head)))
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Tab for `.tsv`/`.tab`, comma for `.csv`, else whichever of the two the first line has more of.
fn delimiter_of(path: &Path, head: &[u8]) -> u8 {
    match extension(path).as_str() {
        "tsv" | "tab" => b'\t',
        "csv" => b',',
        _ => {
            let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
            let count = |d: u8| first.iter().filter(|&&b| b == d).count();
            if count(b'\t') > count(b',') {
                b'\t'
            } else {
                b','
            }
        }
    }
}

/// The delimiter of a CSV/TSV file, from its name or first line.
pub(crate) fn sniff_delimiter(path: &Path) -> Result<u8> {
    Ok(delimiter_of(path, &head(path)?))
}
