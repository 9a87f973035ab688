//! Thresholds: the decision that turns a score into an alert.
//!
//! Detectors only produce scores (higher = more anomalous); where the line is
//! drawn is a separate, explicit choice made here:
//!
//! * [`FixedThreshold`]: a number chosen by hand;
//! * [`QuantileThreshold`]: fitted once from scores, either from a target
//!   contamination (the share of points expected to be anomalous) or from a
//!   target false-positive rate on scores known to be normal;
//! * [`StreamingQuantileThreshold`]: a running quantile of the scores seen so
//!   far, estimated with the P² algorithm ([`StreamingQuantile`]) in O(1)
//!   memory and time per score.
//!
//! Every threshold flags a score when it is **strictly greater** than the
//! threshold value, the same rule as
//! [`ConfusionMatrix::from_scores`](crate::eval::ConfusionMatrix::from_scores).

mod fixed;
mod quantile;
mod streaming_quantile;
mod streaming_threshold;

pub use fixed::FixedThreshold;
pub use quantile::{QuantileThreshold, empirical_quantile};
pub use streaming_quantile::StreamingQuantile;
pub use streaming_threshold::StreamingQuantileThreshold;

/// A rule that decides whether a score is anomalous.
pub trait Threshold {
    /// The current threshold, or `None` while it is not yet known (for
    /// example a streaming threshold that has not seen enough scores).
    fn value(&self) -> Option<f64>;

    /// `true` when `score` is strictly greater than the threshold.
    ///
    /// Always `false` while [`value`](Threshold::value) is `None`, and for a
    /// NaN score (a NaN is never greater than anything).
    fn is_anomalous(&self, score: f64) -> bool {
        self.value().is_some_and(|t| score > t)
    }
}
