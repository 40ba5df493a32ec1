//! The DKT line format (DKT, AKT, DKVMN preprocessings): one record per learner, 3 or 4
//! comma-separated lines:
//!
//! ```text
//! header        a sequence length `N`, or `index,user_id`
//! [items]       N problem/question ids            (4-line records only)
//! skills        N skill ids (3-line: see below)
//! responses     N values, 0 or 1
//! ```
//!
//! The record shape (3 or 4 lines) is found from the file itself. In a 3-line record the middle
//! line holds skill ids (DKT) — unless an item→skill map is given, in which case it holds item ids
//! (DKVMN's question ids) and the map gives their skills. Learners are the header's `user_id`, or
//! `FILE#RECORD` when the header is a length. Order is the position in the record.

use std::io::Read;
use std::path::Path;

use pathwise::text::quoted;
use pathwise::{Error, Location, OrderKind, RawRow, Result};

use super::rows::{NOT_IN_MAP, Sink};
use super::values;

/// True when `head` (the start of a file) looks like the line format: a first line of one or two
/// integers, followed by a line of integers.
pub(crate) fn looks_like_dkt(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty());
    let (Some(first), Some(second)) = (lines.next(), lines.next()) else {
        return false;
    };
    let first = split(first);
    (1..=2).contains(&first.len())
        && first.iter().all(|f| is_integer(f))
        && split(second).iter().all(|f| is_integer(f))
}

fn is_integer(field: &[u8]) -> bool {
    let digits = field.strip_prefix(b"-").unwrap_or(field);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// Comma-separated fields, trimmed, without the empty one a trailing comma leaves.
fn split(line: &[u8]) -> Vec<&[u8]> {
    let mut fields: Vec<&[u8]> = line.split(|&b| b == b',').map(<[u8]>::trim_ascii).collect();
    if fields.len() > 1 && fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    fields
}

/// Reads every record of `path` into `sink`.
pub(crate) fn read(path: &Path, sink: &mut Sink) -> Result<()> {
    let file = path.display().to_string();
    let mut bytes = Vec::new();
    super::files::open(path)?
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&file, e))?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let lines: Vec<(u64, Vec<&[u8]>)> = text
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(n, l)| (n as u64 + 1, l.trim_ascii()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(n, l)| (n, split(l)))
        .collect();
    let Some((_, first)) = lines.first() else {
        return Err(Error::input(
            Location::file(&file),
            "the file is empty; expected DKT records",
        ));
    };
    let preferred: [usize; 2] = if first.len() == 2 { [4, 3] } else { [3, 4] };
    let shape = preferred
        .into_iter()
        .find(|&k| fits(&lines, k))
        .unwrap_or(preferred[0]);
    let stem = path
        .file_name()
        .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    sink.check_order_kind(OrderKind::Sequence, || Location::file(&file))?;
    for (r, record) in lines.chunks(shape).enumerate() {
        read_record(sink, &file, &stem, r + 1, record, shape)?;
    }
    Ok(())
}

/// Whether every record fits a `k`-line shape (field counts agree, responses are 0/1).
fn fits(lines: &[(u64, Vec<&[u8]>)], k: usize) -> bool {
    lines.len() % k == 0
        && lines.chunks(k).all(|rec| {
            let header = &rec[0].1;
            let n = rec[1].1.len();
            (1..=2).contains(&header.len())
                && (header.len() == 2 || header[0] == n.to_string().as_bytes())
                && rec[1..].iter().all(|(_, l)| l.len() == n)
                && rec[k - 1]
                    .1
                    .iter()
                    .all(|v| values::parse_correct(v).is_some())
        })
}

fn read_record(
    sink: &mut Sink,
    file: &str,
    stem: &str,
    number: usize,
    record: &[(u64, Vec<&[u8]>)],
    shape: usize,
) -> Result<()> {
    let (header_line, header) = &record[0];
    let at = |line: u64| Location::file(file).line(line);
    let header_error = || {
        Error::input(
            at(*header_line),
            format!(
                "expected a record header (a sequence length, or index,user_id), found {}",
                quoted(&String::from_utf8_lossy(&header.join(&b","[..])))
            ),
        )
    };
    if !(1..=2).contains(&header.len()) || !header.iter().all(|f| is_integer(f)) {
        return Err(header_error());
    }
    if record.len() < shape {
        return Err(Error::input(
            at(*header_line),
            format!(
                "the record is cut short: expected {shape} lines, found {}",
                record.len()
            ),
        ));
    }
    let expected = match header.as_slice() {
        [len] => std::str::from_utf8(len)
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(header_error)?,
        _ => record[1].1.len(),
    };
    for (line, values) in &record[1..] {
        if values.len() != expected {
            return Err(Error::input(
                at(*line),
                format!(
                    "expected {expected} values (the record's length), found {}",
                    values.len()
                ),
            ));
        }
    }
    let learner = match header.as_slice() {
        [_, user] => String::from_utf8_lossy(user).into_owned(),
        _ => format!("{stem}#{number}"),
    };
    let (items, skill_ids): (Option<&[&[u8]]>, &[&[u8]]) = if shape == 4 {
        (Some(&record[1].1), &record[2].1)
    } else if sink.item_skills.is_some() {
        (Some(&record[1].1), &[])
    } else {
        (None, &record[1].1)
    };
    let (responses_line, responses) = &record[shape - 1];
    for (j, response) in responses.iter().enumerate() {
        let column = (j + 1).to_string();
        let correct = values::parse_correct(response).ok_or_else(|| {
            Error::input(
                at(*responses_line).column(column.clone()),
                format!(
                    "expected 0 or 1 (or 0.0, 1.0, true, false), found {}",
                    quoted(&String::from_utf8_lossy(response))
                ),
            )
        })?;
        let item = items
            .and_then(|i| i.get(j))
            .map(|i| String::from_utf8_lossy(i));
        let skill_line = if shape == 4 { 3 } else { 2 };
        let mapped: Vec<&str>;
        let single: [&str; 1];
        let skill_text;
        let skills: &[&str] = if let Some(map) = &sink.item_skills {
            match item.as_deref().and_then(|i| map.get(i)) {
                Some(s) => {
                    mapped = s.iter().map(String::as_str).collect();
                    &mapped
                }
                None => {
                    sink.builder.drop_row(NOT_IN_MAP);
                    continue;
                }
            }
        } else {
            let Some(id) = skill_ids.get(j) else {
                return Err(Error::input(
                    at(record[skill_line - 1].0).column(column),
                    "missing skill id",
                ));
            };
            skill_text = String::from_utf8_lossy(id);
            single = [&skill_text];
            if skill_text.is_empty() { &[] } else { &single }
        };
        sink.builder.push(RawRow {
            learner: &learner,
            skills,
            item: item.as_deref().filter(|i| !i.is_empty()),
            correct,
            order: j as i64,
            group: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_line_format_by_its_shape() {
        assert!(looks_like_dkt(b"3\n1,2,3\n0,1,1\n"));
        assert!(looks_like_dkt(b"12,78276\n7,8\n37,54\n0,1\n"));
        assert!(!looks_like_dkt(b"learner,skill\n1,2\n"));
        assert!(!looks_like_dkt(b"1,2,3\n1,2,3\n"));
        assert!(!looks_like_dkt(b"3\n"));
    }

    #[test]
    fn shape_is_three_or_four_lines() {
        let parse = |text: &'static [u8]| -> Vec<(u64, Vec<&'static [u8]>)> {
            text.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .enumerate()
                .map(|(n, l)| (n as u64 + 1, split(l)))
                .collect()
        };
        let three = parse(b"2\n5,6\n1,0\n1\n7\n1\n");
        assert!(fits(&three, 3));
        assert!(!fits(&three, 4));
        let four = parse(b"0,11\n5,6,\n1,2,\n1,0,\n");
        assert!(fits(&four, 4));
        assert!(!fits(&four, 3));
    }
}
