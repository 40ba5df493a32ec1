//! Turns one tabular row (fields picked by a [`Mapping`]) into a [`RawRow`] for the
//! [`LogBuilder`]: drop rules, skill splitting, item→skill maps, correctness and order parsing,
//! each error naming file:line:column.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use pathwise::text::quoted;
use pathwise::{Error, Location, LogBuilder, OrderKind, RawRow, Result};

use super::columns::{Col, Mapping};
use super::values::{self, BadByte, Encoding};

/// Skills per item, from an item→skill map file.
pub(crate) type ItemSkills = HashMap<String, Vec<String>>;

/// Reason counted when an item is missing from the item→skill map.
pub(crate) const NOT_IN_MAP: &str = "item not in the item-skill map";

/// What all files of one log share: the builder, the order kind seen so far, the options.
pub(crate) struct Sink {
    pub builder: LogBuilder,
    pub order_kind: Option<OrderKind>,
    /// Where the order kind was first seen, when this sink found it (not inherited).
    pub order_kind_at: Option<Location>,
    pub encoding: Encoding,
    pub item_skills: Option<Arc<ItemSkills>>,
}

impl Sink {
    /// An empty sink.
    pub fn new(encoding: Encoding, item_skills: Option<ItemSkills>) -> Self {
        Self {
            builder: LogBuilder::new(),
            order_kind: None,
            order_kind_at: None,
            encoding,
            item_skills: item_skills.map(Arc::new),
        }
    }

    /// An empty sink for a part of a file read on another thread: the same options and the order
    /// kind known so far. [`Sink::absorb`] joins it back.
    pub fn part(&self) -> Self {
        let mut builder = LogBuilder::new();
        if let Some(kind) = self.order_kind {
            builder.set_order_kind(kind);
        }
        Self {
            builder,
            order_kind: self.order_kind,
            order_kind_at: None,
            encoding: self.encoding,
            item_skills: self.item_skills.clone(),
        }
    }

    /// Appends the rows of `part` (made by [`Sink::part`] and filled with the rows that follow
    /// this sink's), checking that its order kind agrees with the rows before it.
    pub fn absorb(&mut self, part: Sink) -> Result<()> {
        if let (Some(kind), Some(at)) = (part.order_kind, part.order_kind_at) {
            self.check_order_kind(kind, || at)?;
        }
        self.builder.append(part.builder);
        Ok(())
    }

    /// Records the order kind of a row, checking it agrees with earlier rows.
    pub fn check_order_kind(
        &mut self,
        kind: OrderKind,
        at: impl FnOnce() -> Location,
    ) -> Result<()> {
        check_order_kind(
            &mut self.order_kind,
            &mut self.order_kind_at,
            &mut self.builder,
            kind,
            at,
        )
    }
}

/// Records the order kind of a row in `seen` (and where, and the builder), checking it agrees
/// with earlier rows. A free function so it can run while other fields of a [`Sink`] are borrowed.
fn check_order_kind(
    seen: &mut Option<OrderKind>,
    seen_at: &mut Option<Location>,
    builder: &mut LogBuilder,
    kind: OrderKind,
    at: impl FnOnce() -> Location,
) -> Result<()> {
    match *seen {
        None => {
            *seen = Some(kind);
            *seen_at = Some(at());
            builder.set_order_kind(kind);
            Ok(())
        }
        Some(k) if k == kind => Ok(()),
        Some(k) => Err(Error::input(
            at(),
            format!(
                "this order value is {}, but earlier rows hold {}",
                kind_name(kind),
                kind_name(k)
            ),
        )),
    }
}

fn kind_name(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Sequence => "a sequence number",
        OrderKind::TimestampMillis => "a timestamp",
    }
}

/// One row's fields, by header index.
pub(crate) trait Fields {
    /// The raw bytes of field `index` (empty when the row has none there).
    fn get(&self, index: usize) -> &[u8];
    /// Field `index` as text when the reader already knows the row is valid UTF-8 (one check
    /// per row instead of one per field); `None` decodes the field on its own.
    fn utf8(&self, _index: usize) -> Option<&str> {
        None
    }
    /// The byte offset in the file of `bad`, found in field `index`, if it can be told.
    fn file_offset(&self, index: usize, bad: BadByte) -> Option<u64>;
}

/// Reads rows of one file into a [`Sink`].
pub(crate) struct RowReader<'a> {
    pub file: &'a str,
    pub mapping: &'a Mapping,
}

impl RowReader<'_> {
    fn at(&self, line: u64, col: &Col) -> Location {
        Location::file(self.file)
            .line(line)
            .column(col.name.clone())
    }

    /// Decodes a (possibly joined) column; `None` when it is empty.
    fn text<'f>(
        &self,
        sink: &Sink,
        fields: &'f impl Fields,
        col: &Col,
        line: u64,
    ) -> Result<Option<Cow<'f, str>>> {
        let decode = |index: usize| -> Result<Cow<'f, str>> {
            if sink.encoding == Encoding::Utf8 {
                if let Some(text) = fields.utf8(index) {
                    return Ok(Cow::Borrowed(text));
                }
            }
            let bytes = fields.get(index);
            values::decode(bytes, sink.encoding).map_err(|bad| {
                let offset = fields
                    .file_offset(index, bad)
                    .map(|o| format!(" at byte offset {o}"))
                    .unwrap_or_default();
                Error::input(
                    self.at(line, col),
                    format!(
                        "invalid UTF-8 byte 0x{:02X}{offset}; if the file is Latin-1, read it with --encoding latin1",
                        bad.byte
                    ),
                )
            })
        };
        let text = match col.indices.as_slice() {
            [one] => decode(*one)?,
            several => {
                let mut joined = String::new();
                for (n, &index) in several.iter().enumerate() {
                    if n > 0 {
                        joined.push_str("::");
                    }
                    joined.push_str(&decode(index)?);
                }
                if joined.len() == 2 * (several.len() - 1) {
                    joined.clear();
                }
                Cow::Owned(joined)
            }
        };
        Ok((!text.is_empty()).then_some(text))
    }

    /// Adds one data row found at `line`.
    pub fn push(&self, sink: &mut Sink, fields: &impl Fields, line: u64) -> Result<()> {
        let m = self.mapping;
        if let Some((index, value, reason)) = m.drop_rule {
            if fields.get(index).trim_ascii() == value.as_bytes() {
                sink.builder.drop_row(reason);
                return Ok(());
            }
        }
        let item = match &m.item {
            Some(col) => self.text(sink, fields, col, line)?,
            None => None,
        };
        let skill_text = match &m.skill {
            Some(col) => self.text(sink, fields, col, line)?,
            None => None,
        };
        let single: [&str; 1];
        let several: Vec<&str>;
        let skills: &[&str] = if let Some(map) = &sink.item_skills {
            let Some(item) = item.as_deref() else {
                sink.builder.drop_row("no item");
                return Ok(());
            };
            let Some(skills) = map.get(item) else {
                sink.builder.drop_row(NOT_IN_MAP);
                return Ok(());
            };
            several = skills.iter().map(String::as_str).collect();
            &several
        } else {
            match (skill_text.as_deref(), m.skill_separator) {
                (None, _) => &[],
                (Some(s), Some(sep)) if contains(s, sep) => {
                    several = s.split(sep).filter(|p| !p.is_empty()).collect();
                    &several
                }
                (Some(s), _) => {
                    single = [s];
                    &single
                }
            }
        };
        if skills.is_empty() {
            sink.builder.drop_row("no skill");
            return Ok(());
        }
        let learner = self
            .text(sink, fields, &m.learner, line)?
            .ok_or_else(|| Error::input(self.at(line, &m.learner), "empty learner id"))?;
        let correct_bytes = fields.get(m.correct.indices[0]);
        let correct = values::parse_correct(correct_bytes).ok_or_else(|| {
            Error::input(
                self.at(line, &m.correct),
                format!(
                    "expected 0 or 1 (or 0.0, 1.0, true, false), found {}",
                    quoted(&String::from_utf8_lossy(correct_bytes))
                ),
            )
        })?;
        let order_bytes = fields.get(m.order.indices[0]);
        let (order, kind) = values::parse_order(order_bytes).ok_or_else(|| {
            Error::input(
                self.at(line, &m.order),
                format!(
                    "expected a sequence number or a date and time, found {}",
                    quoted(&String::from_utf8_lossy(order_bytes))
                ),
            )
        })?;
        check_order_kind(
            &mut sink.order_kind,
            &mut sink.order_kind_at,
            &mut sink.builder,
            kind,
            || self.at(line, &m.order),
        )?;
        let group = match &m.group {
            Some(col) => self.text(sink, fields, col, line)?,
            None => None,
        };
        sink.builder.push(RawRow {
            learner: &learner,
            skills,
            item: item.as_deref(),
            correct,
            order,
            group: group.as_deref(),
        });
        Ok(())
    }
}

/// Whether `text` contains `separator` (a few bytes): a byte scan, without the substring
/// searcher's set-up that `str::contains` pays on every row.
fn contains(text: &str, separator: &str) -> bool {
    let (text, sep) = (text.as_bytes(), separator.as_bytes());
    sep.first()
        .is_some_and(|&first| memchr::memchr_iter(first, text).any(|i| text[i..].starts_with(sep)))
}
