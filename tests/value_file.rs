//! Single-value files as they come: repeated and backward timestamps kept
//! and reported, repaired only when asked; bad rows skipped by line.

use llm_anomaly::data::repair::{dedup_by_time, sort_by_time};
use llm_anomaly::data::{ValueFile, ValuePoint};
use llm_anomaly::error::Error;

const NAB_LIKE: &str = "timestamp,value
2014-04-01 00:00:00,20.0
2014-04-01 00:05:00,21.5
2014-04-01 00:05:00,21.5
2014-04-01 00:15:00,19.0
2014-04-01 00:10:00,18.0
2014-04-01 00:20:00,22.0
";

#[test]
fn repeated_and_backward_timestamps_are_kept_and_reported() {
    let file = ValueFile::read(NAB_LIKE.as_bytes(), "nab.csv").unwrap();
    assert_eq!(file.values(), vec![20.0, 21.5, 21.5, 19.0, 18.0, 22.0], "every row, in file order");
    let report = file.order_report();
    assert_eq!(report.repeated, vec![(4, 3)]);
    assert_eq!(report.backward, vec![(6, 5)]);
    match file.clone().into_series() {
        Err(Error::DuplicateTimestamp { row: 2, first_row: 1, .. }) => {}
        other => panic!("expected the repeated timestamp refused, got {other:?}"),
    }
    // The explicit repair: sort, then keep the first row of each timestamp.
    let (sorted, moved) = sort_by_time(file.points);
    assert_eq!(moved, vec![4]);
    let (kept, dropped) = dedup_by_time(sorted);
    assert_eq!(dropped.len(), 1);
    let values: Vec<f64> = kept.iter().map(|p: &ValuePoint| p.value).collect();
    assert_eq!(values, vec![20.0, 21.5, 18.0, 19.0, 22.0]);
}

#[test]
fn epoch_milliseconds_semicolons_and_extra_columns_are_read() {
    let text = "host;Time;cpu;region\na;1700000000000;0.5;eu\na;1700000060000;0.75;eu\n";
    let file = ValueFile::read(text.as_bytes(), "cpu.csv").unwrap();
    assert_eq!((file.time_column.as_str(), file.value_column.as_str()), ("Time", "cpu"), "{file:?}");
    assert_eq!(file.ignored_columns, vec!["host".to_string(), "region".to_string()]);
    assert_eq!(file.points[1].timestamp.timestamp(), 1_700_000_060);
    assert!(file.order_report().is_clean());
}

#[test]
fn bad_rows_are_skipped_by_line_and_a_missing_column_is_named() {
    let text = "time,value\n2024-01-01T00:00:00Z,1\nnot a time,2\n2024-01-01T00:02:00Z,abc\n2024-01-01T00:03:00Z,NaN\n2024-01-01T00:04:00Z,5\n";
    let file = ValueFile::read(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(file.values(), vec![1.0, 5.0]);
    let lines: Vec<usize> = file.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert!(file.skipped[1].reason.contains("\"abc\""), "{:?}", file.skipped[1]);
    let error = ValueFile::read(b"when,a,b\n1,2,3\n", "y.csv").unwrap_err().to_string();
    assert!(error.contains("y.csv") && error.contains("timestamp column"), "{error}");
    assert!(matches!(ValueFile::read(b"timestamp,value\n", "z.csv").unwrap().into_series(), Err(Error::Empty { .. })));
}
