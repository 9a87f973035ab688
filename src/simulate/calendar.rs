//! The simulator's trading calendar: weekdays only, one session a day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// Bar open times for `days` trading days from `first_day` (weekends
/// skipped), `bars_per_day` bars of `bar_seconds` from `session_open`
/// (seconds after midnight UTC).
pub fn session_timestamps(
    first_day: NaiveDate,
    days: usize,
    session_open_secs: u32,
    bars_per_day: usize,
    bar_seconds: i64,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::with_capacity(days * bars_per_day);
    let mut day = first_day;
    let mut done = 0;
    while done < days {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let open = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
                + Duration::seconds(session_open_secs as i64);
            out.extend((0..bars_per_day).map(|i| open + Duration::seconds(bar_seconds * i as i64)));
            done += 1;
        }
        day = day.succ_opt().expect("date in range");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_weekends() {
        // 2025-01-03 is a Friday.
        let ts = session_timestamps(NaiveDate::from_ymd_opt(2025, 1, 3).unwrap(), 2, 52_200, 2, 60);
        let days: Vec<u32> = ts.iter().map(|t| t.day()).collect();
        assert_eq!(days, vec![3, 3, 6, 6]);
        assert_eq!(ts[0].to_rfc3339(), "2025-01-03T14:30:00+00:00");
    }
}
