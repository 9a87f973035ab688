//! Ground-truth anomaly labels.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The four classes of the anomaly taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnomalyClass {
    /// One observation far from the rest (a huge print, an isolated spike).
    Point,
    /// Normal in one context, anomalous in another (a volume surge without news).
    Contextual,
    /// A sequence that is anomalous as a whole (pump-and-dump, spoofing).
    Collective,
    /// Anomalous meaning in text (pump spam, fake insider claims).
    Semantic,
}

/// The concrete patterns the simulator injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnomalyPattern {
    /// One bar with a volume many times the usual (a block print).
    LargePrint,
    /// An isolated price jump that reverts on the next bar.
    PriceSpike,
    /// A volume surge with no news behind it.
    VolumeSurgeNoNews,
    /// Accumulation, a fast run-up, then a dump.
    PumpAndDump,
    /// A fast fall and recovery.
    FlashCrash,
    /// Round trips between colluding accounts that inflate volume.
    WashTrading,
    /// Large orders away from the touch, placed and cancelled before fill.
    Spoofing,
    /// Promotional spam ("to the moon, buy now").
    PumpSpam,
    /// An unsourced "insider" claim of a takeover or similar.
    FakeInsider,
}

impl AnomalyPattern {
    /// All patterns, in a fixed order.
    pub const ALL: [AnomalyPattern; 9] = [
        Self::LargePrint,
        Self::PriceSpike,
        Self::VolumeSurgeNoNews,
        Self::PumpAndDump,
        Self::FlashCrash,
        Self::WashTrading,
        Self::Spoofing,
        Self::PumpSpam,
        Self::FakeInsider,
    ];

    /// The taxonomy class of the pattern.
    pub fn class(self) -> AnomalyClass {
        match self {
            Self::LargePrint | Self::PriceSpike => AnomalyClass::Point,
            Self::VolumeSurgeNoNews => AnomalyClass::Contextual,
            Self::PumpAndDump | Self::FlashCrash | Self::WashTrading | Self::Spoofing => AnomalyClass::Collective,
            Self::PumpSpam | Self::FakeInsider => AnomalyClass::Semantic,
        }
    }

    /// `true` when the pattern changes price or volume bars, so a detector
    /// that sees only OHLCV bars can find it at all. Spoofing lives in the
    /// order book; spam and fake-insider items live in text.
    pub fn visible_in_bars(self) -> bool {
        !matches!(self, Self::Spoofing | Self::PumpSpam | Self::FakeInsider)
    }

    /// A short snake_case name, stable for files and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::LargePrint => "large_print",
            Self::PriceSpike => "price_spike",
            Self::VolumeSurgeNoNews => "volume_surge_no_news",
            Self::PumpAndDump => "pump_and_dump",
            Self::FlashCrash => "flash_crash",
            Self::WashTrading => "wash_trading",
            Self::Spoofing => "spoofing",
            Self::PumpSpam => "pump_spam",
            Self::FakeInsider => "fake_insider",
        }
    }
}

/// One labelled anomaly: a symbol, a pattern and a closed time interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyLabel {
    /// The instrument.
    pub symbol: String,
    /// What was injected.
    pub pattern: AnomalyPattern,
    /// First affected timestamp (inclusive).
    pub start: DateTime<Utc>,
    /// Last affected timestamp (inclusive).
    pub end: DateTime<Utc>,
}

impl AnomalyLabel {
    /// The taxonomy class.
    pub fn class(&self) -> AnomalyClass {
        self.pattern.class()
    }

    /// `true` when `ts` lies inside the interval.
    pub fn contains(&self, ts: DateTime<Utc>) -> bool {
        self.start <= ts && ts <= self.end
    }
}
