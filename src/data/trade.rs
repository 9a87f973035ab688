//! Individual trades (prints).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{check_price, check_size};
use crate::error::Result;

/// The aggressor side of a trade: who crossed the spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// The buyer took liquidity (lifted the ask).
    Buy,
    /// The seller took liquidity (hit the bid).
    Sell,
    /// The feed does not say.
    Unknown,
}

/// One trade. Public feeds carry no account ids; surveillance data does, so
/// the accounts are optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// Exchange (matching engine) time.
    pub timestamp: DateTime<Utc>,
    /// When this process received it, if known (latency analysis).
    pub received_at: Option<DateTime<Utc>>,
    /// Instrument symbol.
    pub symbol: String,
    /// Exchange trade id (Bybit's `execId`, for example).
    pub id: String,
    /// Execution price.
    pub price: f64,
    /// Executed quantity.
    pub size: f64,
    /// Aggressor side.
    pub side: Side,
    /// Account that took liquidity, when the data has it.
    pub taker_account: Option<u32>,
    /// Account that provided liquidity, when the data has it.
    pub maker_account: Option<u32>,
}

impl Trade {
    /// Checks price (finite, > 0) and size (finite, > 0 is not required: ≥ 0).
    pub fn validate(&self, row: usize) -> Result<()> {
        check_price("price", row, self.price)?;
        check_size("size", row, self.size)
    }

    /// `true` when both accounts are known and equal (a self-trade).
    pub fn is_self_trade(&self) -> bool {
        matches!((self.taker_account, self.maker_account), (Some(a), Some(b)) if a == b)
    }
}
