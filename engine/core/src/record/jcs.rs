//! JSON Canonicalization Scheme (JCS, RFC 8785): one exact byte form per JSON value, so that
//! hashes and signatures survive re-serialisation (whitespace, key order, number spelling).
//!
//! The rules, from RFC 8785 §3.2:
//! - no whitespace between tokens;
//! - object members sorted by their names compared as arrays of UTF-16 code units;
//! - strings as ECMAScript `JSON.stringify` writes them: `"` and `\` escaped, the control
//!   characters U+0000..U+001F written as `\b \t \n \f \r` or else `\u00xx` (lower-case hex),
//!   every other character as itself in UTF-8;
//! - numbers as IEEE-754 doubles written by ECMAScript's Number::toString (the `ryu-js` crate:
//!   shortest round-trip digits, the closest to the double on a tie; plain notation for
//!   1e-7 < |x| < 1e21, otherwise `d.ddde±n`).
//!
//! A [`Value`] read by serde_json holds only finite numbers (it refuses literals beyond the double
//! range and cannot hold NaN or infinities), so every value has a canonical form. Documents to
//! canonicalise are read with the crate's strict reader (`crate::json`), which refuses duplicate
//! member names.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// The canonical (RFC 8785) UTF-8 text of `value`.
pub(crate) fn canonicalize(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|a, b| utf16_cmp(a.0, b.0));
            out.push('{');
            for (i, (name, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(name, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Orders strings by their UTF-16 code units (RFC 8785 §3.2.3), which differs from code-point
/// order for characters above U+FFFF against U+E000..U+FFFF.
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Every JSON number is an IEEE-754 double in JCS: integers beyond 2^53 round as ECMAScript's
/// parser rounds them (to nearest, ties to even), which `as f64` does too.
fn write_number(n: &Number, out: &mut String) {
    let x = n.as_f64().unwrap_or_default();
    write_double(x, out);
}

/// ECMAScript Number::toString(x) (ECMA-262 §6.1.6.1.20).
fn write_double(x: f64, out: &mut String) {
    out.push_str(ryu_js::Buffer::new().format(x));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn parse_strict(text: &str) -> Result<Value, crate::json::JsonError> {
        crate::json::parse_strict(text, 1 << 20)
    }

    fn canon(text: &str) -> String {
        canonicalize(&parse_strict(text).unwrap())
    }

    /// RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical spelling.
    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for &(bits, want) in cases {
            let x = f64::from_bits(bits);
            let mut got = String::new();
            write_double(x, &mut got);
            assert_eq!(got, want, "bits {bits:016x}");
            // and through a JSON value, the path documents take
            let v = Value::Number(Number::from_f64(x).unwrap());
            assert_eq!(canonicalize(&v), want, "bits {bits:016x} as Value");
        }
    }

    /// RFC 8785 §3.2.2 example: literals, numbers and string escaping.
    #[test]
    fn rfc8785_primitive_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            canon(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\
             \"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    /// RFC 8785 §3.2.3 example: members sorted by UTF-16 code units, not code points or bytes.
    #[test]
    fn rfc8785_sorting_example() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
                    \"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\
                    \"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(canon(input), want);
    }

    #[test]
    fn control_characters_use_short_or_lowercase_hex_escapes() {
        let v = Value::String("\u{0}\u{1f}\u{7f}\u{8}\u{c}\u{2028}".into());
        assert_eq!(canonicalize(&v), "\"\\u0000\\u001f\u{7f}\\b\\f\u{2028}\"");
    }

    #[test]
    fn big_integers_round_like_ecmascript() {
        // 2^64 - 1 is not a double; ECMAScript reads it as 2^64.
        assert_eq!(canon("18446744073709551615"), "18446744073709552000");
        assert_eq!(canon("-9223372036854775808"), "-9223372036854776000");
        assert_eq!(
            canon("[1e21, 1e20, 1e-6, 1e-7, 123e-2]"),
            "[1e+21,100000000000000000000,0.000001,1e-7,1.23]"
        );
    }

    /// Powers of two are where the nearest k-digit decimal may not read back as the double (the
    /// rounding interval is half as wide below them); ECMAScript then takes the nearest one above.
    /// Expected strings from Node.js (`String(2 ** -24)` …).
    #[test]
    fn powers_of_two_use_the_nearest_decimal_that_reads_back() {
        for (x, want) in [
            (2f64.powi(-24), "5.960464477539063e-8"),
            (2f64.powi(89), "6.189700196426902e+26"),
            (f64::from_bits(0x0060000000000000), "7.120236347223045e-307"),
            (f64::from_bits(0x3d30000000000000), "5.684341886080802e-14"),
            (2f64.powi(-1074), "5e-324"),
            (2f64.powi(-1022), "2.2250738585072014e-308"),
            (2f64.powi(1023), "8.98846567431158e+307"),
            (2f64.powi(53), "9007199254740992"),
            (2f64.powi(70), "1.1805916207174113e+21"),
        ] {
            let mut got = String::new();
            write_double(x, &mut got);
            assert_eq!(got, want, "{x:e}");
        }
        let digits = |t: &str| {
            let m = t.split('e').next().unwrap_or(t);
            m.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .trim_matches('0')
                .len()
        };
        for e in -1074..=1023 {
            let x = 2f64.powi(e);
            let mut s = String::new();
            write_double(x, &mut s);
            assert_eq!(s.parse::<f64>().ok(), Some(x), "2^{e} written {s}");
            assert_eq!(digits(&s), digits(&format!("{x:e}")), "2^{e} written {s}");
        }
    }

    /// Values from ECMA-262 Number::toString, as `String(x)` in Node.js prints them.
    #[test]
    fn ecmascript_number_spellings() {
        for (text, want) in [
            ("-0", "0"),
            ("-0.0", "0"),
            ("0.0e5", "0"),
            ("1e21", "1e+21"),
            ("1E+21", "1e+21"),
            ("999999999999999999999", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123456789012345678901", "123456789012345680000"),
            ("1e-6", "0.000001"),
            ("0.000001", "0.000001"),
            ("1e-7", "1e-7"),
            ("0.0000001234", "1.234e-7"),
            ("-1.5e-7", "-1.5e-7"),
            ("0.1", "0.1"),
            ("100", "100"),
            ("1.0", "1"),
            ("-12.50", "-12.5"),
            ("9007199254740993", "9007199254740992"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("5e-324", "5e-324"),
            ("2e-324", "0"),
        ] {
            assert_eq!(canon(text), want, "{text}");
        }
    }

    /// I-JSON numbers are finite doubles: NaN and the infinities have no JSON spelling, and
    /// literals beyond the double range are refused rather than read as infinity.
    #[test]
    fn nan_and_infinities_are_not_json_numbers() {
        for text in ["NaN", "Infinity", "-Infinity", "1e309", "-1e400"] {
            assert!(parse_strict(text).is_err(), "{text}");
        }
        assert!(Number::from_f64(f64::NAN).is_none());
        assert!(Number::from_f64(f64::INFINITY).is_none());
    }

    /// Every ASCII character and a few beyond, against `JSON.stringify` in Node.js: only `"`,
    /// `\` and U+0000..U+001F are escaped (short forms where they exist, else lower-case
    /// `\u00xx`); DEL, U+2028/U+2029, noncharacters and astral characters are written as they
    /// are.
    #[test]
    fn string_escaping_matches_json_stringify() {
        let mut s: String = (0u8..0x80).map(char::from).collect();
        s.push_str("\u{2028}\u{2029}\u{feff}\u{ffff}\u{10000}\u{10ffff}\u{1f600}");
        let want = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\
                    \\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\
                    \\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f !\\\"#$%&'()*+,-./0123456789:;\
                    <=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u{7f}\
                    \u{2028}\u{2029}\u{feff}\u{ffff}\u{10000}\u{10ffff}\u{1f600}\"";
        assert_eq!(canonicalize(&Value::String(s.clone())), want);
        // and the escaped form reads back as the same string
        assert_eq!(parse_strict(want).unwrap(), Value::String(s));
    }

    /// Member names in the order of ECMAScript's default `Array.prototype.sort` (UTF-16 code
    /// units), which puts U+E000..U+FFFF after the astral characters (surrogates D800..DFFF).
    #[test]
    fn member_order_is_utf16_order_not_code_point_order() {
        let names = [
            "\u{10000}",
            "\u{e000}",
            "\u{ffff}",
            "a\u{0}",
            "a",
            "",
            "\u{1f600}",
            "\u{ff61}",
            "Z",
            "\u{d7ff}",
            "ab",
            "\u{10ffff}",
        ];
        let map: Map<String, Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| ((*n).to_owned(), Value::from(i)))
            .collect();
        let text = canonicalize(&Value::Object(map));
        // the names in the order written (commas and colons occur only between members here)
        let order: Vec<&str> = text[1..text.len() - 1]
            .split(',')
            .filter_map(|member| member.rsplit_once(':').map(|(name, _)| name))
            .collect();
        // Node.js: [...names].sort()
        let want = [
            "\"\"",
            "\"Z\"",
            "\"a\"",
            "\"a\\u0000\"",
            "\"ab\"",
            "\"\u{d7ff}\"",
            "\"\u{10000}\"",
            "\"\u{1f600}\"",
            "\"\u{10ffff}\"",
            "\"\u{e000}\"",
            "\"\u{ff61}\"",
            "\"\u{ffff}\"",
        ];
        assert_eq!(order, want);
    }

    #[test]
    fn whitespace_and_order_do_not_change_the_canonical_form() {
        assert_eq!(
            canon("{ \"b\" : [ 1 , 2 ] ,\n\t\"a\" : { } }"),
            canon("{\"a\":{},\"b\":[1,2]}")
        );
    }

    proptest::proptest! {
        /// Any finite double's canonical spelling reads back as the same double, is a fixed
        /// point of canonicalisation, and uses ECMAScript's shortest digits (no longer than
        /// Rust's shortest round-trip form).
        #[test]
        fn numbers_round_trip(bits in proptest::prelude::any::<u64>()) {
            let x = f64::from_bits(bits);
            proptest::prop_assume!(x.is_finite());
            let mut s = String::new();
            write_double(x, &mut s);
            let back: f64 = s.parse().unwrap();
            proptest::prop_assert!(back == x, "{} -> {} -> {}", x, s, back);
            proptest::prop_assert_eq!(canon(&s), s.clone());
            let digits = |t: &str| t.split('e').next().unwrap().chars().filter(char::is_ascii_digit)
                .collect::<String>().trim_matches('0').len();
            proptest::prop_assert_eq!(digits(&s), digits(&format!("{:e}", x.abs())));
        }

        /// Canonicalising is idempotent on arbitrary nested documents with unicode names.
        #[test]
        fn canonical_form_is_a_fixed_point(
            names in proptest::collection::vec("[a-z\u{80}-\u{10ffff}]{0,3}", 1..6),
            numbers in proptest::collection::vec(-1e30f64..1e30, 1..6),
        ) {
            let mut map = Map::new();
            for (i, name) in names.iter().enumerate() {
                let n = numbers[i % numbers.len()];
                map.insert(name.clone(), serde_json::json!([n, name, {"x": n / 3.0}]));
            }
            let once = canonicalize(&Value::Object(map));
            proptest::prop_assert_eq!(canon(&once), once.clone());
        }
    }
}
