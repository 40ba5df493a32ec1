//! What kind of file a log is (Parquet, the DKT line format, or CSV/TSV and its delimiter), from
//! its name and first bytes.

use std::path::Path;

use pathwise::{Error, Location, Result};

use super::dkt;
use super::files::head;

/// What kind of file a log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Parquet,
    /// The DKT line format.
    Lines,
    /// CSV or TSV with this delimiter.
    Delimited(u8),
}

/// What kind of log `path` is.
pub(crate) fn sniff(path: &Path) -> Result<Kind> {
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
