//! Date-times as Verifiable Credentials write them: XML Schema `dateTimeStamp` (RFC 3339 with a
//! time zone). pathwise writes UTC to the second, e.g. `2026-11-24T16:00:00Z`.

use std::time::SystemTime;

use chrono::{DateTime, SecondsFormat, Utc};

/// `t` as `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds).
pub(crate) fn format_utc(t: SystemTime) -> String {
    DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Secs, true)
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
    parse(text).map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_and_parses_utc_seconds() {
        let t = UNIX_EPOCH + Duration::from_secs(1_677_281_798);
        assert_eq!(format_utc(t), "2023-02-24T23:36:38Z");
        assert_eq!(
            format_utc(t + Duration::from_millis(999)),
            "2023-02-24T23:36:38Z"
        );
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
}
