//! A level-2 order book kept from an exchange's snapshot and deltas (Bybit
//! v5 `orderbook.{1,50,200}.<symbol>`): integer price ticks and quantity
//! steps, an update-id check on every delta, and a book that says "resync
//! needed" instead of drifting when an update was missed or the book
//! crossed.
//!
//! Each side is a vector sorted so that the best level is at the **end**
//! (bids ascending, asks descending): updates cluster at the touch, so an
//! insert or a delete there moves a few elements, and finding a level is a
//! binary search. No allocation once the vectors have grown to the depth.

use super::error::MarketError;
use super::instrument::InstrumentId;

/// One price level: its price in ticks and its resting size in quantity
/// steps (0 in a delta deletes the level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Price, in ticks of the instrument.
    pub price: i64,
    /// Resting size, in quantity steps.
    pub size: i64,
}

/// Which side of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Buy orders.
    Bid,
    /// Sell orders.
    Ask,
}

/// When an update happened at the exchange and when it reached us, in
/// milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamps {
    /// The exchange's time of the update (Bybit's `cts` or `ts`).
    pub exchange_ms: i64,
    /// The local time the message was received.
    pub received_ms: i64,
}

/// Whether the book can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookStatus {
    /// No snapshot yet.
    AwaitingSnapshot,
    /// In step with the exchange.
    Live,
    /// Out of step: ask the exchange for a fresh snapshot (the error says why).
    NeedsResync(MarketError),
}

/// A level-2 book of one instrument.
#[derive(Debug, Clone)]
pub struct L2Book {
    instrument: InstrumentId,
    symbol: String,
    bids: Vec<Level>,
    asks: Vec<Level>,
    update_id: u64,
    stamps: Stamps,
    status: BookStatus,
}

impl L2Book {
    /// An empty book of `instrument` (`symbol` names it in errors).
    pub fn new(instrument: InstrumentId, symbol: &str) -> Self {
        Self {
            instrument,
            symbol: symbol.to_string(),
            bids: Vec::new(),
            asks: Vec::new(),
            update_id: 0,
            stamps: Stamps::default(),
            status: BookStatus::AwaitingSnapshot,
        }
    }

    /// Replaces the book with a snapshot (also what Bybit sends after a
    /// service restart, with update id 1). Levels of size 0 are left out.
    /// Errors on a negative size (the book is unchanged) or a crossed
    /// snapshot (the book then needs a resync).
    pub fn apply_snapshot(
        &mut self,
        update_id: u64,
        bids: &[Level],
        asks: &[Level],
        stamps: Stamps,
    ) -> Result<(), MarketError> {
        check_sizes(bids, asks)?;
        self.bids.clear();
        self.asks.clear();
        self.set_levels(bids, asks);
        self.update_id = update_id;
        self.stamps = stamps;
        self.status = BookStatus::Live;
        self.check_crossed()
    }

    // ANCHOR: delta
    /// Applies a delta: each level's new size, 0 deleting it. The delta must
    /// carry the next update id; a gap, or a delta while the book is not
    /// live, is refused and the book says it needs a snapshot. A negative
    /// size is refused with the book unchanged.
    pub fn apply_delta(
        &mut self,
        update_id: u64,
        bids: &[Level],
        asks: &[Level],
        stamps: Stamps,
    ) -> Result<(), MarketError> {
        if let BookStatus::AwaitingSnapshot | BookStatus::NeedsResync(_) = &self.status {
            let why = match &self.status {
                BookStatus::NeedsResync(reason) => reason.to_string(),
                _ => "no snapshot yet".to_string(),
            };
            return Err(MarketError::NeedsSnapshot { symbol: self.symbol.clone(), update_id, why });
        }
        if update_id != self.update_id + 1 {
            let gap = MarketError::SequenceGap {
                symbol: self.symbol.clone(),
                expected_after: self.update_id,
                got: update_id,
            };
            self.status = BookStatus::NeedsResync(gap.clone());
            return Err(gap);
        }
        check_sizes(bids, asks)?;
        self.set_levels(bids, asks);
        self.update_id = update_id;
        self.stamps = stamps;
        self.check_crossed()
    }
    // ANCHOR_END: delta

    fn set_levels(&mut self, bids: &[Level], asks: &[Level]) {
        for level in bids {
            set_level(&mut self.bids, *level, Side::Bid);
        }
        for level in asks {
            set_level(&mut self.asks, *level, Side::Ask);
        }
    }

    fn check_crossed(&mut self) -> Result<(), MarketError> {
        if let (Some(bid), Some(ask)) = (self.best_bid(), self.best_ask())
            && bid.price >= ask.price
        {
            let crossed = MarketError::Crossed {
                symbol: self.symbol.clone(),
                update_id: self.update_id,
                best_bid: bid.price,
                best_ask: ask.price,
            };
            self.status = BookStatus::NeedsResync(crossed.clone());
            return Err(crossed);
        }
        Ok(())
    }

    /// The instrument.
    pub fn instrument(&self) -> InstrumentId {
        self.instrument
    }

    /// Whether the book is live, waiting for its first snapshot or out of step.
    pub fn status(&self) -> &BookStatus {
        &self.status
    }

    /// The update id of the last snapshot or delta applied.
    pub fn update_id(&self) -> u64 {
        self.update_id
    }

    /// The exchange and receive times of the last update applied.
    pub fn stamps(&self) -> Stamps {
        self.stamps
    }

    /// The highest bid.
    pub fn best_bid(&self) -> Option<Level> {
        self.bids.last().copied()
    }

    /// The lowest ask.
    pub fn best_ask(&self) -> Option<Level> {
        self.asks.last().copied()
    }

    /// Best ask − best bid, in ticks.
    pub fn spread_ticks(&self) -> Option<i64> {
        Some(self.best_ask()?.price - self.best_bid()?.price)
    }

    /// The mid price, in ticks (a half tick when the spread is odd).
    pub fn mid_ticks(&self) -> Option<f64> {
        Some((self.best_ask()?.price + self.best_bid()?.price) as f64 / 2.0)
    }

    /// The levels of one side, best first.
    pub fn levels(&self, side: Side) -> impl Iterator<Item = Level> + '_ {
        match side {
            Side::Bid => self.bids.iter().rev().copied(),
            Side::Ask => self.asks.iter().rev().copied(),
        }
    }

    /// The summed size of the best `levels` levels of one side, in steps.
    pub fn depth(&self, side: Side, levels: usize) -> i64 {
        self.levels(side).take(levels).map(|l| l.size).sum()
    }

    /// (bid depth − ask depth) / (bid depth + ask depth) over the best
    /// `levels` levels: +1 all bids, −1 all asks; `None` for an empty book.
    pub fn imbalance(&self, levels: usize) -> Option<f64> {
        let (bid, ask) = (self.depth(Side::Bid, levels), self.depth(Side::Ask, levels));
        (bid + ask > 0).then(|| (bid - ask) as f64 / (bid + ask) as f64)
    }
}

/// Refuses a negative size anywhere in the update, before anything changes.
fn check_sizes(bids: &[Level], asks: &[Level]) -> Result<(), MarketError> {
    match bids.iter().chain(asks).find(|l| l.size < 0) {
        Some(level) => Err(MarketError::Negative { field: "size", value: level.size, price: level.price }),
        None => Ok(()),
    }
}

/// Sets one level of a side sorted best-last: insert, replace or (size 0)
/// delete; deleting a price that is not there does nothing.
#[inline]
fn set_level(levels: &mut Vec<Level>, level: Level, side: Side) {
    let found = match side {
        Side::Bid => levels.binary_search_by(|l| l.price.cmp(&level.price)),
        Side::Ask => levels.binary_search_by(|l| level.price.cmp(&l.price)),
    };
    match (found, level.size) {
        (Ok(i), 0) => {
            levels.remove(i);
        }
        (Ok(i), _) => levels[i].size = level.size,
        (Err(_), 0) => {}
        (Err(i), _) => levels.insert(i, level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(price: i64, size: i64) -> Level {
        Level { price, size }
    }

    fn book() -> L2Book {
        let mut registry = crate::market::InstrumentRegistry::new();
        let id = registry.register(crate::market::Instrument::new("BTCUSDT", "0.10", "0.001").unwrap());
        let mut book = L2Book::new(id, "BTCUSDT");
        book.apply_snapshot(100, &[l(999, 5), l(1000, 2), l(998, 7)], &[l(1002, 1), l(1001, 3)], Stamps::default())
            .unwrap();
        book
    }

    #[test]
    fn a_snapshot_then_deltas_keep_the_best_levels_in_order() {
        let mut book = book();
        assert_eq!(book.best_bid(), Some(l(1000, 2)));
        assert_eq!(book.best_ask(), Some(l(1001, 3)));
        assert_eq!(book.spread_ticks(), Some(1));
        let stamps = Stamps { exchange_ms: 1_700_000_000_123, received_ms: 1_700_000_000_150 };
        // Replace, delete, insert inside the spread.
        book.apply_delta(101, &[l(1000, 0), l(999, 9)], &[l(1001, 4)], stamps).unwrap();
        assert_eq!(book.best_bid(), Some(l(999, 9)));
        assert_eq!(book.levels(Side::Bid).collect::<Vec<_>>(), vec![l(999, 9), l(998, 7)]);
        book.apply_delta(102, &[l(1000, 1)], &[l(1002, 0), l(1005, 2)], stamps).unwrap();
        assert_eq!(book.levels(Side::Ask).collect::<Vec<_>>(), vec![l(1001, 4), l(1005, 2)]);
        assert_eq!(book.depth(Side::Bid, 2), 10);
        assert_eq!(book.update_id(), 102);
        assert_eq!(book.stamps(), stamps);
        assert_eq!(book.imbalance(1), Some((1.0 - 4.0) / 5.0));
        // Deleting a price that is not there changes nothing.
        book.apply_delta(103, &[l(500, 0)], &[], stamps).unwrap();
        assert_eq!(book.depth(Side::Bid, 10), 17);
    }

    #[test]
    fn a_missed_update_means_resync_and_deltas_wait_for_the_snapshot() {
        let mut book = book();
        let error = book.apply_delta(102, &[l(1000, 1)], &[], Stamps::default()).unwrap_err();
        assert_eq!(error.to_string(), "BTCUSDT: update 102 does not follow 100: resync needed (a fresh snapshot)");
        assert!(matches!(book.status(), BookStatus::NeedsResync(MarketError::SequenceGap { .. })));
        assert_eq!(book.best_bid(), Some(l(1000, 2)), "the missed delta was not applied");
        let refused = book.apply_delta(103, &[], &[], Stamps::default()).unwrap_err();
        assert!(matches!(refused, MarketError::NeedsSnapshot { .. }), "{refused}");
        // A snapshot (Bybit sends update id 1 after a restart) brings it back.
        book.apply_snapshot(1, &[l(990, 1)], &[l(995, 1)], Stamps::default()).unwrap();
        assert_eq!(book.status(), &BookStatus::Live);
        book.apply_delta(2, &[l(991, 1)], &[], Stamps::default()).unwrap();
        assert_eq!(book.best_bid(), Some(l(991, 1)));
    }

    #[test]
    fn a_crossed_book_and_negative_sizes_are_refused() {
        let mut book = book();
        let error = book.apply_delta(101, &[l(1001, 1)], &[], Stamps::default()).unwrap_err();
        assert!(matches!(error, MarketError::Crossed { best_bid: 1001, best_ask: 1001, .. }), "{error}");
        assert!(matches!(book.status(), BookStatus::NeedsResync(_)));
        let mut book = self::tests::book();
        let error = book.apply_delta(101, &[l(999, 1)], &[l(1001, -1)], Stamps::default()).unwrap_err();
        assert_eq!(error.to_string(), "`size` = -1 steps is negative at price 1001 ticks");
        assert_eq!(book.best_bid(), Some(l(1000, 2)), "nothing of the refused delta applied");
        assert_eq!(book.status(), &BookStatus::Live);
        let mut fresh = L2Book::new(book.instrument(), "BTCUSDT");
        assert!(matches!(fresh.apply_delta(1, &[], &[], Stamps::default()), Err(MarketError::NeedsSnapshot { .. })));
    }
}
