//! How a raw price or volume becomes the number a detector sees.

use serde::{Deserialize, Serialize};

/// A transformation of a raw input stream into a detector feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Feature {
    /// The raw value (the seed chapter's choice: price levels, raw volume).
    Level,
    /// `ln(x_t / x_{t−1})`: the log return. Needs the previous value, so the
    /// first input yields no feature. The usual choice for prices: a trend
    /// does not look anomalous, a jump does.
    LogReturn,
    /// `ln(1 + x)`: tames the heavy right tail of volume and keeps zero-volume
    /// bars finite.
    Log1p,
}

impl Feature {
    /// The feature value for input `x` given the previous input (`None` at
    /// the start). `None` when the feature is not defined yet.
    #[inline]
    pub fn compute(self, x: f64, previous: Option<f64>) -> Option<f64> {
        match self {
            Feature::Level => Some(x),
            Feature::LogReturn => previous.map(|p| libm::log(x / p)),
            Feature::Log1p => Some(libm::log1p(x)),
        }
    }

    /// Short name for explanations.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Level => "level",
            Feature::LogReturn => "log return",
            Feature::Log1p => "log volume",
        }
    }
}
