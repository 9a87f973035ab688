//! Rows the reader could not take, and why.

use serde::Serialize;

/// Why a row was skipped (or, for [`ProblemKind::LabelUnreadable`], why
/// its label was set aside while the bar was kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// More or fewer fields than the header (an unquoted thousands
    /// separator or decimal comma splits a number into two fields).
    FieldCount,
    /// A quote opened and not closed on the line.
    UnclosedQuote,
    /// A used field is not UTF-8 (a Latin-1 or Windows-1252 file).
    NotUtf8,
    /// A timestamp no accepted format matches.
    BadTimestamp,
    /// A price or volume that is not a number, or is empty.
    BadNumber,
    /// Numbers that do not make a bar: NaN, price ≤ 0, negative volume, high < low.
    InvalidBar,
    /// A label other than 0/1/true/false: the bar is kept, without a label.
    LabelUnreadable,
}

impl ProblemKind {
    /// A snake_case name, stable for JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::FieldCount => "field_count",
            Self::UnclosedQuote => "unclosed_quote",
            Self::NotUtf8 => "not_utf8",
            Self::BadTimestamp => "bad_timestamp",
            Self::BadNumber => "bad_number",
            Self::InvalidBar => "invalid_bar",
            Self::LabelUnreadable => "label_unreadable",
        }
    }
}

/// A row that was not loaded (or whose label was not), and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// 1-based line number in the file, counting every line (the header
    /// and any banner line too), the same for `\n` and `\r\n` files.
    pub line: u64,
    /// The reason, for counting.
    pub kind: ProblemKind,
    /// What is wrong, naming the column and the value.
    pub message: String,
}
