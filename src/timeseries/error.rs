//! What can go wrong between a series and its scores.

use std::path::PathBuf;

/// An error of the learned time-series detectors, naming the parameter,
/// the point or the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TimeSeriesError {
    /// An error of the shared layers (data model, calibration).
    #[error(transparent)]
    Core(#[from] crate::Error),
    /// A parameter is out of range.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name as in the API.
        name: &'static str,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A value of the series is NaN or infinite.
    #[error("`{field}` at point #{index} is {value}, a finite number is needed")]
    NotFinite {
        /// Which column.
        field: &'static str,
        /// Zero-based position in the series.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// Too few points or windows for what was asked.
    #[error("`{what}` has {have}, at least {need} are needed")]
    TooFew {
        /// Which set.
        what: &'static str,
        /// How many were given.
        have: usize,
        /// How many are needed.
        need: usize,
    },
    /// Inputs of another width than the encoder was built for.
    #[error("`{what}` has {found} features per point, the encoder takes {expected}")]
    WidthMismatch {
        /// Which input.
        what: &'static str,
        /// Its width.
        found: usize,
        /// The encoder's width.
        expected: usize,
    },
    /// candle failed while training or scoring.
    #[error("the network failed while {while_doing}: {reason}")]
    Network {
        /// What it was doing.
        while_doing: &'static str,
        /// candle's message.
        reason: String,
    },
    /// Training diverged: the loss stopped being a number.
    #[error("training diverged at epoch {epoch} (loss {loss}); lower `learning_rate` (was {learning_rate})")]
    Diverged {
        /// The epoch (1-based).
        epoch: usize,
        /// The loss seen.
        loss: f64,
        /// The rate used.
        learning_rate: f64,
    },
    /// A weights file cannot be written or read.
    #[error("weights file {path}: {reason}")]
    Weights {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl TimeSeriesError {
    /// Wraps a candle error with what the network was doing.
    pub(crate) fn network(while_doing: &'static str) -> impl Fn(candle_core::Error) -> Self {
        move |e| Self::Network { while_doing, reason: e.to_string() }
    }
}
