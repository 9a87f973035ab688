//! Trades and order-book snapshots consistent with the bars.

use super::effects::BarEffect;
use super::rng::SimRng;
use crate::data::{Bar, BookLevel, OrderBookSnapshot, Side, Trade};

/// Price increment of the simulated instruments.
pub const TICK_SIZE: f64 = 0.01;
/// Account ids used by the wash-trading ring.
pub const WASH_ACCOUNTS: [u32; 2] = [9001, 9002];
/// Levels per side in each snapshot.
pub const BOOK_DEPTH: usize = 10;

fn round_tick(p: f64) -> f64 {
    (p / TICK_SIZE).round() * TICK_SIZE
}

/// Splits a bar's volume into trades; wash volume goes to round trips
/// between [`WASH_ACCOUNTS`] at the close.
pub(crate) fn trades_for_bar(
    rng: &mut SimRng,
    symbol: &str,
    index: usize,
    bar: &Bar,
    effect: &BarEffect,
    out: &mut Vec<Trade>,
) {
    let wash = (bar.volume * effect.wash_share).round();
    let organic = bar.volume - wash;
    let n = 1 + rng.poisson(2.0) as usize;
    let weights: Vec<f64> = (0..n).map(|_| -libm::log(1.0 - rng.uniform())).collect();
    let total: f64 = weights.iter().sum();
    let up = bar.close >= bar.open;
    let mut seq = 0;
    let mut push = |out: &mut Vec<Trade>, offset: i64, price: f64, size: f64, side: Side, taker: u32, maker: u32| {
        out.push(Trade {
            timestamp: bar.timestamp + chrono::Duration::milliseconds(offset),
            received_at: None,
            symbol: symbol.to_string(),
            id: format!("{symbol}-{index}-{seq}"),
            price,
            size,
            side,
            taker_account: Some(taker),
            maker_account: Some(maker),
        });
        seq += 1;
    };
    for (k, w) in weights.iter().enumerate() {
        let size = (organic * w / total).round();
        if size <= 0.0 {
            continue;
        }
        let price = round_tick(rng.range(bar.low, bar.high)).clamp(bar.low, bar.high);
        let side = if rng.chance(if up { 0.6 } else { 0.4 }) { Side::Buy } else { Side::Sell };
        let offset = (k as i64 * 60_000) / n as i64;
        push(out, offset, price, size, side, rng.int(1, 2000) as u32, rng.int(1, 2000) as u32);
    }
    if wash > 0.0 {
        let legs = 2 * rng.int(2, 4);
        let leg = (wash / legs as f64).round().max(1.0);
        for k in 0..legs {
            let (taker, maker) =
                if k % 2 == 0 { (WASH_ACCOUNTS[0], WASH_ACCOUNTS[1]) } else { (WASH_ACCOUNTS[1], WASH_ACCOUNTS[0]) };
            let side = if k % 2 == 0 { Side::Buy } else { Side::Sell };
            push(out, 59_000 + k as i64, bar.close, leg, side, taker, maker);
        }
    }
}

/// The book at a bar's close. A spoofing bar on an even bar index gets a
/// large bid 6–8 ticks below the touch; on the next bar it is gone
/// (cancelled before any fill).
pub(crate) fn book_for_bar(
    rng: &mut SimRng,
    symbol: &str,
    index: usize,
    bar: &Bar,
    effect: &BarEffect,
    typical_size: f64,
) -> OrderBookSnapshot {
    let spread_ticks = rng.int(1, 3) as f64;
    let best_bid = round_tick(bar.close - TICK_SIZE * (spread_ticks / 2.0).floor()).max(TICK_SIZE);
    let best_ask = round_tick(best_bid + spread_ticks * TICK_SIZE);
    let size =
        |rng: &mut SimRng, level: usize| (typical_size * rng.range(0.5, 1.5) * (1.0 + 0.15 * level as f64)).round();
    let mut bids: Vec<BookLevel> = (0..BOOK_DEPTH)
        .map(|i| BookLevel { price: round_tick(best_bid - i as f64 * TICK_SIZE), size: size(rng, i) })
        .filter(|l| l.price > 0.0)
        .collect();
    let asks: Vec<BookLevel> = (0..BOOK_DEPTH)
        .map(|i| BookLevel { price: round_tick(best_ask + i as f64 * TICK_SIZE), size: size(rng, i) })
        .collect();
    if effect.spoof && index.is_multiple_of(2) {
        let level = rng.int(6, 8).min(bids.len().saturating_sub(1));
        if let Some(l) = bids.get_mut(level) {
            l.size = (typical_size * rng.range(20.0, 30.0)).round();
        }
    }
    OrderBookSnapshot {
        timestamp: bar.timestamp + chrono::Duration::seconds(59),
        received_at: None,
        symbol: symbol.to_string(),
        sequence: index as u64 + 1,
        bids,
        asks,
    }
}
