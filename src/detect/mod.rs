//! Streaming detectors, thresholds and alerts.
//!
//! The layers, from the inside out:
//!
//! 1. A [`UnivariateDetector`] keeps running statistics of one feature and
//!    turns a new value into a signed deviation in units of scale (a z-score):
//!    [`RollingZScore`], [`RollingMad`] (median/MAD, robust) and
//!    [`EwmaZScore`]. Order is always **score first, then learn**, and
//!    nothing is scored before the warm-up is over.
//! 2. [`PriceVolumeDetector`] runs a [`PairDetector`] on a price feature
//!    and a volume feature and returns a raw [`PriceVolumeScore`] (higher =
//!    more anomalous, never clamped): [`RollingZScorePair`] (one window for
//!    both, the fast path) or any two univariate detectors ([`Paired`]).
//! 3. [`AlertRule`] holds the thresholds and turns a score into a
//!    [`Detection`]: type, confidence, threshold used and an explanation.
//!    Thresholds can be fixed or fitted ([`threshold`]).
//! 4. [`IntervalMerger`] merges consecutive hits into [`AlertInterval`]s
//!    (both are the alert model's, [`crate::alert`], shared by every source).
//! 5. [`MultiSymbolMonitor`] runs one detector per symbol without allocating
//!    per tick.

pub mod alert;
pub mod ewma;
pub mod feature;
pub mod monitor;
pub mod pair;
pub mod price_volume;
pub mod robust;
pub mod rolling_stats;
pub mod scale_floor;
pub mod threshold;
pub mod zscore;
pub mod zscore_pair;

pub use crate::alert::AnomalyType;
pub use crate::alert::{AlertInterval, IntervalMerger};
pub use alert::{AlertRule, Detection, Explanation};
pub use ewma::EwmaZScore;
pub use feature::Feature;
pub use monitor::{MultiSymbolMonitor, SymbolId};
pub use pair::{PairDetector, Paired};
pub use price_volume::{PriceVolumeConfig, PriceVolumeDetector, PriceVolumeScore};
pub use robust::RollingMad;
pub use rolling_stats::RollingStats;
pub use scale_floor::ScaleFloor;
pub use zscore::RollingZScore;
pub use zscore_pair::RollingZScorePair;

use crate::error::Result;

/// A streaming detector of one numeric feature.
///
/// Use it as **score first, then learn**: `deviation(x)` compares `x` with
/// what was seen *before* it, then `learn_one(x)` adds it. A value that was
/// learned already cannot hide itself.
pub trait UnivariateDetector {
    /// Signed deviation of `x` from the learned distribution, in units of
    /// its scale (a z-score or a robust z-score). `None` while warming up or
    /// when `x` is not finite.
    fn deviation(&self, x: f64) -> Option<f64>;

    /// Adds `x` to the learned state. Errors when `x` is NaN or infinite,
    /// naming the value; the state is unchanged then.
    fn learn_one(&mut self, x: f64) -> Result<()>;

    /// `true` once enough values were learned to score.
    fn is_warm(&self) -> bool;

    /// Anomaly score of `x`: `|deviation|`, higher = more anomalous.
    fn score_one(&self, x: f64) -> Option<f64> {
        self.deviation(x).map(f64::abs)
    }
}

/// Refuses a non-finite value for `learn_one`.
#[inline]
pub(crate) fn check_learn_value(x: f64) -> Result<()> {
    check_learn_field("x", x)
}

/// Refuses a non-finite value, naming it `field` in the error.
#[inline]
pub(crate) fn check_learn_field(field: &'static str, x: f64) -> Result<()> {
    if x.is_finite() { Ok(()) } else { Err(non_finite_learn_value(field, x)) }
}

/// The error of [`check_learn_value`], kept out of the hot path.
#[cold]
#[inline(never)]
fn non_finite_learn_value(field: &'static str, x: f64) -> crate::Error {
    crate::Error::InvalidValue {
        field,
        row: 0,
        value: x.to_string(),
        reason: "a detector can only learn finite values",
    }
}
