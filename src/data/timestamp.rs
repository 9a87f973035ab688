//! Parsing the timestamps real market files use.
//!
//! Accepted, in this order:
//! * RFC 3339 / ISO 8601 with an offset: `2024-03-01T14:30:00Z`, `...+02:00`,
//!   `...+0200`, or a trailing ` UTC` / ` GMT` (as BigQuery and many exports
//!   write it);
//! * ISO 8601 without an offset (taken as UTC), with `T` or a space and
//!   optional fractional seconds: `2024-03-01 14:30:00.250`; the date may
//!   also be written `2024/03/01` or `2024.03.01` (MetaTrader);
//! * a plain date (a daily bar, taken as 00:00 UTC): `2024-03-01`, `2024/03/01`,
//!   `2024.03.01`, `20240301`;
//! * compact digits `YYYYMMDDHHMMSS` (14 digits) or `YYYYMMDDHHMM` (12),
//!   when they start with a plausible year (1900–2099);
//! * an integer epoch, its unit told apart by size: below 10^11 seconds,
//!   below 10^14 milliseconds, below 10^17 microseconds, otherwise
//!   nanoseconds (so 1700000000, 1700000000000, ... all mean the same instant).
//!   A decimal epoch (`1700000000.5`, `1700000000000.0`) follows the same
//!   rule by its integer part.
//!
//! Day-first and month-first dates (`03/01/2024`) are refused: they are
//! ambiguous. Give their format explicitly to [`parse_timestamp_with`]
//! (`--date-format "%d/%m/%Y"` in the examples).
//!
//! The common ISO shapes and integer epochs take a hand-written fast path
//! (no allocation, about 20 ns); everything else goes through chrono.

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
    if let Some(ts) = parse_iso_fast(s.as_bytes()) {
        return Some(ts);
    }
    if let Some(ts) = parse_epoch_decimal(s) {
        return Some(ts);
    }
    let s = strip_utc_suffix(s);
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
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?));
        }
    }
    None
}

/// Parses `text` with an explicit chrono format (`%d.%m.%Y %H:%M`, say).
/// A format with an offset (`%z`) is honoured; without one the time is UTC;
/// a date-only format gives midnight UTC. `None` when it does not match.
pub fn parse_timestamp_with(text: &str, format: &str) -> Option<DateTime<Utc>> {
    let s = strip_utc_suffix(text.trim());
    if let Ok(ts) = DateTime::parse_from_str(s, format) {
        return Some(ts.with_timezone(&Utc));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
        return Some(Utc.from_utc_datetime(&naive));
    }
    NaiveDate::parse_from_str(s, format).ok().map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
}

/// Checks that a chrono format string is well formed (no unknown `%` item).
pub fn check_format(format: &str) -> bool {
    use chrono::format::{Item, StrftimeItems};
    !format.is_empty() && StrftimeItems::new(format).all(|item| !matches!(item, Item::Error))
}

/// `2024-03-01 14:30:00 UTC` → `2024-03-01 14:30:00`.
fn strip_utc_suffix(s: &str) -> &str {
    for suffix in [" UTC", " GMT", " utc", " gmt"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            return rest.trim_end();
        }
    }
    s
}

/// The fast path: `YYYY-MM-DD`, optionally followed by `T` or a space and
/// `HH:MM[:SS[.fraction]]`, then optionally `Z`, ` UTC`, ` GMT`, `±HH:MM` or
/// `±HHMM`. The date separator may be `-`, `/` or `.` (the same one twice).
fn parse_iso_fast(s: &[u8]) -> Option<DateTime<Utc>> {
    if s.len() < 10 {
        return None;
    }
    let sep = s[4];
    if !matches!(sep, b'-' | b'/' | b'.') || s[7] != sep {
        return None;
    }
    let year = digits(&s[0..4])? as i32;
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    let days = days_from_civil(year, month, day)?;
    let mut secs = days * 86_400;
    let mut nanos = 0u32;
    let mut rest = &s[10..];
    if !rest.is_empty() {
        if !matches!(rest[0], b'T' | b' ') || rest.len() < 6 || rest[3] != b':' {
            return None;
        }
        let hour = digits(&rest[1..3])?;
        let minute = digits(&rest[4..6])?;
        if hour > 23 || minute > 59 {
            return None;
        }
        secs += i64::from(hour * 3600 + minute * 60);
        rest = &rest[6..];
        if rest.first() == Some(&b':') {
            let second = digits(rest.get(1..3)?)?;
            if second > 59 {
                return None;
            }
            secs += i64::from(second);
            rest = &rest[3..];
            if rest.first() == Some(&b'.') {
                let frac_len = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                if frac_len == 0 {
                    return None;
                }
                let kept = frac_len.min(9);
                nanos = digits(&rest[1..1 + kept])? * 10u32.pow((9 - kept) as u32);
                rest = &rest[1 + frac_len..];
            }
        }
        secs -= offset_seconds(rest)?;
    }
    DateTime::from_timestamp(secs, nanos)
}

/// Seconds east of UTC of an offset suffix (`""`, `Z`, ` UTC`, `+02:00`, `-0500`).
fn offset_seconds(rest: &[u8]) -> Option<i64> {
    match rest {
        [] | [b'Z'] | [b'z'] | b" UTC" | b" GMT" | b" utc" | b" gmt" | b"UTC" | b" Z" => Some(0),
        [sign @ (b'+' | b'-'), h1, h2, tail @ ..] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = match tail {
                [] => 0,
                [b':', m1, m2] | [m1, m2] => digits(&[*m1, *m2])?,
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = i64::from(hours * 3600 + minutes * 60);
            Some(if *sign == b'+' { offset } else { -offset })
        }
        _ => None,
    }
}

/// The value of a run of ASCII digits (at most 9), `None` for anything else.
fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`), `None` for an impossible date such as 2023-02-29.
fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day == 0 || day > month_days[month as usize - 1] {
        return None;
    }
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
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
            "2023-11-14 22:13:20 UTC",
            "2023-11-14T22:13:20+0000",
            "2023-11-14T17:13:20-05:00",
            "2023.11.14 22:13:20",
            "2023/11/14T22:13:20.000000000Z",
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
        assert_eq!(parse_timestamp("2024.03.01"), Some(want));
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "yesterday",
            "03/01/2024",
            "12345",
            "2024-13-01",
            "2023-02-29",
            "2024-03-01 24:00",
            "2024-03-01 10:61",
            "2024-03-01T10:00:00+25:00",
            "2024-03/01",
            "2024-03-01 10:00:00.",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_chrono() {
        // Every second-resolution instant of a few years, in both spellings.
        let start = Utc.with_ymd_and_hms(1999, 12, 31, 0, 0, 0).unwrap().timestamp();
        for step in 0..20_000i64 {
            let t = DateTime::from_timestamp(start + step * 7_919 + step * step, 0).unwrap();
            for text in [t.format("%Y-%m-%d %H:%M:%S").to_string(), t.format("%Y-%m-%dT%H:%M:%SZ").to_string()] {
                assert_eq!(parse_iso_fast(text.as_bytes()), Some(t), "{text}");
            }
        }
        let leap = Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap();
        assert_eq!(parse_timestamp("2024-02-29"), Some(leap));
    }

    #[test]
    fn explicit_formats_for_ambiguous_dates() {
        let want = Utc.with_ymd_and_hms(2024, 1, 3, 0, 0, 0).unwrap();
        assert_eq!(parse_timestamp_with("03/01/2024", "%d/%m/%Y"), Some(want));
        assert_eq!(parse_timestamp_with("01/03/2024", "%m/%d/%Y"), Some(want));
        assert_eq!(
            parse_timestamp_with("03.01.2024 14:30", "%d.%m.%Y %H:%M"),
            Some(want + chrono::Duration::minutes(14 * 60 + 30))
        );
        assert_eq!(parse_timestamp_with("2024-01-03", "%d/%m/%Y"), None);
        assert!(check_format("%d/%m/%Y") && !check_format("%Q") && !check_format(""));
    }
}
