//! How far past its threshold a score is, as a number and as a word.

use serde::{Deserialize, Serialize};

/// `score / (score + threshold)` for a threshold > 0 (a negative score
/// counts as 0, so the result is in [0, 1)):
/// 0.5 exactly at the threshold, 0.6 at 1.5 times it, 0.75 at 3 times it,
/// → 1 far above it; strictly increasing in the score. It says how clearly
/// the threshold was crossed, not how likely the event is an anomaly (that
/// is the calibrated probability, see [`super::Calibrator`]).
#[inline]
pub fn confidence(score: f64, threshold: f64) -> f64 {
    let score = score.max(0.0);
    score / (score + threshold)
}

/// A word for the confidence, for people and for routing. The score
/// multiples below are for evidence of full weight; an alert from bars
/// alone (weight [`super::BARS_ONLY_CONFIDENCE`]) needs more to reach each
/// level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceLevel {
    /// Below 0.6: the score is less than 1.5 times its threshold.
    Low,
    /// 0.6 to 0.75: between 1.5 and 3 times the threshold.
    Medium,
    /// 0.75 and above: at least 3 times the threshold.
    High,
}

impl ConfidenceLevel {
    /// Lowest confidence that is [`ConfidenceLevel::Medium`].
    pub const MEDIUM_FROM: f64 = 0.6;
    /// Lowest confidence that is [`ConfidenceLevel::High`].
    pub const HIGH_FROM: f64 = 0.75;

    /// The level of a confidence in [0, 1].
    pub fn of(confidence: f64) -> Self {
        if confidence >= Self::HIGH_FROM {
            Self::High
        } else if confidence >= Self::MEDIUM_FROM {
            Self::Medium
        } else {
            Self::Low
        }
    }

    /// Stable snake_case name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_change_at_one_and_a_half_and_three_times_the_threshold() {
        assert_eq!(confidence(4.0, 4.0), 0.5);
        assert_eq!(ConfidenceLevel::of(confidence(5.9, 4.0)), ConfidenceLevel::Low);
        assert_eq!(ConfidenceLevel::of(confidence(6.0, 4.0)), ConfidenceLevel::Medium);
        assert_eq!(ConfidenceLevel::of(confidence(11.9, 4.0)), ConfidenceLevel::Medium);
        assert_eq!(ConfidenceLevel::of(confidence(12.0, 4.0)), ConfidenceLevel::High);
    }
}
