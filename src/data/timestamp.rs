//! Parsing the timestamps real market files use.
//!
//! Accepted, in this order:
//! * RFC 3339 / ISO 8601 with an offset: `2024-03-01T14:30:00Z`, `...+02:00`;
//! * ISO 8601 without an offset (taken as UTC), with `T` or a space and
//!   optional fractional seconds: `2024-03-01 14:30:00.250`;
//! * a plain date (a daily bar, taken as 00:00 UTC): `2024-03-01`, `2024/03/01`;
//! * an integer epoch, its unit told apart by size: below 10^11 seconds,
//!   below 10^14 milliseconds, below 10^17 microseconds, otherwise
//!   nanoseconds (so 1700000000, 1700000000000, ... all mean the same instant).
//!   A decimal epoch (`1700000000.5`) is read as seconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses one timestamp; `None` when no accepted format matches.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && s.len() > 8 {
        return parse_epoch_integer(s);
    }
    if let Some(ts) = parse_epoch_decimal(s) {
        return Some(ts);
    }
    if let Ok(ts) = DateTime::parse_from_rfc3339(s) {
        return Some(ts.with_timezone(&Utc));
    }
    for fmt in
        ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%z"]
    {
        if let Ok(ts) = DateTime::parse_from_str(s, fmt) {
            return Some(ts.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?));
        }
    }
    None
}

fn parse_epoch_integer(s: &str) -> Option<DateTime<Utc>> {
    let v: i64 = s.parse().ok()?;
    match v {
        v if v < 100_000_000_000 => Utc.timestamp_opt(v, 0).single(),
        v if v < 100_000_000_000_000 => Utc.timestamp_millis_opt(v).single(),
        v if v < 100_000_000_000_000_000 => Some(Utc.timestamp_nanos(v.checked_mul(1_000)?)),
        v => Some(Utc.timestamp_nanos(v)),
    }
}

fn parse_epoch_decimal(s: &str) -> Option<DateTime<Utc>> {
    let (int, frac) = s.split_once('.')?;
    if int.len() < 9 || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    let digits = &frac[..frac.len().min(9)];
    let nanos: u32 = format!("{digits:0<9}").parse().ok()?;
    Utc.timestamp_opt(secs, nanos).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_format_gives_the_same_instant() {
        let want = Utc.with_ymd_and_hms(2023, 11, 14, 22, 13, 20).unwrap();
        for s in [
            "2023-11-14T22:13:20Z",
            "2023-11-14T23:13:20+01:00",
            "2023-11-14 22:13:20",
            "2023-11-14T22:13:20.000",
            "1700000000",
            "1700000000000",
            "1700000000000000",
            "1700000000000000000",
            "1700000000.0",
        ] {
            assert_eq!(parse_timestamp(s), Some(want), "{s}");
        }
    }

    #[test]
    fn plain_dates_are_midnight_utc() {
        let want = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_timestamp("2024-03-01"), Some(want));
        assert_eq!(parse_timestamp("2024/03/01"), Some(want));
    }

    #[test]
    fn garbage_is_none() {
        for s in ["", "yesterday", "03/01/2024", "12345", "2024-13-01"] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }
}
