//! Explicit repairs. Nothing here runs unless you call it, and every repair
//! reports what it changed, so nothing the user gave is lost silently.

use chrono::{DateTime, Duration, Utc};

use super::bar::Bar;
use super::bar_csv::CsvRow;

/// Anything with a timestamp.
pub trait Timestamped {
    /// The item's time.
    fn timestamp(&self) -> DateTime<Utc>;
}

impl Timestamped for Bar {
    fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }
}

impl Timestamped for CsvRow {
    fn timestamp(&self) -> DateTime<Utc> {
        self.bar.timestamp
    }
}

/// Positions of the items earlier than the item before them (what
/// [`sort_by_time`] will move). Call it first to report line numbers.
pub fn out_of_order_positions<T: Timestamped>(items: &[T]) -> Vec<usize> {
    (1..items.len()).filter(|&i| items[i].timestamp() < items[i - 1].timestamp()).collect()
}

/// `true` when the items run strictly newest first (at least two of them),
/// as CryptoDataDownload and some brokers write them. Reversing such a
/// series changes no value and loses nothing.
pub fn is_newest_first<T: Timestamped>(items: &[T]) -> bool {
    items.len() >= 2 && items.windows(2).all(|w| w[1].timestamp() < w[0].timestamp())
}

/// Sorts by time (stable: equal timestamps keep their order). Returns the
/// sorted items and the original positions of the items that were out of
/// order (each was earlier than the item before it).
pub fn sort_by_time<T: Timestamped>(mut items: Vec<T>) -> (Vec<T>, Vec<usize>) {
    let out_of_order = out_of_order_positions(&items);
    if !out_of_order.is_empty() {
        items.sort_by_key(|x| x.timestamp());
    }
    (items, out_of_order)
}

/// An item dropped by [`dedup_by_time`] and the kept item it repeated.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate<T> {
    /// Position, in the kept items, of the first item with this timestamp.
    pub kept_index: usize,
    /// The item dropped.
    pub removed: T,
}

/// Removes items whose timestamp equals the previous item's (input must be
/// sorted). Keeps the first occurrence and returns each removed item with
/// the position of the kept one, so the caller can tell an exact repeat
/// from a conflicting one and report both.
pub fn dedup_by_time<T: Timestamped>(items: Vec<T>) -> (Vec<T>, Vec<Duplicate<T>>) {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    let mut removed = Vec::new();
    for item in items {
        match kept.last() {
            Some(last) if last.timestamp() == item.timestamp() => {
                removed.push(Duplicate { kept_index: kept.len() - 1, removed: item })
            }
            _ => kept.push(item),
        }
    }
    (kept, removed)
}

/// Fills missing bars on a regular grid of `step` with flat bars (all prices
/// at the previous close, volume 0). Returns the filled bars and how many
/// were inserted. Use it for 24/7 markets only: on an exchange with sessions
/// it would invent nights and weekends.
pub fn forward_fill_gaps(bars: &[Bar], step: Duration) -> (Vec<Bar>, usize) {
    let mut out = Vec::with_capacity(bars.len());
    let mut inserted = 0;
    for bar in bars {
        if let Some(&prev) = out.last() {
            let prev: Bar = prev;
            let mut t = prev.timestamp + step;
            while step > Duration::zero() && t < bar.timestamp {
                let c = prev.close;
                out.push(Bar { timestamp: t, open: c, high: c, low: c, close: c, volume: 0.0 });
                inserted += 1;
                t += step;
            }
        }
        out.push(*bar);
    }
    (out, inserted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn bar(min: i64, close: f64) -> Bar {
        let timestamp = Utc.timestamp_opt(60 * min, 0).unwrap();
        Bar { timestamp, open: close, high: close, low: close, close, volume: 1.0 }
    }

    #[test]
    fn sort_reports_the_out_of_order_items() {
        let (sorted, moved) = sort_by_time(vec![bar(0, 1.0), bar(2, 2.0), bar(1, 3.0), bar(3, 4.0)]);
        assert_eq!(moved, vec![2]);
        assert_eq!(sorted.iter().map(|b| b.close).collect::<Vec<_>>(), vec![1.0, 3.0, 2.0, 4.0]);
    }

    #[test]
    fn dedup_keeps_the_first_and_returns_the_rest() {
        let (kept, removed) = dedup_by_time(vec![bar(0, 1.0), bar(1, 2.0), bar(1, 9.0), bar(2, 3.0)]);
        assert_eq!(kept.len(), 3);
        assert_eq!(removed, vec![Duplicate { kept_index: 1, removed: bar(1, 9.0) }]);
        assert_ne!(kept[removed[0].kept_index], removed[0].removed, "a conflicting duplicate");
    }

    #[test]
    fn newest_first_is_recognised_only_when_strict() {
        assert!(is_newest_first(&[bar(3, 1.0), bar(2, 1.0), bar(0, 1.0)]));
        assert!(!is_newest_first(&[bar(3, 1.0), bar(3, 1.0), bar(0, 1.0)]));
        assert!(!is_newest_first(&[bar(0, 1.0), bar(2, 1.0)]));
        assert!(!is_newest_first(&[bar(0, 1.0)]));
    }

    #[test]
    fn forward_fill_inserts_flat_zero_volume_bars() {
        let (filled, n) = forward_fill_gaps(&[bar(0, 1.0), bar(3, 2.0)], Duration::minutes(1));
        assert_eq!(n, 2);
        assert_eq!(filled.len(), 4);
        assert_eq!(filled[1].close, 1.0);
        assert_eq!(filled[2].volume, 0.0);
    }
}
