//! Property tests of every parser of the bar reader: no input makes them
//! panic, and what a writer can produce reads back exactly.
//!
//! CI runs the default number of cases per property (256, or
//! `PROPTEST_CASES`); `cargo xtask fuzz` runs 10^6 cases per property in
//! release mode (the documented long run).

use chrono::{DateTime, Utc};
use llm_anomaly::data::bar_csv::{DecimalMark, Fields, ReadItem, parse_number};
use llm_anomaly::data::timestamp::parse_timestamp;
use llm_anomaly::data::{BarCsv, BarReader, CsvOptions};
use proptest::prelude::*;

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2001-09-09 .. 2100, with milliseconds (epoch seconds have 10 digits;
    // fewer would be read as a compact date).
    (1_000_000_000_000i64..4_102_444_800_000).prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap())
}

/// Prices as exchanges print them: up to 8 decimals.
fn price() -> impl Strategy<Value = f64> {
    (1u64..10_000_000_000_000).prop_flat_map(|m| (Just(m), 0u32..9)).prop_map(|(m, d)| m as f64 / 10f64.powi(d as i32))
}

fn grouped(int: u64, sep: char) -> String {
    let digits = int.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

proptest! {
    #[test]
    fn timestamps_never_panic(text in "\\PC{0,40}") {
        let _ = parse_timestamp(&text);
    }

    #[test]
    fn timestamp_shapes_agree(t in instant()) {
        let secs = DateTime::from_timestamp(t.timestamp(), 0).unwrap();
        for (text, want) in [
            (t.to_rfc3339(), t),
            (t.format("%Y-%m-%d %H:%M:%S%.3f").to_string(), t),
            (t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), t),
            (t.format("%Y-%m-%d %H:%M:%S UTC").to_string(), secs),
            (t.format("%Y.%m.%d %H:%M:%S").to_string(), secs),
            (t.timestamp().to_string(), secs),
            (t.timestamp_millis().to_string(), t),
            ((t.timestamp_millis() * 1000).to_string(), t),
        ] {
            prop_assert_eq!(parse_timestamp(&text), Some(want), "{}", text);
        }
    }

    #[test]
    fn numbers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..24), comma in any::<bool>()) {
        let mark = if comma { DecimalMark::Comma } else { DecimalMark::Point };
        let _ = parse_number(&bytes, mark);
    }

    #[test]
    fn numbers_read_back_exactly(x in price(), int in 0u64..1_000_000_000_000, frac in 0u32..100) {
        let text = x.to_string();
        prop_assert_eq!(parse_number(text.as_bytes(), DecimalMark::Point), Ok(x));
        prop_assert_eq!(parse_number(text.replace('.', ",").as_bytes(), DecimalMark::Comma), Ok(x));
        let want: f64 = format!("{int}.{frac:02}").parse().unwrap();
        let us = format!("{}.{frac:02}", grouped(int, ','));
        let eu = format!("{},{frac:02}", grouped(int, '.'));
        prop_assert_eq!(parse_number(us.as_bytes(), DecimalMark::Point), Ok(want), "{}", us);
        prop_assert_eq!(parse_number(eu.as_bytes(), DecimalMark::Comma), Ok(want), "{}", eu);
    }

    #[test]
    fn a_number_is_never_read_as_another(text in "[0-9]{1,6}[,.][0-9]{1,6}", comma in any::<bool>()) {
        // Either refused, or read as the value the text means in that style.
        let mark = if comma { DecimalMark::Comma } else { DecimalMark::Point };
        if let Ok(v) = parse_number(text.as_bytes(), mark) {
            let (decimal, group) = if comma { (',', '.') } else { ('.', ',') };
            let meant: f64 = text.replace(group, "").replace(decimal, ".").parse().unwrap();
            prop_assert_eq!(v, meant, "{}", text);
        }
    }

    #[test]
    fn fields_never_panic_and_plain_fields_round_trip(
        bytes in proptest::collection::vec(any::<u8>(), 0..64),
        plain in proptest::collection::vec("[a-z0-9.:-]{0,8}", 1..8),
    ) {
        let mut f = Fields::default();
        let _ = f.split(&bytes, b',');
        let line = plain.join(",");
        f.split(line.as_bytes(), b',').unwrap();
        let back: Vec<&[u8]> = (0..f.len()).map(|i| f.get(line.as_bytes(), i).unwrap()).collect();
        prop_assert_eq!(back, plain.iter().map(|s| s.as_bytes()).collect::<Vec<_>>());
    }

    #[test]
    fn the_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(mut r) = BarReader::new(bytes.as_slice(), "fuzz", "X", &CsvOptions::default()) {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            while let Ok(Some(item)) = r.next_item() {
                let line = match item {
                    ReadItem::Row(row) | ReadItem::RowWithUnreadableLabel(row, _) => row.line,
                    ReadItem::Skipped(p) => p.line,
                };
                prop_assert!(line >= 1 && line <= lines);
            }
        }
    }

    #[test]
    fn written_bars_read_back_exactly_with_lf_or_crlf(
        rows in proptest::collection::vec((instant(), price(), 0u64..1_000_000_000, any::<bool>()), 1..40),
        crlf in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("timestamp,close,volume,label{end}");
        for (t, close, volume, label) in &rows {
            text.push_str(&format!("{},{close},{},{}{end}", t.to_rfc3339(), *volume as f64 / 1000.0, u8::from(*label)));
        }
        let l = BarCsv::read(text.as_bytes(), "w.csv", "X").unwrap();
        prop_assert!(l.problems.is_empty(), "{:?}", l.problems);
        prop_assert_eq!(l.rows.len(), rows.len());
        for (i, (row, (t, close, volume, label))) in l.rows.iter().zip(&rows).enumerate() {
            prop_assert_eq!(row.line, i as u64 + 2);
            prop_assert_eq!(row.bar.timestamp, *t);
            prop_assert_eq!(row.bar.close, *close);
            prop_assert_eq!(row.bar.volume, *volume as f64 / 1000.0);
            prop_assert_eq!(row.label, Some(*label));
        }
    }

    #[test]
    fn damage_is_reported_never_read_silently(
        rows in proptest::collection::vec((instant(), price(), 1u64..1_000_000), 2..30),
        which in any::<prop::sample::Index>(),
    ) {
        // One row's volume gets an unquoted thousands separator.
        let k = which.index(rows.len());
        let mut text = String::from("timestamp,close,volume\n");
        for (i, (t, close, volume)) in rows.iter().enumerate() {
            let v = if i == k { format!("{},{:03}", volume / 1000 + 1, volume % 1000) } else { volume.to_string() };
            text.push_str(&format!("{},{close},{v}\n", t.to_rfc3339()));
        }
        let l = BarCsv::read(text.as_bytes(), "d.csv", "X").unwrap();
        prop_assert_eq!(l.rows.len(), rows.len() - 1);
        prop_assert_eq!(l.problems.len(), 1);
        prop_assert_eq!(l.problems[0].line, k as u64 + 2);
    }
}

proptest! {
    #[test]
    fn damaged_files_never_panic_and_lines_stay_in_range(
        rows in proptest::collection::vec((instant(), price(), 0u64..1_000_000), 1..20),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut text = String::from("date,symbol,open,high,low,close,volume,label\n");
        for (t, close, volume) in &rows {
            text.push_str(&format!("{},S,{close},{close},{close},{close},{volume},0\n", t.to_rfc3339()));
        }
        let mut bytes = text.into_bytes();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        if let Ok(l) = BarCsv::read(bytes.as_slice(), "dmg.csv", "X") {
            for line in l.rows.iter().map(|r| r.line).chain(l.problems.iter().map(|p| p.line)) {
                prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
            }
            prop_assert!(l.rows.len() + l.problems.len() <= rows.len() + 6);
        }
    }
}
