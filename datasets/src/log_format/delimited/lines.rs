//! The quote-free row splitter: text without quote characters or lone carriage returns split into
//! records by a plain byte loop, faster than the csv crate's general state machine, with the same
//! records (blank lines skipped, a `\r` before `\n` dropped) and errors. Line numbers are the file's
//! own lines (the csv crate leaves blank lines out of its count).

use std::ops::Range;

use pathwise::Result;

use super::records::width_error;
use crate::log_format::rows::Fields;
use crate::log_format::values::BadByte;

/// Whether quote-free `bytes` can be split by [`Lines`] exactly as the csv crate reads them:
/// every carriage return is part of a `\r\n` line end (a lone `\r` ends a record for the csv
/// crate, which [`Lines`] does not do).
pub(super) fn plain_lines(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'))
}

/// Records of quote-free text without lone carriage returns, split at `delimiter`.
pub(super) struct Lines<'a> {
    /// The file, for errors.
    pub file: &'a str,
    /// The number of fields every record must have.
    pub width: usize,
    /// The field delimiter.
    pub delimiter: u8,
}

impl Lines<'_> {
    /// Calls `each` with the fields of every non-blank line of `bytes` (whose first line is
    /// `first_line` and first byte is at `base_byte` in the file) and its line number, after
    /// checking it has `width` fields. Returns whether there was a record.
    pub fn each(
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
pub(super) struct LineFields<'r> {
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

#[cfg(test)]
mod tests {
    use super::super::records::each_record;
    use super::*;

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
}
