//! Single-value series as monitoring exports and NAB have them: a CSV with
//! a timestamp column and one number per row (`timestamp,value`).
//!
//! - The timestamp column is the first of [`super::headline_file::TIME_COLUMNS`]
//!   (any case); timestamps may be ISO 8601 or epoch seconds, milliseconds,
//!   microseconds or nanoseconds ([`super::timestamp::parse_timestamp`]).
//! - The value column is the first of [`VALUE_COLUMNS`], or else the only
//!   other column whose first row holds a number; other columns are ignored
//!   and named in the file's `ignored_columns`.
//! - The delimiter is `,`, or `;` or a tab when the header has them and no comma.
//!
//! A row whose timestamp or value cannot be read (empty, not a number, NaN,
//! infinite) is skipped and reported with its line. Rows are kept in file
//! order, repeated and backward timestamps included: [`ValueFile::order_report`]
//! lists them, and they are repaired only by explicit calls
//! ([`super::repair::sort_by_time`], [`super::repair::dedup_by_time`]);
//! [`ValueFile::into_series`] refuses them.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::headline_file::TIME_COLUMNS;
use super::repair::Timestamped;
use super::timestamp::parse_timestamp;
use crate::error::{Error, Result};

/// Column names recognised as the value column, in order of preference (any case).
pub const VALUE_COLUMNS: [&str; 7] = ["value", "close", "price", "y", "count", "metric", "anomaly_score"];

/// One row read from a file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValuePoint {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// The row's time.
    pub timestamp: DateTime<Utc>,
    /// The row's value (finite).
    pub value: f64,
}

impl Timestamped for ValuePoint {
    fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRow {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// What a file held, in file order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueFile {
    /// The file's name, for messages.
    pub name: String,
    /// The timestamp column used.
    pub time_column: String,
    /// The value column used.
    pub value_column: String,
    /// Columns that were ignored.
    pub ignored_columns: Vec<String>,
    /// The rows read, in file order.
    pub points: Vec<ValuePoint>,
    /// The rows skipped.
    pub skipped: Vec<SkippedRow>,
}

/// Repeated and backward timestamps of a file, by line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrderReport {
    /// `(line, earlier line)`: the row repeats the timestamp of the row just before it.
    pub repeated: Vec<(usize, usize)>,
    /// `(line, earlier line)`: the row is earlier than the row just before it.
    pub backward: Vec<(usize, usize)>,
}

impl OrderReport {
    /// Whether the rows are strictly increasing in time.
    pub fn is_clean(&self) -> bool {
        self.repeated.is_empty() && self.backward.is_empty()
    }
}

impl ValueFile {
    /// Reads a file (see [the module documentation](self)).
    pub fn read_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::read(&bytes, &path.display().to_string())
    }

    /// Reads CSV text; `name` is used in messages.
    pub fn read(bytes: &[u8], name: &str) -> Result<Self> {
        let csv_error = |line: u64, message: String| Error::Csv { path: name.to_string(), line, message };
        let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let delimiter = if first_line.contains(&b',') {
            b','
        } else if first_line.contains(&b';') {
            b';'
        } else if first_line.contains(&b'\t') {
            b'\t'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(1, format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let find = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)));
        let time = find(&TIME_COLUMNS).ok_or_else(|| {
            csv_error(1, format!("no timestamp column (one of {TIME_COLUMNS:?}) in the header {header:?}"))
        })?;
        let records: Vec<csv::Result<csv::StringRecord>> = reader.records().collect();
        let numeric_in_first_row = || -> Option<usize> {
            let first = records.iter().find_map(|r| r.as_ref().ok())?;
            let numeric: Vec<usize> = (0..header.len())
                .filter(|&i| i != time && first.get(i).is_some_and(|f| f.trim().parse::<f64>().is_ok()))
                .collect();
            (numeric.len() == 1).then(|| numeric[0])
        };
        let value = find(&VALUE_COLUMNS).or_else(numeric_in_first_row).ok_or_else(|| {
            csv_error(
                1,
                format!("no value column (one of {VALUE_COLUMNS:?}, or the one other numeric column) in {header:?}"),
            )
        })?;
        let ignored_columns =
            header.iter().enumerate().filter(|(i, _)| *i != time && *i != value).map(|(_, h)| h.clone()).collect();
        let mut file = ValueFile {
            name: name.to_string(),
            time_column: header[time].clone(),
            value_column: header[value].clone(),
            ignored_columns,
            points: Vec::new(),
            skipped: Vec::new(),
        };
        for record in records {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    file.skipped.push(SkippedRow { line, reason: format!("unreadable row: {e}") });
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let time_text = record.get(time).unwrap_or("").trim();
            let Some(timestamp) = parse_timestamp(time_text) else {
                file.skipped.push(SkippedRow {
                    line,
                    reason: format!("`{}` {time_text:?} is not a timestamp", file.time_column),
                });
                continue;
            };
            let value_text = record.get(value).unwrap_or("").trim();
            match value_text.parse::<f64>() {
                Ok(v) if v.is_finite() => file.points.push(ValuePoint { line, timestamp, value: v }),
                _ => file.skipped.push(SkippedRow {
                    line,
                    reason: format!("`{}` {value_text:?} is not a finite number", file.value_column),
                }),
            }
        }
        Ok(file)
    }

    /// Repeated and backward timestamps, by line.
    pub fn order_report(&self) -> OrderReport {
        let mut report = OrderReport::default();
        for pair in self.points.windows(2) {
            let (before, row) = (&pair[0], &pair[1]);
            if row.timestamp == before.timestamp {
                report.repeated.push((row.line, before.line));
            } else if row.timestamp < before.timestamp {
                report.backward.push((row.line, before.line));
            }
        }
        report
    }

    /// The values in file order (what NAB scores: one per row).
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.value).collect()
    }

    /// The points as a strictly increasing series; a repeated or backward
    /// timestamp, or no point at all, is an error naming the rows (repair
    /// first with [`super::repair::sort_by_time`] and
    /// [`super::repair::dedup_by_time`] if that is what you want).
    pub fn into_series(self) -> Result<Vec<ValuePoint>> {
        if self.points.is_empty() {
            return Err(Error::Empty { what: "readable rows of the value file" });
        }
        for (i, pair) in self.points.windows(2).enumerate() {
            let (before, row) = (&pair[0], &pair[1]);
            if row.timestamp == before.timestamp {
                return Err(Error::DuplicateTimestamp { row: i + 1, first_row: i, timestamp: row.timestamp });
            }
            if row.timestamp < before.timestamp {
                return Err(Error::UnsortedTimestamps {
                    row: i + 1,
                    previous_row: i,
                    previous: before.timestamp,
                    current: row.timestamp,
                });
            }
        }
        Ok(self.points)
    }
}
