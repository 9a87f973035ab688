//! What the user can tell the reader about a file it cannot guess.

use super::number::DecimalMark;

/// Reading options. The default detects everything it safely can.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvOptions {
    /// Field delimiter (`b','`, `b';'`, `b'\t'`, ...); detected from the
    /// header line when `None`.
    pub delimiter: Option<u8>,
    /// Decimal mark; when `None`, a comma-delimited file uses points and
    /// other files use commas if their first data rows contain any.
    pub decimal: Option<DecimalMark>,
    /// The file has no header row: its first line is data.
    pub no_header: bool,
    /// Column names to use instead of the header (or, with `no_header`, for
    /// a file without one), in file order, e.g. `timestamp,open,high,low,close,volume`.
    pub columns: Option<Vec<String>>,
    /// A chrono format for the timestamp column (`%d.%m.%Y %H:%M`), for
    /// day-first or month-first dates that cannot be guessed safely.
    pub date_format: Option<String>,
    /// The column to read volume from (`Volume USDT`, `tickvol`, ...).
    pub volume_column: Option<String>,
    /// Ignore volume even when the file has it (every bar gets volume 0).
    pub price_only: bool,
}
