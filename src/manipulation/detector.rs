//! The crypto manipulation detector: fitted on a symbol's history, then
//! streaming, one trade at a time, O(1) per trade and allocation-free
//! until an alert closes.
//!
//! Every second it scores four patterns, each from public prints only:
//!
//! | pattern | score (all in z units) |
//! |---|---|
//! | `pump_and_dump` | the smallest of price run-up z, taker-flow z and trade-surge z, over 20 s or 60 s |
//! | `flash_crash` | the same for a fall (a fall within 30 min of a pump alert is that pump's dump) |
//! | `wash_trading` | matched opposite-side prints in 300 s against their chance rate |
//! | `whale_movement` | log size of the largest taker order, robust z against the history |
//!
//! Taking the smallest of three z's asks for all three at once: a price
//! move on ordinary flow, a burst of one-sided volume that does not move
//! the price, or a busy minute alone do not raise a pump alert.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::matched_prints::MatchedPrints;
use super::seconds::{SecondRing, SecondStats};
use super::taker_orders::{SizeScale, TakerOrders};
use crate::alert::{
    AlertInterval, AnomalyType, Calibrator, Evidence, IntervalMerger, Scored, Source, TradeFlowIndicators,
};
use crate::error::{Error, Result};
use crate::market::{TakerSide, TapeTrade, TradeTape};

/// The patterns scored, in the order of [`SecondScores::scores`].
pub const PATTERNS: [AnomalyType; 4] =
    [AnomalyType::PumpAndDump, AnomalyType::FlashCrash, AnomalyType::WashTrading, AnomalyType::WhaleMovement];

const PUMP: usize = 0;
const FLASH: usize = 1;
const WASH: usize = 2;
const WHALE: usize = 3;
const US: i64 = 1_000_000;

/// Alert thresholds per pattern, in the units of its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Pump-and-dump score.
    pub pump_and_dump: f64,
    /// Flash-crash score.
    pub flash_crash: f64,
    /// Wash-trading score.
    pub wash_trading: f64,
    /// Whale score.
    pub whale_movement: f64,
}

impl Thresholds {
    /// The four thresholds in [`PATTERNS`] order.
    pub fn as_array(&self) -> [f64; 4] {
        [self.pump_and_dump, self.flash_crash, self.wash_trading, self.whale_movement]
    }
}

// ANCHOR: config
/// The detector's settings. The defaults were chosen on the crypto
/// simulator with seed 7 and on a clean month of seed 100, and are the ones
/// every example uses on real tapes.
#[derive(Debug, Clone, PartialEq)]
pub struct ManipulationConfig {
    /// The two window lengths of the pump and crash scores, seconds.
    pub windows_s: [usize; 2],
    /// Window of the wash-trading count, seconds.
    pub wash_window_s: usize,
    /// Largest time between the two prints of a matched pair, µs.
    pub wash_max_lag_us: i64,
    /// Half-life of the running volatility and trade rate, seconds.
    pub half_life_s: f64,
    /// Alert thresholds.
    pub thresholds: Thresholds,
    /// Quiet seconds an alert may contain before it closes.
    pub merge_gap_s: usize,
    /// A fall this soon after a pump alert is reported as its dump, and a
    /// rise this soon after a crash as its recovery, seconds.
    pub follow_up_s: i64,
    /// Weight of the flow z in the pump and crash scores: with a few trades
    /// a one-sided flow cannot reach a large z (nine sells in a row are
    /// z ≈ 3), so the flow has to point the same way clearly (at the
    /// default threshold 6, a flow z of 4), not as strongly as the price
    /// move and the surge.
    pub flow_weight: f64,
}

impl Default for ManipulationConfig {
    fn default() -> Self {
        Self {
            windows_s: [20, 60],
            wash_window_s: 300,
            wash_max_lag_us: 10_000,
            half_life_s: 3_600.0,
            thresholds: Thresholds { pump_and_dump: 6.0, flash_crash: 6.0, wash_trading: 6.0, whale_movement: 6.0 },
            merge_gap_s: 30,
            follow_up_s: 1_800,
            flow_weight: 1.5,
        }
    }
}
// ANCHOR_END: config

/// The four scores of one second (raw: higher = more suspicious).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SecondScores {
    /// The second, as seconds since the Unix epoch (its data ends at
    /// `second + 1`).
    pub second: i64,
    /// One score per pattern of [`PATTERNS`].
    pub scores: [f64; 4],
}

/// What the detector learned from history and keeps learning.
#[derive(Debug, Clone)]
struct Baseline {
    /// Variance of the log-price change over each window.
    variance: [f64; 2],
    /// Prints per second.
    rate: f64,
    /// Chance matched pairs per print (fitted on history only).
    match_rate: f64,
    /// Order sizes (fitted on history only).
    sizes: SizeScale,
    /// EWMA weight per second.
    alpha: f64,
}

/// The seed's `analyze_window` answer: is manipulation suspected in these
/// trades, of which type, how confidently, and on what indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowVerdict {
    /// `true` when an alert closed in the window.
    pub is_manipulation_suspected: bool,
    /// The strongest alert's type (`normal` without one).
    pub manipulation_type: AnomalyType,
    /// Its confidence in [0, 1] (0 without an alert).
    pub confidence: f64,
    /// Its indicators.
    pub indicators: Option<Evidence>,
    /// Every alert that closed, oldest first.
    pub alerts: Vec<AlertInterval>,
}

/// Scores a symbol's trades for pump-and-dump, flash crashes, wash trading
/// and whale orders. See the module documentation for the scores.
#[derive(Debug, Clone)]
pub struct CryptoManipulationDetector {
    config: ManipulationConfig,
    symbol: Arc<str>,
    thresholds: [f64; 4],
    ring: SecondRing,
    current: SecondStats,
    open_second: Option<i64>,
    last_time_us: i64,
    prints: u64,
    matcher: MatchedPrints,
    orders: TakerOrders,
    baseline: Baseline,
    mergers: [IntervalMerger; 4],
    calibrators: Option<Box<[Calibrator; 4]>>,
    last_pump_hit: Option<i64>,
    last_crash_hit: Option<i64>,
    alerts: Vec<AlertInterval>,
    log: Option<Vec<SecondScores>>,
}

impl CryptoManipulationDetector {
    /// Fits the detector on `history` (a day or more of the symbol's
    /// trades): order sizes and the chance rate of matched prints from the
    /// whole history, volatility and trade rate by running through it, and
    /// one calibrator per pattern on the scores of its seconds after the
    /// first two hours. The detector then continues where the history ends.
    pub fn fit(history: &TradeTape, config: ManipulationConfig) -> Result<Self> {
        validate(&config)?;
        let mut detector = Self::unfitted(history, config);
        let (first, last) = history.span_us();
        let warm_until = first.div_euclid(US) + 2 * 3_600;
        detector.log = Some(Vec::with_capacity(((last - first) / US + 1) as usize));
        for trade in history.trades() {
            detector.push(trade)?;
        }
        detector.advance_to(last.div_euclid(US) * US + US)?;
        detector.flush_alerts();
        detector.alerts.clear();
        let log = detector.log.take().unwrap_or_default();
        let reference: Vec<&SecondScores> = log.iter().filter(|s| s.second >= warm_until).collect();
        let reference = if reference.len() >= 600 { reference } else { log.iter().collect() };
        let fit_one = |k: usize| Calibrator::fit(&reference.iter().map(|s| s.scores[k]).collect::<Vec<_>>());
        detector.calibrators = Some(Box::new([fit_one(PUMP)?, fit_one(FLASH)?, fit_one(WASH)?, fit_one(WHALE)?]));
        Ok(detector)
    }

    fn unfitted(history: &TradeTape, config: ManipulationConfig) -> Self {
        let mut matcher = MatchedPrints::new(config.wash_max_lag_us);
        let mut orders = TakerOrders::default();
        let mut sizes = Vec::with_capacity(history.len());
        // Matched pairs and prints per hour of the history.
        let mut hours: Vec<(u64, u64)> = Vec::new();
        let first_hour = history.trades()[0].time_us.div_euclid(3_600 * US);
        for trade in history.trades() {
            let hour = (trade.time_us.div_euclid(3_600 * US) - first_hour) as usize;
            if hours.len() <= hour {
                hours.resize(hour + 1, (0, 0));
            }
            hours[hour].0 += u64::from(matcher.push(trade));
            hours[hour].1 += 1;
            sizes.extend(orders.push(trade));
        }
        sizes.extend(orders.close_before(i64::MAX));
        let (first, last) = history.span_us();
        let seconds = ((last - first) / US).max(1) as f64;
        let prints = history.len() as f64;
        let first_price = history.trades()[0].price.max(1) as f64;
        // A first guess for the volatility: one tick per window; the running
        // estimate replaces it within the first hour of the history.
        let variance = config.windows_s.map(|_| (1.0 / first_price).powi(2));
        let symbol: Arc<str> = history.instrument().symbol().into();
        let merger = || IntervalMerger::new(Source::Trades, Arc::clone(&symbol), config.merge_gap_s);
        Self {
            thresholds: config.thresholds.as_array(),
            ring: SecondRing::new(&[config.windows_s[0], config.windows_s[1], config.wash_window_s]),
            current: SecondStats::default(),
            open_second: None,
            last_time_us: i64::MIN,
            prints: 0,
            matcher: MatchedPrints::new(config.wash_max_lag_us),
            orders: TakerOrders::default(),
            baseline: Baseline {
                variance,
                rate: prints / seconds,
                match_rate: chance_match_rate(&mut hours),
                sizes: SizeScale::fit(&sizes),
                alpha: 1.0 - libm::exp2(-1.0 / config.half_life_s),
            },
            mergers: [merger(), merger(), merger(), merger()],
            calibrators: None,
            last_pump_hit: None,
            last_crash_hit: None,
            alerts: Vec::new(),
            log: None,
            symbol,
            config,
        }
    }

    /// The symbol.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The settings.
    pub fn config(&self) -> &ManipulationConfig {
        &self.config
    }

    /// The size scale of orders fitted on the history (median order in
    /// quantity steps: `exp(median)`).
    pub fn order_sizes(&self) -> SizeScale {
        self.baseline.sizes
    }

    /// Chance matched pairs per print, fitted on the history.
    pub fn chance_match_rate(&self) -> f64 {
        self.baseline.match_rate
    }

    /// Keeps every second's scores from now on (for evaluation; one small
    /// record per second).
    pub fn record_scores(&mut self) {
        self.log.get_or_insert_with(Vec::new);
    }

    /// The scores recorded since [`Self::record_scores`].
    pub fn take_scores(&mut self) -> Vec<SecondScores> {
        self.log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    // ANCHOR: push
    /// Takes the next print. Seconds before it are closed and scored
    /// first. A print earlier than the last one is refused, naming both
    /// times; equal times are normal.
    #[inline]
    pub fn push(&mut self, trade: &TapeTrade) -> Result<()> {
        if trade.time_us < self.last_time_us {
            return Err(Error::InvalidValue {
                field: "time_us",
                row: self.prints as usize,
                value: format!("{} (trade id {}) after {}", trade.time_us, trade.id, self.last_time_us),
                reason: "trades must arrive in time order",
            });
        }
        let second = trade.time_us.div_euclid(US);
        match self.open_second {
            Some(open) if second > open => self.close_seconds_until(second)?,
            Some(open) if second < open => {
                return Err(Error::InvalidValue {
                    field: "time_us",
                    row: self.prints as usize,
                    value: format!(
                        "{} (trade id {}) in second {second}, closed before {open}",
                        trade.time_us, trade.id
                    ),
                    reason: "a late trade: its second was already closed and scored",
                });
            }
            None => self.open_second = Some(second),
            _ => {}
        }
        self.last_time_us = trade.time_us;
        self.prints += 1;
        if let Some(order) = self.orders.push(trade) {
            self.current.largest_order = self.current.largest_order.max(order);
        }
        let s = &mut self.current;
        s.trades += 1;
        s.volume += trade.qty;
        if trade.taker == TakerSide::Buy {
            s.buy_volume += trade.qty;
        }
        s.squared += i128::from(trade.qty) * i128::from(trade.qty);
        s.close = trade.price;
        if self.matcher.push(trade) {
            s.matched_pairs += 1;
            s.matched_volume += 2 * trade.qty;
        }
        Ok(())
    }
    // ANCHOR_END: push

    /// Closes and scores every second that ended by `time_us` (a live
    /// monitor calls this on a timer, so quiet seconds are scored without
    /// waiting for the next print).
    pub fn advance_to(&mut self, time_us: i64) -> Result<()> {
        if let Some(open) = self.open_second {
            let second = time_us.div_euclid(US);
            if second > open {
                self.close_seconds_until(second)?;
            }
        }
        Ok(())
    }

    /// The start of the second still open, µs: a trade before it belongs
    /// to a second already scored, and [`Self::push`] refuses it as late
    /// (`None` before the first trade).
    pub fn open_from_us(&self) -> Option<i64> {
        self.open_second.map(|s| s * US)
    }

    /// Continues after an outage (a history that ended hours ago, a feed
    /// that was down): the open alerts are closed, the windows start empty
    /// at `time_us`'s second, and nothing learned decays, since time
    /// without data is not a quiet market. Call it before the first trade
    /// after the outage.
    pub fn resume_at(&mut self, time_us: i64) {
        self.flush_alerts();
        self.ring.clear();
        self.current = SecondStats::default();
        self.matcher = MatchedPrints::new(self.config.wash_max_lag_us);
        self.orders = TakerOrders::default();
        self.last_pump_hit = None;
        self.last_crash_hit = None;
        let second = time_us.div_euclid(US);
        self.open_second = Some(second);
        self.last_time_us = second * US;
    }

    /// Alerts closed since the last call, oldest first.
    pub fn take_alerts(&mut self) -> Vec<AlertInterval> {
        std::mem::take(&mut self.alerts)
    }

    /// The patterns firing now, in [`PATTERNS`] order: for each, the time
    /// its open alert began and the score that opened it (`None`: quiet).
    pub fn firing(&self) -> [Option<(DateTime<Utc>, f64)>; 4] {
        std::array::from_fn(|k| self.mergers[k].open_since())
    }

    /// Closes the open alerts (end of data, or before a gap they must not span).
    pub fn flush_alerts(&mut self) {
        for (k, merger) in self.mergers.iter_mut().enumerate() {
            if let Some(mut alert) = merger.finish() {
                if let Some(c) = &self.calibrators {
                    alert.calibrate(&c[k]);
                }
                self.alerts.push(alert);
            }
        }
        self.alerts.sort_by_key(|a| a.start);
    }

    /// Scores `trades` (the seed's call): pushes them, closes their last
    /// second and the open alerts, and returns the strongest alert.
    pub fn analyze_window(&mut self, trades: &[TapeTrade]) -> Result<WindowVerdict> {
        for trade in trades {
            self.push(trade)?;
        }
        if let Some(last) = trades.last() {
            self.advance_to(last.time_us.div_euclid(US) * US + US)?;
        }
        self.flush_alerts();
        let alerts = self.take_alerts();
        let strongest = alerts.iter().max_by(|a, b| a.confidence().total_cmp(&b.confidence()));
        Ok(WindowVerdict {
            is_manipulation_suspected: strongest.is_some(),
            manipulation_type: strongest.map_or(AnomalyType::Normal, |a| a.kind),
            confidence: strongest.map_or(0.0, AlertInterval::confidence),
            indicators: strongest.map(|a| a.evidence.clone()),
            alerts,
        })
    }

    /// Closes the open second and the empty ones up to `second` (exclusive).
    fn close_seconds_until(&mut self, second: i64) -> Result<()> {
        let Some(open) = self.open_second else { return Ok(()) };
        let longest = self.config.windows_s[1].max(self.config.wash_window_s) as i64;
        let mut s = open;
        while s < second {
            if let Some(order) = self.orders.close_before((s + 1) * US) {
                self.current.largest_order = self.current.largest_order.max(order);
            }
            let mut stats = std::mem::take(&mut self.current);
            if stats.trades == 0 {
                stats.close = self.ring.newest().map_or(0, |n| n.close);
            }
            self.close_second(s, stats);
            s += 1;
            // A day without a print: skip it, forgetting the windows (an
            // alert does not span it).
            if second - s > 86_400 && s - open > longest {
                self.flush_alerts();
                let close = self.ring.newest().map_or(0, |n| n.close);
                self.ring.clear();
                self.baseline.rate *= libm::pow(1.0 - self.baseline.alpha, (second - s) as f64);
                self.ring.push(SecondStats { close, ..Default::default() });
                s = second;
            }
        }
        self.open_second = Some(second);
        Ok(())
    }

    fn close_second(&mut self, second: i64, stats: SecondStats) {
        self.ring.push(stats);
        let b = &self.baseline;
        // ANCHOR: scores
        let mut pump = (f64::NEG_INFINITY, 0);
        let mut flash = (f64::NEG_INFINITY, 0);
        let mut returns = [None; 2];
        for (i, &length) in self.config.windows_s.iter().enumerate() {
            let sums = self.ring.sums(i);
            let r = self.ring.closes(i).map(|(now, then)| libm::log(now as f64 / then as f64));
            returns[i] = r;
            let floor = self.ring.newest().map_or(0.0, |n| (0.5 / n.close.max(1) as f64).powi(2));
            let return_z = r.unwrap_or(0.0) / libm::sqrt(b.variance[i].max(floor));
            let flow_z = flow_z(sums.net_volume(), sums.squared);
            let surge = surge_z(sums.trades as f64, b.rate * length as f64);
            let flow = self.config.flow_weight * flow_z;
            let up = return_z.min(flow).min(surge);
            let down = (-return_z).min(-flow).min(surge);
            if up > pump.0 {
                pump = (up, i);
            }
            if down > flash.0 {
                flash = (down, i);
            }
        }
        let wash = self.ring.sums(2);
        let wash_z = surge_z(wash.matched_pairs as f64, b.match_rate * wash.trades as f64);
        let whale_z = b.sizes.z(stats.largest_order);
        let scores = [pump.0, flash.0, wash_z, whale_z];
        // ANCHOR_END: scores
        if let Some(log) = &mut self.log {
            log.push(SecondScores { second, scores });
        }
        self.classify(second, scores, [pump.1, flash.1]);
        // Learn after scoring.
        let b = &mut self.baseline;
        for (variance, r) in b.variance.iter_mut().zip(returns) {
            if let Some(r) = r {
                *variance += b.alpha * (r * r - *variance);
            }
        }
        b.rate += b.alpha * (f64::from(stats.trades) - b.rate);
    }

    fn classify(&mut self, second: i64, scores: [f64; 4], best_window: [usize; 2]) {
        let at = DateTime::<Utc>::from_timestamp(second + 1, 0).unwrap_or(DateTime::UNIX_EPOCH);
        let hit = |k: usize| scores[k] > self.thresholds[k];
        let soon_after = |last: Option<i64>| last.is_some_and(|p| second - p <= self.config.follow_up_s);
        // A fall soon after a pump is its dump, a rise soon after a crash its
        // recovery: they join that alert instead of raising a new one.
        let is_dump = hit(FLASH) && soon_after(self.last_pump_hit);
        let is_recovery = hit(PUMP) && !is_dump && soon_after(self.last_crash_hit) && !soon_after(self.last_pump_hit);
        if hit(PUMP) && !is_recovery {
            self.last_pump_hit = Some(second);
        }
        if hit(FLASH) && !is_dump {
            self.last_crash_hit = Some(second);
        }
        let mut candidates: [Option<(AnomalyType, f64, usize)>; 4] = [None; 4];
        let pump = (hit(PUMP) && !is_recovery).then_some((scores[PUMP], best_window[0]));
        let dump = is_dump.then_some((scores[FLASH], best_window[1]));
        if let Some((score, window)) = larger(pump, dump) {
            candidates[PUMP] = Some((AnomalyType::PumpAndDump, score, window));
        }
        let crash = (hit(FLASH) && !is_dump).then_some((scores[FLASH], best_window[1]));
        let recovery = is_recovery.then_some((scores[PUMP], best_window[0]));
        if let Some((score, window)) = larger(crash, recovery) {
            candidates[FLASH] = Some((AnomalyType::FlashCrash, score, window));
        }
        if hit(WASH) {
            candidates[WASH] = Some((AnomalyType::WashTrading, scores[WASH], 2));
        }
        if hit(WHALE) {
            candidates[WHALE] = Some((AnomalyType::WhaleMovement, scores[WHALE], 0));
        }
        for k in 0..4 {
            let closed = match candidates[k] {
                Some((kind, score, window)) => {
                    let evidence = Evidence::TradeFlow(self.indicators(window));
                    let scored = Scored::new(score, kind, evidence);
                    self.mergers[k].push_classified(at, kind, &scored, self.thresholds[k])
                }
                None => {
                    let quiet = Scored::new(scores[k], AnomalyType::Normal, Evidence::feature("quiet", 0.0));
                    self.mergers[k].push_classified(at, AnomalyType::Normal, &quiet, self.thresholds[k])
                }
            };
            if let Some(mut alert) = closed {
                if let Some(c) = &self.calibrators {
                    alert.calibrate(&c[k]);
                }
                self.alerts.push(alert);
            }
        }
    }

    /// The indicators of window `i` (0, 1: the pump windows, 2: the wash window) now.
    fn indicators(&self, i: usize) -> TradeFlowIndicators {
        let b = &self.baseline;
        let length = if i < 2 { self.config.windows_s[i] } else { self.config.wash_window_s };
        let sums = self.ring.sums(i);
        let r = self.ring.closes(i).map_or(0.0, |(now, then)| libm::log(now as f64 / then as f64));
        let variance =
            if i < 2 { b.variance[i] } else { b.variance[1] * length as f64 / self.config.windows_s[1] as f64 };
        let largest = self.ring.newest().map_or(0, |n| n.largest_order);
        let share = |part: i64| if sums.volume > 0 { part as f64 / sums.volume as f64 } else { 0.0 };
        TradeFlowIndicators {
            window_s: length as u32,
            trades: sums.trades as u32,
            return_pct: 100.0 * libm::expm1(r),
            return_z: r / libm::sqrt(variance.max(1e-30)),
            flow_z: flow_z(sums.net_volume(), sums.squared),
            buy_share: share(sums.buy_volume),
            surge_z: surge_z(sums.trades as f64, b.rate * length as f64),
            matched_pairs: sums.matched_pairs as u32,
            matched_z: surge_z(sums.matched_pairs as f64, b.match_rate * sums.trades as f64),
            matched_volume_share: share(sums.matched_volume),
            largest_order_multiple: b.sizes.multiple(largest),
            largest_order_z: b.sizes.z(largest),
        }
    }
}

/// The one with the larger score.
fn larger(a: Option<(f64, usize)>, b: Option<(f64, usize)>) -> Option<(f64, usize)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 > x.0 { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Net taker volume over `√Σ size²`: about N(0, 1) when each print's side
/// is a fair coin, whatever the sizes.
fn flow_z(net: i64, squared: i128) -> f64 {
    if squared > 0 { net as f64 / libm::sqrt(squared as f64) } else { 0.0 }
}

/// `count` against a Poisson mean, variance-stabilised (Anscombe):
/// `2 (√(count + 3/8) − √(mean + 3/8))`, about N(0, 1) even for small means.
pub fn surge_z(count: f64, mean: f64) -> f64 {
    2.0 * (libm::sqrt(count + 0.375) - libm::sqrt(mean.max(0.0) + 0.375))
}

/// Matched pairs per print by chance: `(pairs + 1) / (prints + 1)` over the
/// history's hours, leaving out the tenth of hours with the highest matched
/// share (at least one when there are ten), so that a wash episode inside
/// the history does not teach the detector that wash trading is normal.
fn chance_match_rate(hours: &mut [(u64, u64)]) -> f64 {
    hours.sort_by(|a, b| (a.0 as f64 / a.1.max(1) as f64).total_cmp(&(b.0 as f64 / b.1.max(1) as f64)));
    let kept = &hours[..hours.len() - hours.len() / 10];
    let (pairs, prints) = kept.iter().fold((0, 0), |(p, n), h| (p + h.0, n + h.1));
    (pairs as f64 + 1.0) / (prints as f64 + 1.0)
}

fn validate(config: &ManipulationConfig) -> Result<()> {
    let [short, long] = config.windows_s;
    if short == 0 || long < short || long > 3_600 {
        return Err(Error::param("windows_s", format!("{:?}", config.windows_s), "need 1 <= short <= long <= 3600"));
    }
    if config.wash_window_s == 0 || config.wash_window_s > 3_600 {
        return Err(Error::param("wash_window_s", config.wash_window_s, "must be in 1..=3600"));
    }
    if !(config.half_life_s.is_finite() && config.half_life_s >= 1.0) {
        return Err(Error::param("half_life_s", config.half_life_s, "must be a finite number >= 1"));
    }
    if config.wash_max_lag_us < 0 {
        return Err(Error::param("wash_max_lag_us", config.wash_max_lag_us, "must be >= 0"));
    }
    if !(config.flow_weight.is_finite() && config.flow_weight > 0.0) {
        return Err(Error::param("flow_weight", config.flow_weight, "must be a finite number > 0"));
    }
    for (name, t) in PATTERNS.iter().zip(config.thresholds.as_array()) {
        if !t.is_finite() {
            return Err(Error::param("thresholds", t, format!("the {name} threshold must be finite")));
        }
    }
    Ok(())
}
