//! The one strict JSON reader for every JSON document pathwise reads (model files, credentials,
//! issuer key files, and the JSON form of skill graphs in `pathwise-datasets`).
//!
//! serde_json (with its `float_roundtrip` feature, so decimal numbers read as the correctly
//! rounded double) does the parsing; this module adds what serde_json would accept silently and
//! an I-JSON document (RFC 7493) must not have: a **duplicate member name** is refused with its
//! line and column, rather than keeping the last one (appending `"skills": {}` to a model file
//! would otherwise empty the model). A leading UTF-8 byte order mark is skipped, as the log and
//! graph readers skip it, and a document longer than the caller's size limit is refused before
//! it is parsed. Nesting is limited to serde_json's 128 levels.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::text::quoted;

/// The largest model file read: 512 MiB.
pub(crate) const MODEL_LIMIT: usize = 512 << 20;

/// Why a text is not strict JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonError {
    /// Not JSON: a syntax error, or the text ends early (`truncated`).
    Syntax {
        /// What is wrong.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The text ended before the value did.
        truncated: bool,
    },
    /// JSON that I-JSON forbids: a member name that occurs twice in one object.
    Duplicate {
        /// What is wrong (names the member, quoted and cut).
        message: String,
        /// 1-based line where the second occurrence of the name ends.
        line: usize,
        /// 1-based column where the second occurrence of the name ends.
        column: usize,
    },
    /// The text is longer than the limit it is read with.
    TooLarge {
        /// Its length in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
}

impl JsonError {
    /// The 1-based line and column of the problem, when it has one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            JsonError::Syntax { line, column, .. } | JsonError::Duplicate { line, column, .. } => {
                Some((*line, *column))
            }
            JsonError::TooLarge { .. } => None,
        }
    }

    /// The message without the position.
    pub fn message(&self) -> String {
        match self {
            JsonError::Syntax { message, .. } | JsonError::Duplicate { message, .. } => {
                message.clone()
            }
            JsonError::TooLarge { bytes, limit } => {
                format!("{bytes} bytes, over the limit of {limit} bytes")
            }
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position() {
            Some((line, column)) => write!(f, "{} at line {line} column {column}", self.message()),
            None => f.write_str(&self.message()),
        }
    }
}

/// Parses `text` (after a leading byte order mark, if any) as strict JSON: at most `limit`
/// bytes, no duplicate member names (see the module docs).
pub fn parse_strict(text: &str, limit: usize) -> Result<Value, JsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > limit {
        return Err(JsonError::TooLarge {
            bytes: text.len(),
            limit,
        });
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = StrictValue
        .deserialize(&mut reader)
        .and_then(|v| reader.end().map(|()| v))
        .map_err(from_serde)?;
    Ok(value)
}

fn from_serde(e: serde_json::Error) -> JsonError {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    let message = full
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&full)
        .to_owned();
    match e.classify() {
        // The only data error a value visitor raises is ours: a duplicate member name.
        serde_json::error::Category::Data => JsonError::Duplicate {
            message,
            line,
            column,
        },
        category => JsonError::Syntax {
            message,
            line,
            column,
            truncated: category == serde_json::error::Category::Eof,
        },
    }
}

/// Builds a [`Value`] like serde_json's own, refusing a member name seen before in its object.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
        // serde_json refuses numbers beyond the double range, so `x` is finite.
        Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not a finite double"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format!(
                    "duplicate member name {}",
                    quoted(&name)
                )));
            }
            let value = map.next_value_seed(self)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Value, JsonError> {
        parse_strict(text, 1 << 20)
    }

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
        // Without float_roundtrip serde_json reads this literal one double off.
        let v = parse("333333333.33333329").unwrap();
        assert_eq!(v.as_f64().unwrap().to_bits(), 0x41b3de4355555555);
        let v = parse("0.97123456789012345").unwrap();
        assert_eq!(
            v.as_f64().unwrap(),
            "0.97123456789012345".parse::<f64>().unwrap()
        );
    }

    #[test]
    fn duplicate_member_names_are_refused_with_the_place() {
        let err = parse("{\"a\":1,\n \"b\": {\"c\": 1, \"c\": 2}}").unwrap_err();
        assert!(matches!(err, JsonError::Duplicate { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "duplicate member name 'c' at line 2 column 18"
        );
        // a hostile name is quoted escaped and cut
        let name = format!("\u{1b}[2K{}", "x".repeat(10_000));
        let err = parse(&format!("{{\"{name}\":1,\"{name}\":2}}")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.len() < 200 && !message.contains('\u{1b}'),
            "{message}"
        );
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        assert_eq!(parse("\u{feff}{\"a\":1}").unwrap()["a"], 1);
        assert!(parse("{\"a\":1}\u{feff}").is_err(), "only a leading one");
    }

    #[test]
    fn longer_texts_than_the_limit_are_refused_before_parsing() {
        let err = parse_strict("[1, 2, 3]", 4).unwrap_err();
        assert_eq!(err, JsonError::TooLarge { bytes: 9, limit: 4 });
        assert_eq!(err.to_string(), "9 bytes, over the limit of 4 bytes");
    }

    #[test]
    fn refuses_what_json_forbids_with_the_place() {
        for (text, needle) in [
            ("\"\\ud800\"", "hex escape"),
            ("1e400", "out of range"),
            ("{\"a\":1} x", "trailing characters at line 1 column 9"),
            ("[1,]", "trailing comma"),
            ("01", "line 1 column 2"),
            ("\"a\tb\"", "control character"),
            ("{a:1}", "key must be a string"),
            ("", "EOF"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text:?}: {err}");
        }
        assert!(matches!(
            parse("{\"a\":"),
            Err(JsonError::Syntax {
                truncated: true,
                ..
            })
        ));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).unwrap_err().to_string().contains("recursion"));
    }
}
