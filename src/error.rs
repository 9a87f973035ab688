//! The one error type of the crate.
//!
//! Every variant names the field (or parameter) and the offending value, so a
//! user can find and fix the problem without reading the library's source.

use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Everything that can go wrong in `llm_anomaly`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value in the data is not acceptable (NaN price, negative volume, high < low, ...).
    #[error("invalid `{field}` at row {row}: {value} ({reason})")]
    InvalidValue {
        /// Name of the field, e.g. `close`.
        field: &'static str,
        /// Zero-based position in the series (or the line number for files, see [`Error::Csv`]).
        row: usize,
        /// The offending value as text.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Timestamps go backwards.
    #[error("timestamps must increase: row {row} has {current}, which is before row {previous_row} ({previous})")]
    UnsortedTimestamps {
        /// Row of the out-of-order item.
        row: usize,
        /// Row before it.
        previous_row: usize,
        /// Timestamp of the previous row.
        previous: DateTime<Utc>,
        /// Timestamp of this row.
        current: DateTime<Utc>,
    },
    /// The same timestamp appears twice.
    #[error("duplicate timestamp {timestamp} at rows {first_row} and {row}")]
    DuplicateTimestamp {
        /// Row of the second occurrence.
        row: usize,
        /// Row of the first occurrence.
        first_row: usize,
        /// The repeated timestamp.
        timestamp: DateTime<Utc>,
    },
    /// A series or input with no elements.
    #[error("empty input: `{what}` has no elements")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// A rolling window that does not fit into the data.
    #[error("window of {window} is longer than the data ({len} points in `{what}`)")]
    WindowTooLong {
        /// Requested window length.
        window: usize,
        /// Number of points available.
        len: usize,
        /// Which data.
        what: &'static str,
    },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: `{left}` has {left_len} elements, `{right}` has {right_len}")]
    LengthMismatch {
        /// Name of the first input.
        left: &'static str,
        /// Its length.
        left_len: usize,
        /// Name of the second input.
        right: &'static str,
        /// Its length.
        right_len: usize,
    },
    /// A constructor or function parameter is out of range.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name as in the API.
        name: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        reason: String,
    },
    /// A problem in a CSV file, with the 1-based line number.
    #[error("{path}: line {line}: {message}")]
    Csv {
        /// File name (or `<input>`).
        path: String,
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Malformed JSON.
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(name: &'static str, value: impl std::fmt::Display, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { name, value: value.to_string(), reason: reason.into() }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

/// Checks that `value` is finite, else returns [`Error::InvalidParameter`].
pub(crate) fn finite_param(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() { Ok(value) } else { Err(Error::param(name, value, "must be a finite number")) }
}

/// Checks that `value` is finite and > 0.
pub(crate) fn positive_param(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::param(name, value, "must be a finite number > 0"))
    }
}
