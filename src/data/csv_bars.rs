//! Reading OHLCV bars from the CSV files people actually have.
//!
//! * The header row is required. Names are matched case-insensitively,
//!   ignoring spaces, `_` and `-`, with common aliases:
//!   timestamp = `timestamp|date|time|datetime|open_time|start|ts`,
//!   `open`, `high`, `low`, close = `close|last|price`,
//!   volume = `volume|vol|qty|base_volume`; optional `symbol|ticker|instrument`
//!   and `label|is_anomaly` (0/1 or true/false). Other columns are ignored.
//! * `timestamp`, `close` and `volume` are required. A missing `open`, `high`
//!   or `low` column is filled from `close` (and reported in `notes`).
//! * Timestamps: see [`crate::data::timestamp`].
//! * A row that cannot be read (bad number, NaN, negative volume, high < low,
//!   bad timestamp, wrong number of fields) does not stop the load: it goes to
//!   [`LoadedBars::problems`] with its line number, and the caller decides
//!   whether to refuse the file or to go on without it.
//! * Order is not checked here: [`crate::data::BarSeries::new`] does that,
//!   and [`crate::data::repair`] holds the explicit fixes.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::bar::Bar;
use super::timestamp::parse_timestamp;
use crate::error::{Error, Result};

/// A bar read from line `line` of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// Symbol from the `symbol` column, or the default symbol.
    pub symbol: String,
    /// The bar.
    pub bar: Bar,
    /// Ground truth from the `label` column, if the file has one.
    pub label: Option<bool>,
}

/// A row that was not loaded, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong, naming the column and the value.
    pub message: String,
}

/// The result of reading a file.
#[derive(Debug, Clone, Default)]
pub struct LoadedBars {
    /// Rows that were read, in file order.
    pub rows: Vec<CsvRow>,
    /// Rows that were refused.
    pub problems: Vec<RowProblem>,
    /// `true` when the file has a label column.
    pub has_labels: bool,
    /// Remarks about the columns (aliases used, filled columns).
    pub notes: Vec<String>,
}

impl LoadedBars {
    /// Rows grouped by symbol, symbols in order of first appearance.
    pub fn by_symbol(self) -> Vec<(String, Vec<CsvRow>)> {
        let mut groups: Vec<(String, Vec<CsvRow>)> = Vec::new();
        for row in self.rows {
            match groups.iter_mut().find(|(s, _)| *s == row.symbol) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((row.symbol.clone(), vec![row])),
            }
        }
        groups
    }
}

/// The CSV bar reader.
pub struct BarCsv;

#[derive(Debug, Default)]
struct Columns {
    timestamp: usize,
    /// A separate time-of-day column joined to a `date` column.
    time_of_day: Option<usize>,
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: usize,
    volume: usize,
    symbol: Option<usize>,
    label: Option<usize>,
}

fn normalise(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect::<String>()
        .to_lowercase()
}

fn find(headers: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| headers.iter().position(|h| h == a))
}

impl BarCsv {
    /// Reads a file. The symbol defaults to the file stem when the file has
    /// no symbol column.
    pub fn read_path(path: impl AsRef<Path>) -> Result<LoadedBars> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("input").to_string();
        Self::read(file, &path.display().to_string(), &stem)
    }

    /// Reads CSV text from any reader. `name` is used in messages. The
    /// delimiter (`,`, `;` or tab) is taken from the header line.
    pub fn read(mut reader: impl Read, name: &str, default_symbol: &str) -> Result<LoadedBars> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(|e| Error::io(name, e))?;
        let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| header.iter().filter(|b| *b == d).count())
            .filter(|d| header.contains(d))
            .unwrap_or(b',');
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(bytes.as_slice());
        let csv_err = |line: u64, message: String| Error::Csv { path: name.to_string(), line, message };
        let headers: Vec<String> = csv
            .headers()
            .map_err(|e| csv_err(1, format!("cannot read the header row: {e}")))?
            .iter()
            .map(normalise)
            .collect();
        let cols = Self::columns(&headers).map_err(|m| csv_err(1, m))?;
        let mut out = LoadedBars { has_labels: cols.label.is_some(), ..Default::default() };
        if cols.time_of_day.is_some() {
            out.notes.push("`date` and `time` columns joined into one timestamp".into());
        }
        for (col, what) in [(cols.open, "open"), (cols.high, "high"), (cols.low, "low")] {
            if col.is_none() {
                out.notes.push(format!("no `{what}` column: filled from `close`"));
            }
        }
        let mut record = csv::StringRecord::new();
        let mut line = 1u64;
        loop {
            match csv.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    line = record.position().map_or(line + 1, |p| p.line());
                    match Self::row(&record, &cols, default_symbol) {
                        Ok(Some((symbol, bar, label))) => {
                            let row_index = out.rows.len();
                            match bar.validate(row_index) {
                                Ok(()) => out.rows.push(CsvRow { line, symbol, bar, label }),
                                Err(Error::InvalidValue { field, value, reason, .. }) => out
                                    .problems
                                    .push(RowProblem { line, message: format!("`{field}` = {value}: {reason}") }),
                                Err(e) => out.problems.push(RowProblem { line, message: e.to_string() }),
                            }
                        }
                        Ok(None) => {}
                        Err(message) => out.problems.push(RowProblem { line, message }),
                    }
                }
                Err(e) => {
                    let at = e.position().map_or(line + 1, |p| p.line());
                    out.problems.push(RowProblem { line: at, message: format!("unreadable CSV: {e}") });
                    if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }) {
                        break;
                    }
                }
            }
        }
        if out.rows.is_empty() && out.problems.is_empty() {
            return Err(Error::Empty { what: "CSV rows" });
        }
        Ok(out)
    }

    fn columns(headers: &[String]) -> std::result::Result<Columns, String> {
        let required = |aliases: &[&str], what: &str| {
            find(headers, aliases).ok_or_else(|| {
                format!(
                    "no `{what}` column (accepted names: {}); the header is: {} (a file without a header row cannot be read)",
                    aliases.join(", "),
                    headers.join(",")
                )
            })
        };
        let timestamp =
            required(&["timestamp", "datetime", "date", "time", "opentime", "starttime", "start", "ts"], "timestamp")?;
        // Stooq, Kibot, NinjaTrader: `Date` and `Time` in two columns.
        let time_of_day =
            if headers[timestamp] == "date" { find(headers, &["time"]).filter(|&t| t != timestamp) } else { None };
        Ok(Columns {
            timestamp,
            time_of_day,
            close: required(&["close", "last", "price"], "close")?,
            volume: required(&["volume", "vol", "qty", "basevolume"], "volume")?,
            open: find(headers, &["open"]),
            high: find(headers, &["high"]),
            low: find(headers, &["low"]),
            symbol: find(headers, &["symbol", "ticker", "instrument"]),
            label: find(headers, &["label", "isanomaly"]),
        })
    }

    #[allow(clippy::type_complexity)]
    fn row(
        record: &csv::StringRecord,
        cols: &Columns,
        default_symbol: &str,
    ) -> std::result::Result<Option<(String, Bar, Option<bool>)>, String> {
        if record.iter().all(|f| f.is_empty()) {
            return Ok(None);
        }
        let field = |i: usize, what: &str| {
            record.get(i).ok_or_else(|| format!("missing `{what}` field ({} fields on this line)", record.len()))
        };
        let number = |i: usize, what: &str| -> std::result::Result<f64, String> {
            let text = field(i, what)?;
            if text.is_empty() {
                return Err(format!("`{what}` is empty"));
            }
            text.parse::<f64>().map_err(|_| format!("`{what}` = {text:?} is not a number"))
        };
        let date_text = field(cols.timestamp, "timestamp")?;
        let joined;
        let ts_text = match cols.time_of_day {
            Some(i) => {
                joined = format!("{date_text} {}", field(i, "time")?);
                joined.as_str()
            }
            None => date_text,
        };
        let timestamp: DateTime<Utc> = parse_timestamp(ts_text).ok_or_else(|| {
            format!("`timestamp` = {ts_text:?} is not ISO 8601, a date (YYYY-MM-DD) or an epoch in s/ms/µs/ns")
        })?;
        let close = number(cols.close, "close")?;
        let volume = number(cols.volume, "volume")?;
        let open = cols.open.map_or(Ok(close), |i| number(i, "open"))?;
        let high = cols.high.map_or(Ok(close.max(open)), |i| number(i, "high"))?;
        let low = cols.low.map_or(Ok(close.min(open)), |i| number(i, "low"))?;
        let symbol = match cols.symbol.and_then(|i| record.get(i)).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => default_symbol.to_string(),
        };
        let label = match cols.label {
            None => None,
            Some(i) => Some(match field(i, "label")?.to_ascii_lowercase().as_str() {
                "1" | "true" | "1.0" => true,
                "0" | "false" | "0.0" => false,
                other => return Err(format!("`label` = {other:?} must be 0/1 or true/false")),
            }),
        };
        Ok(Some((symbol, Bar { timestamp, open, high, low, close, volume }, label)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yahoo_style_file_with_extra_columns_and_plain_dates() {
        let text = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-03-01,10,11,9,10.5,10.4,1000\n2024-03-04,10.5,12,10,11,10.9,0\n";
        let got = BarCsv::read(text.as_bytes(), "spy.csv", "SPY").unwrap();
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        assert_eq!(got.rows.len(), 2);
        assert_eq!(got.rows[1].line, 3);
        assert_eq!(got.rows[1].bar.volume, 0.0, "zero-volume bars are kept");
        assert_eq!(got.rows[0].symbol, "SPY");
        assert!(!got.has_labels);
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_the_rest_is_kept() {
        let text = "timestamp,symbol,open,high,low,close,volume,label\n\
                    1700000000000,BTC,1,1,1,1,5,0\n\
                    1700000060000,BTC,1,1,1,NaN,5,0\n\
                    1700000120000,BTC,1,0.5,1,1,5,1\n\
                    yesterday,BTC,1,1,1,1,5,0\n\
                    1700000180000,BTC,1,1,1,1,-5,0\n\
                    1700000240000,BTC,1,1,1,1,5,1\n";
        let got = BarCsv::read(text.as_bytes(), "x.csv", "X").unwrap();
        let lines: Vec<u64> = got.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(
            got.problems[0].message.contains("close") && got.problems[0].message.contains("NaN"),
            "{:?}",
            got.problems[0]
        );
        assert!(got.problems[2].message.contains("yesterday"));
        assert_eq!(got.rows.len(), 2);
        assert_eq!(got.rows[1].label, Some(true));
        assert!(got.has_labels);
    }

    #[test]
    fn separate_date_and_time_columns_are_joined() {
        let text = "Date,Time,Open,High,Low,Close,Volume\r\n2024-03-01,09:30:00,1,1,1,1,5\r\n2024-03-01,09:31:00,1,1,1,1,6\r\n";
        let got = BarCsv::read(text.as_bytes(), "x.csv", "X").unwrap();
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        assert_eq!(got.rows[1].bar.timestamp.to_rfc3339(), "2024-03-01T09:31:00+00:00");
    }

    #[test]
    fn binance_style_epoch_ms_with_bom() {
        let text =
            "\u{feff}open_time,open,high,low,close,volume,close_time\n1700000000000,1,2,0.5,1.5,10,1700000059999\n";
        let got = BarCsv::read(text.as_bytes(), "k.csv", "BTCUSDT").unwrap();
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        assert_eq!(got.rows[0].bar.timestamp.timestamp(), 1_700_000_000);
    }

    #[test]
    fn yahoo_null_rows_are_reported_not_loaded() {
        let text = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-03-01,null,null,null,null,null,null\n2024-03-04,1,1,1,1,1,1\n";
        let got = BarCsv::read(text.as_bytes(), "y.csv", "Y").unwrap();
        assert_eq!(got.rows.len(), 1);
        assert_eq!(got.problems[0].line, 2);
        assert!(got.problems[0].message.contains("null"), "{}", got.problems[0].message);
    }

    #[test]
    fn semicolon_files_are_read() {
        let text = "Date;Close;Volume\n2024-03-01;10.5;100\n2024-03-04;10.7;0\n";
        let got = BarCsv::read(text.as_bytes(), "eu.csv", "X").unwrap();
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        assert_eq!(got.rows.len(), 2);
    }

    #[test]
    fn missing_required_column_names_the_column() {
        let err = BarCsv::read("time,open,close\n1,2,3\n".as_bytes(), "x.csv", "X").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("line 1") && msg.contains("`volume`"), "{msg}");
    }

    #[test]
    fn header_only_file_is_empty() {
        assert!(matches!(BarCsv::read("date,close,volume\n".as_bytes(), "x", "X"), Err(Error::Empty { .. })));
    }
}
