//! CSV and TSV logs, streamed record by record with the csv crate's `ByteRecord` (no per-field
//! allocation, constant memory apart from the log being built).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use pathwise::{Error, Location, Result};

use super::Encoding;
use super::rows::{Fields, RowReader, Sink};
use super::values::{self, BadByte};

/// A CSV/TSV file whose header line has been read.
pub(crate) struct Delimited {
    reader: csv::Reader<File>,
    path: std::path::PathBuf,
    file: String,
    delimiter: u8,
    /// The header's column names.
    pub header: Vec<String>,
}

/// Opens `path` and reads its header line (a UTF-8 byte-order mark is skipped).
pub(crate) fn open(path: &Path, delimiter: u8, encoding: Encoding) -> Result<Delimited> {
    let file = path.display().to_string();
    let handle = super::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(handle);
    let mut record = csv::ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&file, e))?;
    if !has_header {
        return Err(Error::input(
            Location::file(&file),
            "the file is empty; expected a header line",
        ));
    }
    let fields = CsvFields {
        record: &record,
        path,
        delimiter,
    };
    let mut header = Vec::with_capacity(record.len());
    for index in 0..record.len() {
        let name = values::decode(fields.get(index), encoding).map_err(|bad| {
            let offset = fields
                .file_offset(index, bad)
                .map(|o| format!(" at byte offset {o}"))
                .unwrap_or_default();
            Error::input(
                Location::file(&file).line(1).column((index + 1).to_string()),
                format!(
                    "invalid UTF-8 byte 0x{:02X}{offset} in the header; if the file is Latin-1, read it with --encoding latin1",
                    bad.byte
                ),
            )
        })?;
        header.push(name.trim().to_owned());
    }
    Ok(Delimited {
        reader,
        path: path.to_owned(),
        file,
        delimiter,
        header,
    })
}

impl Delimited {
    /// The file's name as the user gave it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Streams every data row into `sink`.
    pub fn read(self, rows: &RowReader<'_>, sink: &mut Sink) -> Result<()> {
        let path = self.path.clone();
        let delimiter = self.delimiter;
        self.for_each_record(|record, line| {
            let fields = CsvFields {
                record,
                path: &path,
                delimiter,
            };
            rows.push(sink, &fields, line)
        })
    }

    /// Calls `each` with every data record and its line, after checking it has as many fields
    /// as the header. A file with a header but no rows is an error.
    pub fn for_each_record(
        mut self,
        mut each: impl FnMut(&csv::ByteRecord, u64) -> Result<()>,
    ) -> Result<()> {
        let mut record = csv::ByteRecord::new();
        let width = self.header.len();
        let mut any = false;
        while self
            .reader
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(&self.file, e))?
        {
            any = true;
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() != width {
                return Err(Error::input(
                    Location::file(&self.file).line(line),
                    format!(
                        "the row has {} field{} but the header has {width}",
                        record.len(),
                        if record.len() == 1 { "" } else { "s" }
                    ),
                ));
            }
            each(&record, line)?;
        }
        if !any {
            return Err(Error::input(
                Location::file(&self.file).line(1),
                "the file has a header but no rows",
            ));
        }
        Ok(())
    }
}

fn csv_error(file: &str, e: csv::Error) -> Error {
    let line = e.position().map(csv::Position::line);
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

struct CsvFields<'r> {
    record: &'r csv::ByteRecord,
    path: &'r Path,
    delimiter: u8,
}

impl Fields for CsvFields<'_> {
    fn get(&self, index: usize) -> &[u8] {
        self.record.get(index).unwrap_or(b"")
    }

    /// Re-reads the record's raw bytes from the file (only on this error path) to find where
    /// field `index` starts, honouring quotes, then the first invalid byte inside it.
    fn file_offset(&self, index: usize, _bad: BadByte) -> Option<u64> {
        let start = self.record.position()?.byte();
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
