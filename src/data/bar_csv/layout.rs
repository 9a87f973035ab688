//! Which column holds what, and which shape of file this is.

use serde::Serialize;

use super::fields::Fields;
use super::number::{DecimalMark, parse_number};
use super::options::CsvOptions;
use crate::data::timestamp::parse_timestamp;

/// The shapes of file the reader recognises by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileShape {
    /// A header row with named columns (Yahoo, Stooq, most exports).
    HeaderRow,
    /// Binance kline archives: no header, 12 columns, open time in ms (µs since 2025).
    BinanceKlines,
    /// CryptoDataDownload: a URL banner line above the header, newest bar first.
    CryptoDataDownload,
    /// MetaTrader export: `<DATE>`, `<TIME>`, ... (tab-separated, `2024.01.02` dates).
    MetaTrader,
    /// MetaTrader 4 history export without a header: date, time, O, H, L, C, volume.
    MetaTraderHeaderless,
    /// Columns named by the user (`--columns`).
    NamedColumns,
}

impl FileShape {
    /// A snake_case name, stable for JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::HeaderRow => "header_row",
            Self::BinanceKlines => "binance_klines",
            Self::CryptoDataDownload => "cryptodatadownload",
            Self::MetaTrader => "metatrader",
            Self::MetaTraderHeaderless => "metatrader_headerless",
            Self::NamedColumns => "named_columns",
        }
    }
}

/// The columns of Binance's kline archives, in order.
pub const BINANCE_KLINE_COLUMNS: [&str; 12] = [
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "count",
    "taker_buy_volume",
    "taker_buy_quote_volume",
    "ignore",
];

const METATRADER_HEADERLESS_COLUMNS: [&str; 7] = ["date", "time", "open", "high", "low", "close", "volume"];

/// Accepted names, after [`normalise`], in order of preference.
pub const TIMESTAMP_NAMES: &[&str] = &[
    "timestamp",
    "unix",
    "unixtime",
    "unixtimestamp",
    "datetime",
    "date",
    "datum",
    "time",
    "opentime",
    "starttime",
    "start",
    "ts",
    "period",
];
/// Accepted names of the closing price.
pub const CLOSE_NAMES: &[&str] = &["close", "closeprice", "last", "lastprice", "price", "value"];
/// Accepted names of the volume, before any name that starts with `volume`.
pub const VOLUME_NAMES: &[&str] = &["volume", "vol", "basevolume", "qty", "quantity", "tickvol", "tickvolume"];

/// Column positions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// Timestamp (or date) column.
    pub timestamp: usize,
    /// A separate time-of-day column joined to a `date` column.
    pub time_of_day: Option<usize>,
    /// Open, when present.
    pub open: Option<usize>,
    /// High, when present.
    pub high: Option<usize>,
    /// Low, when present.
    pub low: Option<usize>,
    /// Close.
    pub close: usize,
    /// Volume; `None` in price-only mode.
    pub volume: Option<usize>,
    /// Symbol, when present.
    pub symbol: Option<usize>,
    /// Ground-truth label, when present.
    pub label: Option<usize>,
}

/// Everything the reader settled before the first data row.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The recognised shape.
    pub shape: FileShape,
    /// Field delimiter.
    pub delimiter: u8,
    /// Decimal mark.
    pub decimal: DecimalMark,
    /// Column names as given (header or `--columns`).
    pub names: Vec<String>,
    /// Column positions.
    pub columns: Columns,
    /// Remarks for the user (aliases used, filled columns, detections).
    pub notes: Vec<String>,
}

/// Lower case, without spaces, `_`, `-`, `<`, `>`, brackets and a BOM.
pub fn normalise(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '<' | '>' | '(' | ')' | '[' | ']' | '"'))
        .collect::<String>()
        .to_lowercase()
}

/// The delimiter with the most occurrences outside quotes (`,` when none).
pub fn detect_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut in_quotes = false;
    for &b in line {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    if counts[best] == 0 { b',' } else { candidates[best] }
}

/// `true` when the line reads as data rather than names: its first field is
/// a timestamp and most of the others are numbers.
pub fn looks_like_data(line: &[u8], delimiter: u8) -> bool {
    let mut f = Fields::default();
    if f.split(line, delimiter).is_err() || f.len() < 2 {
        return false;
    }
    let text = |i: usize| std::str::from_utf8(f.get(line, i).unwrap_or_default()).unwrap_or("");
    if parse_timestamp(text(0)).is_none() {
        return false;
    }
    let numbers = (1..f.len())
        .filter(|&i| {
            let b = f.get(line, i).unwrap_or_default();
            parse_number(b, DecimalMark::Point).is_ok() || parse_number(b, DecimalMark::Comma).is_ok()
        })
        .count();
    2 * numbers >= f.len() - 1
}

fn find(names: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| names.iter().position(|h| h == a))
}

impl Layout {
    /// Settles the columns from the (normalised) names of a file.
    pub fn from_names(
        shape: FileShape,
        delimiter: u8,
        given: Vec<String>,
        options: &CsvOptions,
    ) -> Result<Layout, String> {
        let names: Vec<String> = given.iter().map(|n| normalise(n)).collect();
        let mut notes = Vec::new();
        let listed = || given.join(",");
        let required = |aliases: &[&str], what: &str| {
            find(&names, aliases).ok_or_else(|| {
                format!("no `{what}` column (accepted names: {}); the columns are: {}", aliases.join(", "), listed())
            })
        };
        // pandas' `to_csv` writes the index first, with an empty name.
        let pandas_index = matches!(names.first().map(String::as_str), Some("" | "unnamed0" | "index"));
        let timestamp = match find(&names, TIMESTAMP_NAMES) {
            None if pandas_index => {
                notes.push("the first column has no name (a pandas index): read as the timestamp".to_string());
                0
            }
            _ => required(TIMESTAMP_NAMES, "timestamp")?,
        };
        // Stooq, Kibot, MetaTrader: `Date` and `Time` in two columns.
        let time_of_day = if matches!(names[timestamp].as_str(), "date" | "datum") {
            find(&names, &["time"]).filter(|&t| t != timestamp)
        } else {
            None
        };
        if time_of_day.is_some() {
            notes.push("`date` and `time` columns joined into one timestamp".to_string());
        }
        let close = required(CLOSE_NAMES, "close")?;
        let volume = if options.price_only {
            notes.push("price-only mode (--price-only): volume ignored, the volume rule is off".to_string());
            None
        } else if let Some(wanted) = &options.volume_column {
            let i = find(&names, &[normalise(wanted).as_str()])
                .ok_or_else(|| format!("no column `{wanted}` (--volume-column); the columns are: {}", listed()))?;
            Some(i)
        } else {
            let v = find(&names, VOLUME_NAMES).or_else(|| names.iter().position(|n| n.starts_with("volume")));
            match v {
                None => notes.push(
                    "no volume column: price-only mode (every bar gets volume 0; the volume rule is off)".to_string(),
                ),
                Some(i) => {
                    let others: Vec<&str> = (0..names.len())
                        .filter(|&j| {
                            j != i && (names[j].starts_with("volume") || VOLUME_NAMES.contains(&names[j].as_str()))
                        })
                        .map(|j| given[j].as_str())
                        .collect();
                    if !others.is_empty() {
                        notes.push(format!(
                            "`{}` read as volume; also present and ignored: {} (choose with --volume-column)",
                            given[i],
                            others.join(", ")
                        ));
                    }
                }
            }
            v
        };
        let columns = Columns {
            timestamp,
            time_of_day,
            close,
            volume,
            open: find(&names, &["open", "openprice"]),
            high: find(&names, &["high", "highprice", "max"]),
            low: find(&names, &["low", "lowprice", "min"]),
            symbol: find(&names, &["symbol", "ticker", "instrument", "pair", "market"]),
            label: find(&names, &["label", "isanomaly", "anomaly"]),
        };
        for (col, what) in [(columns.open, "open"), (columns.high, "high"), (columns.low, "low")] {
            if col.is_none() {
                notes.push(format!("no `{what}` column: filled from `close`"));
            }
        }
        Ok(Layout { shape, delimiter, decimal: DecimalMark::Point, names: given, columns, notes })
    }

    /// Columns of a headerless file recognised by its first data line.
    pub fn headerless(line: &[u8], delimiter: u8) -> Option<(FileShape, Vec<String>)> {
        let mut f = Fields::default();
        f.split(line, delimiter).ok()?;
        let text = |i: usize| std::str::from_utf8(f.get(line, i).unwrap_or_default()).unwrap_or("");
        let epoch = |s: &str| s.len() >= 10 && s.bytes().all(|b| b.is_ascii_digit());
        let time_of_day = |s: &str| {
            s.len() >= 4 && s.len() <= 8 && s.contains(':') && s.bytes().all(|b| b.is_ascii_digit() || b == b':')
        };
        if f.len() == 12 && epoch(text(0)) && epoch(text(6)) {
            return Some((FileShape::BinanceKlines, BINANCE_KLINE_COLUMNS.map(String::from).to_vec()));
        }
        if f.len() == 7 && parse_timestamp(text(0)).is_some() && time_of_day(text(1)) {
            return Some((FileShape::MetaTraderHeaderless, METATRADER_HEADERLESS_COLUMNS.map(String::from).to_vec()));
        }
        None
    }

    /// Decides the decimal mark from sample data lines (see [`CsvOptions::decimal`]).
    pub fn detect_decimal<'a>(&mut self, sample: impl Iterator<Item = &'a [u8]>) {
        if self.delimiter == b',' {
            return;
        }
        let cols: Vec<usize> =
            [Some(self.columns.close), self.columns.open, self.columns.high, self.columns.low, self.columns.volume]
                .into_iter()
                .flatten()
                .collect();
        let mut f = Fields::default();
        for line in sample {
            if f.split(line, self.delimiter).is_err() {
                continue;
            }
            if cols.iter().any(|&c| f.get(line, c).is_some_and(|b| b.contains(&b','))) {
                self.decimal = DecimalMark::Comma;
                self.notes.push("decimal commas detected (`1234,5`); pass --decimal-point to override".to_string());
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_counted_outside_quotes() {
        assert_eq!(detect_delimiter(b"Date;Close;Volume"), b';');
        assert_eq!(detect_delimiter(b"<DATE>\t<TIME>\t<OPEN>"), b'\t');
        assert_eq!(detect_delimiter(b"\"a;b\",c,d"), b',');
        assert_eq!(detect_delimiter(b"close"), b',');
    }

    #[test]
    fn data_lines_are_told_from_headers() {
        assert!(looks_like_data(b"1700000000000,1,2,0.5,1.5,10,1700000059999,0,0,0,0,0", b','));
        assert!(looks_like_data(b"2024.01.02,00:00,1.1,1.2,1.0,1.15,100", b','));
        assert!(!looks_like_data(b"timestamp,open,high,low,close,volume", b','));
        assert!(!looks_like_data(b"date,close", b','));
    }

    #[test]
    fn cryptodatadownload_volume_columns() {
        let names = "unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount"
            .split(',')
            .map(String::from)
            .collect();
        let l = Layout::from_names(FileShape::CryptoDataDownload, b',', names, &CsvOptions::default()).unwrap();
        assert_eq!((l.columns.timestamp, l.columns.volume, l.columns.symbol), (0, Some(7), Some(2)));
        assert!(l.notes.iter().any(|n| n.contains("Volume USDT")), "{:?}", l.notes);
    }
}
