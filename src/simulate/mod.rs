//! A seeded market simulator with labelled anomalies: the ground truth every
//! chapter is measured against.
//!
//! What it produces, for several symbols over weekday sessions of one-minute
//! bars (so there are night and weekend gaps, as in real data):
//!
//! * **bars** with volatility clustering (GARCH(1,1)), fat tails (Student-t,
//!   5 degrees of freedom), a U-shaped intraday pattern of volume and
//!   volatility, overnight gaps, and volume that rises with |return|;
//! * **news**: ordinary headlines (earnings, dividends, guidance, management,
//!   macro) with plausible reactions, plus the semantic anomalies, written
//!   by the corpus's fit-half families about the simulated company
//!   ([`news_corpus`]);
//! * **trades** (with aggressor side and account ids) and **order-book
//!   snapshots** at every bar close, when [`SimConfig::microstructure`] is on;
//! * **social-mention counts** per 30-minute bucket;
//! * **labels** ([`AnomalyLabel`]) for every injected anomaly: point (large
//!   print, price spike), contextual (volume surge *without* news),
//!   collective (pump-and-dump, flash crash, wash trading, spoofing) and
//!   semantic (pump spam, fake insider claims);
//! * **context events** ([`ContextEvent`]): unusual but explained episodes —
//!   the volume surge after an earnings headline — which are labelled
//!   *normal*. A detector that flags them has made a false positive.
//!
//! The same [`SimConfig`] (seed included) gives byte-identical output.

mod calendar;
pub mod crypto;
mod effects;
mod events;
pub mod export;
#[cfg(feature = "parquet")]
pub mod frame;
pub mod microstructure;
/// A labelled headline corpus in template families, for text detectors.
pub mod news_corpus;
pub mod rng;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::data::{AnomalyLabel, AnomalyPattern, Bar, BarSeries, NewsItem, OrderBookSnapshot, SocialMentions, Trade};
use crate::error::{Error, Result};
use effects::BarEffect;
use events::{EventKind, PlannedEvent};
use rng::SimRng;

/// One simulated instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolSpec {
    /// Ticker, e.g. `ACME`.
    pub ticker: String,
    /// Company name used in headlines.
    pub name: String,
    /// First open price.
    pub start_price: f64,
    /// Daily return volatility (0.02 = 2 %).
    pub daily_volatility: f64,
    /// Median volume of a mid-session bar.
    pub base_volume: f64,
}

impl SymbolSpec {
    /// Shorthand constructor.
    pub fn new(ticker: &str, name: &str, start_price: f64, daily_volatility: f64, base_volume: f64) -> Self {
        Self { ticker: ticker.into(), name: name.into(), start_price, daily_volatility, base_volume }
    }
}

/// Everything that decides the simulated market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// The seed: same seed, same market, byte for byte.
    pub seed: u64,
    /// The instruments.
    pub symbols: Vec<SymbolSpec>,
    /// First trading day (weekends are skipped).
    pub first_day: NaiveDate,
    /// Number of trading days.
    pub days: usize,
    /// Bars per session.
    pub bars_per_day: usize,
    /// Bar length in seconds.
    pub bar_seconds: i64,
    /// Session open, seconds after midnight UTC (52 200 = 14:30 UTC).
    pub session_open_secs: u32,
    /// Generate trades and order-book snapshots (more memory and time).
    pub microstructure: bool,
    /// Multiplies the number of injected events (1.0 = default density).
    pub event_density: f64,
}

impl Default for SimConfig {
    /// Five symbols, 20 trading days of 390 one-minute bars from Monday
    /// 2025-01-06, seed 42, microstructure on.
    fn default() -> Self {
        Self {
            seed: 42,
            symbols: vec![
                SymbolSpec::new("ACME", "Acme Corp", 120.0, 0.018, 4_000.0),
                SymbolSpec::new("BOLT", "Bolt Energy", 45.0, 0.025, 9_000.0),
                SymbolSpec::new("CRUX", "Crux Biotech", 18.0, 0.035, 15_000.0),
                SymbolSpec::new("DYNA", "Dyna Logistics", 75.0, 0.015, 3_000.0),
                SymbolSpec::new("EVER", "Evergreen Retail", 32.0, 0.020, 6_000.0),
            ],
            first_day: NaiveDate::from_ymd_opt(2025, 1, 6).expect("valid date"),
            days: 20,
            bars_per_day: 390,
            bar_seconds: 60,
            session_open_secs: 52_200,
            microstructure: true,
            event_density: 1.0,
        }
    }
}

impl SimConfig {
    /// The default market with another seed.
    pub fn with_seed(seed: u64) -> Self {
        Self { seed, ..Self::default() }
    }

    fn validate(&self) -> Result<()> {
        if self.symbols.is_empty() {
            return Err(Error::Empty { what: "symbols" });
        }
        if self.days == 0 {
            return Err(Error::param("days", self.days, "must be at least 1"));
        }
        if self.bars_per_day < 30 {
            return Err(Error::param("bars_per_day", self.bars_per_day, "must be at least 30"));
        }
        if self.bar_seconds <= 0 {
            return Err(Error::param("bar_seconds", self.bar_seconds, "must be > 0"));
        }
        if !(self.event_density.is_finite() && self.event_density >= 0.0) {
            return Err(Error::param("event_density", self.event_density, "must be a finite number >= 0"));
        }
        for s in &self.symbols {
            for (name, v) in [
                ("start_price", s.start_price),
                ("daily_volatility", s.daily_volatility),
                ("base_volume", s.base_volume),
            ] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(Error::param(name, v, format!("must be a finite number > 0 (symbol {})", s.ticker)));
                }
            }
        }
        Ok(())
    }
}

/// An unusual but explained episode, labelled normal (a hard negative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextEvent {
    /// The instrument.
    pub symbol: String,
    /// First affected bar.
    pub start: DateTime<Utc>,
    /// Last affected bar.
    pub end: DateTime<Utc>,
    /// What explains it, e.g. the earnings headline.
    pub explanation: String,
}

/// The simulator's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulatedMarket {
    /// The configuration that produced it.
    pub config: SimConfig,
    /// One bar series per symbol, in the order of `config.symbols`.
    pub series: Vec<BarSeries>,
    /// All trades, ordered by time (empty without microstructure).
    pub trades: Vec<Trade>,
    /// Order-book snapshots at each bar close (empty without microstructure).
    pub order_books: Vec<OrderBookSnapshot>,
    /// Headlines, ordered by time.
    pub news: Vec<NewsItem>,
    /// Mention counts per symbol and 30-minute bucket.
    pub social: Vec<SocialMentions>,
    /// Ground truth: every injected anomaly.
    pub labels: Vec<AnomalyLabel>,
    /// Explained episodes that are labelled normal.
    pub context_events: Vec<ContextEvent>,
}

impl SimulatedMarket {
    /// Runs the simulator.
    pub fn generate(config: &SimConfig) -> Result<Self> {
        config.validate()?;
        let timestamps = calendar::session_timestamps(
            config.first_day,
            config.days,
            config.session_open_secs,
            config.bars_per_day,
            config.bar_seconds,
        );
        let mut market = SimulatedMarket {
            config: config.clone(),
            series: Vec::new(),
            trades: Vec::new(),
            order_books: Vec::new(),
            news: Vec::new(),
            social: Vec::new(),
            labels: Vec::new(),
            context_events: Vec::new(),
        };
        let macro_shocks = macro_news(config, &timestamps, &mut market.news);
        for (k, spec) in config.symbols.iter().enumerate() {
            simulate_symbol(config, k as u64, spec, &timestamps, &macro_shocks, &mut market)?;
        }
        market.news.sort_by_key(|n| n.timestamp);
        market.trades.sort_by_key(|t| t.timestamp);
        market.order_books.sort_by_key(|b| b.timestamp);
        market.social.sort_by_key(|s| s.timestamp);
        Ok(market)
    }

    /// Symbols in configuration order.
    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.series.iter().map(|s| s.symbol())
    }

    /// The bar series of `symbol`.
    pub fn series(&self, symbol: &str) -> Option<&BarSeries> {
        self.series.iter().find(|s| s.symbol() == symbol)
    }

    /// Labels of one symbol.
    pub fn labels_for<'a>(&'a self, symbol: &'a str) -> impl Iterator<Item = &'a AnomalyLabel> + 'a {
        self.labels.iter().filter(move |l| l.symbol == symbol)
    }

    /// For each bar of `symbol`, the bar-visible pattern covering it, if any
    /// (see [`AnomalyPattern::visible_in_bars`]).
    pub fn bar_patterns(&self, symbol: &str) -> Vec<Option<AnomalyPattern>> {
        let Some(series) = self.series(symbol) else { return Vec::new() };
        let labels: Vec<&AnomalyLabel> = self.labels_for(symbol).filter(|l| l.pattern.visible_in_bars()).collect();
        series.bars().iter().map(|b| labels.iter().find(|l| l.contains(b.timestamp)).map(|l| l.pattern)).collect()
    }

    /// For each bar of `symbol`: `true` inside a bar-visible anomaly.
    pub fn bar_labels(&self, symbol: &str) -> Vec<bool> {
        self.bar_patterns(symbol).iter().map(Option::is_some).collect()
    }
}

/// The random stream of the macro headlines' text ("MACR").
const MACRO_TEXT_STREAM: u64 = 0x4d41_4352;

/// Market-wide headlines with a small common shock; returns (bar index, shock).
fn macro_news(config: &SimConfig, timestamps: &[DateTime<Utc>], news: &mut Vec<NewsItem>) -> Vec<(usize, f64)> {
    let mut rng = SimRng::new(config.seed, 0);
    let mut text_rng = SimRng::new(config.seed, MACRO_TEXT_STREAM);
    let mut shocks = Vec::new();
    for day in 0..config.days {
        if rng.chance(0.4) {
            let i = day * config.bars_per_day + rng.int(0, config.bars_per_day / 3);
            let shock = rng.range(-0.004, 0.004);
            // The draw of the first version's six-line headline pool, kept
            // so that the shocks (and so every bar) stay as published.
            let _ = rng.int(0, 5);
            news.push(NewsItem {
                timestamp: timestamps[i],
                symbol: None,
                headline: news_corpus::wire::macro_news(&mut text_rng),
                source: "newswire".into(),
            });
            shocks.push((i, shock));
        }
    }
    shocks
}

/// Intraday U-shape: about 1.8 at the open and close, 0.7 at midday.
fn u_shape(position: usize, bars_per_day: usize) -> f64 {
    let x = position as f64 / (bars_per_day - 1) as f64 * 2.0 - 1.0;
    0.7 + 1.1 * x * x
}

fn round_cents(p: f64) -> f64 {
    ((p * 100.0).round() / 100.0).max(0.01)
}

fn simulate_symbol(
    config: &SimConfig,
    k: u64,
    spec: &SymbolSpec,
    timestamps: &[DateTime<Utc>],
    macro_shocks: &[(usize, f64)],
    market: &mut SimulatedMarket,
) -> Result<()> {
    let n = timestamps.len();
    let bpd = config.bars_per_day;
    let mut plan_rng = SimRng::new(config.seed, 16 * k + 1);
    let mut path_rng = SimRng::new(config.seed, 16 * k + 2);
    let mut micro_rng = SimRng::new(config.seed, 16 * k + 3);
    let mut text_rng = SimRng::new(config.seed, 16 * k + 4);

    let events = events::plan(&mut plan_rng, n, config.event_density * config.days as f64 * bpd as f64 / 7800.0);
    let mut effects = vec![BarEffect::default(); n];
    for e in &events {
        effects::apply(&mut plan_rng, e, &mut effects);
    }
    for &(i, shock) in macro_shocks {
        effects[i].drift += shock;
        effects[i].volume *= 1.5;
    }
    record_events(spec, &events, timestamps, &mut text_rng, market);

    // GARCH(1,1) on bar returns, Student-t(5) innovations. The variance is
    // kept within [0.25, 6] x its long-run level: clusters, not explosions.
    let sigma_bar = spec.daily_volatility / (bpd as f64).sqrt();
    let (alpha, beta) = (0.04, 0.94);
    let long_run = sigma_bar * sigma_bar;
    let omega = sigma_bar * sigma_bar * (1.0 - alpha - beta);
    let mut variance = sigma_bar * sigma_bar;
    let mut bars = Vec::with_capacity(n);
    let mut close = spec.start_price;
    for i in 0..n {
        let position = i % bpd;
        let fx = effects[i];
        let noise = variance.sqrt() * u_shape(position, bpd).sqrt() * path_rng.student_t(5) * fx.noise;
        variance =
            (omega + alpha * (noise / fx.noise).powi(2) + beta * variance).clamp(0.25 * long_run, 6.0 * long_run);
        let gap = if position == 0 && i > 0 { path_rng.normal() * 0.3 * spec.daily_volatility } else { 0.0 };
        let open = round_cents(close * libm::exp(gap));
        let new_close = round_cents(open * libm::exp(noise + fx.drift));
        let wick = sigma_bar * 0.3;
        let high = round_cents(open.max(new_close) * libm::exp(path_rng.normal().abs() * wick));
        let low = round_cents(open.min(new_close) * libm::exp(-path_rng.normal().abs() * wick));
        let activity = 1.0 + 0.5 * ((noise + fx.drift).abs() / sigma_bar).min(10.0);
        let volume =
            (spec.base_volume * u_shape(position, bpd) * path_rng.lognormal(0.3) * activity * fx.volume).round();
        let bar = Bar { timestamp: timestamps[i], open, high, low, close: new_close, volume };
        if config.microstructure {
            microstructure::trades_for_bar(&mut micro_rng, &spec.ticker, i, &bar, &fx, &mut market.trades);
            let typical = spec.base_volume / 4.0;
            market.order_books.push(microstructure::book_for_bar(&mut micro_rng, &spec.ticker, i, &bar, &fx, typical));
        }
        bars.push(bar);
        close = new_close;
    }
    for start in (0..n).step_by(30) {
        let rate = 4.0 * effects[start..(start + 30).min(n)].iter().map(|e| e.social).fold(1.0, f64::max);
        market.social.push(SocialMentions {
            timestamp: timestamps[start],
            symbol: spec.ticker.clone(),
            mentions: text_rng.poisson(rate),
        });
    }
    market.series.push(BarSeries::new(spec.ticker.clone(), bars)?);
    Ok(())
}

/// Writes the labels, context events and headlines of one symbol's events.
fn record_events(
    spec: &SymbolSpec,
    events: &[PlannedEvent],
    ts: &[DateTime<Utc>],
    rng: &mut SimRng,
    market: &mut SimulatedMarket,
) {
    let sym = &spec.ticker;
    let label = |pattern, start: usize, end: usize| AnomalyLabel {
        symbol: sym.clone(),
        pattern,
        start: ts[start],
        end: ts[end],
    };
    let news = |i: usize, headline: String, source: &str| NewsItem {
        timestamp: ts[i],
        symbol: Some(sym.clone()),
        headline,
        source: source.to_string(),
    };
    for e in events {
        let (s, end) = (e.start, e.end());
        match e.kind {
            EventKind::Earnings { beat } => {
                let headline = news_corpus::wire::earnings(rng, &spec.name, sym, beat);
                market.context_events.push(ContextEvent {
                    symbol: sym.clone(),
                    start: ts[s],
                    end: ts[end],
                    explanation: format!("earnings: {headline}"),
                });
                market.news.push(news(s, headline, "newswire"));
            }
            EventKind::Routine => {
                market.news.push(news(s, news_corpus::wire::routine(rng, &spec.name, sym), "newswire"))
            }
            EventKind::LargePrint => market.labels.push(label(AnomalyPattern::LargePrint, s, end)),
            EventKind::PriceSpike { .. } => market.labels.push(label(AnomalyPattern::PriceSpike, s, end)),
            EventKind::VolumeSurgeNoNews => market.labels.push(label(AnomalyPattern::VolumeSurgeNoNews, s, end)),
            EventKind::PumpAndDump { accumulate, .. } => {
                market.labels.push(label(AnomalyPattern::PumpAndDump, s, end));
                let spam_at = s + accumulate - 5;
                market.labels.push(label(AnomalyPattern::PumpSpam, spam_at, spam_at));
                market.news.push(news(spam_at, news_corpus::wire::pump_spam(rng, &spec.name, sym), "social"));
            }
            EventKind::FlashCrash { .. } => market.labels.push(label(AnomalyPattern::FlashCrash, s, end)),
            EventKind::WashTrading => market.labels.push(label(AnomalyPattern::WashTrading, s, end)),
            EventKind::Spoofing => market.labels.push(label(AnomalyPattern::Spoofing, s, end)),
            EventKind::FakeInsider => {
                market.labels.push(label(AnomalyPattern::FakeInsider, s, end));
                market.news.push(news(s, news_corpus::wire::fake_insider(rng, &spec.name, sym), "forum"));
            }
        }
    }
}
