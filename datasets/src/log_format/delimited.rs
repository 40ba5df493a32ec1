//! CSV and TSV logs, read record by record with the csv crate's `ByteRecord` (no per-field
//! allocation; apart from the log being built, memory is one window of the file at most).
//!
//! With more than one thread, the rows are read in windows of [`WINDOW_BYTES`] cut at line ends;
//! each window is cut into parts parsed on rayon's threads into builders of their own, joined in
//! file order ([`pathwise::LogBuilder::append`]), so the log, its ids and the first error reported
//! are the same as a sequential read. A quoted field may hold a line break, so from the first
//! window with a quote character on, the file is read sequentially. A quote-free part whose only
//! carriage returns end `\r\n` lines is split by a plain byte loop ([`Lines`]) rather than the
//! csv crate's state machine: the same records, in a fifth less time for the whole load.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use pathwise::{Error, Location, Result};
use rayon::prelude::*;

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
            match self.read_windows(rows, sink, &mut any)? {
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

    /// Reads the rows in windows parsed in parallel while no window holds a quote character.
    /// Returns the position where a sequential read must go on, or `None` at the end of the file.
    fn read_windows(
        &self,
        rows: &RowReader<'_>,
        sink: &mut Sink,
        any: &mut bool,
    ) -> Result<Option<csv::Position>> {
        let io = |e| Error::io(&self.file, e);
        let mut pos = self.reader.position().clone();
        let mut file = File::open(&self.path).map_err(io)?;
        file.seek(SeekFrom::Start(pos.byte())).map_err(io)?;
        let mut buf: Vec<u8> = Vec::new();
        let mut eof = false;
        loop {
            let want = WINDOW_BYTES.saturating_sub(buf.len());
            if !eof && want > 0 {
                buf.reserve_exact(want);
                let got = (&mut file)
                    .take(want as u64)
                    .read_to_end(&mut buf)
                    .map_err(io)?;
                eof = got < want;
            }
            if buf.is_empty() {
                return Ok(None);
            }
            let end = if eof {
                buf.len()
            } else {
                match memchr::memrchr(b'\n', &buf) {
                    Some(i) => i + 1,
                    None => return Ok(Some(pos)),
                }
            };
            let window = &buf[..end];
            if memchr::memchr(b'"', window).is_some() {
                return Ok(Some(pos));
            }
            let (read, lines) = self.read_window(window, &pos, rows, sink)?;
            *any |= read;
            pos.set_byte(pos.byte() + end as u64);
            pos.set_line(pos.line() + lines);
            buf.drain(..end);
        }
    }

    /// Parses one window (whole lines, no quote character) that starts at `pos`, in parts on
    /// rayon's threads, and joins the parts into `sink` in order. Returns whether it held a row,
    /// and its number of line ends.
    fn read_window(
        &self,
        window: &[u8],
        pos: &csv::Position,
        rows: &RowReader<'_>,
        sink: &mut Sink,
    ) -> Result<(bool, u64)> {
        let parts = (window.len() / MIN_PART_BYTES).clamp(1, 4 * rayon::current_num_threads());
        // (start byte, line of the first record) of each part.
        let mut starts = vec![(0usize, pos.line())];
        for k in 1..parts {
            let &(from, line) = starts.last().expect("starts with the window's start");
            let target = (window.len() * k / parts).max(from);
            let Some(i) = memchr::memchr(b'\n', &window[target..]) else {
                break;
            };
            let cut = target + i + 1;
            if cut < window.len() {
                starts.push((cut, line + lines_in(&window[from..cut])));
            }
        }
        let &(last, last_line) = starts.last().expect("starts with the window's start");
        let end_line = last_line + lines_in(&window[last..]);
        let width = self.header.len();
        let read_part = |k: usize| {
            let (from, line) = starts[k];
            let (to, to_line) = starts
                .get(k + 1)
                .copied()
                .unwrap_or((window.len(), end_line));
            let mut part = sink.part();
            part.builder.reserve((to_line - line) as usize + 1);
            let bytes = &window[from..to];
            let base_byte = pos.byte() + from as u64;
            let read = if plain_lines(bytes) {
                let lines = Lines {
                    file: &self.file,
                    width,
                    delimiter: self.delimiter,
                };
                lines.each(bytes, line, base_byte, |fields, line| {
                    rows.push(&mut part, fields, line)
                })
            } else {
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(self.delimiter)
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(bytes);
                each_record(&mut reader, &self.file, width, line - 1, |record, line| {
                    let fields = CsvFields::new(record, &self.path, self.delimiter, base_byte);
                    rows.push(&mut part, &fields, line)
                })
            };
            (part, read)
        };
        let done: Vec<(Sink, Result<bool>)> =
            (0..starts.len()).into_par_iter().map(read_part).collect();
        sink.builder.reserve((end_line - pos.line()) as usize + 1);
        let mut any = false;
        for (part, read) in done {
            // A disagreeing order kind is at the part's first row, before any error inside it.
            sink.absorb(part)?;
            any |= read?;
        }
        Ok((any, end_line - pos.line()))
    }
}

/// Bytes read at a time by the parallel path (tiny in unit tests, to run many windows and parts).
const WINDOW_BYTES: usize = if cfg!(test) { 4096 } else { 16 << 20 };
/// Parts of a window are at least this long: smaller ones are not worth a thread.
const MIN_PART_BYTES: usize = if cfg!(test) { 300 } else { 256 << 10 };

/// Calls `each` with every record of `reader` and its line (the reader's line plus
/// `line_offset`), after checking it has `width` fields. Returns whether there was a record.
fn each_record<R: Read>(
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
fn width_error(file: &str, line: u64, found: usize, width: usize) -> Error {
    Error::input(
        Location::file(file).line(line),
        format!(
            "the row has {found} field{} but the header has {width}",
            if found == 1 { "" } else { "s" }
        ),
    )
}

/// Whether quote-free `bytes` can be split by [`Lines`] exactly as the csv crate reads them:
/// every carriage return is part of a `\r\n` line end (a lone `\r` ends a record for the csv
/// crate, which [`Lines`] does not do).
fn plain_lines(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'))
}

/// Records of quote-free text without lone carriage returns: lines split at the delimiter in one
/// pass per line, faster than the csv crate's general state machine, with the same records (blank
/// lines skipped, a `\r` before `\n` dropped) and errors; line numbers are the file's own lines
/// (the csv crate leaves blank lines out of its count).
struct Lines<'a> {
    file: &'a str,
    width: usize,
    delimiter: u8,
}

impl Lines<'_> {
    /// Calls `each` with the fields of every non-blank line of `bytes` (whose first line is
    /// `first_line` and first byte is at `base_byte` in the file) and its line number, after
    /// checking it has `width` fields. Returns whether there was a record.
    fn each(
        &self,
        bytes: &[u8],
        first_line: u64,
        base_byte: u64,
        mut each: impl FnMut(&LineFields<'_>, u64) -> Result<()>,
    ) -> Result<bool> {
        // Rows are cut at ASCII bytes, so when the whole part is UTF-8 every row is: one check
        // over the part instead of one per (short) row.
        let part_text = std::str::from_utf8(bytes).ok();
        let mut any = false;
        let mut line = first_line;
        let mut start = 0usize;
        let mut ends: Vec<usize> = Vec::with_capacity(self.width);
        while start < bytes.len() {
            // One pass over the line for its delimiters and its end: rows are a few dozen bytes,
            // too short for a vectorised search to pay for its set-up per call.
            ends.clear();
            let mut stop = bytes.len();
            for (i, &b) in bytes[start..].iter().enumerate() {
                if b == self.delimiter {
                    ends.push(i);
                } else if b == b'\n' {
                    stop = start + i;
                    break;
                }
            }
            let end = if stop > start && bytes[stop - 1] == b'\r' {
                stop - 1
            } else {
                stop
            };
            let row = &bytes[start..end];
            if !row.is_empty() {
                any = true;
                ends.push(row.len());
                if ends.len() != self.width {
                    return Err(width_error(self.file, line, ends.len(), self.width));
                }
                let fields = LineFields {
                    row,
                    ends: &ends,
                    // Else each field is decoded (and a bad byte reported) on its own.
                    text: part_text.and_then(|t| t.get(start..end)),
                    byte: base_byte + start as u64,
                };
                each(&fields, line)?;
            }
            line += 1;
            start = stop + 1;
        }
        Ok(any)
    }
}

/// The fields of one quote-free line.
struct LineFields<'r> {
    row: &'r [u8],
    /// The end of each field (the last is the row's length).
    ends: &'r [usize],
    /// The row as text, when its part is valid UTF-8 (checked once for all its rows).
    text: Option<&'r str>,
    /// The file offset of the row.
    byte: u64,
}

impl LineFields<'_> {
    fn range(&self, index: usize) -> Option<Range<usize>> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] + 1
        };
        Some(start..end)
    }
}

impl Fields for LineFields<'_> {
    fn get(&self, index: usize) -> &[u8] {
        self.range(index).map_or(b"", |r| &self.row[r])
    }

    fn utf8(&self, index: usize) -> Option<&str> {
        self.text?.get(self.range(index)?)
    }

    fn file_offset(&self, index: usize, bad: BadByte) -> Option<u64> {
        Some(self.byte + (self.range(index)?.start + bad.offset) as u64)
    }
}

/// The number of line ends in `bytes`.
fn lines_in(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// A file with a header but no rows is an error.
fn no_rows_check(file: &str, any: bool) -> Result<()> {
    if any {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(file).line(1),
            "the file has a header but no rows",
        ))
    }
}

fn csv_error(file: &str, e: csv::Error, line_offset: u64) -> Error {
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

struct CsvFields<'r> {
    record: &'r csv::ByteRecord,
    /// The record's bytes as text, when they are valid UTF-8 (checked once for all fields).
    text: Option<&'r str>,
    path: &'r Path,
    delimiter: u8,
    /// The file offset of the data the record's positions count from.
    base_byte: u64,
}

impl<'r> CsvFields<'r> {
    fn new(record: &'r csv::ByteRecord, path: &'r Path, delimiter: u8, base_byte: u64) -> Self {
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
    use crate::{LogOptions, Preset, load_logs};
    use pathwise::InteractionLog;

    /// A generic log of `rows` rows; `edit` may change row `i`'s line.
    fn log_file(rows: usize, edit: impl Fn(usize, String) -> String) -> tempfile::NamedTempFile {
        let mut text = String::from("learner,skill,item,correct,order\n");
        for i in 0..rows {
            let line = format!(
                "l{},s{},q{},{},{}",
                (i * 7) % 23,
                (i * 3) % 5,
                i % 17,
                u8::from(i % 3 != 0),
                (i * 11) % 97
            );
            text.push_str(&edit(i, line));
            text.push('\n');
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        file
    }

    /// Everything a reader of the log sees.
    fn fingerprint(log: &InteractionLog) -> String {
        let responses: Vec<_> = (0..log.n_responses()).map(|r| log.response(r)).collect();
        let sequences: Vec<Vec<_>> = (0..log.skills().len() as u32)
            .map(|s| log.skill_sequences(s).collect())
            .collect();
        format!(
            "{:?} {:?} {:?} {responses:?} {sequences:?} {:?} {:?}",
            log.learners().names(),
            log.skills().names(),
            log.items().names(),
            log.dropped(),
            log.order_kind()
        )
    }

    /// Loads `file` on `threads` threads: the log's fingerprint, or the error's text.
    fn load(file: &tempfile::NamedTempFile, threads: usize) -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let options = LogOptions {
            preset: Some(Preset::Generic),
            ..LogOptions::default()
        };
        pool.install(|| load_logs(&[file.path().to_owned()], &options))
            .map_or_else(|e| format!("error: {e}"), |l| fingerprint(&l.log))
    }

    #[test]
    fn parallel_windows_read_the_same_log_as_one_thread() {
        // About 30 KB: several windows of several parts each.
        let file = log_file(1500, |_, line| line);
        let one = load(&file, 1);
        assert!(one.contains("\"l22\""), "{one}");
        assert_eq!(load(&file, 2), one);
        assert_eq!(load(&file, 3), one);
    }

    #[test]
    fn the_first_error_in_file_order_is_reported_with_its_line() {
        let bad_correct = |i: usize, line: String| {
            if i == 1100 || i == 1400 {
                line.replace(",1,", ",yes,").replace(",0,", ",yes,")
            } else {
                line
            }
        };
        let width = |i: usize, line: String| {
            if i == 900 {
                format!("{line},extra")
            } else {
                line
            }
        };
        let timestamp = |i: usize, line: String| {
            if i >= 1200 {
                let (head, _) = line.rsplit_once(',').unwrap();
                format!("{head},2024-01-02 10:00:00")
            } else {
                line
            }
        };
        for (edit, line) in [
            (&bad_correct as &dyn Fn(usize, String) -> String, 1102),
            (&width, 902),
            (&timestamp, 1202),
        ] {
            let file = log_file(1500, edit);
            let one = load(&file, 1);
            assert!(one.starts_with("error: "), "{one}");
            assert!(one.contains(&format!(":{line}")), "line {line}: {one}");
            assert_eq!(load(&file, 2), one);
        }
    }

    #[test]
    fn a_quote_after_the_first_window_switches_to_the_sequential_reader() {
        // Row 1300 quotes a skill with a comma and a line break inside.
        let file = log_file(1500, |i, line| {
            if i == 1300 {
                "l1,\"s,\nx\",q1,1,5".to_owned()
            } else {
                line
            }
        });
        let one = load(&file, 1);
        assert!(one.contains("\"s,\\nx\""), "{one}");
        assert_eq!(load(&file, 2), one);
    }

    /// Every record of `text` with its line, as the csv crate reads it, or its error.
    fn csv_records(text: &[u8], width: usize) -> Result<Vec<(Vec<Vec<u8>>, u64)>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut out = Vec::new();
        each_record(&mut reader, "f.csv", width, 6, |r, line| {
            out.push((r.iter().map(<[u8]>::to_vec).collect(), line));
            Ok(())
        })?;
        Ok(out)
    }

    /// The same through [`Lines`].
    fn plain_records(text: &[u8], width: usize) -> Result<Vec<(Vec<Vec<u8>>, u64)>> {
        let mut out = Vec::new();
        let lines = Lines {
            file: "f.csv",
            width,
            delimiter: b',',
        };
        lines.each(text, 7, 0, |f, line| {
            out.push(((0..width).map(|i| f.get(i).to_vec()).collect(), line));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn plain_lines_read_what_the_csv_crate_reads() {
        let cases: [&[u8]; 9] = [
            b"a,b\nc,d\n",
            b"a,b\nc,d",
            b"a,b\n\n\nc,d\n\n",
            b"a,b\r\nc,d\r\n\r\ne,f",
            b",\n,x\ny,\n",
            b"a,b,c\nd,e\n",
            b"a\nb,c\n",
            b"\r\n",
            b"",
        ];
        for text in cases {
            assert!(plain_lines(text));
            // The csv crate leaves blank lines out of its line numbers; ours are the file's.
            let blank = text.starts_with(b"\n")
                || text.starts_with(b"\r\n")
                || text.windows(2).any(|w| w == b"\n\n")
                || text.windows(3).any(|w| w == b"\n\r\n");
            let shown = |r: Result<Vec<(Vec<Vec<u8>>, u64)>>| {
                r.map(|records| {
                    records
                        .into_iter()
                        .map(|(fields, line)| (fields, if blank { 0 } else { line }))
                        .collect::<Vec<_>>()
                })
                .map_err(|e| if blank { String::new() } else { e.to_string() })
            };
            for width in [2, 3] {
                let want = shown(csv_records(text, width));
                let got = shown(plain_records(text, width));
                assert_eq!(
                    got,
                    want,
                    "{:?} width {width}",
                    String::from_utf8_lossy(text)
                );
            }
        }
        // Blank lines before the first record: the csv crate does not count them in the record's
        // line number; the lines named here are the file's own.
        let records = plain_records(b"\n\na,b\n\nc,d\n", 2).unwrap();
        let lines: Vec<u64> = records.iter().map(|r| r.1).collect();
        assert_eq!(lines, [9, 11]);
        // A lone carriage return ends a record for the csv crate: such text takes its reader.
        assert!(!plain_lines(b"a,b\rc,d\n"));
        assert!(!plain_lines(b"a,b\r"));
    }

    #[test]
    fn plain_fields_name_the_file_offset_of_a_bad_byte() {
        let lines = Lines {
            file: "f.csv",
            width: 2,
            delimiter: b',',
        };
        let mut seen = None;
        lines
            .each(b"ab,cd\nxy,z\xffw\n", 1, 100, |f, line| {
                if line == 2 {
                    assert_eq!(f.utf8(0), None);
                    seen = f.file_offset(
                        1,
                        BadByte {
                            offset: 1,
                            byte: 0xff,
                        },
                    );
                }
                Ok(())
            })
            .unwrap();
        // Row 2 starts at byte 106; its second field at 109; the bad byte one further.
        assert_eq!(seen, Some(110));
    }

    #[test]
    fn raw_field_honours_quotes() {
        let raw = b"a,\"b,\"\"c\",d\ne,f";
        assert_eq!(raw_field(raw, 0, b','), Some((0, 1)));
        assert_eq!(raw_field(raw, 1, b','), Some((2, 9)));
        assert_eq!(raw_field(raw, 2, b','), Some((10, 11)));
        assert_eq!(raw_field(raw, 3, b','), None);
    }
}
