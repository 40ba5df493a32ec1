//! Date-times as Verifiable Credentials write them: XML Schema `dateTimeStamp` (RFC 3339 with a
//! time zone). pathwise writes UTC to the second, e.g. `2026-11-24T16:00:00Z`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

use crate::{Error, Result};

/// `t` as a chrono date-time, or `None` outside chrono's range (about ±262,000 years), where
/// chrono's own conversion panics.
pub(crate) fn to_chrono(t: SystemTime) -> Option<DateTime<Utc>> {
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let secs = -i64::try_from(d.as_secs()).ok()?;
            match d.subsec_nanos() {
                0 => (secs, 0),
                n => (secs.checked_sub(1)?, 1_000_000_000 - n),
            }
        }
    };
    DateTime::from_timestamp(secs, nanos)
}

/// `t` as `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds); an error for times outside the years
/// 0..=9999, which that form cannot write.
pub(crate) fn format_utc(t: SystemTime) -> Result<String> {
    to_chrono(t)
        .filter(|d| (0..=9999).contains(&d.year()))
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .ok_or_else(|| {
            Error::config("a credential date must fall in the years 0 to 9999 (RFC 3339)")
        })
}

/// Parses an RFC 3339 date-time with a time zone (`Z` or `±hh:mm`).
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses an RFC 3339 date-time with a time zone, e.g. `2026-11-24T16:00:00Z`, as credentials
/// write them.
pub fn parse_date_time(text: &str) -> Option<SystemTime> {
    let t = parse(text)?;
    let secs = t.timestamp();
    let nanos = Duration::from_nanos(u64::from(t.timestamp_subsec_nanos()));
    let whole = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        UNIX_EPOCH.checked_add(whole)?.checked_add(nanos)
    } else {
        UNIX_EPOCH.checked_sub(whole)?.checked_add(nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_and_parses_utc_seconds() {
        let t = UNIX_EPOCH + Duration::from_secs(1_677_281_798);
        assert_eq!(format_utc(t).unwrap(), "2023-02-24T23:36:38Z");
        assert_eq!(
            format_utc(t + Duration::from_millis(999)).unwrap(),
            "2023-02-24T23:36:38Z"
        );
        assert_eq!(parse_date_time("2023-02-24T23:36:38Z"), Some(t));
        let before = UNIX_EPOCH - Duration::from_millis(1_500);
        assert_eq!(parse_date_time("1969-12-31T23:59:58.5Z"), Some(before));
        assert_eq!(to_chrono(before), parse("1969-12-31T23:59:58.5Z"));
        assert_eq!(
            parse("2023-02-24T23:36:38Z").unwrap(),
            DateTime::<Utc>::from(t)
        );
        assert_eq!(
            parse("2023-02-25T00:36:38+01:00").unwrap(),
            DateTime::<Utc>::from(t)
        );
        assert!(parse("2023-02-24").is_none());
        assert!(
            parse("2023-02-24T23:36:38").is_none(),
            "a time zone is required"
        );
    }

    #[test]
    fn times_outside_the_writable_years_are_errors_not_panics() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert!(to_chrono(far).is_none());
        assert!(format_utc(far).is_err());
        let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert!(to_chrono(year_10000).is_some());
        assert!(format_utc(year_10000).is_err());
    }
}
