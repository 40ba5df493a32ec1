//! CSV and TSV logs, read record by record with the csv crate's `ByteRecord` (no per-field
//! allocation; apart from the log being built, memory is one window of the file at most).
//!
//! [`open`] reads the header line; [`Delimited::read`] reads the rows, in parallel windows
//! ([`windows`]) split by the quote-free row splitter ([`lines`]) when there is more than one
//! thread and the file is a regular file, else (and from the first window holding a quote
//! character on) sequentially through the csv crate ([`records`]).

mod lines;
mod records;
mod windows;

use std::fs::File;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use pathwise::{Error, Location, Result};

use super::rows::{Fields, RowReader, Sink};
use super::values::{self, Encoding};
use records::{CsvFields, csv_error, each_record, no_rows_check};

/// A CSV/TSV file whose header line has been read.
pub(crate) struct Delimited {
    reader: csv::Reader<File>,
    path: PathBuf,
    file: String,
    delimiter: u8,
    /// The header's column names.
    pub header: Vec<String>,
}

/// Opens `path` and reads its header line (a UTF-8 byte-order mark is skipped).
pub(crate) fn open(path: &Path, delimiter: u8, encoding: Encoding) -> Result<Delimited> {
    let file = path.display().to_string();
    let handle = super::files::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(handle);
    let mut record = csv::ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&file, e, 0))?;
    if !has_header {
        return Err(Error::input(
            Location::file(&file),
            "the file is empty; expected a header line",
        ));
    }
    let fields = CsvFields::new(&record, path, delimiter, 0);
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

    /// Reads every data row into `sink`.
    pub fn read(mut self, rows: &RowReader<'_>, sink: &mut Sink) -> Result<()> {
        let mut any = false;
        // The parallel path re-opens and seeks the file: only for regular files (not pipes).
        let regular = std::fs::metadata(&self.path).is_ok_and(|m| m.is_file());
        if regular && rayon::current_num_threads() > 1 {
            let source = windows::Source {
                path: &self.path,
                file: &self.file,
                delimiter: self.delimiter,
                width: self.header.len(),
            };
            let start = self.reader.position().clone();
            match source.read_windows(start, rows, sink, &mut any)? {
                None => return no_rows_check(&self.file, any),
                Some(resume) => self
                    .reader
                    .seek_raw(SeekFrom::Start(resume.byte()), resume)
                    .map_err(|e| csv_error(&self.file, e, 0))?,
            }
        }
        let path = self.path.clone();
        let delimiter = self.delimiter;
        self.records(any, |record, line| {
            let fields = CsvFields::new(record, &path, delimiter, 0);
            rows.push(sink, &fields, line)
        })
    }

    /// Calls `each` with every data record and its line, after checking it has as many fields
    /// as the header. A file with a header but no rows is an error.
    pub fn for_each_record(
        self,
        each: impl FnMut(&csv::ByteRecord, u64) -> Result<()>,
    ) -> Result<()> {
        self.records(false, each)
    }

    /// [`Delimited::for_each_record`] from the reader's position; `any` tells whether rows were
    /// read before it.
    fn records(
        mut self,
        any: bool,
        each: impl FnMut(&csv::ByteRecord, u64) -> Result<()>,
    ) -> Result<()> {
        let width = self.header.len();
        let read = each_record(&mut self.reader, &self.file, width, 0, each)?;
        no_rows_check(&self.file, any || read)
    }
}
