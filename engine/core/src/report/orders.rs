//! Order keys as people read them: a UTC date for timestamps, the number itself for sequences.

use chrono::{DateTime, Datelike};

use crate::OrderKind;

/// Formats an order key: `YYYY-MM-DD` (UTC, proleptic Gregorian calendar, by chrono) for a
/// timestamp in milliseconds, the plain number for a sequence. A timestamp beyond chrono's
/// calendar (about ±262,000 years) is printed as its number too.
///
/// ```
/// use pathwise::{report::format_order, OrderKind};
/// assert_eq!(format_order(OrderKind::TimestampMillis, 1_157_414_400_000), "2006-09-05");
/// assert_eq!(format_order(OrderKind::Sequence, 42), "42");
/// ```
pub fn format_order(kind: OrderKind, value: i64) -> String {
    match kind {
        OrderKind::Sequence => value.to_string(),
        OrderKind::TimestampMillis => match DateTime::from_timestamp_millis(value) {
            Some(t) => {
                let d = t.date_naive();
                format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
            }
            None => value.to_string(),
        },
    }
}

/// Formats a gap between two order keys: whole days for timestamps, order units for sequences.
///
/// ```
/// use pathwise::{report::format_gap, OrderKind};
/// assert_eq!(format_gap(OrderKind::TimestampMillis, 3 * 86_400_000 + 5), "3 days");
/// assert_eq!(format_gap(OrderKind::Sequence, 120), "120 steps");
/// ```
pub fn format_gap(kind: OrderKind, gap: i64) -> String {
    match kind {
        OrderKind::Sequence => format!("{gap} steps"),
        OrderKind::TimestampMillis => {
            let days = gap.div_euclid(86_400_000);
            if days == 1 {
                "1 day".into()
            } else {
                format!("{days} days")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(millis: i64) -> String {
        format_order(OrderKind::TimestampMillis, millis)
    }

    #[test]
    fn dates_match_known_days() {
        const DAY: i64 = 86_400_000;
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(DAY - 1), "1970-01-01");
        assert_eq!(date(11_016 * DAY), "2000-02-29");
        assert_eq!(date(20_416 * DAY + 5), "2025-11-24");
        assert_eq!(date(-719_528 * DAY), "0000-01-01");
        assert_eq!(date(-719_529 * DAY), "-001-12-31");
        assert_eq!(date(2_932_896 * DAY), "9999-12-31");
        assert_eq!(date(i64::MAX), i64::MAX.to_string());
        assert_eq!(date(i64::MIN), i64::MIN.to_string());
    }
}
