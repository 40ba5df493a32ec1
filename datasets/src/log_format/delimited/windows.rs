//! The windowed parallel reader: from a position after the header, the file is read in windows of
//! [`WINDOW_BYTES`] cut at line ends; each window is cut into parts parsed on rayon's threads into
//! builders of their own, joined in file order ([`pathwise::LogBuilder::append`]), so the log, its
//! ids and the first error reported are the same as a sequential read. A quoted field may hold a
//! line break, so at the first window with a quote character it stops and hands the position
//! back for a sequential read. A part whose only carriage returns end `\r\n` lines is split by the
//! quote-free [`Lines`] splitter, any other by the csv crate.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use pathwise::{Error, Result};
use rayon::prelude::*;

use super::lines::{Lines, plain_lines};
use super::records::{CsvFields, each_record};
use crate::log_format::rows::{RowReader, Sink};

/// Bytes read at a time (tiny in unit tests, to run many windows and parts).
const WINDOW_BYTES: usize = if cfg!(test) { 4096 } else { 16 << 20 };
/// Parts of a window are at least this long: smaller ones are not worth a thread.
const MIN_PART_BYTES: usize = if cfg!(test) { 300 } else { 256 << 10 };

/// The file being read and its layout.
pub(super) struct Source<'a> {
    /// The file's path, re-opened here.
    pub path: &'a Path,
    /// The file's name as the user gave it, for errors.
    pub file: &'a str,
    /// The field delimiter.
    pub delimiter: u8,
    /// The header's number of fields.
    pub width: usize,
}

impl Source<'_> {
    /// Reads the rows from `pos` on in windows parsed in parallel while no window holds a quote
    /// character; `any` is set when a row was read. Returns the position where a sequential read
    /// must go on, or `None` at the end of the file.
    pub fn read_windows(
        &self,
        mut pos: csv::Position,
        rows: &RowReader<'_>,
        sink: &mut Sink,
        any: &mut bool,
    ) -> Result<Option<csv::Position>> {
        let io = |e| Error::io(self.file, e);
        let mut file = File::open(self.path).map_err(io)?;
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
                    file: self.file,
                    width: self.width,
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
                each_record(
                    &mut reader,
                    self.file,
                    self.width,
                    line - 1,
                    |record, line| {
                        let fields = CsvFields::new(record, self.path, self.delimiter, base_byte);
                        rows.push(&mut part, &fields, line)
                    },
                )
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

/// The number of line ends in `bytes`.
fn lines_in(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
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
}
