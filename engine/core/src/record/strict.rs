//! A strict JSON reader for documents whose signature covers their canonical form.
//!
//! Two reasons not to use `serde_json::from_str` here: it silently keeps the last of duplicate
//! member names (I-JSON, RFC 7493, forbids duplicates: two readers could see two documents), and
//! without its `float_roundtrip` feature it may round decimal numbers to a neighbouring double, so
//! the canonical form re-computed by a verifier would differ from the signed one. This reader
//! follows RFC 8259's grammar, refuses duplicates, lone surrogates and numbers outside the double
//! range, converts numbers with Rust's correctly rounded `str::parse::<f64>`, and keeps integers
//! that fit 64 bits as integers.

use serde_json::{Map, Number, Value};

use super::jcs::JcsError;

/// Nesting deeper than this is refused (as serde_json does), so hostile input cannot exhaust
/// the stack.
const MAX_DEPTH: usize = 128;

/// Parses `text` as strict JSON (see the module docs).
pub(crate) fn parse(text: &str) -> Result<Value, JcsError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let value = p.value()?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.syntax("trailing characters after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn where_(&self, at: usize) -> String {
        let before = &self.bytes[..at.min(self.bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&self.bytes[line_start..at.min(self.bytes.len())])
            .chars()
            .count()
            + 1;
        format!("line {line} column {column}")
    }

    fn syntax(&self, what: &str) -> JcsError {
        JcsError::Syntax(format!("{what} at {}", self.where_(self.pos)))
    }

    fn not_ijson(&self, at: usize, what: &str) -> JcsError {
        JcsError::NotIJson(format!("{what} at {}", self.where_(at)))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, value: Value) -> Result<Value, JcsError> {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.syntax("expected a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Value, JcsError> {
        match self.peek() {
            None => Err(self.syntax("unexpected end of input")),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.expect_literal("true", Value::Bool(true)),
            Some(b'f') => self.expect_literal("false", Value::Bool(false)),
            Some(b'n') => self.expect_literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.syntax("expected a JSON value")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Value, JcsError>) -> Result<Value, JcsError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.syntax("nesting deeper than 128 levels"));
        }
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn object(&mut self) -> Result<Value, JcsError> {
        self.pos += 1; // '{'
        let mut members = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("expected a member name in double quotes"));
            }
            let name_at = self.pos;
            let name = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.syntax("expected ':' after the member name"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            if members.contains_key(&name) {
                return Err(self.not_ijson(name_at, &format!("duplicate member name '{name}'")));
            }
            members.insert(name, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.syntax("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, JcsError> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.syntax("expected ',' or ']'")),
            }
        }
    }

    fn string(&mut self) -> Result<String, JcsError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        let mut run = self.pos; // start of the current unescaped run
        loop {
            match self.peek() {
                None => return Err(self.syntax("unterminated string")),
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(b) if b < 0x20 => {
                    return Err(self.syntax("control character inside a string (must be escaped)"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JcsError> {
        let at = self.pos - 1;
        let c = self
            .peek()
            .ok_or_else(|| self.syntax("unterminated escape"))?;
        self.pos += 1;
        let simple = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{08}',
            b'f' => '\u{0C}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.not_ijson(at, "lone surrogate in a \\u escape"));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.not_ijson(at, "lone surrogate in a \\u escape"));
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                let ch = char::from_u32(code)
                    .ok_or_else(|| self.not_ijson(at, "lone surrogate in a \\u escape"))?;
                out.push(ch);
                return Ok(());
            }
            _ => {
                self.pos -= 1;
                return Err(self.syntax("invalid escape"));
            }
        };
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JcsError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.syntax("expected four hex digits after \\u"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.syntax("invalid \\u escape"))?;
        let value = u32::from_str_radix(text, 16).map_err(|_| self.syntax("invalid \\u escape"))?;
        self.pos += 4;
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, JcsError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax("expected a digit")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.syntax("expected a digit after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("expected a digit in the exponent"));
            }
        }
        let literal = &self.text[start..self.pos];
        if integer {
            if let Ok(i) = literal.parse::<i64>() {
                return Ok(Value::Number(i.into()));
            }
            if let Ok(u) = literal.parse::<u64>() {
                return Ok(Value::Number(u.into()));
            }
        }
        literal
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| {
                self.not_ijson(
                    start,
                    &format!("number {literal} is outside the double range"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#" {"a": [1, -2, 3.5e2, 18446744073709551615, -0.0, true, false, null],
                       "b": {"": "x\u00e9\ud83d\ude00\n\"\\\/"}, "c": [] , "d": {}} "#;
        let strict = parse(text).unwrap();
        let lenient: Value = serde_json::from_str(text).unwrap();
        assert_eq!(strict, lenient);
        assert_eq!(strict["b"][""], "xé😀\n\"\\/");
    }

    #[test]
    fn decimal_numbers_are_correctly_rounded() {
        // serde_json's default (not float_roundtrip) reading is one double off for this literal.
        let v = parse("333333333.33333329").unwrap();
        assert_eq!(v.as_f64().unwrap().to_bits(), 0x41b3de4355555555);
        let v = parse("0.97123456789012345").unwrap();
        assert_eq!(
            v.as_f64().unwrap(),
            "0.97123456789012345".parse::<f64>().unwrap()
        );
    }

    #[test]
    fn refuses_what_i_json_or_json_forbid_with_the_place() {
        let cases: &[(&str, &str)] = &[
            (
                "{\"a\":1,\n \"a\":2}",
                "duplicate member name 'a' at line 2 column 2",
            ),
            ("\"\\ud800\"", "lone surrogate"),
            ("\"\\udc00\"", "lone surrogate"),
            ("\"\\ud800\\u0041\"", "lone surrogate"),
            ("1e400", "outside the double range"),
            (
                "{\"a\":1} x",
                "trailing characters after the JSON value at line 1 column 9",
            ),
            ("{\"a\":", "unexpected end of input"),
            ("[1,]", "expected a JSON value"),
            ("01", "trailing characters"),
            ("1.", "after the decimal point"),
            ("-", "expected a digit"),
            ("\"a\tb\"", "control character"),
            ("\"\\x\"", "invalid escape"),
            ("\"\\u12\"", "four hex digits"),
            ("{a:1}", "member name"),
            ("tru", "expected a JSON value"),
            ("", "unexpected end of input"),
        ];
        for (text, needle) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).unwrap_err().to_string().contains("nesting"));
        assert!(matches!(
            parse("{\"a\":1,\"a\":1}"),
            Err(JcsError::NotIJson(_))
        ));
        assert!(matches!(parse("{\"a\":1"), Err(JcsError::Syntax(_))));
    }
}
