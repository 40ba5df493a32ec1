//! Where the statements of a file of xAPI statements are: a JSON array of them, NDJSON (one per
//! line), or LRS pages (`{"statements": [...], "more": "..."}`), each found as a byte range,
//! without parsing the file as one JSON value. Each statement is then parsed on its own: memory
//! holds the file's bytes and one statement's value at a time, deep nesting meets serde_json's
//! recursion limit inside one statement, and an error can name the line and column where the
//! statement starts.
//!
//! The scan only matches brackets outside strings; what lies between them is checked by parsing
//! each statement (and each page member name), so a malformed file is refused either here or there.

use std::ops::Range;

/// A file that is not statements in one of the accepted shapes: the byte offset at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpanError {
    /// Where, as a byte offset in the file.
    pub offset: usize,
    /// What is wrong, in one line.
    pub message: String,
}

type Spans = Result<Vec<Range<usize>>, SpanError>;

fn fail<T>(offset: usize, message: impl Into<String>) -> Result<T, SpanError> {
    Err(SpanError {
        offset,
        message: message.into(),
    })
}

/// The byte ranges of the statements in `text`, in file order: the elements of top-level arrays,
/// the elements of the `statements` array of top-level objects that are LRS pages, and the other
/// top-level objects (NDJSON lines, or a single statement).
pub(crate) fn statement_spans(text: &[u8]) -> Spans {
    let mut spans = Vec::new();
    let start = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut i = skip_space(text, start);
    while i < text.len() {
        match text[i] {
            b'[' => i = elements(text, i, &mut spans)?,
            b'{' => {
                let end = value_end(text, i)?;
                match page_statements(text, i)? {
                    Some(array) => {
                        elements(text, array, &mut spans)?;
                    }
                    None => spans.push(i..end),
                }
                i = end;
            }
            _ => {
                return fail(
                    i,
                    "expected a statement (a JSON object), an array of statements or an LRS \
                     page ({\"statements\": [...]})",
                );
            }
        }
        i = skip_space(text, i);
    }
    Ok(spans)
}

/// Adds the elements of the array opening at `open` to `spans`; returns the offset after it.
fn elements(text: &[u8], open: usize, spans: &mut Vec<Range<usize>>) -> Result<usize, SpanError> {
    let mut i = skip_space(text, open + 1);
    if text.get(i) == Some(&b']') {
        return Ok(i + 1);
    }
    loop {
        let end = value_end(text, i)?;
        spans.push(i..end);
        i = skip_space(text, end);
        match text.get(i) {
            Some(b',') => i = skip_space(text, i + 1),
            Some(b']') => return Ok(i + 1),
            Some(_) => return fail(i, "expected ',' or ']' after a statement"),
            None => return fail(open, "the array is not closed; is the file cut short?"),
        }
    }
}

/// Where the `statements` array of the object opening at `open` starts, when the object is an
/// LRS page (it has `statements` and no `actor` or `verb`).
fn page_statements(text: &[u8], open: usize) -> Result<Option<usize>, SpanError> {
    let mut i = skip_space(text, open + 1);
    if text.get(i) == Some(&b'}') {
        return Ok(None);
    }
    let (mut statements, mut statement) = (None, false);
    loop {
        if text.get(i) != Some(&b'"') {
            return fail(i, "expected a member name in double quotes");
        }
        let name_end = value_end(text, i)?;
        let name: String = serde_json::from_slice(&text[i..name_end]).map_err(|e| SpanError {
            offset: i,
            message: format!("malformed member name: {}", super::xapi_log::bare(&e)),
        })?;
        i = skip_space(text, name_end);
        if text.get(i) != Some(&b':') {
            return fail(i, "expected ':' after a member name");
        }
        i = skip_space(text, i + 1);
        let end = value_end(text, i)?;
        match name.as_str() {
            "statements" if text[i] == b'[' => statements = Some(i),
            "actor" | "verb" => statement = true,
            _ => {}
        }
        i = skip_space(text, end);
        match text.get(i) {
            Some(b',') => i = skip_space(text, i + 1),
            Some(b'}') => return Ok(statements.filter(|_| !statement)),
            Some(_) => return fail(i, "expected ',' or '}' after a member"),
            None => return fail(open, "the object is not closed; is the file cut short?"),
        }
    }
}

/// The offset after the JSON value starting at `start`: a string, a bracketed value (matched
/// outside strings, with a counter, so any depth costs no stack) or a scalar.
fn value_end(text: &[u8], start: usize) -> Result<usize, SpanError> {
    match text.get(start) {
        None => fail(start, "the file ends where a value was expected"),
        Some(b'"') => string_end(text, start),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < text.len() {
                match text[i] {
                    b'"' => {
                        i = string_end(text, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            fail(
                start,
                "the value starting here is not closed; is the file cut short?",
            )
        }
        Some(_) => {
            let end = text[start..]
                .iter()
                .position(|b| b",:[]{}\" \t\r\n".contains(b))
                .map_or(text.len(), |p| start + p);
            if end == start {
                fail(start, "expected a value")
            } else {
                Ok(end)
            }
        }
    }
}

/// The offset after the string whose opening quote is at `start`.
fn string_end(text: &[u8], start: usize) -> Result<usize, SpanError> {
    let mut i = start + 1;
    while let Some(p) = text
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        let j = i + p;
        if text[j] == b'"' {
            return Ok(j + 1);
        }
        i = j + 2;
    }
    fail(
        start,
        "the string starting here is not closed; is the file cut short?",
    )
}

fn skip_space(text: &[u8], mut i: usize) -> usize {
    while text.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
        i += 1;
    }
    i
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
        assert_eq!(error(r#"[{"a":1} {"b":2}]"#).offset, 9);
        assert_eq!(error(r#"[{"a":1},"#).offset, 9);
        assert_eq!(error(r#"[{"a":1}"#).offset, 0);
        assert_eq!(error(r#"[{"a":"x}]"#).offset, 6);
        assert_eq!(error("42").offset, 0);
        assert_eq!(error(r#"{"statements" 1}"#).offset, 14);
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
