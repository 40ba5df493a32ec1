//! Order keys as people read them: a UTC date for timestamps, the number itself for sequences.

use crate::OrderKind;

/// Formats an order key: `YYYY-MM-DD` (UTC) for a timestamp in milliseconds, the plain number
/// for a sequence.
///
/// ```
/// use pathwise::{format_order, OrderKind};
/// assert_eq!(format_order(OrderKind::TimestampMillis, 1_157_414_400_000), "2006-09-05");
/// assert_eq!(format_order(OrderKind::Sequence, 42), "42");
/// ```
pub fn format_order(kind: OrderKind, value: i64) -> String {
    match kind {
        OrderKind::Sequence => value.to_string(),
        OrderKind::TimestampMillis => {
            let (y, m, d) = civil_from_days(value.div_euclid(86_400_000));
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

/// Formats a gap between two order keys: whole days for timestamps, order units for sequences.
///
/// ```
/// use pathwise::{format_gap, OrderKind};
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

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (the era-based conversion of H. Hinnant's "chrono-compatible low-level date algorithms").
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
    }
}
