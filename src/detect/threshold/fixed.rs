//! A threshold chosen by hand.

use super::Threshold;
use crate::error::{Result, finite_param};

/// A threshold fixed by hand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedThreshold {
    value: f64,
}

impl FixedThreshold {
    /// A fixed threshold; `value` must be finite.
    pub fn new(value: f64) -> Result<Self> {
        Ok(Self { value: finite_param("threshold", value)? })
    }
}

impl Threshold for FixedThreshold {
    fn value(&self) -> Option<f64> {
        Some(self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_threshold_is_strict_and_finite() {
        let t = FixedThreshold::new(2.0).unwrap();
        assert_eq!(t.value(), Some(2.0));
        assert!(!t.is_anomalous(2.0));
        assert!(t.is_anomalous(2.000_001));
        assert!(!t.is_anomalous(f64::NAN));
        assert!(FixedThreshold::new(f64::NAN).is_err());
        assert!(FixedThreshold::new(f64::INFINITY).is_err());
    }
}
