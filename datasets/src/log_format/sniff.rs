//! What kind of file a log is (Parquet, xAPI statements, the DKT line format, or CSV/TSV and its
//! delimiter), from its name and first bytes.

use std::path::Path;

use pathwise::{Error, Location, Result};

use super::delimiter;
use super::dkt;
use super::files::head;

/// What kind of file a log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Parquet,
    /// The DKT line format.
    Lines,
    /// xAPI statements in JSON.
    Statements,
    /// CSV or TSV with this delimiter.
    Delimited(u8),
}

/// What kind of log `path` is; a CSV/TSV file is read with `delimiter` when given, else with
/// the one detected from its header line ([`delimiter::detect`]).
pub(crate) fn sniff(path: &Path, delimiter: Option<u8>) -> Result<Kind> {
    refuse_special_file(path)?;
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
    if matches!(ext.as_str(), "json" | "ndjson" | "jsonl")
        && super::xapi_log::looks_like_statements(&head)
    {
        return Ok(Kind::Statements);
    }
    if dkt::looks_like_dkt(&head) {
        return Ok(Kind::Lines);
    }
    match delimiter {
        Some(d) => Ok(Kind::Delimited(d)),
        None => delimiter::detect(&path.display().to_string(), &ext, &head).map(Kind::Delimited),
    }
}

/// A log (or an item→skill map) is opened more than once (sniffed, then read, in parallel windows
/// for a large CSV), so it must be a regular file: a pipe (`<(zcat log.csv.gz)`) would lose what the sniffing read, a
/// FIFO with no writer would wait for ever and `/dev/zero` would fill the memory with one line.
pub(crate) fn refuse_special_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => Err(Error::input(
            Location::file(path.display().to_string()),
            "not a regular file (a pipe, device or socket); logs are read more than once, so \
             save it to a file first",
        )),
        // A missing file or a folder: the error comes from opening it.
        _ => Ok(()),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The delimiter of a CSV/TSV file: `delimiter` when given, else detected from its header line.
pub(crate) fn sniff_delimiter(path: &Path, delimiter: Option<u8>) -> Result<u8> {
    match delimiter {
        Some(d) => Ok(d),
        None => delimiter::detect(&path.display().to_string(), &extension(path), &head(path)?),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_log_that_is_a_device_a_fifo_or_a_pipe_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("log.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let mut special = vec![Path::new("/dev/zero").to_owned()];
        if made.is_ok_and(|s| s.success()) {
            special.push(fifo);
        }
        for path in special {
            let e = sniff(&path, None).unwrap_err().to_string();
            assert_eq!(
                e,
                format!(
                    "{}: not a regular file (a pipe, device or socket); logs are read more than \
                     once, so save it to a file first",
                    path.display()
                )
            );
        }
    }
}
