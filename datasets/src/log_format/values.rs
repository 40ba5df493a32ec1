//! Field values: text decoding (UTF-8 or Latin-1), correctness, and order keys (sequence numbers
//! or timestamps).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use pathwise::{Error, Location, OrderKind, Result};

/// How the bytes of a text log are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is allowed); an invalid byte is an error.
    #[default]
    Utf8,
    /// ISO-8859-1: every byte is the character of the same code point (e.g. the original
    /// ASSISTments 2009 download).
    Latin1,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "utf8",
            Encoding::Latin1 => "latin1",
        })
    }
}

impl FromStr for Encoding {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf8" | "utf-8" => Ok(Encoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" => Ok(Encoding::Latin1),
            _ => Err(Error::input(
                Location::subject(pathwise::SubjectKind::Encoding, s),
                "unknown encoding; expected utf8 or latin1",
            )),
        }
    }
}

/// A byte that is not valid UTF-8: its offset inside the field and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadByte {
    pub offset: usize,
    pub byte: u8,
}

/// Decodes one field. Latin-1 maps every byte to the character of the same code point.
pub(crate) fn decode(bytes: &[u8], encoding: Encoding) -> Result<Cow<'_, str>, BadByte> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            let offset = e.valid_up_to();
            BadByte {
                offset,
                byte: bytes.get(offset).copied().unwrap_or(0),
            }
        }),
        Encoding::Latin1 => Ok(match std::str::from_utf8(bytes) {
            Ok(s) if s.is_ascii() => Cow::Borrowed(s),
            _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
        }),
    }
}

/// `0`, `1`, `0.0`, `1.0`, `true`, `false` (any case, surrounding spaces ignored).
pub(crate) fn parse_correct(bytes: &[u8]) -> Option<bool> {
    match bytes.trim_ascii() {
        b"1" | b"1.0" => Some(true),
        b"0" | b"0.0" => Some(false),
        t if t.eq_ignore_ascii_case(b"true") => Some(true),
        t if t.eq_ignore_ascii_case(b"false") => Some(false),
        _ => None,
    }
}

/// An order key: an integer (or an integral decimal such as `12.0`) is a sequence number; a date
/// and time (`2006-10-26 09:52:30.0`, ISO 8601 with `T`, an optional `Z` or `±HH:MM` offset) is a
/// timestamp in milliseconds since the Unix epoch.
pub(crate) fn parse_order(bytes: &[u8]) -> Option<(i64, OrderKind)> {
    let t = bytes.trim_ascii();
    let text = std::str::from_utf8(t).ok()?;
    if let Ok(n) = text.parse::<i64>() {
        return Some((n, OrderKind::Sequence));
    }
    if let Ok(x) = text.parse::<f64>() {
        if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
            return Some((x as i64, OrderKind::Sequence));
        }
    }
    parse_timestamp(t).map(|ms| (ms, OrderKind::TimestampMillis))
}

/// Milliseconds since the Unix epoch of `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH[:]MM]`.
pub(crate) fn parse_timestamp(t: &[u8]) -> Option<i64> {
    let mut p = Parser { s: t, at: 0 };
    let year = p.digits(4)?;
    p.byte(b'-')?;
    let month = p.digits(2)?;
    p.byte(b'-')?;
    let day = p.digits(2)?;
    // The proleptic Gregorian calendar (month lengths, leap years) is chrono's.
    let days =
        i64::from(NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?.to_epoch_days());
    let mut ms = 0i64;
    if p.at < t.len() && !matches!(p.peek(), Some(b'Z' | b'+' | b'-')) {
        if !matches!(p.peek(), Some(b' ' | b'T')) {
            return None;
        }
        p.at += 1;
        let hour = p.digits(2)?;
        p.byte(b':')?;
        let minute = p.digits(2)?;
        let mut second = 0;
        if p.peek() == Some(b':') {
            p.at += 1;
            second = p.digits(2)?;
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        ms = ((hour * 60 + minute) * 60 + second) * 1000;
        if matches!(p.peek(), Some(b'.' | b',')) {
            p.at += 1;
            let start = p.at;
            let mut frac = 0i64;
            while let Some(d) = p.peek().filter(u8::is_ascii_digit) {
                if p.at - start < 3 {
                    frac = frac * 10 + i64::from(d - b'0');
                }
                p.at += 1;
            }
            let len = p.at - start;
            if len == 0 {
                return None;
            }
            for _ in len..3 {
                frac *= 10;
            }
            ms += frac;
        }
    }
    match p.peek() {
        None => {}
        Some(b'Z') if p.at + 1 == t.len() => {}
        Some(sign @ (b'+' | b'-')) => {
            p.at += 1;
            let hours = p.digits(2)?;
            if p.peek() == Some(b':') {
                p.at += 1;
            }
            let minutes = p.digits(2)?;
            if p.at != t.len() || hours > 23 || minutes > 59 {
                return None;
            }
            let offset = (hours * 60 + minutes) * 60_000;
            ms -= if sign == b'+' { offset } else { -offset };
        }
        Some(_) => return None,
    }
    Some(days * 86_400_000 + ms)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at += 1)
    }

    fn digits(&mut self, n: usize) -> Option<i64> {
        let part = self.s.get(self.at..self.at + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += n;
        Some(
            part.iter()
                .fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0')),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correct_accepts_the_documented_spellings_only() {
        for (text, want) in [
            ("1", Some(true)),
            ("0", Some(false)),
            ("1.0", Some(true)),
            ("0.0", Some(false)),
            (" TRUE ", Some(true)),
            ("false", Some(false)),
            ("2", None),
            ("0.5", None),
            ("", None),
            ("yes", None),
        ] {
            assert_eq!(parse_correct(text.as_bytes()), want, "{text:?}");
        }
    }

    #[test]
    fn timestamps_are_milliseconds_since_the_epoch() {
        assert_eq!(parse_timestamp(b"1970-01-01"), Some(0));
        assert_eq!(parse_timestamp(b"1970-01-02 00:00:01"), Some(86_401_000));
        // 2006-10-26 09:52:30 UTC = 1161856350 s (checked with `date -u -d ... +%s`).
        assert_eq!(
            parse_timestamp(b"2006-10-26 09:52:30.0"),
            Some(1_161_856_350_000)
        );
        assert_eq!(
            parse_timestamp(b"2006-10-26T09:52:30.25Z"),
            Some(1_161_856_350_250)
        );
        assert_eq!(
            parse_timestamp(b"2006-10-26T11:52:30+02:00"),
            Some(1_161_856_350_000)
        );
        assert_eq!(parse_timestamp(b"2000-02-29 12:00"), Some(951_825_600_000));
        assert_eq!(parse_timestamp(b"2001-02-29"), None);
        assert_eq!(parse_timestamp(b"2006-10-26 25:00:00"), None);
        assert_eq!(parse_timestamp(b"26/10/2006"), None);
    }

    /// The hand-written calendar chrono replaced (H. Hinnant's civil-days algorithm and the
    /// Gregorian month lengths), kept as the reference the chrono version must agree with.
    fn reference_days(year: i64, month: i64, day: i64) -> Option<i64> {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let length = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=12).contains(&month) || day < 1 || day > length {
            return None;
        }
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe - 719_468)
    }

    #[test]
    fn every_date_of_four_digit_years_matches_the_hand_written_calendar() {
        // All of 0000-9999 (leap rules of 4, 100 and 400 years included) and impossible days
        // and months, e.g. 1900-02-29, 2023-04-31, month 00 and 13, day 00 and 32.
        for year in 0..=9999 {
            for month in 0..=13 {
                for day in [0, 1, 28, 29, 30, 31, 32] {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    assert_eq!(
                        parse_timestamp(text.as_bytes()),
                        reference_days(year, month, day).map(|d| d * 86_400_000),
                        "{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn odd_timestamps() {
        for (text, want) in [
            // Before the epoch, and the ends of the four-digit years.
            ("1969-12-31T23:59:59.999Z", Some(-1)),
            ("0000-01-01", Some(-62_167_219_200_000)),
            ("9999-12-31 23:59:59", Some(253_402_300_799_000)),
            // A leap second is read as the next day's first second.
            ("2016-12-31 23:59:60", Some(1_483_228_800_000)),
            ("2016-12-31 23:59:61", None),
            // Offsets move across the day (and year) boundary; `-00:00` and `+0000` are UTC.
            (
                "2000-01-01T00:30:00+01:00",
                Some(946_684_800_000 - 1_800_000),
            ),
            (
                "1999-12-31T23:30:00-01:00",
                Some(946_684_800_000 + 1_800_000),
            ),
            ("2000-01-01T00:00:00-00:00", Some(946_684_800_000)),
            ("2000-01-01T00:00:00+0000", Some(946_684_800_000)),
            ("2000-01-01+02:00", Some(946_684_800_000 - 7_200_000)),
            // Fractions: a comma, one digit, nine digits (cut to milliseconds, not rounded).
            ("2000-01-01 00:00:00,5", Some(946_684_800_500)),
            ("2000-01-01 00:00:00.123456789", Some(946_684_800_123)),
            ("2000-01-01 00:00:00.", None),
            // Minutes without seconds; hours and minutes out of range; trailing text.
            ("2000-01-01 10:07", Some(946_684_800_000 + 36_420_000)),
            ("2000-01-01 24:00", None),
            ("2000-01-01 10:60", None),
            ("2000-01-01T00:00:00+24:00", None),
            ("2000-01-01T00:00:00Zx", None),
            ("2000-01-01x", None),
            ("2000-1-01", None),
            ("+2000-01-01", None),
        ] {
            assert_eq!(parse_timestamp(text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn order_is_a_sequence_number_or_a_timestamp() {
        assert_eq!(parse_order(b"42"), Some((42, OrderKind::Sequence)));
        assert_eq!(
            parse_order(b"33022537.0"),
            Some((33022537, OrderKind::Sequence))
        );
        assert_eq!(
            parse_order(b"1970-01-01 00:00:02"),
            Some((2000, OrderKind::TimestampMillis))
        );
        assert_eq!(parse_order(b"soon"), None);
        assert_eq!(parse_order(b"1.5"), None);
    }

    #[test]
    fn latin1_decodes_every_byte_and_utf8_reports_the_bad_one() {
        assert_eq!(decode(b"caf\xe9", Encoding::Latin1).unwrap(), "café");
        assert_eq!(
            decode(b"caf\xe9", Encoding::Utf8).unwrap_err(),
            BadByte {
                offset: 3,
                byte: 0xE9
            }
        );
        assert_eq!(decode("café".as_bytes(), Encoding::Utf8).unwrap(), "café");
    }
}
