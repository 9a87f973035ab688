//! What kind of unusual activity an alert reports.

use serde::{Deserialize, Serialize};

/// The type an alert carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyType {
    /// Nothing unusual.
    Normal,
    /// Volume far above its usual level, price ordinary.
    VolumeSurge,
    /// Price move far outside its usual range, volume ordinary.
    PriceSpike,
    /// A multi-bar episode whose bars are unusual in price at some times and
    /// in volume at others (a collective pattern).
    PatternAnomaly,
    /// Price and volume unusual on the same bar: the signature of a pump, a
    /// dump or a flash crash. A suspicion for a human to check, not a verdict.
    ManipulationSuspected,
}

impl AnomalyType {
    /// `true` for everything but [`AnomalyType::Normal`].
    pub fn is_anomaly(self) -> bool {
        self != AnomalyType::Normal
    }

    /// Stable snake_case name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::VolumeSurge => "volume_surge",
            Self::PriceSpike => "price_spike",
            Self::PatternAnomaly => "pattern_anomaly",
            Self::ManipulationSuspected => "manipulation_suspected",
        }
    }
}

impl std::fmt::Display for AnomalyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
