//! Market data types and loaders.
//!
//! Every type validates itself: constructors and series loaders refuse NaN or
//! infinite prices, non-positive prices, negative sizes, `high < low`, unsorted
//! or duplicate timestamps and empty series, with an [`Error`]
//! that names the field, the row and the value. Repairs (sorting,
//! de-duplicating, filling gaps) exist only as explicit calls in [`repair`].

pub mod bar;
pub mod bar_csv;
pub mod book;
pub mod headline_file;
pub mod label;
pub mod news;
pub mod repair;
pub mod social;
pub mod timestamp;
pub mod trade;
pub mod value_file;

pub use bar::{Bar, BarSeries};
pub use bar_csv::{BarCsv, BarReader, CsvOptions, CsvRow, InputReport, LoadedBars, ReadItem, RowProblem};
pub use book::{BookLevel, BookSide, OrderBookDelta, OrderBookSnapshot, OrderBookUpdate};
pub use headline_file::{HeadlineFile, HeadlineFileError, HeadlineRow};
pub use label::{AnomalyClass, AnomalyLabel, AnomalyPattern};
pub use news::NewsItem;
pub use social::SocialMentions;
pub use trade::{Side, Trade};
pub use value_file::{OrderReport, SkippedRow, ValueFile, ValuePoint};

use crate::error::{Error, Result};

/// Checks that a price is finite and strictly positive.
pub(crate) fn check_price(field: &'static str, row: usize, value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::InvalidValue {
            field,
            row,
            value: value.to_string(),
            reason: "price must be a finite number",
        });
    }
    if value <= 0.0 {
        return Err(Error::InvalidValue { field, row, value: value.to_string(), reason: "price must be > 0" });
    }
    Ok(())
}

/// Checks that a size or volume is finite and not negative (zero is allowed).
pub(crate) fn check_size(field: &'static str, row: usize, value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::InvalidValue { field, row, value: value.to_string(), reason: "must be a finite number" });
    }
    if value < 0.0 {
        return Err(Error::InvalidValue { field, row, value: value.to_string(), reason: "must not be negative" });
    }
    Ok(())
}

/// Checks that timestamps are strictly increasing, naming the first offending row.
pub(crate) fn check_increasing<I>(timestamps: I) -> Result<()>
where
    I: IntoIterator<Item = chrono::DateTime<chrono::Utc>>,
{
    let mut previous: Option<chrono::DateTime<chrono::Utc>> = None;
    for (row, ts) in timestamps.into_iter().enumerate() {
        if let Some(prev) = previous {
            if ts == prev {
                return Err(Error::DuplicateTimestamp { row, first_row: row - 1, timestamp: ts });
            }
            if ts < prev {
                return Err(Error::UnsortedTimestamps { row, previous_row: row - 1, previous: prev, current: ts });
            }
        }
        previous = Some(ts);
    }
    Ok(())
}
