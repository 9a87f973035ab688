//! Headline files as people have them: one headline per line, or a CSV/TSV
//! table with a text column (GUIDE §8).
//!
//! - A `.csv` or `.tsv` file is a table. Its text column is the first
//!   whose name is `text`, `headline`, `title`, `content` or `sentence`
//!   (any case); optional columns `timestamp` (ISO 8601 or epoch; also
//!   called `time`, `date`, `published`, ... see [`TIME_COLUMNS`]), `symbol`
//!   and `label` (`0`/`1`, `true`/`false`, `normal`/`anomaly`); other
//!   columns are ignored.
//! - Anything else is plain text, one headline per line (`\n` or `\r\n`).
//!
//! Empty and whitespace-only headlines are skipped and counted; a line that
//! is not UTF-8, or a row that cannot be read, is skipped and reported with
//! its line number. Nothing is dropped in silence.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::NewsItem;
use super::timestamp::parse_timestamp;

/// Column names recognised as the text column, in order of preference.
pub const TEXT_COLUMNS: [&str; 5] = ["text", "headline", "title", "content", "sentence"];

/// Column names recognised as the timestamp column, in order of preference
/// (any case): news APIs and exports call it many things.
pub const TIME_COLUMNS: [&str; 9] =
    ["timestamp", "time", "datetime", "date", "published", "published_at", "created_at", "pubdate", "time_published"];

/// One headline read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineRow {
    /// 1-based line number in the file (the row's first line for a table).
    pub line: usize,
    /// The headline, trimmed.
    pub text: String,
    /// Publication time, when the table has a `timestamp` column.
    pub timestamp: Option<DateTime<Utc>>,
    /// The instrument, when the table has a `symbol` column.
    pub symbol: Option<String>,
    /// `Some(true)` for a labelled anomaly, `Some(false)` for labelled normal.
    pub label: Option<bool>,
}

/// A skipped line and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// What was read, and what was not.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct HeadlineCounts {
    /// `lines` (plain text) or `table` (CSV/TSV).
    pub shape: &'static str,
    /// Headlines read.
    pub headlines: usize,
    /// Empty or whitespace-only headlines skipped.
    pub empty_skipped: usize,
    /// Lines that are not UTF-8, skipped.
    pub not_utf8: usize,
    /// Table rows that could not be read (bad quoting, too few fields), skipped.
    pub bad_rows: usize,
    /// Labels present but not 0/1 (the headline is kept, unlabelled).
    pub labels_unreadable: usize,
    /// Timestamps present but unreadable (the headline is kept without one).
    pub timestamps_unreadable: usize,
}

/// A headline file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineFile {
    /// The headlines, in file order.
    pub rows: Vec<HeadlineRow>,
    /// Counts for the report.
    pub counts: HeadlineCounts,
    /// Every skipped line or unreadable field, with its line number.
    pub skipped: Vec<SkippedLine>,
}

/// A file that cannot be read as headlines at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HeadlineFileError {
    /// The file cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A table without a text column.
    #[error("{path}: no text column: the header has {header:?}; name the column one of {TEXT_COLUMNS:?}")]
    NoTextColumn {
        /// The file.
        path: PathBuf,
        /// The header's column names.
        header: Vec<String>,
    },
    /// A UTF-16 file (Excel's "Unicode text").
    #[error("{path} is UTF-16: re-save the file as UTF-8")]
    Utf16 {
        /// The file.
        path: PathBuf,
    },
}

impl HeadlineFile {
    /// Reads `path`: a table for `.csv`/`.tsv`, else one headline per line.
    pub fn read(path: &Path) -> Result<Self, HeadlineFileError> {
        let bytes = std::fs::read(path).map_err(|source| HeadlineFileError::Io { path: path.into(), source })?;
        if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            return Err(HeadlineFileError::Utf16 { path: path.into() });
        }
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Self::from_table(bytes, b',', path),
            Some("tsv") => Self::from_table(bytes, b'\t', path),
            _ => Ok(Self::from_lines(bytes)),
        }
    }

    /// One headline per line.
    pub fn from_lines(bytes: &[u8]) -> Self {
        let mut file = Self::empty("lines");
        // A final newline ends the last line; it does not start an empty one.
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        for (index, raw) in body.split(|&b| b == b'\n').enumerate() {
            let line = index + 1;
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            match std::str::from_utf8(raw) {
                Ok(text) => file.push(line, text, None, None, None),
                Err(_) => file.skip_not_utf8(line),
            }
        }
        file
    }

    /// A table with a header row.
    pub fn from_table(bytes: &[u8], delimiter: u8, path: &Path) -> Result<Self, HeadlineFileError> {
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(bytes);
        let mut records = reader.byte_records();
        let header: Vec<String> = match records.next() {
            Some(Ok(record)) => record.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect(),
            _ => Vec::new(),
        };
        let find =
            |names: &[&str]| names.iter().find_map(|name| header.iter().position(|h| h.eq_ignore_ascii_case(name)));
        let Some(text_at) = find(&TEXT_COLUMNS) else {
            return Err(HeadlineFileError::NoTextColumn { path: path.into(), header });
        };
        let (time_at, symbol_at, label_at) = (find(&TIME_COLUMNS), find(&["symbol", "ticker"]), find(&["label"]));
        let mut file = Self::empty("table");
        for record in records {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let line = error.position().map_or(0, |p| p.line() as usize);
                    file.counts.bad_rows += 1;
                    file.skipped.push(SkippedLine { line, reason: format!("unreadable row: {error}") });
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line() as usize);
            let Some(text) = record.get(text_at) else {
                file.counts.bad_rows += 1;
                file.skipped
                    .push(SkippedLine { line, reason: format!("row has {} fields, no text field", record.len()) });
                continue;
            };
            let Ok(text) = std::str::from_utf8(text) else {
                file.skip_not_utf8(line);
                continue;
            };
            let field = |at: Option<usize>| {
                at.and_then(|i| record.get(i))
                    .map(|f| String::from_utf8_lossy(f).trim().to_string())
                    .filter(|f| !f.is_empty())
            };
            let timestamp = field(time_at).and_then(|t| {
                let parsed = parse_timestamp(&t);
                if parsed.is_none() {
                    file.counts.timestamps_unreadable += 1;
                    file.skipped
                        .push(SkippedLine { line, reason: format!("timestamp `{t}` unreadable, kept without one") });
                }
                parsed
            });
            let label = field(label_at).and_then(|l| {
                let parsed = parse_label(&l);
                if parsed.is_none() {
                    file.counts.labels_unreadable += 1;
                    file.skipped.push(SkippedLine { line, reason: format!("label `{l}` is not 0/1, kept unlabelled") });
                }
                parsed
            });
            file.push(line, text, timestamp, field(symbol_at), label);
        }
        Ok(file)
    }

    /// The rows as news items (for example 01's `--news`), with `source`
    /// as their source. A row without a timestamp cannot be placed in time:
    /// it is not made an item, and its line is returned apart. A row
    /// without a symbol becomes a market-wide item (`symbol: None`).
    pub fn into_news(self, source: &str) -> (Vec<NewsItem>, Vec<usize>) {
        let (mut items, mut undated) = (Vec::with_capacity(self.rows.len()), Vec::new());
        for row in self.rows {
            match row.timestamp {
                Some(timestamp) => {
                    items.push(NewsItem { timestamp, symbol: row.symbol, headline: row.text, source: source.into() })
                }
                None => undated.push(row.line),
            }
        }
        (items, undated)
    }

    fn empty(shape: &'static str) -> Self {
        Self { rows: Vec::new(), counts: HeadlineCounts { shape, ..Default::default() }, skipped: Vec::new() }
    }

    fn push(
        &mut self,
        line: usize,
        text: &str,
        timestamp: Option<DateTime<Utc>>,
        symbol: Option<String>,
        label: Option<bool>,
    ) {
        let text = text.trim();
        if text.is_empty() {
            self.counts.empty_skipped += 1;
            return;
        }
        self.counts.headlines += 1;
        self.rows.push(HeadlineRow { line, text: text.to_string(), timestamp, symbol, label });
    }

    fn skip_not_utf8(&mut self, line: usize) {
        self.counts.not_utf8 += 1;
        self.skipped.push(SkippedLine { line, reason: "not UTF-8: re-save the file as UTF-8".into() });
    }
}

fn parse_label(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "anomaly" | "anomalous" | "yes" => Some(true),
        "0" | "false" | "normal" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_skip_and_count_empty_ones_and_keep_line_numbers() {
        let file =
            HeadlineFile::from_lines(b"Fed holds rates\r\n\r\n   \nBUY NOW \xf0\x9f\x9a\x80\n\xff\xfe bad\nlast");
        let texts: Vec<(usize, &str)> = file.rows.iter().map(|r| (r.line, r.text.as_str())).collect();
        assert_eq!(texts, vec![(1, "Fed holds rates"), (4, "BUY NOW 🚀"), (6, "last")]);
        assert_eq!((file.counts.empty_skipped, file.counts.not_utf8), (2, 1));
        assert_eq!(file.skipped[0].line, 5);
    }

    #[test]
    fn a_table_finds_its_text_column_by_name_and_reads_the_optional_ones() {
        let csv = "id,Headline,Symbol,timestamp,label,extra\n1,\"Oil slips, inventories build\",XOM,2024-03-01T14:30:00Z,0,x\n2,\"$XYZ 🚀 BUY\",XYZ,1709303400,1,y\n3,,,,,\n4,Rates,,soon,maybe,\n";
        let file = HeadlineFile::from_table(csv.as_bytes(), b',', Path::new("h.csv")).unwrap();
        assert_eq!(file.rows.len(), 3);
        assert_eq!(file.rows[0].text, "Oil slips, inventories build");
        assert_eq!(file.rows[0].symbol.as_deref(), Some("XOM"));
        assert_eq!(file.rows[1].label, Some(true));
        let (news, undated) = file.clone().into_news("file");
        assert_eq!((news.len(), undated), (2, vec![5]), "the row `Rates` has no readable timestamp");
        assert_eq!((news[0].symbol.as_deref(), news[0].source.as_str()), (Some("XOM"), "file"));
        assert_eq!(file.rows[1].timestamp.unwrap().to_rfc3339(), "2024-03-01T14:30:00+00:00");
        assert_eq!((file.rows[2].line, file.rows[2].label, file.rows[2].timestamp), (5, None, None));
        assert_eq!(
            (file.counts.empty_skipped, file.counts.labels_unreadable, file.counts.timestamps_unreadable),
            (1, 1, 1)
        );
    }

    #[test]
    fn a_table_without_a_text_column_is_refused_with_its_header() {
        let error = HeadlineFile::from_table(b"id,body\n1,x\n", b',', Path::new("h.csv")).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("\"id\", \"body\"") && message.contains("headline"), "{message}");
    }
}
