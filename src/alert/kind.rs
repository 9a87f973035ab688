//! What kind of unusual activity an event reports: one vocabulary for every
//! source (GUIDE §8), snake_case in JSON.

use serde::{Deserialize, Serialize};

/// The type an event or alert carries. Open-ended: later chapters add
/// kinds (names, once published, stay stable), so match it with a wildcard
/// arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    /// Promotional text pushing a ticker ("🚀 100x, buy now").
    PumpSpam,
    /// A claim of inside information ("my source at the company says...").
    FakeInsider,
    /// Text that tries to instruct the model reading it.
    PromptInjection,
    /// A coordinated rise and sale.
    PumpAndDump,
    /// Trades between related accounts with no change of ownership.
    WashTrading,
    /// Large orders placed to be cancelled before they trade.
    Spoofing,
    /// One very large holder moving size.
    WhaleMovement,
    /// A fall and recovery within minutes.
    FlashCrash,
    /// A text unlike the normal reference texts that resembles no labelled anomaly style.
    UnusualText,
}

impl AnomalyType {
    /// Every kind, in declaration order.
    pub const ALL: [AnomalyType; 14] = [
        Self::Normal,
        Self::VolumeSurge,
        Self::PriceSpike,
        Self::PatternAnomaly,
        Self::ManipulationSuspected,
        Self::PumpSpam,
        Self::FakeInsider,
        Self::PromptInjection,
        Self::PumpAndDump,
        Self::WashTrading,
        Self::Spoofing,
        Self::WhaleMovement,
        Self::FlashCrash,
        Self::UnusualText,
    ];

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
            Self::PumpSpam => "pump_spam",
            Self::FakeInsider => "fake_insider",
            Self::PromptInjection => "prompt_injection",
            Self::PumpAndDump => "pump_and_dump",
            Self::WashTrading => "wash_trading",
            Self::Spoofing => "spoofing",
            Self::WhaleMovement => "whale_movement",
            Self::FlashCrash => "flash_crash",
            Self::UnusualText => "unusual_text",
        }
    }
}

impl std::fmt::Display for AnomalyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of kinds, one bit each: what an alert interval has seen so far.
/// `Copy` and allocation-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KindSet(u32);

// One bit per kind: the vocabulary may grow to 32 kinds before the set
// needs a wider integer.
const _: () = assert!(AnomalyType::ALL.len() <= u32::BITS as usize);

impl KindSet {
    /// Adds a kind.
    #[inline]
    pub fn insert(&mut self, kind: AnomalyType) {
        self.0 |= 1 << kind as u32;
    }

    /// `true` if the kind was added.
    #[inline]
    pub fn contains(self, kind: AnomalyType) -> bool {
        self.0 & (1 << kind as u32) != 0
    }

    /// The kinds in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = AnomalyType> {
        AnomalyType::ALL.into_iter().filter(move |&k| self.contains(k))
    }

    /// The type of an interval that saw these kinds and peaked at `peak`:
    /// [`AnomalyType::ManipulationSuspected`] if any observation had price
    /// and volume unusual together, [`AnomalyType::PatternAnomaly`] if price
    /// and volume were unusual at different times, otherwise the peak's kind.
    pub fn interval_kind(self, peak: AnomalyType) -> AnomalyType {
        if self.contains(AnomalyType::ManipulationSuspected) {
            AnomalyType::ManipulationSuspected
        } else if self.contains(AnomalyType::PriceSpike) && self.contains(AnomalyType::VolumeSurge) {
            AnomalyType::PatternAnomaly
        } else {
            peak
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_kind_once_in_declaration_order() {
        // A new variant must be added to `ALL` (and to `name`): this match
        // stops compiling until it is listed here too.
        let position = |k: AnomalyType| match k {
            AnomalyType::Normal => 0,
            AnomalyType::VolumeSurge => 1,
            AnomalyType::PriceSpike => 2,
            AnomalyType::PatternAnomaly => 3,
            AnomalyType::ManipulationSuspected => 4,
            AnomalyType::PumpSpam => 5,
            AnomalyType::FakeInsider => 6,
            AnomalyType::PromptInjection => 7,
            AnomalyType::PumpAndDump => 8,
            AnomalyType::WashTrading => 9,
            AnomalyType::Spoofing => 10,
            AnomalyType::WhaleMovement => 11,
            AnomalyType::FlashCrash => 12,
            AnomalyType::UnusualText => 13,
        };
        for (i, k) in AnomalyType::ALL.into_iter().enumerate() {
            assert_eq!(position(k), i, "{k}");
            assert_eq!(k as usize, i, "{k}");
        }
    }

    #[test]
    fn names_are_the_serde_names() {
        for kind in AnomalyType::ALL {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.name()));
        }
    }

    #[test]
    fn a_set_combines_price_and_volume_into_a_pattern() {
        let mut seen = KindSet::default();
        seen.insert(AnomalyType::VolumeSurge);
        assert_eq!(seen.interval_kind(AnomalyType::VolumeSurge), AnomalyType::VolumeSurge);
        seen.insert(AnomalyType::PriceSpike);
        assert_eq!(seen.interval_kind(AnomalyType::PriceSpike), AnomalyType::PatternAnomaly);
        seen.insert(AnomalyType::ManipulationSuspected);
        assert_eq!(seen.interval_kind(AnomalyType::PriceSpike), AnomalyType::ManipulationSuspected);
        assert_eq!(seen.iter().count(), 3);
        assert!(!seen.contains(AnomalyType::PumpSpam));
    }
}
