//! A threshold that follows a running quantile of the scores seen so far.

use super::{StreamingQuantile, Threshold};
use crate::error::{Error, Result};

/// A threshold that follows a running quantile of the scores seen so far.
///
/// Its value is `None` (nothing is flagged) until `min_count` scores were
/// seen. Use it **score first, update after**: decide on the current score
/// with the threshold as it was *before* that score, then add the score.
/// Adding the score first would let an outlier raise the very bar it is
/// measured against. [`check_then_update`](Self::check_then_update) does both
/// in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamingQuantileThreshold {
    quantile: StreamingQuantile,
    min_count: usize,
}

impl StreamingQuantileThreshold {
    /// A threshold at the running `q`-quantile, `q` in `(0, 1)`, active once
    /// `min_count` scores were seen (at least 1).
    pub fn new(q: f64, min_count: usize) -> Result<Self> {
        if min_count == 0 {
            return Err(Error::param("min_count", min_count, "must be at least 1"));
        }
        Ok(Self { quantile: StreamingQuantile::new(q)?, min_count })
    }

    /// Adds a score to the running quantile (see the type's docs for the order).
    pub fn update(&mut self, score: f64) -> Result<()> {
        self.quantile.update(score)
    }

    /// Decides on `score` with the current threshold, then adds it: the
    /// score-then-update order. Errors (and changes nothing) on a NaN or
    /// infinite score.
    pub fn check_then_update(&mut self, score: f64) -> Result<bool> {
        let anomalous = self.is_anomalous(score);
        self.quantile.update(score)?;
        Ok(anomalous)
    }

    /// Number of scores seen.
    pub fn count(&self) -> usize {
        self.quantile.count()
    }

    /// Scores needed before the threshold is active.
    pub fn min_count(&self) -> usize {
        self.min_count
    }

    /// The underlying running quantile.
    pub fn quantile(&self) -> &StreamingQuantile {
        &self.quantile
    }
}

impl Threshold for StreamingQuantileThreshold {
    fn value(&self) -> Option<f64> {
        if self.quantile.count() < self.min_count { None } else { self.quantile.estimate() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn streaming_threshold_waits_for_min_count_and_scores_before_updating() {
        let mut t = StreamingQuantileThreshold::new(0.5, 3).unwrap();
        assert_eq!(t.value(), None);
        assert!(!t.check_then_update(100.0).unwrap());
        assert!(!t.check_then_update(1.0).unwrap());
        assert_eq!(t.value(), None);
        assert!(!t.check_then_update(2.0).unwrap());
        // Now active: median of {100, 1, 2} = 2.
        assert_eq!(t.value(), Some(2.0));
        // 50 is judged against 2 (the threshold before it), not against the
        // median after adding it.
        assert!(t.check_then_update(50.0).unwrap());
        assert_relative_eq!(t.value().unwrap(), 26.0);
        assert_eq!(t.count(), 4);
        assert!(t.check_then_update(f64::NAN).is_err());
        assert_eq!(t.count(), 4);
        assert!(StreamingQuantileThreshold::new(0.5, 0).is_err());
    }
}
