//! Rolling z-score: how many standard deviations a value is from the mean
//! of the last `window` values.

use super::{RollingStats, ScaleFloor, UnivariateDetector, check_learn_value};
use crate::error::Result;

/// Rolling z-score detector, O(1) time and no allocation per update.
///
/// `deviation(x) = (x − mean) / max(σ, floor)` over the last `window`
/// learned values (population σ). Scores only once the window is full.
#[derive(Debug, Clone)]
pub struct RollingZScore {
    stats: RollingStats,
    floor: ScaleFloor,
}

impl RollingZScore {
    /// A detector with a window of `window ≥ 2` values and a scale floor.
    pub fn new(window: usize, floor: ScaleFloor) -> Result<Self> {
        Ok(Self { stats: RollingStats::new(window)?, floor })
    }

    /// The running statistics.
    pub fn stats(&self) -> &RollingStats {
        &self.stats
    }
}

// ANCHOR: zscore
impl UnivariateDetector for RollingZScore {
    #[inline(always)]
    fn deviation(&self, x: f64) -> Option<f64> {
        if !self.stats.is_full() || !x.is_finite() {
            return None;
        }
        let mean = self.stats.mean();
        Some((x - mean) / self.floor.apply(self.stats.std_dev(), mean))
    }

    #[inline(always)]
    fn learn_one(&mut self, x: f64) -> Result<()> {
        check_learn_value(x)?;
        self.stats.push(x);
        Ok(())
    }

    fn is_warm(&self) -> bool {
        self.stats.is_full()
    }
}
// ANCHOR_END: zscore

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_only_after_warm_up_and_before_learning() {
        let mut d = RollingZScore::new(4, ScaleFloor::new(0.0, 1e-9).unwrap()).unwrap();
        for x in [1.0, 2.0, 3.0] {
            assert_eq!(d.deviation(x), None);
            d.learn_one(x).unwrap();
        }
        d.learn_one(4.0).unwrap();
        // mean 2.5, population sigma sqrt(1.25)
        approx::assert_relative_eq!(d.deviation(5.0).unwrap(), 2.5 / 1.25f64.sqrt());
        assert!(d.learn_one(f64::NAN).unwrap_err().to_string().contains("NaN"));
        assert_eq!(d.deviation(f64::INFINITY), None);
    }
}
