//! What a stream remembers across reconnects so that nothing reaches the
//! consumer twice: the ids of the latest trades of each symbol and the
//! newest trade time, the start of the newest final kline, and where each
//! order book's updates stand.

use std::collections::{HashSet, VecDeque};

use super::types::trade_id;

/// The ids of the last `capacity` trades of one symbol and the newest
/// trade time seen: a trade sent again after a reconnect, or by both the
/// stream and a REST backfill, is recognised by its id.
#[derive(Debug, Clone)]
pub struct SeenTrades {
    order: VecDeque<u64>,
    ids: HashSet<u64>,
    capacity: usize,
    newest_ms: Option<i64>,
}

impl SeenTrades {
    /// Remembers up to `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            order: VecDeque::with_capacity(capacity),
            ids: HashSet::with_capacity(capacity),
            capacity,
            newest_ms: None,
        }
    }

    /// `true` the first time `exec_id` is offered, `false` for a repeat;
    /// the oldest id is forgotten once `capacity` are held.
    pub fn first_time(&mut self, exec_id: &str, time_ms: i64) -> bool {
        let id = trade_id(exec_id);
        if !self.ids.insert(id) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.ids.remove(&oldest);
        }
        self.order.push_back(id);
        self.newest_ms = Some(self.newest_ms.map_or(time_ms, |t| t.max(time_ms)));
        true
    }

    /// The newest trade time seen, ms; `None` before the first trade.
    pub fn newest_ms(&self) -> Option<i64> {
        self.newest_ms
    }
}

/// The start of the newest final kline of one topic: a kline that starts
/// no later is a repeat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KlineWatermark {
    newest_final_start_ms: Option<i64>,
}

impl KlineWatermark {
    /// Whether a kline starting at `start_ms` is new (a forming kline is
    /// new until a final one of the same or a later start was passed on).
    pub fn is_new(&self, start_ms: i64) -> bool {
        self.newest_final_start_ms.is_none_or(|newest| start_ms > newest)
    }

    /// Records that the final kline starting at `start_ms` was passed on.
    pub fn passed_final(&mut self, start_ms: i64) {
        self.newest_final_start_ms = Some(self.newest_final_start_ms.map_or(start_ms, |t| t.max(start_ms)));
    }

    /// The start of the newest final kline passed on.
    pub fn newest_final_start_ms(&self) -> Option<i64> {
        self.newest_final_start_ms
    }
}

/// Where one order book's updates stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookSync {
    /// Waiting for a snapshot (at the start, after a reconnect or a gap);
    /// deltas until then are dropped.
    AwaitingSnapshot,
    /// The last update id passed on; the next delta must carry the one after.
    InStep(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_trade_id_is_recognised_until_it_is_forgotten() {
        let mut seen = SeenTrades::new(2);
        assert!(seen.first_time("a", 10));
        assert!(!seen.first_time("a", 10));
        assert!(seen.first_time("b", 12));
        assert!(seen.first_time("c", 11));
        assert_eq!(seen.newest_ms(), Some(12));
        assert!(seen.first_time("a", 13), "the oldest id was forgotten at capacity 2");
        assert!(!seen.first_time("c", 11));
    }

    #[test]
    fn klines_up_to_the_newest_final_start_are_repeats() {
        let mut mark = KlineWatermark::default();
        assert!(mark.is_new(0));
        mark.passed_final(60_000);
        assert!(!mark.is_new(0) && !mark.is_new(60_000) && mark.is_new(120_000));
        mark.passed_final(0);
        assert_eq!(mark.newest_final_start_ms(), Some(60_000));
    }
}
