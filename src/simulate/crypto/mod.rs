//! A 24/7 crypto market at the level of single trades, with labelled
//! manipulation episodes: the ground truth of the manipulation detector.
//!
//! Every second of every day (no sessions, no weekends) each symbol gets
//! taker orders as a Poisson process whose rate follows a daily cycle and a
//! slowly varying activity level (so quiet hours and busy hours alternate,
//! as on a real exchange); sizes are log-normal with a heavy tail; the
//! order flow is persistent (buys follow buys); prices move on the
//! instrument's tick grid, with a spread of a few ticks and fat-tailed
//! volatility that rises with activity. Large orders sweep several levels
//! in the same microsecond. On top of that the [`episodes`] are injected
//! and labelled ([`CryptoLabel`]).
//!
//! The same [`CryptoSimConfig`] (seed included) gives the same tapes, trade
//! for trade.

mod episodes;

use chrono::{DateTime, TimeZone, Utc};

use super::rng::SimRng;
use crate::alert::AnomalyType;
use crate::error::{Error, Result};
use crate::market::{Instrument, TakerSide, TapeTrade, TradeTape};
use episodes::{Effect, Episode};

pub use episodes::INJECTED;

/// One simulated crypto instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct CryptoSymbolSpec {
    /// Symbol, e.g. `BTCUSDT`.
    pub symbol: String,
    /// Tick size, as the exchange writes it (`"0.01"`).
    pub tick_size: String,
    /// Quantity step (`"0.000001"`).
    pub qty_step: String,
    /// First price.
    pub start_price: f64,
    /// Daily volatility of the log price (0.03 = 3 %).
    pub daily_volatility: f64,
    /// Mean number of taker orders per second.
    pub orders_per_second: f64,
    /// Median order size, in base units.
    pub median_qty: f64,
    /// Bid-ask spread, in ticks.
    pub spread_ticks: i64,
}

impl CryptoSymbolSpec {
    /// Shorthand constructor.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        symbol: &str,
        tick_size: &str,
        qty_step: &str,
        start_price: f64,
        daily_volatility: f64,
        orders_per_second: f64,
        median_qty: f64,
        spread_ticks: i64,
    ) -> Self {
        Self {
            symbol: symbol.into(),
            tick_size: tick_size.into(),
            qty_step: qty_step.into(),
            start_price,
            daily_volatility,
            orders_per_second,
            median_qty,
            spread_ticks,
        }
    }
}

/// Everything that decides the simulated crypto market.
#[derive(Debug, Clone, PartialEq)]
pub struct CryptoSimConfig {
    /// The seed.
    pub seed: u64,
    /// The instruments.
    pub symbols: Vec<CryptoSymbolSpec>,
    /// First second (UTC).
    pub start: DateTime<Utc>,
    /// Number of days of round-the-clock trading.
    pub days: usize,
    /// Manipulation episodes per symbol and day (0: a clean market).
    pub episodes_per_day: f64,
}

impl Default for CryptoSimConfig {
    /// Four symbols (three liquid USDT pairs and an illiquid pair quoted in
    /// BTC near 1.2e-6 with a 1e-8 tick), 8 days from Monday 2025-03-03,
    /// two episodes per symbol-day, seed 7.
    fn default() -> Self {
        Self {
            seed: 7,
            symbols: vec![
                CryptoSymbolSpec::new("BTCUSDT", "0.01", "0.000001", 65_000.0, 0.025, 3.0, 0.004, 1),
                CryptoSymbolSpec::new("ETHUSDT", "0.01", "0.00001", 3_200.0, 0.035, 2.0, 0.08, 1),
                CryptoSymbolSpec::new("SOLUSDT", "0.01", "0.001", 150.0, 0.05, 1.0, 2.0, 1),
                CryptoSymbolSpec::new("XYZBTC", "0.00000001", "1", 0.000_001_2, 0.06, 0.05, 500.0, 2),
            ],
            start: Utc.with_ymd_and_hms(2025, 3, 3, 0, 0, 0).single().expect("valid time"),
            days: 8,
            episodes_per_day: 2.0,
        }
    }
}

impl CryptoSimConfig {
    fn validate(&self) -> Result<()> {
        if self.symbols.is_empty() {
            return Err(Error::Empty { what: "symbols" });
        }
        if self.days == 0 {
            return Err(Error::param("days", self.days, "must be at least 1"));
        }
        if !(self.episodes_per_day.is_finite() && self.episodes_per_day >= 0.0 && self.episodes_per_day <= 12.0) {
            return Err(Error::param("episodes_per_day", self.episodes_per_day, "must be in [0, 12]"));
        }
        for s in &self.symbols {
            for (name, v) in [
                ("start_price", s.start_price),
                ("daily_volatility", s.daily_volatility),
                ("orders_per_second", s.orders_per_second),
                ("median_qty", s.median_qty),
            ] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(Error::param(name, v, format!("must be a finite number > 0 (symbol {})", s.symbol)));
                }
            }
            if s.spread_ticks < 1 {
                return Err(Error::param(
                    "spread_ticks",
                    s.spread_ticks,
                    format!("must be >= 1 (symbol {})", s.symbol),
                ));
            }
        }
        Ok(())
    }
}

/// One labelled manipulation episode.
#[derive(Debug, Clone, PartialEq)]
pub struct CryptoLabel {
    /// Index of the symbol in the configuration (and in
    /// [`SimulatedCrypto::tapes`]).
    pub symbol: usize,
    /// What was injected.
    pub kind: AnomalyType,
    /// First affected microsecond (the first second of a pump's run-up).
    pub start_us: i64,
    /// Last affected microsecond (inclusive).
    pub end_us: i64,
}

impl CryptoLabel {
    /// `true` when `time_us` lies inside the episode.
    pub fn contains(&self, time_us: i64) -> bool {
        self.start_us <= time_us && time_us <= self.end_us
    }
}

/// The simulator's output.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedCrypto {
    /// The configuration that produced it.
    pub config: CryptoSimConfig,
    /// One tape per symbol, in configuration order.
    pub tapes: Vec<TradeTape>,
    /// Every injected episode, ordered by symbol and start.
    pub labels: Vec<CryptoLabel>,
}

const US: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

impl SimulatedCrypto {
    /// Runs the simulator.
    pub fn generate(config: &CryptoSimConfig) -> Result<Self> {
        config.validate()?;
        let mut tapes = Vec::with_capacity(config.symbols.len());
        let mut labels = Vec::new();
        for (k, spec) in config.symbols.iter().enumerate() {
            let (tape, episodes) = simulate_symbol(config, k, spec)?;
            tapes.push(tape);
            let origin = config.start.timestamp() * US;
            labels.extend(episodes.iter().map(|e| CryptoLabel {
                symbol: k,
                kind: e.kind,
                start_us: origin + e.start * US,
                end_us: origin + (e.end() + 1) * US - 1,
            }));
        }
        Ok(Self { config: config.clone(), tapes, labels })
    }

    /// The tape of `symbol`.
    pub fn tape(&self, symbol: &str) -> Option<&TradeTape> {
        self.tapes.iter().find(|t| t.instrument().symbol() == symbol)
    }

    /// Labels of the symbol at `index`.
    pub fn labels_of(&self, index: usize) -> impl Iterator<Item = &CryptoLabel> {
        self.labels.iter().filter(move |l| l.symbol == index)
    }

    /// Total number of trades.
    pub fn trade_count(&self) -> usize {
        self.tapes.iter().map(TradeTape::len).sum()
    }
}

/// Draws a Poisson count; a normal approximation above a mean of 50.
fn count(rng: &mut SimRng, mean: f64) -> u32 {
    if mean > 50.0 { (mean + libm::sqrt(mean) * rng.normal()).round().max(0.0) as u32 } else { rng.poisson(mean) }
}

/// A size in quantity steps (at least one step).
fn steps(qty: f64, step: f64) -> i64 {
    ((qty / step).round() as i64).max(1)
}

/// The random stream of one symbol's flow.
fn stream(k: usize) -> u64 {
    0x4352_5950_0000 + k as u64
}

fn simulate_symbol(config: &CryptoSimConfig, k: usize, spec: &CryptoSymbolSpec) -> Result<(TradeTape, Vec<Episode>)> {
    let instrument = Instrument::new(&spec.symbol, &spec.tick_size, &spec.qty_step)
        .map_err(|e| Error::param("symbols", &spec.symbol, e.to_string()))?;
    let tick = instrument.tick_size().to_f64();
    let step = instrument.qty_step().to_f64();
    let mut rng = SimRng::new(config.seed, stream(k));
    let total = config.days as i64 * SECONDS_PER_DAY;
    let episode_count = (config.episodes_per_day * config.days as f64).round() as usize;
    let episodes = episodes::plan(episode_count, total, &mut rng);
    let origin_us = config.start.timestamp() * US;

    let sigma_second = spec.daily_volatility / libm::sqrt(SECONDS_PER_DAY as f64);
    let mut log_price = libm::log(spec.start_price);
    let mut log_activity = 0.0f64;
    let mut flow = 0.0f64;
    let mut next_episode = 0;
    let mut trades: Vec<TapeTrade> = Vec::with_capacity((spec.orders_per_second * total as f64 * 1.1) as usize);
    let mut offsets: Vec<i64> = Vec::new();
    let mut id = 0u64;
    let phase = rng.range(0.0, std::f64::consts::TAU);

    for s in 0..total {
        while next_episode < episodes.len() && episodes[next_episode].end() < s {
            next_episode += 1;
        }
        let effect = match episodes.get(next_episode) {
            Some(e) if e.start <= s => e.effect_at(s),
            _ => Effect::default(),
        };
        // Activity: a slow log-normal cycle (half-life about 6 minutes) and a daily cycle.
        log_activity = 0.998 * log_activity + 0.5 * libm::sqrt(1.0 - 0.998f64 * 0.998) * rng.normal();
        let hour_angle = std::f64::consts::TAU * (s % SECONDS_PER_DAY) as f64 / SECONDS_PER_DAY as f64;
        let daily = 1.0 + 0.35 * libm::sin(hour_angle + phase);
        let activity = libm::exp(log_activity - 0.125) * daily;
        log_price += sigma_second * libm::sqrt(activity) * rng.student_t(4) + effect.drift;

        let orders = count(&mut rng, spec.orders_per_second * activity * effect.intensity);
        offsets.clear();
        offsets.extend((0..orders).map(|_| (rng.uniform() * US as f64) as i64));
        offsets.sort_unstable();
        let second_us = origin_us + s * US;
        for &offset in &offsets {
            let buy_probability = effect.buy_probability.unwrap_or(0.5 + 0.2 * libm::tanh(flow));
            let taker = if rng.chance(buy_probability) { TakerSide::Buy } else { TakerSide::Sell };
            flow = 0.9 * flow + 0.3 * taker.sign() as f64;
            let mut multiple = rng.lognormal(1.0) * effect.qty_multiple;
            if rng.chance(0.001) {
                multiple *= libm::pow(1.0 / (1.0 - rng.uniform()), 1.0 / 1.5).min(200.0);
            }
            let qty = steps(spec.median_qty * multiple, step);
            let time_us = second_us + offset;
            sweep(
                &mut trades,
                &mut id,
                time_us,
                touch(log_price, tick, spec.spread_ticks, taker),
                qty,
                multiple,
                taker,
            );
            log_price += taker.sign() as f64 * 0.05 * sigma_second * libm::sqrt(multiple);
        }
        for _ in 0..count(&mut rng, effect.wash_pairs) {
            // One account buys from itself: two prints of one round size at
            // one price, on opposite sides, within a few milliseconds.
            let qty = steps(round_size(spec.median_qty * rng.range(0.5, 3.0)), step);
            let first = if rng.chance(0.5) { TakerSide::Buy } else { TakerSide::Sell };
            let second = if first == TakerSide::Buy { TakerSide::Sell } else { TakerSide::Buy };
            let price = touch(log_price, tick, spec.spread_ticks, first);
            let time_us = second_us + (rng.uniform() * 0.99 * US as f64) as i64;
            let lag = rng.int(0, 5_000) as i64;
            for (taker, at) in [(first, time_us), (second, time_us + lag)] {
                trades.push(TapeTrade { time_us: at, price, qty, taker, id });
                id += 1;
            }
        }
        if effect.whale_multiple > 0.0 {
            let taker = if rng.chance(0.5) { TakerSide::Buy } else { TakerSide::Sell };
            let qty = steps(spec.median_qty * effect.whale_multiple, step);
            let time_us = second_us + (rng.uniform() * 0.99 * US as f64) as i64;
            let levels = sweep(
                &mut trades,
                &mut id,
                time_us,
                touch(log_price, tick, spec.spread_ticks, taker),
                qty,
                400.0,
                taker,
            );
            log_price += taker.sign() as f64 * levels as f64 * tick / libm::exp(log_price);
        }
    }
    // Wash prints may land a few milliseconds after later orders: restore time order.
    trades.sort_by_key(|t| t.time_us);
    let tape = TradeTape::new(instrument, trades).map_err(|e| Error::param("symbols", &spec.symbol, e.to_string()))?;
    Ok((tape, episodes))
}

/// Best ask (a buy) or best bid (a sell) around `log_price`, in ticks.
fn touch(log_price: f64, tick: f64, spread: i64, taker: TakerSide) -> i64 {
    let bid = ((libm::exp(log_price) / tick).round() as i64 - spread / 2).max(1);
    if taker == TakerSide::Buy { bid + spread } else { bid }
}

/// Prints one taker order: a large one sweeps several levels in the same
/// microsecond (one print per level); returns how many levels it took.
fn sweep(
    trades: &mut Vec<TapeTrade>,
    id: &mut u64,
    time_us: i64,
    price: i64,
    qty: i64,
    multiple: f64,
    taker: TakerSide,
) -> i64 {
    let levels = if multiple > 20.0 { (1.0 + libm::log2(multiple / 10.0)).min(12.0) as i64 } else { 1 };
    let per_level = (qty / levels).max(1);
    let mut left = qty;
    for level in 0..levels {
        let size = if level == levels - 1 { left } else { per_level.min(left - (levels - level - 1)) };
        if size <= 0 {
            break;
        }
        left -= size;
        trades.push(TapeTrade { time_us, price: (price + taker.sign() * level).max(1), qty: size, taker, id: *id });
        *id += 1;
    }
    levels
}

/// Rounds to two significant digits: wash bots trade round sizes.
fn round_size(qty: f64) -> f64 {
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(qty)) - 1.0);
    (qty / magnitude).round() * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> CryptoSimConfig {
        CryptoSimConfig { days: 1, symbols: CryptoSimConfig::default().symbols[2..].to_vec(), ..Default::default() }
    }

    #[test]
    fn same_seed_same_tapes_and_episodes_are_labelled() {
        let a = SimulatedCrypto::generate(&small()).unwrap();
        let b = SimulatedCrypto::generate(&small()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.labels.len(), 4, "two episodes per symbol-day, two symbols");
        let sol = &a.tapes[0];
        // About one order a second, a few more prints from sweeps and episodes.
        assert!((70_000..140_000).contains(&sol.len()), "{}", sol.len());
        let illiquid = &a.tapes[1];
        assert!((2_500..9_000).contains(&illiquid.len()), "a few thousand trades a day: {}", illiquid.len());
        let (first, last) = illiquid.span_us();
        assert!(last - first > 23 * 3600 * US, "round the clock");
        let price = illiquid.price_of(&illiquid.trades()[0]);
        assert!((0.000_000_9..0.000_001_6).contains(&price), "{price}");
    }

    #[test]
    fn a_pump_is_a_taker_buy_burst_with_a_run_up() {
        let config = CryptoSimConfig { episodes_per_day: 12.0, ..small() };
        let market = SimulatedCrypto::generate(&config).unwrap();
        let tape = &market.tapes[0];
        let pump = market.labels_of(0).find(|l| l.kind == AnomalyType::PumpAndDump).expect("a pump in 12 episodes");
        let window = |from: i64, to: i64| tape.trades().iter().filter(move |t| (from..to).contains(&t.time_us));
        let before: Vec<_> = window(pump.start_us - 60 * US, pump.start_us).collect();
        let burst: Vec<_> = window(pump.start_us, pump.start_us + 60 * US).collect();
        assert!(burst.len() > 5 * before.len().max(1), "burst {} vs {} before", burst.len(), before.len());
        let buys = burst.iter().filter(|t| t.taker == TakerSide::Buy).count();
        assert!(buys * 10 > burst.len() * 8, "{buys} of {}", burst.len());
        assert!(burst.last().unwrap().price > before.last().unwrap().price, "run-up");
    }

    #[test]
    fn wash_prints_come_in_equal_opposite_pairs() {
        let config = CryptoSimConfig { episodes_per_day: 12.0, ..small() };
        let market = SimulatedCrypto::generate(&config).unwrap();
        let wash = market.labels_of(0).find(|l| l.kind == AnomalyType::WashTrading).expect("a wash episode");
        let trades: Vec<_> = market.tapes[0].trades().iter().filter(|t| wash.contains(t.time_us)).collect();
        let matched = trades
            .windows(2)
            .filter(|w| w[0].qty == w[1].qty && w[0].price == w[1].price && w[0].taker != w[1].taker)
            .count();
        let seconds = (wash.end_us - wash.start_us) / US;
        assert!(matched as i64 > seconds / 10, "{matched} matched pairs in {seconds} s");
        assert!(SimulatedCrypto::generate(&CryptoSimConfig { days: 0, ..small() }).is_err());
    }
}
