//! What happened to a user's file on its way to the detector, for the
//! `"input"` object of an example's JSON summary.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{FileShape, ReadCounts};

/// Counts of rows read, used, skipped and repaired, by reason. Every count
/// that a reader or a repair produced ends up here, so a `--json` consumer
/// sees what stderr told a human.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputReport {
    /// The file as given.
    pub file: String,
    /// The recognised shape.
    pub shape: FileShape,
    /// Non-empty data lines read.
    pub rows_read: usize,
    /// Bars that reached the detector.
    pub rows_used: usize,
    /// Rows not used, by reason (reader problems, duplicates, symbols with
    /// too few bars).
    pub skipped: BTreeMap<String, usize>,
    /// Repairs applied, by kind, with the number of rows each touched.
    pub repaired: BTreeMap<String, usize>,
    /// Bars kept without their unreadable label (left out of the metrics).
    pub labels_unreadable: usize,
    /// Remarks (shape, columns, filled columns, price-only mode).
    pub notes: Vec<String>,
}

impl InputReport {
    /// Starts a report from what the reader counted; `rows_used` starts at
    /// the rows loaded and the caller lowers it for every row it drops.
    pub fn new(file: impl Into<String>, shape: FileShape, counts: &ReadCounts, notes: Vec<String>) -> Self {
        Self {
            file: file.into(),
            shape,
            rows_read: counts.rows_read,
            rows_used: counts.rows_loaded,
            skipped: counts.skipped.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            repaired: BTreeMap::new(),
            labels_unreadable: counts.labels_unreadable,
            notes,
        }
    }

    /// Counts `n` rows dropped for `reason` (they leave `rows_used`).
    pub fn skip(&mut self, reason: &str, n: usize) {
        if n > 0 {
            *self.skipped.entry(reason.to_string()).or_default() += n;
            self.rows_used = self.rows_used.saturating_sub(n);
        }
    }

    /// Counts a repair of kind `what` that touched `n` rows.
    pub fn repair(&mut self, what: &str, n: usize) {
        if n > 0 {
            *self.repaired.entry(what.to_string()).or_default() += n;
        }
    }
}
