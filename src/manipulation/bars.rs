//! The manipulation detector when only OHLCV bars exist (a bar file, a
//! chart API): pump-and-dump and flash crashes from the price move and the
//! volume surge of the last few bars.
//!
//! Bars carry far less than prints. There is no taker side, so a pump
//! cannot be told from good news by its one-sided buying; there is no trade
//! count or order size, so wash trading and whale orders are not visible
//! at all; and an alert can come only when a bar closes. The scores are
//! the trade detector's without the flow: for each window of `w` bars,
//!
//! * `return_z`: the close-to-close log change over `w` bars, in units of
//!   the running one-bar volatility times `√w`;
//! * `volume_z`: the mean z of `ln(volume + v₀)` over the `w` bars (running
//!   mean and variance; `v₀` is 5 % of the history's median bar volume, so
//!   a bar without trades stays finite and the unit of volume does not
//!   matter), times `√w`;
//!
//! pump = `min(return_z, volume_z)`, crash = `min(−return_z, volume_z)`,
//! the larger over the windows. Alerts carry [`Evidence::BarsOnly`], whose
//! confidence is weighted down by [`crate::alert::BARS_ONLY_CONFIDENCE`].
//! After a pause of more than ten bar lengths (a night or a weekend for
//! intraday bars, an exchange's maintenance) the windows start again: no
//! return is measured across it, and the open alerts close. Shorter gaps
//! (a weekend between daily bars, an empty minute) are read as if the bars
//! were consecutive; fill empty minutes with zero-volume bars when you
//! have them (as the examples do for bars made from trades).
//! An alert is timed at the close of the bar that raised it (the bar
//! length is the history's median spacing). One update per bar, O(1),
//! nothing allocated unless an alert closes.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::alert::{AlertInterval, AnomalyType, BarIndicators, Calibrator, Evidence, IntervalMerger, Scored, Source};
use crate::data::Bar;
use crate::error::{Error, Result};

/// The longest window, in bars.
const MAX_WINDOW: usize = 8;
/// A pause longer than this many bar lengths breaks the series.
const BREAK_BARS: i32 = 10;
/// The smallest one-bar variance of the log price (a volatility of 0.001 %).
const MIN_VARIANCE: f64 = 1e-10;

/// Settings of [`BarManipulationDetector`]; the defaults suit one-minute
/// bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BarManipulationConfig {
    /// Window lengths of the scores, bars (each 1 to 8).
    pub windows: [usize; 2],
    /// Half-life of the running volatility and volume statistics, bars.
    pub half_life_bars: f64,
    /// Threshold of the pump score (z units).
    pub pump_threshold: f64,
    /// Threshold of the crash score (z units).
    pub crash_threshold: f64,
    /// Quiet bars an alert may contain before it closes.
    pub merge_gap_bars: usize,
    /// A fall this many bars after a pump alert is its dump, and a rise
    /// after a crash its recovery.
    pub follow_up_bars: usize,
    /// Bars at the start of the history used only to warm up (not for the
    /// calibration).
    pub warm_up_bars: usize,
}

impl Default for BarManipulationConfig {
    fn default() -> Self {
        Self {
            windows: [1, 3],
            half_life_bars: 60.0,
            pump_threshold: 5.0,
            crash_threshold: 5.0,
            merge_gap_bars: 1,
            follow_up_bars: 30,
            warm_up_bars: 120,
        }
    }
}

/// The two scores of one bar (raw: higher = more suspicious).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarScores {
    /// The bar's open time.
    pub timestamp: DateTime<Utc>,
    /// Pump score, then crash score.
    pub scores: [f64; 2],
}

/// Pump-and-dump and flash crashes from bars alone; see the module
/// documentation.
#[derive(Debug, Clone)]
pub struct BarManipulationDetector {
    config: BarManipulationConfig,
    /// The last closes and `ln(volume + v₀)`s, the newest at `seen % (MAX_WINDOW + 1)`.
    closes: [f64; MAX_WINDOW + 1],
    log_volumes: [f64; MAX_WINDOW + 1],
    seen: usize,
    /// Bars since the last break, the newest included.
    run: usize,
    variance: f64,
    volume_mean: f64,
    volume_variance: f64,
    alpha: f64,
    /// `v₀`, added to every volume before its logarithm.
    volume_floor: f64,
    /// The usual spacing of the bars: an alert is timed at its bar's close.
    bar_length: chrono::TimeDelta,
    last: Option<DateTime<Utc>>,
    last_pump_hit: Option<usize>,
    last_crash_hit: Option<usize>,
    mergers: [IntervalMerger; 2],
    calibrators: Option<Box<[Calibrator; 2]>>,
    alerts: Vec<AlertInterval>,
    log: Option<Vec<BarScores>>,
}

impl BarManipulationDetector {
    /// Fits the detector on `history` (a day or more of one symbol's bars,
    /// oldest first): the running statistics by going through it, and one
    /// calibrator per score on the bars after the warm-up. Errors on bad
    /// settings, fewer than `warm_up_bars + 60` bars, or a bad bar (named
    /// by its position).
    pub fn fit(symbol: &str, history: &[Bar], config: BarManipulationConfig) -> Result<Self> {
        validate(&config)?;
        let needed = config.warm_up_bars + 60;
        if history.len() < needed {
            return Err(Error::param(
                "history",
                format!("{} bars", history.len()),
                format!("{symbol}: fitting on bars needs at least {needed} (warm-up {} + 60)", config.warm_up_bars),
            ));
        }
        let mut spacings: Vec<chrono::TimeDelta> =
            history.windows(2).map(|w| w[1].timestamp - w[0].timestamp).collect();
        spacings.sort();
        let bar_length = spacings[spacings.len() / 2].max(chrono::TimeDelta::seconds(1));
        let mut volumes: Vec<f64> = history.iter().map(|b| b.volume).filter(|v| *v > 0.0).collect();
        volumes.sort_by(f64::total_cmp);
        let volume_floor = volumes.get(volumes.len() / 2).map_or(1.0, |median| 0.05 * median);
        let symbol: Arc<str> = symbol.into();
        let merger = || IntervalMerger::new(Source::Bars, Arc::clone(&symbol), config.merge_gap_bars);
        let mut detector = Self {
            alpha: 1.0 - libm::exp2(-1.0 / config.half_life_bars),
            bar_length,
            volume_floor,
            mergers: [merger(), merger()],
            closes: [0.0; MAX_WINDOW + 1],
            log_volumes: [0.0; MAX_WINDOW + 1],
            seen: 0,
            run: 0,
            variance: 0.0,
            volume_mean: 0.0,
            volume_variance: 0.0,
            last: None,
            last_pump_hit: None,
            last_crash_hit: None,
            calibrators: None,
            alerts: Vec::new(),
            log: Some(Vec::with_capacity(history.len())),
            config,
        };
        for bar in history {
            detector.push(bar)?;
        }
        detector.flush_alerts();
        detector.alerts.clear();
        let log = detector.log.take().unwrap_or_default();
        let reference = &log[detector.config.warm_up_bars.min(log.len())..];
        let fit_one = |k: usize| Calibrator::fit(&reference.iter().map(|s| s.scores[k]).collect::<Vec<_>>());
        detector.calibrators = Some(Box::new([fit_one(0)?, fit_one(1)?]));
        Ok(detector)
    }

    /// The settings.
    pub fn config(&self) -> &BarManipulationConfig {
        &self.config
    }

    /// The bar length read off the history (the median spacing): alerts
    /// are timed at the close of the bar that raised them.
    pub fn bar_length(&self) -> chrono::TimeDelta {
        self.bar_length
    }

    /// Keeps every bar's scores from now on (for evaluation).
    pub fn record_scores(&mut self) {
        self.log.get_or_insert_with(Vec::new);
    }

    /// The scores recorded since [`Self::record_scores`].
    pub fn take_scores(&mut self) -> Vec<BarScores> {
        self.log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Takes the next bar: scores it, then learns from it. A bar that is
    /// invalid (NaN, negative volume, high below low) or not later than
    /// the one before is refused, naming it.
    pub fn push(&mut self, bar: &Bar) -> Result<()> {
        bar.validate(self.seen)?;
        if let Some(last) = self.last
            && bar.timestamp <= last
        {
            return Err(Error::InvalidValue {
                field: "timestamp",
                row: self.seen,
                value: format!("{} after {last}", bar.timestamp),
                reason: "bars must be in time order, one per timestamp",
            });
        }
        if bar.close <= 0.0 {
            return Err(Error::InvalidValue {
                field: "close",
                row: self.seen,
                value: bar.close.to_string(),
                reason: "a price must be > 0",
            });
        }
        if let Some(last) = self.last
            && bar.timestamp - last > self.bar_length * BREAK_BARS
        {
            self.flush_alerts();
            self.run = 0;
        }
        self.last = Some(bar.timestamp);
        self.run += 1;
        let slot = self.seen % (MAX_WINDOW + 1);
        self.closes[slot] = bar.close;
        self.log_volumes[slot] = (bar.volume + self.volume_floor).ln();
        let scored = self.score();
        if let Some((scores, indicators)) = scored {
            if let Some(log) = &mut self.log {
                log.push(BarScores { timestamp: bar.timestamp, scores });
            }
            self.classify(bar.timestamp + self.bar_length, scores, indicators);
        }
        self.learn();
        self.seen += 1;
        Ok(())
    }

    /// Alerts closed since the last call, oldest first.
    pub fn take_alerts(&mut self) -> Vec<AlertInterval> {
        std::mem::take(&mut self.alerts)
    }

    /// Closes the open alerts (end of data, or before a gap).
    pub fn flush_alerts(&mut self) {
        for k in 0..2 {
            if let Some(alert) = self.mergers[k].finish() {
                self.close(k, alert);
            }
        }
        self.alerts.sort_by_key(|a| a.start);
    }

    /// The bar `back` bars ago (0: the newest), as (close, ln(volume + v₀)).
    fn at(&self, back: usize) -> (f64, f64) {
        let slot = (self.seen + (MAX_WINDOW + 1) - back) % (MAX_WINDOW + 1);
        (self.closes[slot], self.log_volumes[slot])
    }

    /// Both scores and the indicators of each, once the windows are full.
    fn score(&self) -> Option<([f64; 2], [BarIndicators; 2])> {
        if self.seen < 2 {
            return None;
        }
        // A flat start (equal closes) must not leave a zero volatility.
        let variance = self.variance.max(MIN_VARIANCE);
        let volume_sd = self.volume_variance.sqrt().max(1e-9);
        let mut best = [(f64::NEG_INFINITY, None), (f64::NEG_INFINITY, None)];
        // Only windows that lie inside the bars since the last break.
        for &w in self.config.windows.iter().filter(|&&w| w < self.run) {
            let (close, _) = self.at(0);
            let (before, _) = self.at(w);
            let r = (close / before).ln();
            let return_z = r / (variance * w as f64).sqrt();
            let excess: f64 = (0..w).map(|b| self.at(b).1 - self.volume_mean).sum();
            let volume_z = excess / (volume_sd * (w as f64).sqrt());
            let indicators = BarIndicators { bars: w as u32, return_pct: 100.0 * r.exp_m1(), return_z, volume_z };
            for (k, score) in [return_z.min(volume_z), (-return_z).min(volume_z)].into_iter().enumerate() {
                if score > best[k].0 {
                    best[k] = (score, Some(indicators));
                }
            }
        }
        match best {
            [(pump, Some(p)), (crash, Some(c))] => Some(([pump, crash], [p, c])),
            _ => None,
        }
    }

    fn classify(&mut self, at: DateTime<Utc>, scores: [f64; 2], indicators: [BarIndicators; 2]) {
        let thresholds = [self.config.pump_threshold, self.config.crash_threshold];
        let hit = |k: usize| scores[k] > thresholds[k];
        let n = self.seen;
        let soon_after = |last: Option<usize>| last.is_some_and(|p| n - p <= self.config.follow_up_bars);
        let is_dump = hit(1) && soon_after(self.last_pump_hit);
        let is_recovery = hit(0) && !is_dump && soon_after(self.last_crash_hit) && !soon_after(self.last_pump_hit);
        if hit(0) && !is_recovery {
            self.last_pump_hit = Some(n);
        }
        if hit(1) && !is_dump {
            self.last_crash_hit = Some(n);
        }
        // A dump joins its pump's alert, a recovery its crash's.
        let candidates = [
            if hit(0) && !is_recovery {
                Some((AnomalyType::PumpAndDump, scores[0], indicators[0]))
            } else if is_dump {
                Some((AnomalyType::PumpAndDump, scores[1], indicators[1]))
            } else {
                None
            },
            if hit(1) && !is_dump {
                Some((AnomalyType::FlashCrash, scores[1], indicators[1]))
            } else if is_recovery {
                Some((AnomalyType::FlashCrash, scores[0], indicators[0]))
            } else {
                None
            },
        ];
        for (k, candidate) in candidates.into_iter().enumerate() {
            let closed = match candidate {
                Some((kind, score, x)) => {
                    let scored = Scored::new(score, kind, Evidence::BarsOnly(x));
                    self.mergers[k].push_classified(at, kind, &scored, thresholds[k])
                }
                None => {
                    let quiet = Scored::new(scores[k], AnomalyType::Normal, Evidence::feature("quiet", 0.0));
                    self.mergers[k].push_classified(at, AnomalyType::Normal, &quiet, thresholds[k])
                }
            };
            if let Some(alert) = closed {
                self.close(k, alert);
            }
        }
    }

    fn close(&mut self, k: usize, mut alert: AlertInterval) {
        if let Some(c) = &self.calibrators {
            alert.calibrate(&c[k]);
        }
        self.alerts.push(alert);
    }

    /// Running statistics, after scoring.
    fn learn(&mut self) {
        let (close, log_volume) = self.at(0);
        let a = self.alpha;
        if self.seen >= 1 {
            if self.run >= 2 {
                let (before, _) = self.at(1);
                let r = (close / before).ln();
                self.variance = if self.variance == 0.0 { r * r } else { self.variance + a * (r * r - self.variance) };
            }
            let d = log_volume - self.volume_mean;
            self.volume_mean += a * d;
            self.volume_variance = (1.0 - a) * (self.volume_variance + a * d * d);
        } else {
            self.volume_mean = log_volume;
        }
    }
}

fn validate(config: &BarManipulationConfig) -> Result<()> {
    for w in config.windows {
        if !(1..=MAX_WINDOW).contains(&w) {
            return Err(Error::param("windows", w, format!("each window must be 1 to {MAX_WINDOW} bars")));
        }
    }
    if !(config.half_life_bars.is_finite() && config.half_life_bars >= 1.0) {
        return Err(Error::param("half_life_bars", config.half_life_bars, "must be a finite number >= 1"));
    }
    for (name, t) in [("pump_threshold", config.pump_threshold), ("crash_threshold", config.crash_threshold)] {
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::param(name, t, "must be a finite number > 0"));
        }
    }
    Ok(())
}
