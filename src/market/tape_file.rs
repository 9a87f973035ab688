//! Trade-tape files as exchanges publish them, loaded without flags: the
//! format is told from the first line, the time unit from the size of the
//! numbers, the tick size and quantity step from the decimals written.
//!
//! The formats:
//! * **Plain** CSV with a header, columns in any order, extra columns
//!   ignored: time (`timestamp|time|ts|transact_time`, optionally suffixed
//!   `_s|_ms|_us|_ns`), `price`, quantity (`qty|quantity|size|amount|volume`),
//!   the side (`is_buyer_maker|buyer_maker` as `true/false/1/0`, or `side` as
//!   `Buy/Sell`), optionally an id (`id|trade_id|agg_trade_id`) and a
//!   `symbol`. Time is an epoch number (s, ms, µs or ns, told apart by size;
//!   seconds may have decimals) or ISO 8601 / RFC 3339 text (no offset = UTC).
//! * **Binance aggTrades** (data.binance.vision), headerless or with its
//!   header: `agg_trade_id,price,quantity,first_trade_id,last_trade_id,
//!   transact_time,is_buyer_maker[,is_best_match]`; time in ms, or in µs
//!   (spot files from 2025).
//! * **Bybit public trading** (public.bybit.com/trading): `timestamp,symbol,
//!   side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,
//!   foreignNotional`; time in seconds with decimals, converted to µs from
//!   the text (no `f64`), the id a 64-bit hash of `trdMatchID`.
//!
//! Prices and quantities stay exact: the tick is 10^−(most decimals of any
//! price in the file), the quantity step likewise. Repairs are reported
//! with line numbers, never silent: rows out of time order are sorted
//! (stably), exact duplicates of a trade id are dropped, a zero quantity is
//! dropped. A price ≤ 0, a negative quantity, a malformed field and one id
//! on two different trades are refused. Gzip and zip files are refused with
//! a hint to unpack them first. A UTF-8 BOM, CRLF, blank lines and
//! surrounding whitespace are tolerated.

use std::fmt;
use std::hash::BuildHasher;
use std::io::Read;
use std::path::Path;

use csv::ByteRecord;

use super::decimal::Decimal;
use super::error::MarketError;
use super::instrument::Instrument;
use super::tape::{TakerSide, TapeTrade, TradeTape};

/// What the loader accepts, for the unknown-format error.
const ACCEPTED: &str = "Plain CSV with a header (time: timestamp|time|ts|transact_time; price; \
qty|quantity|size|amount|volume; is_buyer_maker|buyer_maker or side), Binance aggTrades \
(agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker[,is_best_match], \
with or without the header), Bybit public trading (timestamp,symbol,side,size,price,tickDirection,\
trdMatchID,grossValue,homeNotional,foreignNotional)";

/// Bytes read ahead to recognise a compressed file and quote the first line.
const HEAD_BYTES: u64 = 8 * 1024;

/// The first line is quoted in errors up to this many characters.
const FIRST_LINE_CHARS: usize = 120;

/// An error loading a trade-tape file, naming the file and, for a row, its
/// 1-based line, the field and the text found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TapeFileError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A gzip, zip or zstd archive rather than the CSV inside it.
    #[error("{path}: this is a {kind} archive, not a CSV file: unpack it first (`{tool} {path}`) and load the .csv")]
    Compressed {
        /// The file.
        path: String,
        /// `gzip`, `zip` or `zstd`.
        kind: &'static str,
        /// The command that unpacks it.
        tool: &'static str,
    },
    /// The first line matches none of the accepted formats.
    #[error("{path}: not a trade file this loader knows ({why}); first line: {first_line:?}. Accepted: {accepted}")]
    UnknownFormat {
        /// The file.
        path: String,
        /// What was wrong with the first line.
        why: String,
        /// The first non-empty line, cut to about 120 characters.
        first_line: String,
        /// The accepted formats and their columns.
        accepted: &'static str,
    },
    /// A file with no trades (empty, a header only, or only dropped rows).
    #[error("{path}: no trades in the file")]
    NoTrades {
        /// The file.
        path: String,
    },
    /// A row with too few fields.
    #[error("{path}: line {line}: no {field} field (the row has {fields} fields)")]
    MissingField {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// Which field.
        field: &'static str,
        /// How many fields the row has.
        fields: usize,
    },
    /// An empty field.
    #[error("{path}: line {line}: {field} is empty")]
    EmptyField {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// Which field.
        field: &'static str,
    },
    /// A field that is not UTF-8 text.
    #[error("{path}: line {line}: {field} is not UTF-8 text")]
    NotUtf8 {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// Which field.
        field: &'static str,
    },
    /// A price or quantity that is not a plain decimal number.
    #[error("{path}: line {line}: {field} {value:?} is not a decimal number")]
    NotDecimal {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// `price` or `qty`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// A price ≤ 0 or a negative quantity.
    #[error("{path}: line {line}: {field} {value:?} must be > 0")]
    NotPositive {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// `price` or `qty`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// A price or quantity too large for 64-bit steps of the file's step.
    #[error("{path}: line {line}: {field} {value} does not fit in 64-bit steps of {step}")]
    OutOfRange {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// `price` or `qty`.
        field: &'static str,
        /// The value.
        value: String,
        /// The step it was counted in.
        step: String,
    },
    /// A time that is neither an epoch number nor an ISO 8601 date-time.
    #[error("{path}: line {line}: time {value:?} is neither an epoch number (s, ms, µs, ns) nor an ISO 8601 date-time")]
    BadTime {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// The text found.
        value: String,
    },
    /// A side, a buyer-maker flag or an id that cannot be read.
    #[error("{path}: line {line}: {field} {value:?} is not {expected}")]
    BadValue {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// Which field.
        field: &'static str,
        /// The text found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A symbol column naming two instruments.
    #[error(
        "{path}: line {line}: symbol {got:?} differs from {expected:?} on line {first_line}: one file must hold one instrument"
    )]
    MixedSymbols {
        /// The file.
        path: String,
        /// 1-based line of the other symbol.
        line: u64,
        /// The other symbol.
        got: String,
        /// The first row's symbol.
        expected: String,
        /// The first row's line.
        first_line: u64,
    },
    /// One trade id on two different trades.
    #[error(
        "{path}: trade id {id} on line {line} repeats line {first_line} with a different time, price, quantity or side"
    )]
    ConflictingId {
        /// The file.
        path: String,
        /// The id (for Bybit, the hash of `trdMatchID`).
        id: u64,
        /// 1-based line of the first trade with the id.
        first_line: u64,
        /// 1-based line of the second.
        line: u64,
    },
    /// The CSV reader failed.
    #[error("{path}: near line {line}: {source}")]
    Csv {
        /// The file.
        path: String,
        /// About where.
        line: u64,
        /// The reader's error.
        source: csv::Error,
    },
    /// The tape or the instrument was refused.
    #[error("{path}: {source}")]
    Market {
        /// The file.
        path: String,
        /// The data-model error.
        source: MarketError,
    },
}

/// The layout a file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TapeFormat {
    /// A CSV with a header naming time, price, quantity and side columns.
    Plain,
    /// Binance's aggTrades archive, headerless or with its header.
    BinanceAggTrades,
    /// Bybit's public trading archive.
    BybitPublicTrading,
}

impl fmt::Display for TapeFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain => "plain CSV",
            Self::BinanceAggTrades => "Binance aggTrades",
            Self::BybitPublicTrading => "Bybit public trading",
        })
    }
}

/// How a row's time was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Epoch seconds (below 10^11), possibly with decimals.
    Seconds,
    /// Epoch milliseconds (below 10^14).
    Milliseconds,
    /// Epoch microseconds (below 10^17).
    Microseconds,
    /// Epoch nanoseconds (truncated to µs).
    Nanoseconds,
    /// ISO 8601 / RFC 3339 text.
    Iso8601,
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Seconds => "s",
            Self::Milliseconds => "ms",
            Self::Microseconds => "µs",
            Self::Nanoseconds => "ns",
            Self::Iso8601 => "ISO 8601",
        })
    }
}

/// A count of rows and the 1-based lines of the first
/// [`LineSample::MAX_LINES`] of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSample {
    count: usize,
    lines: Vec<u64>,
}

impl LineSample {
    /// At most this many example lines are kept.
    pub const MAX_LINES: usize = 20;

    /// How many rows.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The first lines (at most [`Self::MAX_LINES`]), in file order.
    pub fn lines(&self) -> &[u64] {
        &self.lines
    }

    /// The first line, if any.
    pub fn first(&self) -> Option<u64> {
        self.lines.first().copied()
    }

    /// `true` when no row is counted.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn push(&mut self, line: u64) {
        self.count += 1;
        if self.lines.len() < Self::MAX_LINES {
            self.lines.push(line);
        }
    }
}

impl fmt::Display for LineSample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.lines.iter().map(u64::to_string).collect();
        let more = if self.count > self.lines.len() { ", …" } else { "" };
        write!(f, "{} (line {}{more})", self.count, lines.join(", "))
    }
}

/// What the loader found and repaired. The tape holds
/// `rows_read − duplicates − zero_qty` trades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapeFileReport {
    /// Data rows read (not the header, not blank lines).
    pub rows_read: usize,
    /// Whether the file had a header line.
    pub header: bool,
    /// The time unit of the first row (each row's unit is told by its size).
    pub time_unit: TimeUnit,
    /// Rows whose time unit differs from the first row's (two files
    /// concatenated across Binance's switch to µs, say); converted, not dropped.
    pub other_time_units: LineSample,
    /// Exact duplicates (same id, time, price, quantity and side as an
    /// earlier row), dropped.
    pub duplicates: LineSample,
    /// Rows with a zero quantity, dropped.
    pub zero_qty: LineSample,
    /// Rows earlier than a row above them, moved by the stable sort.
    pub out_of_order: LineSample,
}

impl fmt::Display for TapeFileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = if self.header { "a header" } else { "no header" };
        write!(f, "{} rows, {header}, time in {}", self.rows_read, self.time_unit)?;
        for (what, sample) in [
            ("rows in another time unit", &self.other_time_units),
            ("exact duplicates dropped", &self.duplicates),
            ("zero-quantity rows dropped", &self.zero_qty),
            ("rows out of time order, sorted", &self.out_of_order),
        ] {
            if !sample.is_empty() {
                write!(f, "; {what}: {sample}")?;
            }
        }
        Ok(())
    }
}

/// A loaded file: the tape, the format recognised and what was repaired.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedTape {
    /// The trades in time order, with the steps read off the file.
    pub tape: TradeTape,
    /// The format recognised.
    pub format: TapeFormat,
    /// What was found and repaired.
    pub report: TapeFileReport,
}

/// The loader of trade-tape files (see the [module docs](self)).
#[derive(Debug, Clone, Copy, Default)]
pub struct TapeFile;

impl TapeFile {
    /// Loads the file at `path`. The symbol is `symbol_hint`, else the
    /// file's `symbol` column, else the file name (for
    /// `BTCUSDT-aggTrades-2024-01-01.csv`, `BTCUSDT`).
    pub fn read(path: &Path, symbol_hint: Option<&str>) -> Result<LoadedTape, TapeFileError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| TapeFileError::Io { path: name.clone(), source })?;
        Self::parse(file, &name, symbol_hint)
    }

    /// Loads a tape from `reader` (a file, or `text.as_bytes()`); `name`
    /// names it in errors and gives the symbol when neither `symbol_hint`
    /// nor a `symbol` column does.
    pub fn parse<R: Read>(mut reader: R, name: &str, symbol_hint: Option<&str>) -> Result<LoadedTape, TapeFileError> {
        let io = |source| TapeFileError::Io { path: name.to_string(), source };
        let mut head = Vec::with_capacity(HEAD_BYTES as usize);
        reader.by_ref().take(HEAD_BYTES).read_to_end(&mut head).map_err(io)?;
        for (magic, kind, tool) in [
            (&b"\x1f\x8b"[..], "gzip", "gunzip"),
            (&b"PK\x03\x04"[..], "zip", "unzip"),
            (&b"\x28\xb5\x2f\xfd"[..], "zstd", "unzstd"),
        ] {
            if head.starts_with(magic) {
                return Err(TapeFileError::Compressed { path: name.to_string(), kind, tool });
            }
        }
        let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
        let first_line = first_line(body);
        // A final newline makes every record end in one, so the reader's
        // line count after a record tells the record's own line.
        let source = body.chain(reader).chain(&b"\n"[..]);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .terminator(csv::Terminator::Any(b'\n'))
            .buffer_capacity(64 * 1024)
            .from_reader(source);
        let mut record = ByteRecord::new();
        let mut loader: Option<Loader<'_>> = None;
        loop {
            let more = csv.read_byte_record(&mut record).map_err(|source| TapeFileError::Csv {
                path: name.to_string(),
                line: csv.position().line(),
                source,
            })?;
            if !more {
                break;
            }
            if record.is_empty() || (record.len() == 1 && record[0].is_empty()) {
                continue;
            }
            let newlines = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
            let line = csv.position().line().saturating_sub(1 + newlines).max(1);
            match &mut loader {
                Some(loader) => loader.row(&record, line)?,
                None => {
                    let layout = Layout::detect(&record, name, &first_line)?;
                    let mut new = Loader::new(name, layout);
                    if !layout.header {
                        new.row(&record, line)?;
                    }
                    loader = Some(new);
                }
            }
        }
        loader.ok_or_else(|| TapeFileError::NoTrades { path: name.to_string() })?.finish(symbol_hint)
    }
}

/// The first non-blank line of `head`, cut to [`FIRST_LINE_CHARS`].
fn first_line(head: &[u8]) -> String {
    let line = head.split(|&b| b == b'\n').map(|l| l.trim_ascii()).find(|l| !l.is_empty()).unwrap_or(&[]);
    let text = String::from_utf8_lossy(line);
    if text.chars().count() > FIRST_LINE_CHARS {
        format!("{}…", text.chars().take(FIRST_LINE_CHARS).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// Where the side is.
#[derive(Debug, Clone, Copy)]
enum SideColumn {
    /// Binance's `is_buyer_maker`.
    BuyerMaker(usize),
    /// `Buy`/`Sell`, the taker's side.
    Side(usize),
}

/// How an id is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdKind {
    /// An unsigned integer (Binance).
    Integer,
    /// A string, hashed (Bybit's UUIDs).
    Hashed,
    /// An integer where it is one, else hashed (plain files).
    IntegerOrHashed,
}

/// The columns of a recognised file.
#[derive(Debug, Clone, Copy)]
struct Layout {
    format: TapeFormat,
    header: bool,
    time: usize,
    price: usize,
    qty: usize,
    side: SideColumn,
    id: Option<(usize, IdKind)>,
    symbol: Option<usize>,
}

const TIME_NAMES: &[&str] = &["timestamp", "time", "ts", "transact_time"];
const QTY_NAMES: &[&str] = &["qty", "quantity", "size", "amount", "volume"];
const ID_NAMES: &[&str] = &["id", "trade_id", "agg_trade_id"];

impl Layout {
    /// Recognises the format from the first non-blank record.
    fn detect(record: &ByteRecord, path: &str, first_line: &str) -> Result<Self, TapeFileError> {
        let unknown = |why: String| TapeFileError::UnknownFormat {
            path: path.to_string(),
            why,
            first_line: first_line.to_string(),
            accepted: ACCEPTED,
        };
        let is_integer = |f: &[u8]| !f.is_empty() && f.iter().all(u8::is_ascii_digit);
        let is_bool = |f: &[u8]| parse_bool(std::str::from_utf8(f).unwrap_or("")).is_some();
        if is_integer(&record[0]) {
            let fields = record.len();
            if !(7..=8).contains(&fields) {
                return Err(unknown(format!(
                    "a headerless row of {fields} fields; Binance aggTrades rows have 7 or 8"
                )));
            }
            if is_integer(&record[5]) && is_bool(&record[6]) {
                return Ok(Self {
                    format: TapeFormat::BinanceAggTrades,
                    header: false,
                    time: 5,
                    price: 1,
                    qty: 2,
                    side: SideColumn::BuyerMaker(6),
                    id: Some((0, IdKind::Integer)),
                    symbol: None,
                });
            }
            if fields == 7 && is_integer(&record[4]) && is_bool(&record[5]) {
                return Err(unknown(
                    "this looks like a Binance trades file (id,price,qty,quote_qty,time,is_buyer_maker,\
is_best_match); download the aggTrades archive instead"
                        .to_string(),
                ));
            }
            return Err(unknown(
                "a headerless row whose 6th field is not a time and 7th not is_buyer_maker".to_string(),
            ));
        }
        let names: Vec<String> =
            record.iter().map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase()).collect();
        let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
        let has = |name: &str| names.iter().any(|n| n == name);
        let need = |column: Option<usize>, what: &str, missing: &mut Vec<String>| {
            if column.is_none() {
                missing.push(what.to_string());
            }
            column.unwrap_or(0)
        };
        let mut missing = Vec::new();
        let (format, layout) = if has("trdmatchid") || has("tickdirection") {
            let layout = Self {
                format: TapeFormat::BybitPublicTrading,
                header: true,
                time: need(find(&["timestamp"]), "timestamp", &mut missing),
                price: need(find(&["price"]), "price", &mut missing),
                qty: need(find(&["size"]), "size", &mut missing),
                side: SideColumn::Side(need(find(&["side"]), "side", &mut missing)),
                id: Some((need(find(&["trdmatchid"]), "trdMatchID", &mut missing), IdKind::Hashed)),
                symbol: Some(need(find(&["symbol"]), "symbol", &mut missing)),
            };
            ("a Bybit trading header", layout)
        } else if has("agg_trade_id") && (has("first_trade_id") || has("last_trade_id")) {
            let layout = Self {
                format: TapeFormat::BinanceAggTrades,
                header: true,
                time: need(find(&["transact_time"]), "transact_time", &mut missing),
                price: need(find(&["price"]), "price", &mut missing),
                qty: need(find(&["quantity"]), "quantity", &mut missing),
                side: SideColumn::BuyerMaker(need(find(&["is_buyer_maker"]), "is_buyer_maker", &mut missing)),
                id: Some((need(find(&["agg_trade_id"]), "agg_trade_id", &mut missing), IdKind::Integer)),
                symbol: None,
            };
            ("a Binance aggTrades header", layout)
        } else {
            let time = names.iter().position(|n| {
                let base = ["_ms", "_us", "_ns", "_s"].iter().find_map(|s| n.strip_suffix(s)).unwrap_or(n.as_str());
                TIME_NAMES.contains(&base)
            });
            let side = match (find(&["is_buyer_maker", "buyer_maker"]), find(&["side"])) {
                (Some(column), _) => Some(SideColumn::BuyerMaker(column)),
                (None, Some(column)) => Some(SideColumn::Side(column)),
                (None, None) => None,
            };
            let known = time.is_some() || side.is_some() || find(&["price"]).is_some() || find(QTY_NAMES).is_some();
            if !known {
                return Err(unknown(
                    "the first line is neither a header with known column names nor a Binance aggTrades row"
                        .to_string(),
                ));
            }
            if side.is_none() {
                missing.push("is_buyer_maker|buyer_maker or side".to_string());
            }
            let layout = Self {
                format: TapeFormat::Plain,
                header: true,
                time: need(time, "timestamp|time|ts|transact_time", &mut missing),
                price: need(find(&["price"]), "price", &mut missing),
                qty: need(find(QTY_NAMES), "qty|quantity|size|amount|volume", &mut missing),
                side: side.unwrap_or(SideColumn::Side(0)),
                id: find(ID_NAMES).map(|column| (column, IdKind::IntegerOrHashed)),
                symbol: find(&["symbol"]),
            };
            ("a header", layout)
        };
        if missing.is_empty() {
            Ok(layout)
        } else {
            Err(unknown(format!("{format} without the column(s) {}", missing.join(", "))))
        }
    }
}

/// One row read, with its price and quantity as mantissas at their own
/// scales until the file's steps are known.
#[derive(Debug, Clone, Copy)]
struct Row {
    trade: TapeTrade,
    line: u64,
    price_scale: u8,
    qty_scale: u8,
}

/// The state of one pass over a file.
struct Loader<'a> {
    path: &'a str,
    layout: Layout,
    rows: Vec<Row>,
    rows_read: usize,
    price_scale: u8,
    qty_scale: u8,
    time_unit: Option<TimeUnit>,
    other_time_units: LineSample,
    zero_qty: LineSample,
    ids_increasing: bool,
    symbol: Option<(String, u64)>,
    hasher: foldhash::fast::FixedState,
}

impl<'a> Loader<'a> {
    fn new(path: &'a str, layout: Layout) -> Self {
        Self {
            path,
            layout,
            rows: Vec::new(),
            rows_read: 0,
            price_scale: 0,
            qty_scale: 0,
            time_unit: None,
            other_time_units: LineSample::default(),
            zero_qty: LineSample::default(),
            ids_increasing: true,
            symbol: None,
            hasher: foldhash::fast::FixedState::with_seed(0),
        }
    }

    /// Field `index` of `record` as trimmed, non-empty text.
    fn field<'r>(
        &self,
        record: &'r ByteRecord,
        index: usize,
        field: &'static str,
        line: u64,
    ) -> Result<&'r str, TapeFileError> {
        let path = self.path.to_string();
        let Some(bytes) = record.get(index) else {
            return Err(TapeFileError::MissingField { path, line, field, fields: record.len() });
        };
        if bytes.is_empty() {
            return Err(TapeFileError::EmptyField { path, line, field });
        }
        std::str::from_utf8(bytes).map_err(|_| TapeFileError::NotUtf8 { path, line, field })
    }

    /// A price or quantity as (mantissa, scale).
    fn decimal(&self, text: &str, field: &'static str, line: u64) -> Result<(i64, u8, bool), TapeFileError> {
        let value = Decimal::parse(field, text).map_err(|_| TapeFileError::NotDecimal {
            path: self.path.to_string(),
            line,
            field,
            value: text.to_string(),
        })?;
        let unit = Decimal::unit(value.scale()).expect("Decimal::parse keeps at most 18 decimals");
        let mantissa = value.steps_of(unit, field).map_err(|_| TapeFileError::OutOfRange {
            path: self.path.to_string(),
            line,
            field,
            value: text.to_string(),
            step: unit.to_string(),
        })?;
        if mantissa < 0 || (field == "price" && mantissa == 0) {
            return Err(TapeFileError::NotPositive {
                path: self.path.to_string(),
                line,
                field,
                value: text.to_string(),
            });
        }
        Ok((mantissa, value.scale() as u8, mantissa == 0))
    }

    fn bad_value(&self, line: u64, field: &'static str, value: &str, expected: &'static str) -> TapeFileError {
        TapeFileError::BadValue { path: self.path.to_string(), line, field, value: value.to_string(), expected }
    }

    /// Reads one data row.
    fn row(&mut self, record: &ByteRecord, line: u64) -> Result<(), TapeFileError> {
        let layout = self.layout;
        let index = self.rows_read;
        self.rows_read += 1;

        let text = self.field(record, layout.time, "time", line)?;
        let (time_us, unit) = parse_time_us(text).ok_or_else(|| TapeFileError::BadTime {
            path: self.path.to_string(),
            line,
            value: text.to_string(),
        })?;
        match self.time_unit {
            None => self.time_unit = Some(unit),
            Some(first) if first != unit => self.other_time_units.push(line),
            Some(_) => {}
        }

        let (price, price_scale, _) = self.decimal(self.field(record, layout.price, "price", line)?, "price", line)?;
        let (qty, qty_scale, zero_qty) = self.decimal(self.field(record, layout.qty, "qty", line)?, "qty", line)?;

        let taker = match layout.side {
            SideColumn::BuyerMaker(column) => {
                let text = self.field(record, column, "is_buyer_maker", line)?;
                let maker =
                    parse_bool(text).ok_or_else(|| self.bad_value(line, "is_buyer_maker", text, "true or false"))?;
                TakerSide::from_buyer_maker(maker)
            }
            SideColumn::Side(column) => {
                let text = self.field(record, column, "side", line)?;
                if text.eq_ignore_ascii_case("buy") {
                    TakerSide::Buy
                } else if text.eq_ignore_ascii_case("sell") {
                    TakerSide::Sell
                } else {
                    return Err(self.bad_value(line, "side", text, "Buy or Sell"));
                }
            }
        };

        let id = match layout.id {
            None => index as u64,
            Some((column, kind)) => {
                let text = self.field(record, column, "id", line)?;
                let id = match (text.parse::<u64>(), kind) {
                    (Ok(id), IdKind::Integer | IdKind::IntegerOrHashed) => id,
                    (Err(_), IdKind::Integer) => return Err(self.bad_value(line, "id", text, "an integer trade id")),
                    (_, IdKind::Hashed | IdKind::IntegerOrHashed) => self.hasher.hash_one(text),
                };
                if let Some(previous) = self.rows.last()
                    && id <= previous.trade.id
                {
                    self.ids_increasing = false;
                }
                id
            }
        };

        if let Some(column) = layout.symbol {
            let text = self.field(record, column, "symbol", line)?;
            match &self.symbol {
                None => self.symbol = Some((text.to_string(), line)),
                Some((first, first_line)) if first != text => {
                    return Err(TapeFileError::MixedSymbols {
                        path: self.path.to_string(),
                        line,
                        got: text.to_string(),
                        expected: first.clone(),
                        first_line: *first_line,
                    });
                }
                Some(_) => {}
            }
        }

        if zero_qty {
            self.zero_qty.push(line);
            return Ok(());
        }
        self.price_scale = self.price_scale.max(price_scale);
        self.qty_scale = self.qty_scale.max(qty_scale);
        self.rows.push(Row { trade: TapeTrade { time_us, price, qty, taker, id }, line, price_scale, qty_scale });
        Ok(())
    }

    /// Rescales to the common steps, drops duplicates, sorts, builds the tape.
    fn finish(self, symbol_hint: Option<&str>) -> Result<LoadedTape, TapeFileError> {
        let Self {
            path,
            layout,
            mut rows,
            rows_read,
            price_scale,
            qty_scale,
            time_unit,
            other_time_units,
            zero_qty,
            ids_increasing,
            symbol,
            hasher: _,
        } = self;
        let time_unit = time_unit.unwrap_or(TimeUnit::Milliseconds);
        if rows.is_empty() {
            return Err(TapeFileError::NoTrades { path: path.to_string() });
        }
        let tick = Decimal::unit(u32::from(price_scale)).expect("at most 18 decimals");
        let step = Decimal::unit(u32::from(qty_scale)).expect("at most 18 decimals");
        for row in &mut rows {
            for (field, value, scale, top, unit) in [
                ("price", &mut row.trade.price, row.price_scale, price_scale, tick),
                ("qty", &mut row.trade.qty, row.qty_scale, qty_scale, step),
            ] {
                let mantissa = *value;
                *value = 10i64.checked_pow(u32::from(top - scale)).and_then(|p| mantissa.checked_mul(p)).ok_or_else(
                    || TapeFileError::OutOfRange {
                        path: path.to_string(),
                        line: row.line,
                        field,
                        value: decimal_text(mantissa, scale),
                        step: unit.to_string(),
                    },
                )?;
            }
        }

        let mut duplicates = LineSample::default();
        if layout.id.is_some() && !ids_increasing {
            let mut first: foldhash::HashMap<u64, usize> =
                foldhash::HashMap::with_capacity_and_hasher(rows.len(), Default::default());
            let mut dropped = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                match first.entry(row.trade.id) {
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(i);
                    }
                    std::collections::hash_map::Entry::Occupied(entry) => {
                        let earlier = &rows[*entry.get()];
                        if earlier.trade != row.trade {
                            return Err(TapeFileError::ConflictingId {
                                path: path.to_string(),
                                id: row.trade.id,
                                first_line: earlier.line,
                                line: row.line,
                            });
                        }
                        duplicates.push(row.line);
                        dropped.push(i);
                    }
                }
            }
            if !dropped.is_empty() {
                let mut next = dropped.iter().peekable();
                let mut i = 0;
                rows.retain(|_| {
                    let drop = next.peek() == Some(&&i);
                    if drop {
                        next.next();
                    }
                    i += 1;
                    !drop
                });
            }
        }

        let mut out_of_order = LineSample::default();
        let mut latest = i64::MIN;
        for row in &rows {
            if row.trade.time_us < latest {
                out_of_order.push(row.line);
            } else {
                latest = row.trade.time_us;
            }
        }
        if !out_of_order.is_empty() {
            rows.sort_by_key(|row| row.trade.time_us);
        }

        let symbol = match (symbol_hint.filter(|s| !s.is_empty()), &symbol) {
            (Some(hint), _) => hint.to_string(),
            (None, Some((column, _))) => column.clone(),
            (None, None) => symbol_from_name(path, layout.format),
        };
        let market = |source| TapeFileError::Market { path: path.to_string(), source };
        let instrument = Instrument::from_steps(&symbol, tick, step).map_err(market)?;
        let trades = rows.into_iter().map(|row| row.trade).collect();
        let tape = TradeTape::new(instrument, trades).map_err(market)?;
        Ok(LoadedTape {
            tape,
            format: layout.format,
            report: TapeFileReport {
                rows_read,
                header: layout.header,
                time_unit,
                other_time_units,
                duplicates,
                zero_qty,
                out_of_order,
            },
        })
    }
}

/// The file stem, cut before `-aggTrades` for a Binance archive name.
fn symbol_from_name(name: &str, format: TapeFormat) -> String {
    let stem = Path::new(name).file_stem().and_then(|s| s.to_str()).filter(|s| !s.is_empty()).unwrap_or(name);
    match (format, stem.split_once("-aggTrades")) {
        (TapeFormat::BinanceAggTrades, Some((symbol, _))) if !symbol.is_empty() => symbol.to_string(),
        _ => stem.to_string(),
    }
}

/// `mantissa · 10^−scale` as text.
fn decimal_text(mantissa: i64, scale: u8) -> String {
    let digits = format!("{:0>width$}", mantissa, width = usize::from(scale) + 1);
    let (whole, fraction) = digits.split_at(digits.len() - usize::from(scale));
    if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
}

/// `true/false/1/0` in any case.
fn parse_bool(text: &str) -> Option<bool> {
    if text == "1" || text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text == "0" || text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A time as µs since the Unix epoch, and how it was written. An epoch
/// number's unit is told by the size of its integer part (below 10^11 s,
/// 10^14 ms, 10^17 µs, else ns); its fraction is read exactly from the
/// digits, below 1 µs truncated. Anything else goes to
/// [`parse_timestamp`](crate::data::timestamp::parse_timestamp) (ISO 8601,
/// no offset = UTC).
fn parse_time_us(text: &str) -> Option<(i64, TimeUnit)> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let numeric = !whole.is_empty()
        && whole.len() <= 19
        && digits(whole)
        && digits(fraction)
        && !(fraction.is_empty() && text.ends_with('.'));
    if !numeric {
        let time = crate::data::timestamp::parse_timestamp(text)?;
        return Some((time.timestamp_micros(), TimeUnit::Iso8601));
    }
    let value: i64 = whole.parse().ok()?;
    let (unit, us_per_unit, fraction_digits) = match value {
        v if v < 100_000_000_000 => (TimeUnit::Seconds, 1_000_000, 6),
        v if v < 100_000_000_000_000 => (TimeUnit::Milliseconds, 1_000, 3),
        v if v < 100_000_000_000_000_000 => (TimeUnit::Microseconds, 1, 0),
        v => return Some((v / 1_000, TimeUnit::Nanoseconds)),
    };
    let mut sub = 0i64;
    for position in 0..fraction_digits {
        let digit = fraction.as_bytes().get(position).map_or(0, |b| i64::from(b - b'0'));
        sub = sub * 10 + digit;
    }
    Some((value.checked_mul(us_per_unit)?.checked_add(sub)?, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, name: &str) -> LoadedTape {
        TapeFile::parse(text.as_bytes(), name, None).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn error(text: &[u8], name: &str) -> String {
        TapeFile::parse(text, name, None).expect_err("refused").to_string()
    }

    #[test]
    fn plain_csv_with_its_header() {
        let text = "timestamp_ms,price,qty,is_buyer_maker\n\
                    1700000000000,65432.1,0.5,false\n\
                    1700000000000,65432.15,0.25,True\n\
                    1700000000250,65431,2,0\n";
        let loaded = load(text, "data/trades.csv");
        assert_eq!(loaded.format, TapeFormat::Plain);
        let tape = &loaded.tape;
        assert_eq!(tape.instrument().symbol(), "trades");
        assert_eq!(tape.instrument().tick_size().to_string(), "0.01");
        assert_eq!(tape.instrument().qty_step().to_string(), "0.01");
        let t = tape.trades();
        assert_eq!(
            (t[0].time_us, t[0].price, t[0].qty, t[0].taker, t[0].id),
            (1_700_000_000_000_000, 6_543_210, 50, TakerSide::Buy, 0)
        );
        assert_eq!((t[1].price, t[1].qty, t[1].taker, t[1].id), (6_543_215, 25, TakerSide::Sell, 1));
        assert_eq!((t[2].time_us, t[2].price, t[2].qty, t[2].id), (1_700_000_000_250_000, 6_543_100, 200, 2));
        let report = &loaded.report;
        assert!(report.header);
        assert_eq!((report.rows_read, report.time_unit), (3, TimeUnit::Milliseconds));
        assert!(report.duplicates.is_empty() && report.out_of_order.is_empty() && report.zero_qty.is_empty());
    }

    #[test]
    fn plain_aliases_any_order_iso_times_and_seconds() {
        // A BOM, CRLF, blank lines, padding, an extra column, `side` and an id.
        let text = "\u{feff}Venue, Side ,Size,TIME,price,trade_id\r\n\r\n\
                    x,Buy,3,2024-03-01T14:30:00.250,10.5,abc-1\r\n\
                    x,sell ,1,2024-03-01 14:30:01Z,10.25,77\r\n  \r\n";
        let loaded = TapeFile::parse(text.as_bytes(), "t.csv", Some("XYZUSDT")).unwrap();
        assert_eq!(loaded.format, TapeFormat::Plain);
        assert_eq!(loaded.tape.instrument().symbol(), "XYZUSDT");
        let t = loaded.tape.trades();
        let at = chrono::DateTime::parse_from_rfc3339("2024-03-01T14:30:00Z").unwrap().timestamp_micros();
        assert_eq!((t[0].time_us, t[0].price, t[0].qty, t[0].taker), (at + 250_000, 1050, 3, TakerSide::Buy));
        assert_eq!((t[1].time_us, t[1].taker, t[1].id), (at + 1_000_000, TakerSide::Sell, 77));
        assert_eq!(t[0].id, foldhash::fast::FixedState::with_seed(0).hash_one("abc-1"));
        assert_eq!(loaded.report.time_unit, TimeUnit::Iso8601);

        let seconds = "ts,price,volume,buyer_maker\n1700000000.5,1,1,1\n1700000001,1,1,0\n";
        let loaded = load(seconds, "s.csv");
        assert_eq!(loaded.report.time_unit, TimeUnit::Seconds);
        assert_eq!(loaded.tape.trades()[0].time_us, 1_700_000_000_500_000);
        assert_eq!(loaded.tape.trades()[0].taker, TakerSide::Sell);
    }

    #[test]
    fn binance_agg_trades_headerless_with_the_tick_of_an_illiquid_pair() {
        let text = "26129,0.00000123,150.00000000,30000,30001,1672531200123,true,true\n\
                    26130,0.00000124,2.50000000,30002,30002,1672531200456,false,true\n\
                    26131,0.00000123,10.00000000,30003,30005,1672531201000,true,true\n";
        let loaded = load(text, "/data/BNBBTC-aggTrades-2023-01-01.csv");
        assert_eq!(loaded.format, TapeFormat::BinanceAggTrades);
        let tape = &loaded.tape;
        assert_eq!(tape.instrument().symbol(), "BNBBTC");
        assert_eq!(tape.instrument().tick_size().to_string(), "0.00000001");
        let t = tape.trades();
        assert_eq!((t[0].id, t[0].time_us, t[0].price, t[0].qty), (26129, 1_672_531_200_123_000, 123, 15_000_000_000));
        // is_buyer_maker = true: the buyer rested, the taker sold.
        assert_eq!([t[0].taker, t[1].taker], [TakerSide::Sell, TakerSide::Buy]);
        assert_eq!(t[1].price, 124);
        assert!(!loaded.report.header);
        assert_eq!((loaded.report.rows_read, loaded.report.time_unit), (3, TimeUnit::Milliseconds));
    }

    #[test]
    fn binance_microsecond_files_and_the_newer_header() {
        let text = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match\n\
                    3356,94000.01000000,0.00100000,4000,4000,1735689600123456,false,true\n\
                    3357,94000.00000000,0.02000000,4001,4002,1735689600123999,true,true\n";
        let loaded = load(text, "BTCUSDT-aggTrades-2025-01-01.csv");
        assert_eq!(loaded.format, TapeFormat::BinanceAggTrades);
        assert!(loaded.report.header);
        assert_eq!(loaded.report.time_unit, TimeUnit::Microseconds);
        let t = loaded.tape.trades();
        assert_eq!((t[0].time_us, t[1].time_us), (1_735_689_600_123_456, 1_735_689_600_123_999));
        assert_eq!((t[0].price, t[0].qty, t[1].id), (9_400_001_000_000, 100_000, 3357));
    }

    #[test]
    fn files_joined_across_the_switch_to_microseconds_are_converted_and_reported() {
        let text = "100,42000.5,1,1,1,1735689599999,false,true\n\
                    101,42000.5,1,2,2,1735689600000001,true,true\n\
                    102,42000.5,1,3,3,1735689600000002,true,true\n";
        let loaded = load(text, "BTCUSDT-aggTrades.csv");
        let times: Vec<i64> = loaded.tape.trades().iter().map(|t| t.time_us).collect();
        assert_eq!(times, [1_735_689_599_999_000, 1_735_689_600_000_001, 1_735_689_600_000_002]);
        assert_eq!(loaded.report.time_unit, TimeUnit::Milliseconds);
        assert_eq!((loaded.report.other_time_units.count(), loaded.report.other_time_units.lines()), (2, &[2, 3][..]));
    }

    #[test]
    fn bybit_public_trading_with_exact_fractional_seconds() {
        let text = "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,foreignNotional\n\
                    1585180700.0647,BTCUSD,Buy,100,6698.5,PlusTick,39d7da2f-8d7a-53b3-a1b0-b6f33d12a7ba,1492871.4,100,0.014928714\n\
                    1585180700.0647,BTCUSD,Sell,25,6698,MinusTick,5a0b9d4e-1c2f-5e6a-9b8c-7d6e5f4a3b2c,373246.9,25,0.00373247\n\
                    1585180701.1,BTCUSD,Sell,7,6697.5,MinusTick,0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,104517.9,7,0.00104518\n";
        let loaded = load(text, "BTCUSD2020-03-26.csv");
        assert_eq!(loaded.format, TapeFormat::BybitPublicTrading);
        assert_eq!(loaded.tape.instrument().symbol(), "BTCUSD");
        assert_eq!(loaded.report.time_unit, TimeUnit::Seconds);
        let t = loaded.tape.trades();
        // 1585180700.0647 s in f64 is 1585180700.0646999...; from the text it is exact.
        assert_eq!(t[0].time_us, 1_585_180_700_064_700);
        assert_eq!(t[2].time_us, 1_585_180_701_100_000);
        assert_eq!((t[0].price, t[0].qty, t[0].taker), (66_985, 100, TakerSide::Buy));
        assert_eq!((t[1].price, t[1].taker), (66_980, TakerSide::Sell));
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one("39d7da2f-8d7a-53b3-a1b0-b6f33d12a7ba");
        assert_eq!(t[0].id, hash);
        assert_ne!(t[0].id, t[1].id);

        let mixed = text.replacen("1585180701.1,BTCUSD", "1585180701.1,ETHUSD", 1);
        let message = error(mixed.as_bytes(), "b.csv");
        assert!(message.contains("line 4: symbol \"ETHUSD\" differs from \"BTCUSD\" on line 2"), "{message}");
    }

    #[test]
    fn unsorted_rows_are_sorted_stably_and_reported() {
        let text = "time,price,qty,side\n5000000,1,1,Buy\n3000000,2,1,Buy\n5000000,3,1,Sell\n1000000,4,1,Buy\n";
        let loaded = load(text, "u.csv");
        let prices: Vec<i64> = loaded.tape.trades().iter().map(|t| t.price).collect();
        assert_eq!(prices, [4, 2, 1, 3], "equal times keep their file order");
        assert_eq!(loaded.report.out_of_order.count(), 2);
        assert_eq!(loaded.report.out_of_order.lines(), [3, 5]);
        assert_eq!(loaded.report.out_of_order.first(), Some(3));
        assert_eq!(loaded.report.time_unit, TimeUnit::Seconds);
    }

    #[test]
    fn exact_duplicates_are_dropped_and_conflicting_ids_refused() {
        let text = "26129,0.1,1,1,1,1672531200123,true\n\
                    26130,0.2,1,2,2,1672531200124,false\n\
                    26129,0.1,1,1,1,1672531200123,true\n\
                    26131,0.3,1,3,3,1672531200125,false\n";
        let loaded = load(text, "d.csv");
        assert_eq!(loaded.tape.len(), 3);
        assert_eq!(loaded.report.rows_read, 4);
        assert_eq!((loaded.report.duplicates.count(), loaded.report.duplicates.lines()), (1, &[3][..]));
        assert!(loaded.report.to_string().contains("exact duplicates dropped: 1 (line 3)"), "{}", loaded.report);

        let conflict =
            text.replacen("26129,0.1,1,1,1,1672531200123,true\n26131", "26129,0.15,1,1,1,1672531200123,true\n26131", 1);
        let message = error(conflict.as_bytes(), "d.csv");
        assert_eq!(
            message,
            "d.csv: trade id 26129 on line 3 repeats line 1 with a different time, price, quantity or side"
        );
    }

    #[test]
    fn malformed_fields_are_named_with_their_line() {
        let text = "timestamp,price,qty,is_buyer_maker\n1700000000000,1.5,1,true\n\n1700000000001,abc,1,true\n";
        assert_eq!(error(text.as_bytes(), "trades.csv"), "trades.csv: line 4: price \"abc\" is not a decimal number");
        let zero_price = "timestamp,price,qty,is_buyer_maker\n1700000000000,0,1,true\n";
        assert_eq!(error(zero_price.as_bytes(), "t.csv"), "t.csv: line 2: price \"0\" must be > 0");
        let empty = "timestamp,price,qty,is_buyer_maker\n1700000000000,1,,true\n";
        assert_eq!(error(empty.as_bytes(), "t.csv"), "t.csv: line 2: qty is empty");
        let side = "timestamp,price,qty,is_buyer_maker\n1700000000000,1,1,maybe\n";
        assert!(error(side.as_bytes(), "t.csv").contains("line 2: is_buyer_maker \"maybe\" is not true or false"));
        let time = "timestamp,price,qty,is_buyer_maker\nyesterday,1,1,true\n";
        assert!(error(time.as_bytes(), "t.csv").starts_with("t.csv: line 2: time \"yesterday\""));
        let short = "timestamp,price,qty,is_buyer_maker\n1700000000000,1\n";
        assert!(error(short.as_bytes(), "t.csv").contains("line 2: no qty field (the row has 2 fields)"));
    }

    #[test]
    fn a_zero_quantity_is_dropped_and_reported() {
        let text = "timestamp,price,qty,is_buyer_maker\n1700000000000,1.5,0.000,true\n1700000000001,1.5,2,false\n";
        let loaded = load(text, "z.csv");
        assert_eq!(loaded.tape.len(), 1);
        assert_eq!(loaded.report.zero_qty.lines(), [2]);
        // The dropped row's decimals do not set the step.
        assert_eq!(loaded.tape.instrument().qty_step().to_string(), "1");
        let only_zero = "timestamp,price,qty,is_buyer_maker\n1700000000000,1.5,0,true\n";
        assert_eq!(error(only_zero.as_bytes(), "z.csv"), "z.csv: no trades in the file");
    }

    #[test]
    fn unknown_formats_are_refused_with_the_accepted_ones() {
        let long = format!("date,open,high,low,close{}\n2024-01-01,1,2,0.5,1.5\n", ",x".repeat(100));
        let message = error(long.as_bytes(), "bars.csv");
        for part in
            ["bars.csv: not a trade file", "Plain CSV", "Binance aggTrades", "Bybit public trading", "date,open,high"]
        {
            assert!(message.contains(part), "{part}: {message}");
        }
        assert!(message.contains("…\""), "the first line is cut: {message}");
        let binance_trades = "123,0.1,1,0.1,1672531200123,true,true\n";
        assert!(error(binance_trades.as_bytes(), "t.csv").contains("Binance trades file"));
        let no_qty = "time,price,side\n1,2,Buy\n";
        assert!(error(no_qty.as_bytes(), "t.csv").contains("without the column(s) qty|quantity|size|amount|volume"));
        assert_eq!(error(b"", "e.csv"), "e.csv: no trades in the file");
    }

    #[test]
    fn compressed_files_are_refused() {
        let message = error(b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "BTCUSD2020-03-26.csv.gz");
        assert!(message.contains("gzip archive") && message.contains("gunzip BTCUSD2020-03-26.csv.gz"), "{message}");
        assert!(error(b"PK\x03\x04\x14\x00", "a.zip").contains("zip archive"));
    }

    #[test]
    fn read_opens_a_file_and_names_it() {
        let dir = std::env::temp_dir().join(format!("tape_file_test_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ETHBTC-aggTrades-2024-01-01.csv");
        std::fs::write(&path, "1,0.05,1.5,1,1,1704067200000,false,true\n").unwrap();
        let loaded = TapeFile::read(&path, None).unwrap();
        assert_eq!((loaded.tape.instrument().symbol(), loaded.tape.len()), ("ETHBTC", 1));
        let missing = TapeFile::read(&dir.join("nope.csv"), None).unwrap_err();
        assert!(matches!(missing, TapeFileError::Io { .. }) && missing.to_string().contains("nope.csv"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn epoch_units_by_size() {
        assert_eq!(parse_time_us("1700000000"), Some((1_700_000_000_000_000, TimeUnit::Seconds)));
        assert_eq!(parse_time_us("1700000000123.9"), Some((1_700_000_000_123_900, TimeUnit::Milliseconds)));
        assert_eq!(parse_time_us("1700000000123456"), Some((1_700_000_000_123_456, TimeUnit::Microseconds)));
        assert_eq!(parse_time_us("1700000000123456789"), Some((1_700_000_000_123_456, TimeUnit::Nanoseconds)));
        assert_eq!(parse_time_us("1700000000.1234567"), Some((1_700_000_000_123_456, TimeUnit::Seconds)));
        assert_eq!(parse_time_us("17."), None);
        assert_eq!(decimal_text(123, 8), "0.00000123");
        assert_eq!(decimal_text(65_432, 0), "65432");
    }
}
