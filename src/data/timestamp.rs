//! Parsing the timestamps real market files use.
//!
//! Accepted, in this order:
//! * RFC 3339 / ISO 8601 with an offset: `2024-03-01T14:30:00Z`, `...+02:00`;
//! * ISO 8601 without an offset (taken as UTC), with `T` or a space and
//!   optional fractional seconds: `2024-03-01 14:30:00.250`;
//! * a plain date (a daily bar, taken as 00:00 UTC): `2024-03-01`, `2024/03/01`;
//! * compact digits `YYYYMMDDHHMMSS` (14 digits) or `YYYYMMDDHHMM` (12),
//!   when they start with a plausible year (1900–2099);
//! * an integer epoch, its unit told apart by size: below 10^11 seconds,
//!   below 10^14 milliseconds, below 10^17 microseconds, otherwise
//!   nanoseconds (so 1700000000, 1700000000000, ... all mean the same instant).
//!   A decimal epoch (`1700000000.5`, `1700000000000.0`) follows the same
//!   rule by its integer part.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses one timestamp; `None` when no accepted format matches.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && s.len() > 8 {
        if let Some(ts) = parse_compact(s) {
            return Some(ts);
        }
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

/// `YYYYMMDDHHMMSS` or `YYYYMMDDHHMM` with a year from 1900 to 2099.
fn parse_compact(s: &str) -> Option<DateTime<Utc>> {
    let fmt = match s.len() {
        14 => "%Y%m%d%H%M%S",
        12 => "%Y%m%d%H%M",
        _ => return None,
    };
    if !(s.starts_with("19") || s.starts_with("20")) {
        return None;
    }
    NaiveDateTime::parse_from_str(s, fmt).ok().map(|n| Utc.from_utc_datetime(&n))
}

fn parse_epoch_decimal(s: &str) -> Option<DateTime<Utc>> {
    let (int, frac) = s.split_once('.')?;
    if int.len() < 9 || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = parse_epoch_integer(int)?;
    // The fraction is of the same unit as the integer part.
    let unit_nanos: i64 = match int.parse::<i64>().ok()? {
        v if v < 100_000_000_000 => 1_000_000_000,
        v if v < 100_000_000_000_000 => 1_000_000,
        v if v < 100_000_000_000_000_000 => 1_000,
        _ => 1,
    };
    let digits = &frac[..frac.len().min(9)];
    let fraction: f64 = format!("0.{digits}").parse().ok()?;
    Some(whole + chrono::Duration::nanoseconds((fraction * unit_nanos as f64).round() as i64))
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
            "1700000000000.0",
            "20231114221320",
        ] {
            assert_eq!(parse_timestamp(s), Some(want), "{s}");
        }
    }

    #[test]
    fn compact_minutes_and_fractional_epochs() {
        assert_eq!(parse_timestamp("202311142213"), Some(Utc.with_ymd_and_hms(2023, 11, 14, 22, 13, 0).unwrap()));
        let half = Utc.with_ymd_and_hms(2023, 11, 14, 22, 13, 20).unwrap() + chrono::Duration::milliseconds(500);
        assert_eq!(parse_timestamp("1700000000.5"), Some(half));
        assert_eq!(parse_timestamp("1700000000500.0"), Some(half));
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
