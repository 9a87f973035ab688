//! Two features scored and learned together: the price feature and the
//! volume feature of one observation.

use super::{UnivariateDetector, check_learn_field};
use crate::error::Result;

/// A streaming detector of two features that arrive together.
///
/// Same contract as [`UnivariateDetector`], for a pair: **score first, then
/// learn**, nothing scored before the warm-up is over, and a refused pair
/// leaves the state unchanged.
pub trait PairDetector {
    /// Signed deviations of `(a, b)` from the learned distributions, in
    /// units of scale. `None` while warming up or when either is not finite.
    fn deviations(&self, a: f64, b: f64) -> Option<(f64, f64)>;

    /// Adds `(a, b)` to the learned state: both or neither. Errors when
    /// either is NaN or infinite, naming it (`first` or `second`) and its
    /// value.
    fn learn_pair(&mut self, a: f64, b: f64) -> Result<()>;

    /// `true` once enough pairs were learned to score.
    fn is_warm(&self) -> bool;
}

/// Two independent [`UnivariateDetector`]s used as a pair (any estimator:
/// [`RollingMad`](super::RollingMad), [`EwmaZScore`](super::EwmaZScore),
/// your own). [`RollingZScorePair`](super::RollingZScorePair) is the faster
/// choice for rolling z-scores.
///
/// Both values are checked before either is learned, so a pair is learned
/// whole or not at all as long as `D::learn_one` fails only on values that
/// are not finite (true of every detector in this crate). A detector that
/// can refuse a finite value should implement [`PairDetector`] itself.
#[derive(Debug, Clone)]
pub struct Paired<D> {
    /// Detector of the first feature (price).
    pub first: D,
    /// Detector of the second feature (volume).
    pub second: D,
}

impl<D: UnivariateDetector> PairDetector for Paired<D> {
    #[inline]
    fn deviations(&self, a: f64, b: f64) -> Option<(f64, f64)> {
        Some((self.first.deviation(a)?, self.second.deviation(b)?))
    }

    #[inline]
    fn learn_pair(&mut self, a: f64, b: f64) -> Result<()> {
        // Check both before learning either: all or nothing.
        check_learn_field("first", a)?;
        check_learn_field("second", b)?;
        self.first.learn_one(a)?;
        self.second.learn_one(b)
    }

    fn is_warm(&self) -> bool {
        self.first.is_warm() && self.second.is_warm()
    }
}
