//! Reading OHLCV bars from the files people actually have.
//!
//! **Shapes recognised without any option** (the report names the one found):
//! * a header row with named columns (Yahoo, Stooq, exchange exports), any
//!   delimiter among `,` `;` tab `|`;
//! * Binance kline archives: no header, 12 columns, open time in ms (µs in
//!   spot files since 2025);
//! * CryptoDataDownload: a URL banner line above the header, `Unix` and
//!   `Date` columns, `Volume BTC` / `Volume USDT`, newest bar first;
//! * MetaTrader: `<DATE>`, `<TIME>`, `<OPEN>` ... (tab-separated,
//!   `2024.01.02` dates), and MetaTrader 4's headerless history export;
//! * decimal commas (`1234,5`) in files not separated by commas; thousands
//!   separators in quoted numbers (`"9,098"`).
//!
//! **Options** ([`CsvOptions`]) for what cannot be guessed safely: the
//! delimiter, the decimal mark, column names for a headerless file, a date
//! format for day- or month-first dates, the volume column, price-only mode.
//!
//! **Columns** are matched case-insensitively, ignoring spaces, `_`, `-`,
//! `<>` and brackets: timestamp = `timestamp|unix|datetime|date|time|open_time|start|ts`
//! (with a separate `time` column joined to `date`), `open`, `high`,
//! `low`, close = `close|last|price|value`, volume = `volume|vol|qty|tickvol`
//! or the first column whose name starts with `volume`; optional
//! `symbol|ticker|pair` and `label|is_anomaly` (0/1 or true/false). Other
//! columns are ignored, whatever bytes they hold. Without a volume column
//! the file is read in price-only mode (volume 0, said in the notes);
//! without `open`/`high`/`low` those are filled from `close`.
//!
//! **Nothing is read wrong in silence.** A row with more fields than the
//! header (an unquoted `9,098`), a number that is not a plain number in the
//! file's decimal style, a timestamp no format matches, a NaN or a negative
//! volume: the row is skipped and reported with its line number and the
//! value, counted by [`ProblemKind`]. A bad label keeps the bar and sets the
//! label aside. Line numbers count every physical line, the same for `\n`
//! and `\r\n` files. A file that is not UTF-8 is read as long as the columns
//! used are ASCII; a UTF-16 file is refused with "re-save as UTF-8".
//!
//! Order is not checked here: [`crate::data::BarSeries::new`] does that,
//! and [`crate::data::repair`] holds the explicit fixes. [`BarReader`] reads
//! one row at a time in constant memory; [`BarCsv`] collects a whole file.

mod fields;
mod layout;
mod number;
mod options;
mod problem;
mod reader;
mod report;

pub use fields::{Fields, UnclosedQuote};
pub use layout::{BINANCE_KLINE_COLUMNS, Columns, FileShape, Layout, normalise};
pub use number::{DecimalMark, NumberError, parse_number};
pub use options::CsvOptions;
pub use problem::{ProblemKind, RowProblem};
pub use reader::{BarReader, CsvRow, ReadCounts, ReadItem};
pub use report::InputReport;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};

/// The result of reading a whole file.
#[derive(Debug, Clone)]
pub struct LoadedBars {
    /// Rows that were read, in file order.
    pub rows: Vec<CsvRow>,
    /// Rows that were skipped.
    pub problems: Vec<RowProblem>,
    /// Bars kept without their unreadable label.
    pub label_problems: Vec<RowProblem>,
    /// `true` when the file has a label column.
    pub has_labels: bool,
    /// `false` in price-only mode (no volume column, or `price_only`).
    pub has_volume: bool,
    /// The recognised shape.
    pub shape: FileShape,
    /// Remarks about the file (shape, aliases used, filled columns).
    pub notes: Vec<String>,
    /// What the reader counted.
    pub counts: ReadCounts,
}

impl LoadedBars {
    /// Rows grouped by symbol, symbols in order of first appearance.
    pub fn by_symbol(self) -> Vec<(Arc<str>, Vec<CsvRow>)> {
        // One hash lookup per row, not a scan of every group seen so far.
        let mut index: HashMap<Arc<str>, usize, foldhash::fast::RandomState> = HashMap::default();
        let mut groups: Vec<(Arc<str>, Vec<CsvRow>)> = Vec::new();
        for row in self.rows {
            let i = match index.get(&row.symbol) {
                Some(&i) => i,
                None => {
                    // The name is shared (`Arc`) only once per symbol, not per row.
                    index.insert(Arc::clone(&row.symbol), groups.len());
                    groups.push((Arc::clone(&row.symbol), Vec::new()));
                    groups.len() - 1
                }
            };
            groups[i].1.push(row);
        }
        groups
    }
}

/// Reads a whole bar file (see [the module documentation](self)).
pub struct BarCsv;

impl BarCsv {
    /// Reads a file with default options. The symbol defaults to the file
    /// stem when the file has no symbol column.
    pub fn read_path(path: impl AsRef<Path>) -> Result<LoadedBars> {
        Self::read_path_with(path, &CsvOptions::default())
    }

    /// Reads a file with options.
    pub fn read_path_with(path: impl AsRef<Path>, options: &CsvOptions) -> Result<LoadedBars> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("input").to_string();
        Self::read_with(BufReader::with_capacity(1 << 16, file), &path.display().to_string(), &stem, options)
    }

    /// Reads text from any reader with default options. `name` is used in
    /// messages.
    pub fn read(reader: impl std::io::Read, name: &str, default_symbol: &str) -> Result<LoadedBars> {
        Self::read_with(BufReader::new(reader), name, default_symbol, &CsvOptions::default())
    }

    /// Reads text from any buffered reader with options.
    pub fn read_with(
        reader: impl BufRead,
        name: &str,
        default_symbol: &str,
        options: &CsvOptions,
    ) -> Result<LoadedBars> {
        let mut reader = BarReader::new(reader, name, default_symbol, options)?;
        let (mut rows, mut problems, mut label_problems) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(item) = reader.next_item()? {
            match item {
                ReadItem::Row(row) => rows.push(row),
                ReadItem::RowWithUnreadableLabel(row, problem) => {
                    rows.push(row);
                    label_problems.push(problem);
                }
                ReadItem::Skipped(problem) => problems.push(problem),
            }
        }
        let counts = reader.counts().clone();
        if counts.rows_read == 0 {
            let line = reader.header_line().max(1);
            return Err(Error::Csv {
                path: name.to_string(),
                line,
                message: "the file has a header row and no data rows".into(),
            });
        }
        let layout = reader.layout();
        let mut notes = vec![format!("recognised shape: {}", layout.shape.name())];
        notes.extend(layout.notes.iter().cloned());
        Ok(LoadedBars {
            rows,
            problems,
            label_problems,
            has_labels: layout.columns.label.is_some(),
            has_volume: layout.columns.volume.is_some(),
            shape: layout.shape,
            notes,
            counts,
        })
    }
}
