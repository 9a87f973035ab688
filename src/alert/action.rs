//! What a person should do about a scored item, from its calibrated
//! probability.

use serde::{Deserialize, Serialize};

/// The recommended action (the seed chapter's four levels). The cut-offs
/// are on the calibrated probability, i.e. on how rare the score is among
/// normal reference items: at [`Action::STANDARD_FROM`] one normal item in
/// 20 scores as high, at [`Action::ELEVATED_FROM`] one in 100, at
/// [`Action::IMMEDIATE_FROM`] one in 1 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// Below [`Action::STANDARD_FROM`].
    NoActionRequired,
    /// From [`Action::STANDARD_FROM`].
    StandardMonitoring,
    /// From [`Action::ELEVATED_FROM`].
    ElevatedMonitoring,
    /// From [`Action::IMMEDIATE_FROM`].
    ImmediateReview,
}

impl Action {
    /// Lowest probability that asks for standard monitoring.
    pub const STANDARD_FROM: f64 = 0.95;
    /// Lowest probability that asks for elevated monitoring.
    pub const ELEVATED_FROM: f64 = 0.99;
    /// Lowest probability that asks for immediate review.
    pub const IMMEDIATE_FROM: f64 = 0.999;

    /// The action for a calibrated probability.
    pub fn from_probability(probability: f64) -> Self {
        if probability >= Self::IMMEDIATE_FROM {
            Self::ImmediateReview
        } else if probability >= Self::ELEVATED_FROM {
            Self::ElevatedMonitoring
        } else if probability >= Self::STANDARD_FROM {
            Self::StandardMonitoring
        } else {
            Self::NoActionRequired
        }
    }

    /// The name as in JSON, e.g. `IMMEDIATE_REVIEW`.
    pub fn name(self) -> &'static str {
        match self {
            Self::NoActionRequired => "NO_ACTION_REQUIRED",
            Self::StandardMonitoring => "STANDARD_MONITORING",
            Self::ElevatedMonitoring => "ELEVATED_MONITORING",
            Self::ImmediateReview => "IMMEDIATE_REVIEW",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_offs_are_inclusive_and_ordered() {
        assert_eq!(Action::from_probability(0.5), Action::NoActionRequired);
        assert_eq!(Action::from_probability(0.95), Action::StandardMonitoring);
        assert_eq!(Action::from_probability(0.9899), Action::StandardMonitoring);
        assert_eq!(Action::from_probability(0.99), Action::ElevatedMonitoring);
        assert_eq!(Action::from_probability(0.9995), Action::ImmediateReview);
        assert_eq!(serde_json::to_string(&Action::ImmediateReview).unwrap(), "\"IMMEDIATE_REVIEW\"");
        assert!(Action::ImmediateReview > Action::StandardMonitoring);
    }
}
