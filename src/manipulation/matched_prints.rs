//! Wash trading without account ids: a self-trade shows on a public tape
//! as two prints of the **same size at the same price on opposite sides
//! within a few milliseconds** (one account's buy order meets its own sell
//! order, or two colluding bots take in turn). Ordinary flow rarely does
//! that by chance; how rarely is measured on the fitting history.

use crate::market::TapeTrade;

/// How many recent prints are remembered (prints within the lag of one
/// another are few outside of sweeps).
const RECENT: usize = 32;

/// Finds matched pairs among prints arriving in time order. O(prints
/// within the lag) per print, allocation-free.
#[derive(Debug, Clone)]
pub struct MatchedPrints {
    max_lag_us: i64,
    recent: [(TapeTrade, bool); RECENT],
    len: usize,
    head: usize,
}

impl MatchedPrints {
    /// Pairs must lie within `max_lag_us` microseconds of each other.
    pub fn new(max_lag_us: i64) -> Self {
        let empty = TapeTrade { time_us: i64::MIN, price: 0, qty: 0, taker: crate::market::TakerSide::Buy, id: 0 };
        Self { max_lag_us, recent: [(empty, true); RECENT], len: 0, head: 0 }
    }

    /// Takes the next print; returns `true` when it completes a pair with
    /// an earlier unmatched print (each print is in at most one pair).
    #[inline]
    pub fn push(&mut self, trade: &TapeTrade) -> bool {
        let mut matched = false;
        for k in 0..self.len {
            let slot = (self.head + RECENT - 1 - k) % RECENT;
            let (earlier, used) = &mut self.recent[slot];
            if trade.time_us - earlier.time_us > self.max_lag_us {
                break;
            }
            if !*used && earlier.qty == trade.qty && earlier.price == trade.price && earlier.taker != trade.taker {
                *used = true;
                matched = true;
                break;
            }
        }
        self.recent[self.head] = (*trade, matched);
        self.head = (self.head + 1) % RECENT;
        self.len = (self.len + 1).min(RECENT);
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::TakerSide::{Buy, Sell};

    #[test]
    fn pairs_need_same_size_same_price_opposite_sides_within_the_lag() {
        let t = |time_us, price, qty, taker| TapeTrade { time_us, price, qty, taker, id: 0 };
        let mut m = MatchedPrints::new(10_000);
        assert!(!m.push(&t(0, 100, 5, Buy)));
        assert!(m.push(&t(3_000, 100, 5, Sell)), "a pair");
        assert!(!m.push(&t(4_000, 100, 5, Buy)), "each print pairs once: the first buy is taken");
        assert!(!m.push(&t(5_000, 100, 5, Buy)), "same side");
        assert!(!m.push(&t(6_000, 101, 5, Sell)), "other price");
        assert!(!m.push(&t(7_000, 100, 6, Sell)), "other size");
        assert!(m.push(&t(8_000, 100, 5, Sell)), "pairs with the unmatched buy at 4 000 µs");
        assert!(!m.push(&t(30_000, 100, 5, Sell)), "too late for the buy at 5 000 µs");
    }
}
