//! Order-book snapshots and deltas (Bybit v5 convention: a delta level with
//! size 0 deletes that price).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{check_price, check_size};
use crate::error::{Error, Result};

/// One price level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BookLevel {
    /// Price of the level.
    pub price: f64,
    /// Resting quantity at that price.
    pub size: f64,
}

/// Which side of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookSide {
    /// Buy orders.
    Bid,
    /// Sell orders.
    Ask,
}

/// A full view of the top of the book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderBookSnapshot {
    /// Exchange time.
    pub timestamp: DateTime<Utc>,
    /// Receive time, if known.
    pub received_at: Option<DateTime<Utc>>,
    /// Instrument symbol.
    pub symbol: String,
    /// Exchange sequence number (`u` / `seq` on Bybit).
    pub sequence: u64,
    /// Bids, best (highest) first.
    pub bids: Vec<BookLevel>,
    /// Asks, best (lowest) first.
    pub asks: Vec<BookLevel>,
}

/// Changes to apply to a snapshot: size 0 removes a level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderBookDelta {
    /// Exchange time.
    pub timestamp: DateTime<Utc>,
    /// Receive time, if known.
    pub received_at: Option<DateTime<Utc>>,
    /// Instrument symbol.
    pub symbol: String,
    /// Exchange sequence number; must follow the book's.
    pub sequence: u64,
    /// Changed bid levels.
    pub bids: Vec<BookLevel>,
    /// Changed ask levels.
    pub asks: Vec<BookLevel>,
}

/// What a book feed delivers: a snapshot or a delta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderBookUpdate {
    /// Replace the whole book.
    Snapshot(OrderBookSnapshot),
    /// Patch the current book.
    Delta(OrderBookDelta),
}

impl OrderBookSnapshot {
    /// Checks prices and sizes, side ordering and that the book is not crossed.
    pub fn validate(&self) -> Result<()> {
        for (i, l) in self.bids.iter().chain(&self.asks).enumerate() {
            check_price("level.price", i, l.price)?;
            check_size("level.size", i, l.size)?;
        }
        for (i, w) in self.bids.windows(2).enumerate() {
            if w[1].price >= w[0].price {
                return Err(Error::InvalidValue {
                    field: "bids.price",
                    row: i + 1,
                    value: w[1].price.to_string(),
                    reason: "bids must be strictly descending",
                });
            }
        }
        for (i, w) in self.asks.windows(2).enumerate() {
            if w[1].price <= w[0].price {
                return Err(Error::InvalidValue {
                    field: "asks.price",
                    row: i + 1,
                    value: w[1].price.to_string(),
                    reason: "asks must be strictly ascending",
                });
            }
        }
        if let (Some(b), Some(a)) = (self.best_bid(), self.best_ask())
            && b.price >= a.price
        {
            return Err(Error::InvalidValue {
                field: "bids.price",
                row: 0,
                value: format!("{} (best ask {})", b.price, a.price),
                reason: "book is crossed",
            });
        }
        Ok(())
    }

    /// Best bid, if any.
    pub fn best_bid(&self) -> Option<BookLevel> {
        self.bids.first().copied()
    }

    /// Best ask, if any.
    pub fn best_ask(&self) -> Option<BookLevel> {
        self.asks.first().copied()
    }

    /// Mid price, if both sides are present.
    pub fn mid(&self) -> Option<f64> {
        Some((self.best_bid()?.price + self.best_ask()?.price) / 2.0)
    }

    /// Total resting size on one side within `depth` levels.
    pub fn depth(&self, side: BookSide, depth: usize) -> f64 {
        let levels = match side {
            BookSide::Bid => &self.bids,
            BookSide::Ask => &self.asks,
        };
        levels.iter().take(depth).map(|l| l.size).sum()
    }

    /// Applies a delta in place. The delta's sequence must be greater than
    /// the book's; a level with size 0 is removed.
    /// Nothing changes when the delta is refused (wrong symbol, stale
    /// sequence, a NaN, non-positive price or negative size in any level).
    pub fn apply(&mut self, delta: &OrderBookDelta) -> Result<()> {
        if delta.symbol != self.symbol {
            return Err(Error::InvalidValue {
                field: "symbol",
                row: 0,
                value: format!("{} (book is {})", delta.symbol, self.symbol),
                reason: "delta is for another instrument",
            });
        }
        delta.validate()?;
        if delta.sequence <= self.sequence {
            return Err(Error::InvalidValue {
                field: "sequence",
                row: 0,
                value: format!("{} (book is at {})", delta.sequence, self.sequence),
                reason: "delta is older than the book",
            });
        }
        apply_side(&mut self.bids, &delta.bids, true);
        apply_side(&mut self.asks, &delta.asks, false);
        self.sequence = delta.sequence;
        self.timestamp = delta.timestamp;
        self.received_at = delta.received_at;
        Ok(())
    }
}

impl OrderBookDelta {
    /// Checks every level: price finite and > 0, size finite and ≥ 0 (0
    /// deletes the level). `row` in an error is the level's position in
    /// `bids`, then `asks`.
    pub fn validate(&self) -> Result<()> {
        for (i, l) in self.bids.iter().chain(&self.asks).enumerate() {
            check_price("level.price", i, l.price)?;
            check_size("level.size", i, l.size)?;
        }
        Ok(())
    }
}

fn apply_side(levels: &mut Vec<BookLevel>, changes: &[BookLevel], descending: bool) {
    for c in changes {
        let pos = levels.iter().position(|l| l.price == c.price);
        match (pos, c.size == 0.0) {
            (Some(i), true) => {
                levels.remove(i);
            }
            (Some(i), false) => levels[i].size = c.size,
            (None, true) => {}
            (None, false) => {
                let at = levels
                    .iter()
                    .position(|l| if descending { l.price < c.price } else { l.price > c.price })
                    .unwrap_or(levels.len());
                levels.insert(at, *c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn lvl(price: f64, size: f64) -> BookLevel {
        BookLevel { price, size }
    }

    #[test]
    fn delta_inserts_updates_and_deletes_levels() {
        let ts = Utc.timestamp_opt(0, 0).unwrap();
        let mut book = OrderBookSnapshot {
            timestamp: ts,
            received_at: None,
            symbol: "X".into(),
            sequence: 1,
            bids: vec![lvl(99.0, 1.0), lvl(98.0, 2.0)],
            asks: vec![lvl(101.0, 1.0)],
        };
        book.validate().unwrap();
        let delta = OrderBookDelta {
            timestamp: ts,
            received_at: None,
            symbol: "X".into(),
            sequence: 2,
            bids: vec![lvl(98.5, 5.0), lvl(99.0, 0.0)],
            asks: vec![lvl(101.0, 3.0)],
        };
        book.apply(&delta).unwrap();
        assert_eq!(book.bids, vec![lvl(98.5, 5.0), lvl(98.0, 2.0)]);
        assert_eq!(book.asks, vec![lvl(101.0, 3.0)]);
        assert!(book.apply(&delta).is_err(), "stale sequence must be refused");

        // Bad levels and foreign symbols are refused and change nothing.
        let before = book.clone();
        let nan = OrderBookDelta { sequence: 3, asks: vec![lvl(f64::NAN, 1.0)], ..delta.clone() };
        assert!(book.apply(&nan).unwrap_err().to_string().contains("`level.price`"));
        let negative = OrderBookDelta { sequence: 3, bids: vec![lvl(98.0, -1.0)], ..delta.clone() };
        assert!(book.apply(&negative).unwrap_err().to_string().contains("`level.size`"));
        let other = OrderBookDelta { sequence: 3, symbol: "Y".into(), ..delta };
        assert!(book.apply(&other).unwrap_err().to_string().contains("`symbol`"));
        assert_eq!(book, before);
    }

    #[test]
    fn crossed_book_is_refused() {
        let book = OrderBookSnapshot {
            timestamp: Utc.timestamp_opt(0, 0).unwrap(),
            received_at: None,
            symbol: "X".into(),
            sequence: 1,
            bids: vec![lvl(101.0, 1.0)],
            asks: vec![lvl(100.0, 1.0)],
        };
        assert!(book.validate().unwrap_err().to_string().contains("crossed"));
    }
}
