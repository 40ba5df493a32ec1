//! Records as the csv crate reads them: the loop over a reader's records with the width check,
//! the errors a record can raise, and [`CsvFields`], a record's fields for the row logic (with the
//! file offset of a bad byte found by re-reading the raw record).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use pathwise::{Error, Location, Result};

use crate::log_format::rows::Fields;
use crate::log_format::values::BadByte;

/// Calls `each` with every record of `reader` and its line (the reader's line plus
/// `line_offset`), after checking it has `width` fields. Returns whether there was a record.
pub(super) fn each_record<R: Read>(
    reader: &mut csv::Reader<R>,
    file: &str,
    width: usize,
    line_offset: u64,
    mut each: impl FnMut(&csv::ByteRecord, u64) -> Result<()>,
) -> Result<bool> {
    let mut record = csv::ByteRecord::new();
    let mut any = false;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, e, line_offset))?
    {
        any = true;
        let line = line_offset + record.position().map_or(0, csv::Position::line);
        if record.len() != width {
            return Err(width_error(file, line, record.len(), width));
        }
        each(&record, line)?;
    }
    Ok(any)
}

/// The error for a row of `found` fields under a header of `width`.
pub(super) fn width_error(file: &str, line: u64, found: usize, width: usize) -> Error {
    Error::input(
        Location::file(file).line(line),
        format!(
            "the row has {found} field{} but the header has {width}",
            if found == 1 { "" } else { "s" }
        ),
    )
}

/// A file with a header but no rows is an error.
pub(super) fn no_rows_check(file: &str, any: bool) -> Result<()> {
    if any {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(file).line(1),
            "the file has a header but no rows",
        ))
    }
}

/// A csv crate error as an input error at its line (`line_offset` added), or an I/O error.
pub(super) fn csv_error(file: &str, e: csv::Error, line_offset: u64) -> Error {
    let line = e.position().map(|p| line_offset + p.line());
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(file, io),
        _ => {
            let mut at = Location::file(file);
            if let Some(line) = line {
                at = at.line(line);
            }
            Error::input(at, message)
        }
    }
}

/// The fields of one record read by the csv crate.
pub(super) struct CsvFields<'r> {
    record: &'r csv::ByteRecord,
    /// The record's bytes as text, when they are valid UTF-8 (checked once for all fields).
    text: Option<&'r str>,
    path: &'r Path,
    delimiter: u8,
    /// The file offset of the data the record's positions count from.
    base_byte: u64,
}

impl<'r> CsvFields<'r> {
    /// The fields of `record`, read from `path` with `delimiter`; its positions count from the
    /// file offset `base_byte`.
    pub(super) fn new(
        record: &'r csv::ByteRecord,
        path: &'r Path,
        delimiter: u8,
        base_byte: u64,
    ) -> Self {
        Self {
            record,
            text: std::str::from_utf8(record.as_slice()).ok(),
            path,
            delimiter,
            base_byte,
        }
    }
}

impl Fields for CsvFields<'_> {
    fn get(&self, index: usize) -> &[u8] {
        self.record.get(index).unwrap_or(b"")
    }

    fn utf8(&self, index: usize) -> Option<&str> {
        self.text?.get(self.record.range(index)?)
    }

    /// Re-reads the record's raw bytes from the file (only on this error path) to find where
    /// field `index` starts, honouring quotes, then the first invalid byte inside it.
    fn file_offset(&self, index: usize, _bad: BadByte) -> Option<u64> {
        let start = self.base_byte + self.record.position()?.byte();
        let mut file = File::open(self.path).ok()?;
        file.seek(SeekFrom::Start(start)).ok()?;
        let mut raw = Vec::new();
        file.take(1 << 20).read_to_end(&mut raw).ok()?;
        let (from, to) = raw_field(&raw, index, self.delimiter)?;
        let valid = match std::str::from_utf8(raw.get(from..to)?) {
            Ok(_) => return None,
            Err(e) => e.valid_up_to(),
        };
        Some(start + (from + valid) as u64)
    }
}

/// The byte range of field `index` in the raw record `raw` (quotes included).
fn raw_field(raw: &[u8], index: usize, delimiter: u8) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut field = 0;
    loop {
        let begin = at;
        if raw.get(at) == Some(&b'"') {
            at += 1;
            while at < raw.len() {
                if raw[at] == b'"' {
                    if raw.get(at + 1) == Some(&b'"') {
                        at += 2;
                        continue;
                    }
                    break;
                }
                at += 1;
            }
        }
        while at < raw.len() && raw[at] != delimiter && raw[at] != b'\n' && raw[at] != b'\r' {
            at += 1;
        }
        if field == index {
            return Some((begin, at));
        }
        if raw.get(at) != Some(&delimiter) {
            return None;
        }
        at += 1;
        field += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_field_honours_quotes() {
        let raw = b"a,\"b,\"\"c\",d\ne,f";
        assert_eq!(raw_field(raw, 0, b','), Some((0, 1)));
        assert_eq!(raw_field(raw, 1, b','), Some((2, 9)));
        assert_eq!(raw_field(raw, 2, b','), Some((10, 11)));
        assert_eq!(raw_field(raw, 3, b','), None);
    }
}
