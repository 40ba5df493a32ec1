//! Where the statements of a file of xAPI statements are: a JSON array of them, NDJSON (one per
//! line), or LRS pages (`{"statements": [...], "more": "..."}`), each found as a byte range by
//! serde_json as a borrowed [`RawValue`], without building the file as one JSON value. Each
//! statement is then parsed on its own: memory holds the file's bytes and one statement's value at
//! a time, deep nesting costs no stack while the statements are found (serde_json skips nested
//! values with a loop) and meets serde_json's recursion limit when a statement is parsed, and an
//! error can name the line and column where the statement starts.

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

/// A file that is not statements in one of the accepted shapes: the byte offset at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpanError {
    /// Where, as a byte offset in the file.
    pub offset: usize,
    /// What is wrong, in one line.
    pub message: String,
}

type Spans = Result<Vec<Range<usize>>, SpanError>;

/// The byte ranges of the statements in `text`, in file order: the elements of top-level arrays,
/// the elements of the `statements` array of top-level objects that are LRS pages, and the other
/// top-level objects (NDJSON lines, or a single statement).
pub(crate) fn statement_spans(text: &[u8]) -> Spans {
    let start = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let body = &text[start..];
    let mut spans = Vec::new();
    for value in serde_json::Deserializer::from_slice(body).into_iter::<&RawValue>() {
        let value = value.map_err(|e| SpanError {
            offset: start + offset_of(body, &e),
            message: match e.classify() {
                serde_json::error::Category::Eof => {
                    "the file ends inside a value; is it cut short?".to_owned()
                }
                _ => format!("malformed JSON: {}", super::xapi_log::bare(&e)),
            },
        })?;
        let span = span_of(text, value);
        match text[span.start] {
            b'[' => spans.extend(elements(text, value)),
            b'{' => match page_statements(value) {
                Some(array) => spans.extend(elements(text, array)),
                None => spans.push(span),
            },
            _ => {
                return Err(SpanError {
                    offset: span.start,
                    message: "expected a statement (a JSON object), an array of statements or \
                              an LRS page ({\"statements\": [...]})"
                        .to_owned(),
                });
            }
        }
    }
    Ok(spans)
}

/// The byte range of `value`, a slice borrowed from `text`.
fn span_of(text: &[u8], value: &RawValue) -> Range<usize> {
    let start = value.get().as_ptr() as usize - text.as_ptr() as usize;
    start..start + value.get().len()
}

/// The ranges of the elements of `array`, a JSON array borrowed from `text` (already checked
/// to be well-formed JSON).
fn elements(text: &[u8], array: &RawValue) -> Vec<Range<usize>> {
    let items: Vec<&RawValue> = serde_json::from_str(array.get()).unwrap_or_default();
    items.into_iter().map(|item| span_of(text, item)).collect()
}

/// The members of a top-level object that decide whether it is an LRS page.
#[derive(Deserialize)]
struct PageMembers<'a> {
    #[serde(borrow, default)]
    statements: Option<&'a RawValue>,
    #[serde(borrow, default)]
    actor: Option<&'a RawValue>,
    #[serde(borrow, default)]
    verb: Option<&'a RawValue>,
}

/// The `statements` array of `object` when it is an LRS page (it has `statements` as an array and
/// no `actor` or `verb`); anything else is a statement for the statement reader to judge.
fn page_statements(object: &RawValue) -> Option<&RawValue> {
    let members: PageMembers<'_> = serde_json::from_str(object.get()).ok()?;
    let is_page = members.actor.is_none() && members.verb.is_none();
    members
        .statements
        .filter(|array| is_page && array.get().starts_with('['))
}

/// The byte offset in `body` of a serde_json error's line and column.
fn offset_of(body: &[u8], e: &serde_json::Error) -> usize {
    let line_start = memchr::memchr_iter(b'\n', body)
        .nth(e.line().saturating_sub(2))
        .map_or(0, |p| p + 1);
    let line_start = if e.line() <= 1 { 0 } else { line_start };
    (line_start + e.column().saturating_sub(1)).min(body.len())
}

/// Line and column (1-based, the column in bytes, as serde_json counts) of byte offsets asked
/// for in increasing order; an earlier offset counts again from the start.
pub(crate) struct Positions<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
    line_start: usize,
}

impl<'a> Positions<'a> {
    /// Positions in `text`.
    pub fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The line and column of `offset`.
    pub fn at(&mut self, offset: usize) -> (u64, u64) {
        if offset < self.offset {
            *self = Self::new(self.text);
        }
        let offset = offset.min(self.text.len());
        for p in memchr::memchr_iter(b'\n', &self.text[self.offset..offset]) {
            self.line += 1;
            self.line_start = self.offset + p + 1;
        }
        self.offset = offset;
        (self.line, (offset - self.line_start) as u64 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        statement_spans(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn arrays_ndjson_and_lrs_pages_give_their_statements() {
        assert_eq!(
            texts(r#" [ {"a":1} , {"b":"]"} ] "#),
            [r#"{"a":1}"#, r#"{"b":"]"}"#]
        );
        assert_eq!(
            texts("{\"a\":1}\n{\"b\":[2]}\n"),
            [r#"{"a":1}"#, r#"{"b":[2]}"#]
        );
        let page = r#"{"statements":[{"actor":{}},{"x":"\"}"}],"more":"/xapi?p=2"}"#;
        assert_eq!(texts(page), [r#"{"actor":{}}"#, r#"{"x":"\"}"}"#]);
        let statement = r#"{"actor":{},"verb":{},"statements":[1]}"#;
        assert_eq!(texts(statement), [statement]);
        assert_eq!(texts("\u{feff}[]"), Vec::<&str>::new());
    }

    #[test]
    fn malformed_shapes_name_the_offset() {
        let error = |text: &str| statement_spans(text.as_bytes()).unwrap_err();
        let missing_comma = error(r#"[{"a":1} {"b":2}]"#);
        assert_eq!(missing_comma.offset, 9);
        assert_eq!(missing_comma.message, "malformed JSON: expected `,` or `]`");
        let cut_short = error(r#"[{"a":1},"#);
        assert_eq!(cut_short.offset, 8);
        assert!(
            cut_short.message.ends_with("is it cut short?"),
            "{cut_short:?}"
        );
        assert_eq!(error(r#"[{"a":1}"#).offset, 7);
        assert_eq!(error(r#"[{"a":"x}]"#).offset, 9);
        let scalar = error("42");
        assert_eq!(scalar.offset, 0);
        assert!(
            scalar.message.starts_with("expected a statement"),
            "{scalar:?}"
        );
        assert_eq!(error(r#"{"statements" 1}"#).offset, 14);
        assert_eq!(error("{\"a\":1}\n{\"b\" 2}").offset, 13);
        assert_eq!(error("\u{feff}[1 2]").offset, 6);
    }

    #[test]
    fn deep_nesting_is_matched_without_recursion() {
        let deep = format!("[{}{}]", "[".repeat(1_000_000), "]".repeat(1_000_000));
        assert_eq!(statement_spans(deep.as_bytes()).unwrap().len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_ordered_spans_inside_the_file_or_an_offset_inside_it(
            text in proptest::collection::vec(
                proptest::sample::select(b"[]{},:\"\\ \nab1".to_vec()),
                0..64,
            )
        ) {
            match statement_spans(&text) {
                Ok(spans) => {
                    let mut end = 0;
                    for span in spans {
                        proptest::prop_assert!(end <= span.start && span.start < span.end);
                        proptest::prop_assert!(span.end <= text.len());
                        end = span.end;
                    }
                }
                Err(e) => proptest::prop_assert!(e.offset <= text.len()),
            }
        }
    }

    #[test]
    fn positions_count_lines_and_byte_columns() {
        let text = b"ab\ncd\n\nef";
        let mut p = Positions::new(text);
        assert_eq!(p.at(0), (1, 1));
        assert_eq!(p.at(4), (2, 2));
        assert_eq!(p.at(8), (4, 2));
        assert_eq!(p.at(1), (1, 2));
    }
}
