//! Where a scored event comes from.

use serde::{Deserialize, Serialize};

/// The modality that produced an event. Open-ended: later chapters add
/// sources, so match it with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// Price and volume bars.
    Bars,
    /// Headlines, posts and other text.
    Text,
    /// Order-book snapshots and deltas.
    OrderBook,
    /// A trade tape (single prints: price, size, taker side).
    Trades,
    /// A language model's verdict.
    Model,
    /// A combination of other sources.
    Fusion,
}

impl Source {
    /// Stable snake_case name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bars => "bars",
            Self::Text => "text",
            Self::OrderBook => "order_book",
            Self::Trades => "trades",
            Self::Model => "model",
            Self::Fusion => "fusion",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
