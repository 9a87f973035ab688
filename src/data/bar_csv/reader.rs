//! The streaming reader: one row at a time, in constant memory.

use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::fields::{Fields, UnclosedQuote, unescape};
use super::layout::{FileShape, Layout, detect_delimiter, looks_like_data};
use super::number::parse_number;
use super::options::CsvOptions;
use super::problem::{ProblemKind, RowProblem};
use crate::data::bar::Bar;
use crate::data::timestamp::{check_format, parse_timestamp, parse_timestamp_with};
use crate::error::{Error, Result};

/// Data lines read ahead to detect the decimal mark.
const SAMPLE_LINES: usize = 20;

/// A bar read from line `line` of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// 1-based line number in the file (see [`RowProblem::line`]).
    pub line: u64,
    /// Symbol from the `symbol` column, or the default symbol (shared
    /// between rows, so a million rows of one symbol hold one string).
    pub symbol: Arc<str>,
    /// The bar.
    pub bar: Bar,
    /// Ground truth from the `label` column: `None` without one, or when
    /// the value could not be read (then a problem says so).
    pub label: Option<bool>,
}

/// One step of the reader.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadItem {
    /// A bar.
    Row(CsvRow),
    /// A bar whose label could not be read: keep the bar, leave it out of
    /// the metrics.
    RowWithUnreadableLabel(CsvRow, RowProblem),
    /// A row that was not loaded.
    Skipped(RowProblem),
}

/// Counts of what the reader saw, for reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadCounts {
    /// Non-empty data lines read.
    pub rows_read: usize,
    /// Rows that became bars.
    pub rows_loaded: usize,
    /// Rows skipped, by reason.
    pub skipped: BTreeMap<&'static str, usize>,
    /// Bars kept without their unreadable label.
    pub labels_unreadable: usize,
    /// Empty lines passed over.
    pub empty_lines: usize,
}

/// Reads bars from a delimited text file one row at a time; its memory
/// does not grow with the file. See [the module documentation](super).
pub struct BarReader<R> {
    input: R,
    name: String,
    layout: Layout,
    date_format: Option<String>,
    default_symbol: Arc<str>,
    last_symbol: Arc<str>,
    line_no: u64,
    header_line: u64,
    buf: Vec<u8>,
    pending: VecDeque<(u64, Vec<u8>)>,
    fields: Fields,
    joined: String,
    counts: ReadCounts,
}

impl<R: BufRead> BarReader<R> {
    /// Reads the header (or recognises a headerless shape) and settles the
    /// layout. `name` is used in messages; `default_symbol` for files
    /// without a symbol column.
    pub fn new(mut input: R, name: &str, default_symbol: &str, options: &CsvOptions) -> Result<Self> {
        let csv_err = |line: u64, message: String| Error::Csv { path: name.to_string(), line, message };
        if let Some(format) = &options.date_format
            && !check_format(format)
        {
            return Err(Error::param("date_format", format, "not a valid chrono format (e.g. %d/%m/%Y %H:%M)"));
        }
        let mut line_no = 0u64;
        let mut read = |buf: &mut Vec<u8>, line_no: &mut u64| -> Result<bool> {
            buf.clear();
            let n = input.read_until(b'\n', buf).map_err(|e| Error::io(name, e))?;
            if n == 0 {
                return Ok(false);
            }
            *line_no += 1;
            strip_line_end(buf);
            Ok(true)
        };
        let mut first = Vec::new();
        if !read(&mut first, &mut line_no)? {
            return Err(csv_err(1, "the file is empty".into()));
        }
        if first.starts_with(&[0xFF, 0xFE]) || first.starts_with(&[0xFE, 0xFF]) || first.contains(&0) {
            return Err(csv_err(
                1,
                "the file is UTF-16 (or holds NUL bytes), not UTF-8 text: re-save it as UTF-8 (in Excel: \"CSV UTF-8\")"
                    .into(),
            ));
        }
        if first.starts_with("\u{feff}".as_bytes()) {
            first.drain(..3);
        }
        while is_blank(&first) {
            if !read(&mut first, &mut line_no)? {
                return Err(csv_err(line_no, "the file has no data (only empty lines)".into()));
            }
        }
        let mut notes = Vec::new();
        let mut header_line = line_no;
        let mut header = first;
        let mut banner = false;
        let single_field = |l: &[u8]| !l.iter().any(|b| matches!(b, b',' | b';' | b'\t' | b'|'));
        if options.columns.is_none() && single_field(&header) {
            // A banner line (CryptoDataDownload's URL) above the real header?
            let mut next = Vec::new();
            let mut next_line = line_no;
            while read(&mut next, &mut next_line)? {
                if !is_blank(&next) {
                    break;
                }
            }
            if !is_blank(&next) && !single_field(&next) {
                notes.push(format!("line {line_no} skipped as a banner: {:?}", String::from_utf8_lossy(&header)));
                banner = true;
                header = next;
                header_line = next_line;
                line_no = next_line;
            } else {
                return Err(csv_err(
                    line_no,
                    format!(
                        "only one column ({:?}): a bar file needs a timestamp and a price column at least; pass --delimiter if the file uses another separator",
                        String::from_utf8_lossy(&header)
                    ),
                ));
            }
        }
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&header));
        let mut pending = VecDeque::new();
        let split_names = |line: &[u8]| -> Result<Vec<String>> {
            let mut f = Fields::default();
            f.split(line, delimiter)
                .map_err(|UnclosedQuote| csv_err(header_line, "unclosed quote in the header".into()))?;
            Ok((0..f.len()).map(|i| String::from_utf8_lossy(f.get(line, i).unwrap_or_default()).into_owned()).collect())
        };
        let (shape, names) = if options.no_header || (options.columns.is_none() && looks_like_data(&header, delimiter))
        {
            pending.push_back((header_line, header.clone()));
            header_line = 0;
            match (&options.columns, Layout::headerless(&header, delimiter)) {
                (Some(c), _) => (FileShape::NamedColumns, c.clone()),
                (None, Some((shape, names))) => (shape, names),
                (None, None) => {
                    return Err(csv_err(
                        line_no,
                        format!(
                            "this line looks like data, not a header ({:?}) and is not a shape the reader knows (Binance klines, MetaTrader 4): pass --no-header --columns timestamp,open,high,low,close,volume (names in file order)",
                            String::from_utf8_lossy(&header)
                        ),
                    ));
                }
            }
        } else if let Some(c) = &options.columns {
            notes.push(format!("header on line {header_line} replaced by --columns"));
            (FileShape::NamedColumns, c.clone())
        } else {
            let names = split_names(&header)?;
            let shape = if banner && names.iter().any(|n| n.eq_ignore_ascii_case("unix")) {
                FileShape::CryptoDataDownload
            } else if names.iter().any(|n| n.starts_with('<')) {
                FileShape::MetaTrader
            } else {
                FileShape::HeaderRow
            };
            (shape, names)
        };
        let mut layout = Layout::from_names(shape, delimiter, names, options).map_err(|m| {
            csv_err(header_line.max(1), if header_line == 0 { format!("{m} (from --columns)") } else { m })
        })?;
        layout.notes.splice(0..0, notes);
        let mut buf = Vec::new();
        while pending.len() < SAMPLE_LINES && read(&mut buf, &mut line_no)? {
            pending.push_back((line_no, std::mem::take(&mut buf)));
        }
        match options.decimal {
            Some(mark) => layout.decimal = mark,
            None => layout.detect_decimal(pending.iter().map(|(_, l)| l.as_slice())),
        }
        let default_symbol: Arc<str> = Arc::from(default_symbol);
        Ok(Self {
            input,
            name: name.to_string(),
            layout,
            date_format: options.date_format.clone(),
            last_symbol: default_symbol.clone(),
            default_symbol,
            line_no,
            header_line,
            buf,
            pending,
            fields: Fields::default(),
            joined: String::new(),
            counts: ReadCounts::default(),
        })
    }

    /// The settled layout: shape, delimiter, decimal mark, columns, notes.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Line of the header row (0 for a headerless file).
    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// What has been read so far.
    pub fn counts(&self) -> &ReadCounts {
        &self.counts
    }

    /// The file name used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next row, `None` at the end of the file. Only I/O errors are
    /// errors; a bad row is a [`ReadItem::Skipped`] and reading goes on.
    pub fn next_item(&mut self) -> Result<Option<ReadItem>> {
        loop {
            let line_no = match self.pending.pop_front() {
                Some((n, line)) => {
                    self.buf = line;
                    n
                }
                None => {
                    self.buf.clear();
                    let n = self.input.read_until(b'\n', &mut self.buf).map_err(|e| Error::io(&self.name, e))?;
                    if n == 0 {
                        return Ok(None);
                    }
                    self.line_no += 1;
                    strip_line_end(&mut self.buf);
                    self.line_no
                }
            };
            if is_blank(&self.buf) {
                self.counts.empty_lines += 1;
                continue;
            }
            self.counts.rows_read += 1;
            let item = match self.parse_row(line_no) {
                Ok((row, None)) => ReadItem::Row(row),
                Ok((row, Some(problem))) => {
                    self.counts.labels_unreadable += 1;
                    ReadItem::RowWithUnreadableLabel(row, problem)
                }
                Err((kind, message)) => {
                    *self.counts.skipped.entry(kind.name()).or_default() += 1;
                    ReadItem::Skipped(RowProblem { line: line_no, kind, message })
                }
            };
            if !matches!(item, ReadItem::Skipped(_)) {
                self.counts.rows_loaded += 1;
            }
            return Ok(Some(item));
        }
    }

    #[inline]
    fn parse_row(&mut self, line: u64) -> std::result::Result<(CsvRow, Option<RowProblem>), (ProblemKind, String)> {
        let buf = self.buf.as_slice();
        let cols = &self.layout.columns;
        let f = &mut self.fields;
        f.split(buf, self.layout.delimiter).map_err(|UnclosedQuote| {
            (ProblemKind::UnclosedQuote, "a quote opens and is not closed on this line".to_string())
        })?;
        let expected = self.layout.names.len();
        if f.len() != expected && !(f.len() > expected && f.empty_from(expected)) {
            let hint = if f.len() > expected {
                ": an unquoted thousands separator or decimal comma (such as 9,098) splits a number in two; quote such numbers, or re-save the file with `;` between fields"
            } else {
                ": the line is cut short"
            };
            return Err((ProblemKind::FieldCount, format!("{} fields, the header has {expected}{hint}", f.len())));
        }
        let f = &self.fields;
        let text = |i: usize, what: &str| -> std::result::Result<&str, (ProblemKind, String)> {
            let bytes = f.get(buf, i).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| {
                (
                    ProblemKind::NotUtf8,
                    format!(
                        "`{what}` = {:?} is not UTF-8 text: re-save the file as UTF-8",
                        String::from_utf8_lossy(bytes)
                    ),
                )
            })
        };
        let mark = self.layout.decimal;
        let number = |i: usize, what: &str| -> std::result::Result<f64, (ProblemKind, String)> {
            let bytes = f.get(buf, i).unwrap_or_default();
            parse_number(bytes, mark).map_err(|e| {
                (ProblemKind::BadNumber, format!("`{what}` = {:?}: {}", String::from_utf8_lossy(bytes), e.hint()))
            })
        };
        let ts_text = match cols.time_of_day {
            Some(t) => {
                self.joined.clear();
                self.joined.push_str(text(cols.timestamp, "date")?);
                self.joined.push(' ');
                self.joined.push_str(text(t, "time")?);
                self.joined.as_str()
            }
            None => text(cols.timestamp, "timestamp")?,
        };
        let parsed = match &self.date_format {
            Some(format) => parse_timestamp_with(ts_text, format),
            None => parse_timestamp(ts_text),
        };
        let timestamp: DateTime<Utc> = parsed.ok_or_else(|| {
            let accepted = match &self.date_format {
                Some(format) => format!("does not match --date-format {format:?}"),
                None => "is not ISO 8601, a date (YYYY-MM-DD) or an epoch in s/ms/µs/ns; for day- or month-first dates pass --date-format".to_string(),
            };
            (ProblemKind::BadTimestamp, format!("`timestamp` = {ts_text:?} {accepted}"))
        })?;
        let close = number(cols.close, "close")?;
        let volume = match cols.volume {
            Some(i) => number(i, "volume")?,
            None => 0.0,
        };
        let open = cols.open.map_or(Ok(close), |i| number(i, "open"))?;
        let high = cols.high.map_or(Ok(close.max(open)), |i| number(i, "high"))?;
        let low = cols.low.map_or(Ok(close.min(open)), |i| number(i, "low"))?;
        let bar = Bar { timestamp, open, high, low, close, volume };
        bar.validate(0).map_err(|e| match e {
            Error::InvalidValue { field, value, reason, .. } => {
                (ProblemKind::InvalidBar, format!("`{field}` = {value}: {reason}"))
            }
            other => (ProblemKind::InvalidBar, other.to_string()),
        })?;
        let symbol = match cols.symbol {
            Some(i) => {
                let s = text(i, "symbol")?;
                if s.is_empty() {
                    self.default_symbol.clone()
                } else if *self.last_symbol == *s {
                    self.last_symbol.clone()
                } else {
                    self.last_symbol = Arc::from(unescape(s).as_ref());
                    self.last_symbol.clone()
                }
            }
            None => self.default_symbol.clone(),
        };
        let (label, label_problem) = match cols.label {
            None => (None, None),
            Some(i) => {
                let raw = f.get(buf, i).unwrap_or_default();
                match raw {
                    b"1" | b"1.0" | b"true" | b"TRUE" | b"True" => (Some(true), None),
                    b"0" | b"0.0" | b"false" | b"FALSE" | b"False" => (Some(false), None),
                    other => (
                        None,
                        Some(RowProblem {
                            line,
                            kind: ProblemKind::LabelUnreadable,
                            message: format!(
                                "`label` = {:?} is not 0/1 or true/false: the bar is kept and left out of the metrics",
                                String::from_utf8_lossy(other)
                            ),
                        }),
                    ),
                }
            }
        };
        Ok((CsvRow { line, symbol, bar, label }, label_problem))
    }
}

fn strip_line_end(buf: &mut Vec<u8>) {
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}
