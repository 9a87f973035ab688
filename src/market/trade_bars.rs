//! Trades → bars: a streaming aggregator that turns a [`TradeTape`] (or a
//! live trade stream) into OHLCV bars in whole ticks and quantity steps, so
//! the bar detectors ([`crate::detect`], [`crate::scan`]) can read a tape.
//!
//! Two kinds of bar:
//!
//! * **time bars** ([`BarAggregator::time`]): one bar per clock bucket of
//!   `length_us`, aligned on the Unix epoch (`floor(time / length) ·
//!   length`, so one-minute bars start on the minute). A bucket without a
//!   trade gives **no bar**: nothing is invented, the consumer sees the gap
//!   in the timestamps (as it sees a weekend in equity bars), and
//!   [`TradeBar::empty_before`] says how many buckets were skipped;
//! * **volume bars** ([`BarAggregator::volume`]): a bar closes as soon as
//!   its volume reaches the size. The trade that completes a bar stays
//!   whole in it (a print is never split into two bars), so a bar can hold
//!   more than the size: the overshoot is not carried to the next bar.
//!
//! [`BarAggregator::push`] is O(1) and allocates nothing; trades must come
//! in time order (equal times are normal).

use chrono::{DateTime, Utc};

use super::instrument::Instrument;
use super::tape::{TakerSide, TapeTrade, TradeTape};
use crate::data::{Bar, BarSeries};
use crate::error::{Error, Result};

/// One bar built from trades, in the instrument's integer steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeBar {
    /// Open time of the bar, µs since the Unix epoch: the start of the
    /// bucket for a time bar (`floor(time / length) · length`), the time of
    /// its first trade for a volume bar.
    pub start_us: i64,
    /// Time of the last trade in the bar, µs.
    pub end_us: i64,
    /// Price of the first trade, ticks.
    pub open: i64,
    /// Highest price, ticks.
    pub high: i64,
    /// Lowest price, ticks.
    pub low: i64,
    /// Price of the last trade, ticks.
    pub close: i64,
    /// Traded quantity, quantity steps (> 0: a bar has at least one trade).
    pub volume: i64,
    /// The part of `volume` bought by takers, quantity steps.
    pub buy_volume: i64,
    /// Number of trades in the bar.
    pub trades: u32,
    /// Id of the first trade.
    pub first_id: u64,
    /// Id of the last trade.
    pub last_id: u64,
    /// Time bars: number of empty buckets (no trade, hence no bar) between
    /// the previous bar and this one; 0 for the first bar and for adjacent
    /// buckets (saturates at `u32::MAX`). Always 0 for volume bars, which
    /// have no clock.
    pub empty_before: u32,
}

impl TradeBar {
    /// A bar holding one trade.
    fn opened(start_us: i64, trade: &TapeTrade, empty_before: u32) -> Self {
        Self {
            start_us,
            end_us: trade.time_us,
            open: trade.price,
            high: trade.price,
            low: trade.price,
            close: trade.price,
            volume: trade.qty,
            buy_volume: if trade.taker == TakerSide::Buy { trade.qty } else { 0 },
            trades: 1,
            first_id: trade.id,
            last_id: trade.id,
            empty_before,
        }
    }

    /// Adds a later trade to the bar.
    fn add(&mut self, trade: &TapeTrade) {
        self.end_us = trade.time_us;
        self.high = self.high.max(trade.price);
        self.low = self.low.min(trade.price);
        self.close = trade.price;
        self.volume = self.volume.saturating_add(trade.qty);
        if trade.taker == TakerSide::Buy {
            self.buy_volume = self.buy_volume.saturating_add(trade.qty);
        }
        self.trades = self.trades.saturating_add(1);
        self.last_id = trade.id;
    }

    /// The bar in quote currency and base quantity, for the bar detectors:
    /// prices and volume through `instrument`'s tick size and quantity
    /// step, timestamp = [`TradeBar::start_us`]. Errors when the start is
    /// outside chrono's dates or the bar is refused by [`Bar::new`] (a
    /// price that is not positive).
    pub fn to_bar(&self, instrument: &Instrument) -> Result<Bar> {
        let timestamp = DateTime::<Utc>::from_timestamp_micros(self.start_us)
            .ok_or_else(|| Error::param("start_us", self.start_us, "is outside the range of a date"))?;
        Bar::new(
            timestamp,
            instrument.price_of(self.open),
            instrument.price_of(self.high),
            instrument.price_of(self.low),
            instrument.price_of(self.close),
            instrument.qty_of(self.volume),
        )
    }

    /// The share of the volume bought by takers, in `[0, 1]` (0 when the
    /// volume is 0, which a bar built by [`BarAggregator`] never has).
    pub fn buy_share(&self) -> f64 {
        if self.volume > 0 { self.buy_volume as f64 / self.volume as f64 } else { 0.0 }
    }
}

/// When a [`BarAggregator`] closes a bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarRule {
    /// One bar per clock bucket of this many µs (> 0).
    Time {
        /// Bucket length, µs.
        length_us: i64,
    },
    /// A bar closes when its volume reaches this many quantity steps (> 0).
    Volume {
        /// Bar size, quantity steps.
        qty_steps: i64,
    },
}

/// Builds bars from trades one at a time: [`BarAggregator::push`] each
/// trade, then [`BarAggregator::finish`] at the end of the data.
#[derive(Debug, Clone)]
pub struct BarAggregator {
    rule: BarRule,
    /// The bar being filled.
    open: Option<TradeBar>,
    /// Start of the most recent bar opened (to count empty buckets).
    last_start_us: Option<i64>,
    /// Time and id of the last accepted trade (to refuse one out of order).
    last_trade: Option<(i64, u64)>,
}

impl BarAggregator {
    /// Time bars of `length_us` µs (e.g. `60_000_000` for one minute),
    /// aligned on the Unix epoch. Errors when `length_us ≤ 0`.
    pub fn time(length_us: i64) -> Result<Self> {
        if length_us <= 0 {
            return Err(Error::param("length_us", length_us, "a bar length must be > 0 µs"));
        }
        Ok(Self::with_rule(BarRule::Time { length_us }))
    }

    /// Volume bars of `qty_steps_per_bar` quantity steps. A bar closes with
    /// the trade that brings its volume to the size or beyond; that trade
    /// stays whole in it, so a bar may exceed the size. Errors when the
    /// size is ≤ 0.
    pub fn volume(qty_steps_per_bar: i64) -> Result<Self> {
        if qty_steps_per_bar <= 0 {
            return Err(Error::param("qty_steps_per_bar", qty_steps_per_bar, "a bar size must be > 0 steps"));
        }
        Ok(Self::with_rule(BarRule::Volume { qty_steps: qty_steps_per_bar }))
    }

    fn with_rule(rule: BarRule) -> Self {
        Self { rule, open: None, last_start_us: None, last_trade: None }
    }

    /// The rule bars are closed by.
    pub fn rule(&self) -> BarRule {
        self.rule
    }

    /// The bar being filled, if any (for a live display; it may change).
    pub fn open_bar(&self) -> Option<&TradeBar> {
        self.open.as_ref()
    }

    /// Adds `trade`. Returns the bar it closes, if any:
    ///
    /// * time bars: the open bar, when `trade` falls in a later bucket (the
    ///   trade then opens the new bar; a trade exactly on a boundary
    ///   belongs to the bucket that starts there);
    /// * volume bars: the bar `trade` completes (the trade is in it).
    ///
    /// Errors, leaving the aggregator unchanged, on a trade earlier than
    /// the previous one (naming both ids and times; equal times are fine)
    /// and on a price or quantity that is not positive.
    pub fn push(&mut self, trade: &TapeTrade) -> Result<Option<TradeBar>> {
        if let Some((previous_us, previous_id)) = self.last_trade
            && trade.time_us < previous_us
        {
            return Err(Error::param(
                "time_us",
                trade.time_us,
                format!(
                    "trade id {} at {} µs is earlier than the previous trade (id {previous_id} at {previous_us} µs); \
                     trades must come in time order",
                    trade.id, trade.time_us
                ),
            ));
        }
        for (name, value) in [("price", trade.price), ("qty", trade.qty)] {
            if value <= 0 {
                return Err(Error::param(name, value, format!("trade id {} must have a {name} > 0", trade.id)));
            }
        }
        self.last_trade = Some((trade.time_us, trade.id));
        match self.rule {
            BarRule::Time { length_us } => {
                let start = trade.time_us - trade.time_us.rem_euclid(length_us);
                if let Some(bar) = self.open.as_mut()
                    && bar.start_us == start
                {
                    bar.add(trade);
                    return Ok(None);
                }
                let empty_before = match self.last_start_us {
                    Some(previous) => u32::try_from((start - previous) / length_us - 1).unwrap_or(u32::MAX),
                    None => 0,
                };
                self.last_start_us = Some(start);
                Ok(self.open.replace(TradeBar::opened(start, trade, empty_before)))
            }
            BarRule::Volume { qty_steps } => {
                match self.open.as_mut() {
                    Some(bar) => bar.add(trade),
                    None => self.open = Some(TradeBar::opened(trade.time_us, trade, 0)),
                }
                if self.open.is_some_and(|bar| bar.volume >= qty_steps) { Ok(self.open.take()) } else { Ok(None) }
            }
        }
    }

    /// Closes and returns the bar being filled (at the end of the data);
    /// `None` when there is none. Pushing can go on afterwards: the time
    /// order is still checked against the last trade.
    pub fn finish(&mut self) -> Option<TradeBar> {
        self.open.take()
    }
}

/// Runs `aggregator` over every trade of `tape` and flushes it.
fn aggregate(tape: &TradeTape, mut aggregator: BarAggregator) -> Result<Vec<TradeBar>> {
    let mut bars = Vec::new();
    for trade in tape.trades() {
        if let Some(bar) = aggregator.push(trade)? {
            bars.push(bar);
        }
    }
    bars.extend(aggregator.finish());
    Ok(bars)
}

/// The time bars of `tape`, `length_us` µs each (only buckets with trades;
/// see [`TradeBar::empty_before`]). Errors when `length_us ≤ 0`.
pub fn time_bars(tape: &TradeTape, length_us: i64) -> Result<Vec<TradeBar>> {
    aggregate(tape, BarAggregator::time(length_us)?)
}

/// The volume bars of `tape`, `qty_steps_per_bar` quantity steps each (the
/// last one may be smaller; see [`BarAggregator::volume`]). Errors when the
/// size is ≤ 0.
pub fn volume_bars(tape: &TradeTape, qty_steps_per_bar: i64) -> Result<Vec<TradeBar>> {
    aggregate(tape, BarAggregator::volume(qty_steps_per_bar)?)
}

/// `bars` of `tape` as a [`BarSeries`] named after its instrument's symbol,
/// in quote currency (see [`TradeBar::to_bar`]), for [`crate::detect`] and
/// [`crate::scan`]. Errors when `bars` is empty or their start times do not
/// strictly increase (time bars always do; volume bars opened in the same
/// microsecond do not).
pub fn to_bar_series(tape: &TradeTape, bars: &[TradeBar]) -> Result<BarSeries> {
    let instrument = tape.instrument();
    let bars = bars.iter().map(|bar| bar.to_bar(instrument)).collect::<Result<Vec<_>>>()?;
    BarSeries::new(instrument.symbol(), bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000_000;
    /// 2023-11-14 22:14:00 UTC, on a minute.
    const M: i64 = 1_700_000_040_000_000;

    fn trade(id: u64, time_us: i64, price: i64, qty: i64, taker: TakerSide) -> TapeTrade {
        TapeTrade { time_us, price, qty, taker, id }
    }

    fn btc() -> Instrument {
        Instrument::new("BTCUSDT", "0.1", "0.001").unwrap()
    }

    /// Three one-minute buckets with trades, the one at M + 2 min empty.
    fn trades() -> Vec<TapeTrade> {
        use TakerSide::{Buy, Sell};
        vec![
            trade(1, M + 1_000_000, 650_000, 5, Buy),
            trade(2, M + 20_000_000, 650_010, 3, Sell),
            trade(3, M + 59_999_999, 649_990, 2, Buy),
            trade(4, M + MINUTE, 650_001, 4, Sell), // exactly on the boundary
            trade(5, M + 90_000_000, 650_005, 1, Buy),
            trade(6, M + 3 * MINUTE, 649_980, 7, Buy),
            trade(7, M + 3 * MINUTE, 649_970, 2, Sell), // same µs
            trade(8, M + 200_000_000, 649_975, 6, Buy),
        ]
    }

    #[allow(clippy::too_many_arguments)]
    fn bar(start_us: i64, end_us: i64, ohlc: [i64; 4], volume: i64, buy: i64, ids: (u64, u64), empty: u32) -> TradeBar {
        let [open, high, low, close] = ohlc;
        TradeBar {
            start_us,
            end_us,
            open,
            high,
            low,
            close,
            volume,
            buy_volume: buy,
            trades: (ids.1 - ids.0 + 1) as u32,
            first_id: ids.0,
            last_id: ids.1,
            empty_before: empty,
        }
    }

    #[test]
    fn minute_bars_have_exact_ohlc_volumes_and_count_the_empty_minute() {
        let expected = [
            bar(M, M + 59_999_999, [650_000, 650_010, 649_990, 649_990], 10, 7, (1, 3), 0),
            bar(M + MINUTE, M + 90_000_000, [650_001, 650_005, 650_001, 650_005], 5, 1, (4, 5), 0),
            bar(M + 3 * MINUTE, M + 200_000_000, [649_980, 649_980, 649_970, 649_975], 15, 13, (6, 8), 1),
        ];
        // Streaming: a bar comes out with the first trade of the next bucket.
        let mut aggregator = BarAggregator::time(MINUTE).unwrap();
        let out: Vec<_> = trades().iter().map(|t| aggregator.push(t).unwrap()).collect();
        assert_eq!(out, [None, None, None, Some(expected[0]), None, Some(expected[1]), None, None]);
        assert_eq!(aggregator.open_bar(), Some(&expected[2]));
        assert_eq!(aggregator.finish(), Some(expected[2]));
        assert_eq!(aggregator.finish(), None);

        let tape = TradeTape::new(btc(), trades()).unwrap();
        let bars = time_bars(&tape, MINUTE).unwrap();
        assert_eq!(bars, expected);
        assert!((bars[2].buy_share() - 13.0 / 15.0).abs() < 1e-12);
        assert_eq!(bars[0].trades, 3);
    }

    #[test]
    fn a_trade_on_the_boundary_opens_the_new_bucket_and_buckets_floor_before_1970() {
        let mut aggregator = BarAggregator::time(60).unwrap();
        assert_eq!(aggregator.push(&trade(1, -1, 10, 1, TakerSide::Sell)).unwrap(), None);
        let closed = aggregator.push(&trade(2, 0, 11, 1, TakerSide::Sell)).unwrap().unwrap();
        assert_eq!((closed.start_us, closed.end_us, closed.last_id), (-60, -1, 1));
        assert_eq!(closed.buy_share(), 0.0);
        let closed = aggregator.push(&trade(3, 60, 12, 1, TakerSide::Buy)).unwrap().unwrap();
        assert_eq!((closed.start_us, closed.first_id, closed.empty_before), (0, 2, 0));
        aggregator.push(&trade(4, 60 * 11 + 59, 12, 1, TakerSide::Buy)).unwrap();
        assert_eq!(aggregator.finish().map(|b| (b.start_us, b.empty_before)), Some((660, 9)));
    }

    #[test]
    fn volume_bars_close_at_the_size_and_keep_an_overshooting_trade_whole() {
        let mut aggregator = BarAggregator::volume(10).unwrap();
        let qtys = [4, 6, 3, 5, 9, 2];
        let out: Vec<_> = qtys
            .iter()
            .enumerate()
            .map(|(i, &q)| aggregator.push(&trade(i as u64, 100 + i as i64, 50 + i as i64, q, TakerSide::Buy)).unwrap())
            .collect();
        let summary = |b: &Option<TradeBar>| b.map(|b| (b.start_us, b.end_us, b.volume, b.trades, b.open, b.close));
        let got: Vec<_> = out.iter().map(summary).collect();
        assert_eq!(got, [None, Some((100, 101, 10, 2, 50, 51)), None, None, Some((102, 104, 17, 3, 52, 54)), None]);
        assert_eq!(summary(&aggregator.finish()), Some((105, 105, 2, 1, 55, 55)));
        assert_eq!(aggregator.rule(), BarRule::Volume { qty_steps: 10 });

        let tape = TradeTape::new(btc(), trades()).unwrap();
        let volumes: Vec<_> = volume_bars(&tape, 10).unwrap().iter().map(|b| (b.volume, b.empty_before)).collect();
        assert_eq!(volumes, [(10, 0), (12, 0), (8, 0)]);
    }

    #[test]
    fn an_out_of_order_trade_is_refused_naming_it_and_nothing_changes() {
        let mut aggregator = BarAggregator::time(MINUTE).unwrap();
        aggregator.push(&trade(41, M + 5_000_000, 650_000, 1, TakerSide::Buy)).unwrap();
        let before = aggregator.open_bar().copied();
        let err = aggregator.push(&trade(42, M + 4_000_000, 650_000, 1, TakerSide::Buy)).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::InvalidParameter { name: "time_us", .. }), "{msg}");
        for part in ["trade id 42", &format!("{} µs", M + 4_000_000), "id 41", &format!("{} µs", M + 5_000_000)] {
            assert!(msg.contains(part), "{msg} lacks {part}");
        }
        assert_eq!(aggregator.open_bar().copied(), before);
        assert!(aggregator.push(&trade(43, M + 5_000_000, 650_001, 1, TakerSide::Buy)).unwrap().is_none());
        let zero = aggregator.push(&trade(44, M + 6_000_000, 650_001, 0, TakerSide::Buy)).unwrap_err();
        assert!(zero.to_string().contains("trade id 44"), "{zero}");
        assert!(BarAggregator::time(0).unwrap_err().to_string().contains("length_us"));
        assert!(BarAggregator::volume(-1).unwrap_err().to_string().contains("qty_steps_per_bar"));
    }

    #[test]
    fn bars_become_f64_bars_and_a_bar_series_the_detectors_accept() {
        let tape = TradeTape::new(btc(), trades()).unwrap();
        let bars = time_bars(&tape, MINUTE).unwrap();
        let one = bars[1].to_bar(tape.instrument()).unwrap();
        assert_eq!(one.timestamp, DateTime::<Utc>::from_timestamp(1_700_000_100, 0).unwrap());
        assert!((one.open - 65_000.1).abs() < 1e-6 && (one.high - 65_000.5).abs() < 1e-6, "{one:?}");
        assert!((one.low - 65_000.1).abs() < 1e-6 && (one.close - 65_000.5).abs() < 1e-6, "{one:?}");
        assert!((one.volume - 0.005).abs() < 1e-12, "{one:?}");

        let series = to_bar_series(&tape, &bars).unwrap();
        assert_eq!((series.symbol(), series.len()), ("BTCUSDT", 3));
        let seconds: Vec<_> = series.timestamps().iter().map(|t| t.timestamp()).collect();
        assert_eq!(seconds, [1_700_000_040, 1_700_000_100, 1_700_000_220]);
        assert!((series.bars()[2].low - 64_997.0).abs() < 1e-6);
        assert!(matches!(to_bar_series(&tape, &[]).unwrap_err(), Error::Empty { .. }));
        // Two volume bars opened in the same µs cannot make a series.
        let same = [bars[0], TradeBar { end_us: M, ..bars[0] }];
        assert!(matches!(to_bar_series(&tape, &same).unwrap_err(), Error::DuplicateTimestamp { .. }));
    }
}
