//! Exponentially weighted z-score: recent values count more, old ones fade.

use super::{ScaleFloor, UnivariateDetector, check_learn_value};
use crate::error::{Error, Result};

/// EWMA mean and variance (West's update), O(1) per value, no buffer.
///
/// `alpha = 2 / (span + 1)`. The variance is the exponentially weighted
/// variance of the values around the moving mean. Scores after
/// `min_periods` values.
#[derive(Debug, Clone)]
pub struct EwmaZScore {
    alpha: f64,
    mean: f64,
    variance: f64,
    count: usize,
    min_periods: usize,
    floor: ScaleFloor,
}

impl EwmaZScore {
    /// A detector with the given `span` (> 1, in values) and warm-up length.
    pub fn new(span: f64, min_periods: usize, floor: ScaleFloor) -> Result<Self> {
        if !(span.is_finite() && span > 1.0) {
            return Err(Error::param("span", span, "must be a finite number > 1"));
        }
        if min_periods < 2 {
            return Err(Error::param("min_periods", min_periods, "must be at least 2"));
        }
        Ok(Self { alpha: 2.0 / (span + 1.0), mean: 0.0, variance: 0.0, count: 0, min_periods, floor })
    }

    /// Current weighted mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Current weighted standard deviation.
    pub fn std_dev(&self) -> f64 {
        self.variance.max(0.0).sqrt()
    }
}

impl UnivariateDetector for EwmaZScore {
    #[inline]
    fn deviation(&self, x: f64) -> Option<f64> {
        if self.count < self.min_periods || !x.is_finite() {
            return None;
        }
        Some((x - self.mean) / self.floor.apply(self.std_dev(), self.mean))
    }

    #[inline]
    fn learn_one(&mut self, x: f64) -> Result<()> {
        check_learn_value(x)?;
        if self.count == 0 {
            self.mean = x;
        } else {
            let diff = x - self.mean;
            let incr = self.alpha * diff;
            self.mean += incr;
            self.variance = (1.0 - self.alpha) * (self.variance + diff * incr);
        }
        self.count += 1;
        Ok(())
    }

    fn is_warm(&self) -> bool {
        self.count >= self.min_periods
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn hand_computed_update() {
        // span 3 -> alpha 0.5. values 1, 3: mean 1 -> 2; var (0.5)*(0 + 2*1) = 1.
        let mut d = EwmaZScore::new(3.0, 2, ScaleFloor::new(0.0, 1e-12).unwrap()).unwrap();
        d.learn_one(1.0).unwrap();
        assert_eq!(d.deviation(5.0), None);
        d.learn_one(3.0).unwrap();
        assert_relative_eq!(d.mean(), 2.0);
        assert_relative_eq!(d.std_dev(), 1.0);
        assert_relative_eq!(d.deviation(5.0).unwrap(), 3.0);
    }

    #[test]
    fn bad_span_is_refused() {
        let f = ScaleFloor::new(0.0, 1.0).unwrap();
        assert!(EwmaZScore::new(1.0, 2, f).unwrap_err().to_string().contains("`span`"));
    }
}
