//! Scanning bar series for unusual trading: the pipeline of example 01,
//! kept in the library so it is tested and reusable.
//!
//! 1. One global cutoff splits time into a training and a test period
//!    ([`crate::eval::TemporalSplit::cutoff_for_fraction`]): every training
//!    bar of every symbol is older than every test bar.
//! 2. Per symbol, a [`PriceVolumeDetector`] scores every bar after its
//!    warm-up, score first, then learn. It keeps learning in the test period,
//!    as it would in production. After a pause of more than
//!    [`SESSION_GAP_FACTOR`] typical bar spacings (a night, a weekend, a
//!    maintenance window) the first bar's return is measured from its own
//!    open, so session gaps do not read as price spikes.
//! 3. The threshold is fitted on the training scores only (a contamination
//!    quantile), or fixed by the user.
//! 4. A [`Calibrator`] fitted on the same training scores gives every alert
//!    a probability.
//! 5. Alerts and metrics come from the test period only.
//!
//! [`scan`] runs the price/volume detector chosen by [`ScanConfig`];
//! [`scan_with`] runs any [`BarDetectorFactory`], a detector of your own
//! included.

pub mod stream;
mod summary;

pub use stream::{StreamConfig, StreamScan, StreamSummary, StreamThreshold};
pub use summary::{PatternRecall, Summary};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::{AlertInterval, BarDetector, BarDetectorFactory, Calibrator, IntervalMerger, Scored, Source};
use crate::data::{AnomalyPattern, Bar, BarSeries};
use crate::detect::threshold::empirical_quantile;
use crate::detect::{PriceVolumeConfig, PriceVolumeDetector};
use crate::error::{Error, Result};
use crate::eval::TemporalSplit;

/// Which running statistics the detector uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Estimator {
    /// Rolling mean and standard deviation.
    ZScore,
    /// Rolling median and MAD.
    Mad,
    /// Exponentially weighted mean and variance.
    Ewma,
}

/// How the alert threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ThresholdChoice {
    /// A fixed z-score.
    Fixed(f64),
    /// The `1 − c` quantile of the training-period scores; with fewer than
    /// [`MIN_TRAINING_SCORES`] of them, [`FALLBACK_THRESHOLD`] instead.
    Contamination(f64),
    /// The `1 − fpr` quantile of the scores of the training bars labelled
    /// normal, so that about a share `fpr` of normal bars alerts (needs
    /// labels; the same fallback and floor as `Contamination`).
    TargetFalsePositiveRate(f64),
}

/// Settings of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScanConfig {
    /// Detector window (bars).
    pub window: usize,
    /// Running statistics.
    pub estimator: Estimator,
    /// Share of the time span used for training (0..1).
    pub train_fraction: f64,
    /// Threshold policy.
    pub threshold: ThresholdChoice,
    /// Normal bars tolerated inside one alert interval. Independently of it,
    /// an interval never spans a session break (overnight, weekend).
    pub merge_gap: usize,
    /// The lowest threshold a contamination quantile may give (see
    /// [`MIN_FITTED_THRESHOLD`]); a fixed threshold is used as given.
    pub threshold_floor: f64,
}

/// The default detector window, in bars: long enough that a week of wild
/// swings does not hide the next crash, and that the rare largest moves of a
/// long history stand out (measured on real histories and on the simulator
/// by the `defaults_on_real_data` example).
pub const DEFAULT_WINDOW: usize = 500;

/// Shortest window [`window_for`] picks.
pub const MIN_AUTO_WINDOW: usize = 20;

/// The default window for a file whose shortest symbol has `bars` bars:
/// [`DEFAULT_WINDOW`], or a quarter of the bars when that is shorter (a
/// year of daily bars gets 63), never below [`MIN_AUTO_WINDOW`].
pub fn window_for(bars: usize) -> usize {
    (bars / 4).clamp(MIN_AUTO_WINDOW, DEFAULT_WINDOW)
}

impl Default for ScanConfig {
    /// Window [`DEFAULT_WINDOW`] bars, rolling z-score, 30 % training,
    /// threshold at the 99th percentile of training scores but at least
    /// [`MIN_FITTED_THRESHOLD`], merge gap 3 bars.
    fn default() -> Self {
        Self {
            window: DEFAULT_WINDOW,
            estimator: Estimator::ZScore,
            train_fraction: 0.3,
            threshold: ThresholdChoice::Contamination(0.01),
            merge_gap: 3,
            threshold_floor: MIN_FITTED_THRESHOLD,
        }
    }
}

/// One symbol to scan, with optional ground truth.
#[derive(Debug, Clone)]
pub struct ScanInput {
    /// The bars.
    pub series: BarSeries,
    /// `true` for anomalous bars, when known.
    pub labels: Option<Vec<bool>>,
    /// The labelled pattern of each bar, when known (for per-pattern recall).
    pub patterns: Option<Vec<Option<AnomalyPattern>>>,
    /// Bars whose label is unknown (an unreadable `label` value): they are
    /// scored and can raise alerts, but are left out of every metric.
    pub excluded_from_metrics: Option<Vec<bool>>,
}

impl ScanInput {
    /// A series without ground truth.
    pub fn unlabelled(series: BarSeries) -> Self {
        Self { series, labels: None, patterns: None, excluded_from_metrics: None }
    }

    /// A series with one label per bar.
    pub fn labelled(series: BarSeries, labels: Vec<bool>) -> Self {
        Self { series, labels: Some(labels), patterns: None, excluded_from_metrics: None }
    }

    /// Every series of a simulated market with its labels and patterns.
    pub fn from_market(market: &crate::simulate::SimulatedMarket) -> Vec<Self> {
        market
            .series
            .iter()
            .map(|s| Self {
                series: s.clone(),
                labels: Some(market.bar_labels(s.symbol())),
                patterns: Some(market.bar_patterns(s.symbol())),
                excluded_from_metrics: None,
            })
            .collect()
    }
}

/// Per-symbol results.
#[derive(Debug, Clone)]
pub struct SymbolScan {
    /// The instrument.
    pub symbol: String,
    /// Bar timestamps.
    pub timestamps: Vec<DateTime<Utc>>,
    /// Closing prices.
    pub closes: Vec<f64>,
    /// Raw scores with their evidence (`None` during warm-up).
    pub scores: Vec<Option<Scored>>,
    /// First test-period bar.
    pub test_start: usize,
    /// The labels, if given.
    pub labels: Option<Vec<bool>>,
    /// The patterns, if given.
    pub patterns: Option<Vec<Option<AnomalyPattern>>>,
    /// Bars left out of the metrics (unknown label), if any.
    pub excluded_from_metrics: Option<Vec<bool>>,
}

/// Everything a scan produced.
#[derive(Debug, Clone)]
pub struct ScanReport {
    /// The settings used.
    pub config: ScanConfig,
    /// First timestamp of the test period.
    pub cutoff: DateTime<Utc>,
    /// The threshold in force.
    pub threshold: f64,
    /// Where the threshold came from, in words.
    pub threshold_source: String,
    /// Fitted on the training scores; `None` when there were none.
    pub calibrator: Option<Calibrator>,
    /// The detector, in words.
    pub detector: String,
    /// Per-symbol scores.
    pub symbols: Vec<SymbolScan>,
    /// Alerts of the test period, ordered by start time.
    pub alerts: Vec<AlertInterval>,
    /// Metrics over the test period.
    pub summary: Summary,
}

/// Fewest training scores a contamination quantile is fitted on.
pub const MIN_TRAINING_SCORES: usize = 100;

/// The z-score threshold used when the training period is too short to fit
/// a quantile (a short daily file, for example); the report says so.
pub const FALLBACK_THRESHOLD: f64 = 4.0;

/// The default lowest fitted threshold. A training period that is calmer
/// than what follows (a quiet year before a crisis) or mostly flat (a halt,
/// forward-filled bars, a constant file) gives a low quantile that would
/// flag far more than the contamination on later data; the fitted threshold
/// is raised to this z-score instead, and the report says so.
pub const MIN_FITTED_THRESHOLD: f64 = 4.0;

impl ScanConfig {
    fn validate(&self) -> Result<()> {
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(Error::param("train_fraction", self.train_fraction, "must be strictly between 0 and 1"));
        }
        if !(self.threshold_floor.is_finite() && self.threshold_floor > 0.0) {
            return Err(Error::param("threshold_floor", self.threshold_floor, "must be a finite number > 0"));
        }
        match self.threshold {
            ThresholdChoice::Fixed(t) if !(t.is_finite() && t > 0.0) => {
                Err(Error::param("threshold", t, "must be a finite number > 0"))
            }
            ThresholdChoice::Contamination(c) if !(c > 0.0 && c <= 0.5) => {
                Err(Error::param("contamination", c, "must be in (0, 0.5]"))
            }
            ThresholdChoice::TargetFalsePositiveRate(f) if !(f > 0.0 && f <= 0.5) => {
                Err(Error::param("fpr", f, "must be in (0, 0.5]"))
            }
            _ => Ok(()),
        }
    }
}

/// The price/volume detector of [`ScanConfig::estimator`] and
/// [`ScanConfig::window`], as a factory for [`scan_with`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceVolumeFactory {
    /// Running statistics.
    pub estimator: Estimator,
    /// Window in bars.
    pub window: usize,
}

impl BarDetectorFactory for PriceVolumeFactory {
    type Detector = Box<dyn BarDetector + Send>;

    fn build(&self, _training: &[Bar]) -> Result<Self::Detector> {
        let cfg = PriceVolumeConfig::for_bars(self.window);
        Ok(match self.estimator {
            Estimator::ZScore => Box::new(PriceVolumeDetector::zscore(cfg)?),
            Estimator::Mad => Box::new(PriceVolumeDetector::mad(cfg)?),
            Estimator::Ewma => Box::new(PriceVolumeDetector::ewma(cfg)?),
        })
    }

    fn warm_up(&self) -> usize {
        self.window
    }

    fn describe(&self) -> String {
        format!("{:?}, window {} bars (log return of close, log volume)", self.estimator, self.window)
    }
}

/// Runs the scan over all inputs with the price/volume detector of `config`.
pub fn scan(inputs: &[ScanInput], config: &ScanConfig) -> Result<ScanReport> {
    scan_with(inputs, config, &PriceVolumeFactory { estimator: config.estimator, window: config.window })
}

/// Runs the scan over all inputs with any detector: `factory` builds one
/// per symbol from its training bars. `config.estimator` and
/// `config.window` are not used: every series must be longer than
/// [`BarDetectorFactory::warm_up`]. Thresholds (fixed, the floor, the
/// fallback) are in the detector's score units; the defaults suit z-scores.
/// A batch detector's training scores are in-sample, so the threshold and
/// the calibrator fitted on them are optimistic for it. A score that is not
/// finite stops the scan with an error naming the symbol and the bar.
pub fn scan_with<F: BarDetectorFactory>(inputs: &[ScanInput], config: &ScanConfig, factory: &F) -> Result<ScanReport> {
    config.validate()?;
    if inputs.is_empty() {
        return Err(Error::Empty { what: "scan inputs" });
    }
    let start = inputs.iter().map(|i| i.series.bars()[0].timestamp).min().expect("not empty");
    let end = inputs.iter().map(|i| i.series.bars()[i.series.len() - 1].timestamp).max().expect("not empty");
    if start == end {
        return Err(Error::param("input", "1 timestamp", "need bars at two different times at least"));
    }
    let cutoff = TemporalSplit::cutoff_for_fraction(start, end, config.train_fraction)?;
    let mut symbols = Vec::with_capacity(inputs.len());
    for input in inputs {
        input.series.check_window(factory.warm_up() + 1)?;
        let n = input.series.len();
        for (what, len) in [
            ("labels", input.labels.as_ref().map(Vec::len)),
            ("patterns", input.patterns.as_ref().map(Vec::len)),
            ("excluded_from_metrics", input.excluded_from_metrics.as_ref().map(Vec::len)),
        ] {
            if let Some(len) = len.filter(|&l| l != n) {
                return Err(Error::LengthMismatch { left: "bars", left_len: n, right: what, right_len: len });
            }
        }
        let test_start = input.series.bars().partition_point(|b| b.timestamp < cutoff);
        let detector = factory.build(&input.series.bars()[..test_start])?;
        let scores = run(detector, &input.series)?;
        symbols.push(SymbolScan {
            symbol: input.series.symbol().to_string(),
            timestamps: input.series.timestamps(),
            closes: input.series.closes(),
            scores,
            test_start,
            labels: input.labels.clone(),
            patterns: input.patterns.clone(),
            excluded_from_metrics: input.excluded_from_metrics.clone(),
        });
    }
    let (threshold, threshold_source) = fit_threshold(&symbols, config, factory)?;
    let training: Vec<f64> = training_scores(&symbols).collect();
    let calibrator = if training.is_empty() { None } else { Some(Calibrator::fit(&training)?) };
    let alerts = alerts(&symbols, threshold, config.merge_gap, calibrator.as_ref());
    let summary = Summary::compute(&symbols, &alerts, threshold)?;
    Ok(ScanReport {
        config: *config,
        cutoff,
        threshold,
        threshold_source,
        calibrator,
        detector: factory.describe(),
        symbols,
        alerts,
        summary,
    })
}

/// The raw scores of every symbol's training period.
fn training_scores(symbols: &[SymbolScan]) -> impl Iterator<Item = f64> + '_ {
    symbols.iter().flat_map(|s| s.scores[..s.test_start].iter().flatten().map(|x| x.score))
}

/// A pause longer than this many typical bar spacings starts a new session.
pub const SESSION_GAP_FACTOR: i64 = 10;

// ANCHOR: run
fn run<D: BarDetector>(mut d: D, s: &BarSeries) -> Result<Vec<Option<Scored>>> {
    let bars = s.bars();
    let session_gap = session_gap(&s.timestamps());
    let mut out = Vec::with_capacity(bars.len());
    for (i, b) in bars.iter().enumerate() {
        if let (Some(gap), Some(prev)) = (session_gap, i.checked_sub(1).map(|j| bars[j]))
            && b.timestamp - prev.timestamp > gap
        {
            d.new_session(b)?;
        }
        let scored = d.process(b)?;
        if let Some(x) = &scored {
            check_score(s.symbol(), b, i, x)?;
        }
        out.push(scored);
    }
    Ok(out)
}
// ANCHOR_END: run

/// Refuses a score no detector may return (NaN, ±∞), naming the symbol,
/// the bar and the value.
pub(crate) fn check_score(symbol: &str, bar: &Bar, row: usize, scored: &Scored) -> Result<()> {
    if scored.score.is_finite() {
        return Ok(());
    }
    Err(Error::InvalidValue {
        field: "score",
        row,
        value: format!("{} ({symbol} at {})", scored.score, bar.timestamp),
        reason: "a detector must return finite scores",
    })
}

/// The pause that starts a new session: [`SESSION_GAP_FACTOR`] times the
/// median spacing between consecutive timestamps (`None` for fewer than 2).
pub(crate) fn session_gap(timestamps: &[DateTime<Utc>]) -> Option<chrono::Duration> {
    let mut gaps: Vec<chrono::Duration> = timestamps.windows(2).map(|w| w[1] - w[0]).collect();
    if gaps.is_empty() {
        return None;
    }
    let mid = gaps.len() / 2;
    Some(*gaps.select_nth_unstable(mid).1 * SESSION_GAP_FACTOR as i32)
}

fn fit_threshold<F: BarDetectorFactory>(
    symbols: &[SymbolScan],
    config: &ScanConfig,
    factory: &F,
) -> Result<(f64, String)> {
    let (warm_up, fallback) = (factory.warm_up(), factory.fallback_threshold());
    // (scores, quantile level, what they are, the same for the fallback message)
    let (train, level, what, bars): (Vec<f64>, f64, &str, &str) = match config.threshold {
        ThresholdChoice::Fixed(t) => return Ok((t, format!("fixed at {t}"))),
        ThresholdChoice::Contamination(c) => {
            (training_scores(symbols).collect(), 1.0 - c, "training scores", "scored bars")
        }
        ThresholdChoice::TargetFalsePositiveRate(f) => {
            if symbols.iter().any(|s| s.labels.is_none()) {
                return Err(Error::param(
                    "threshold",
                    format!("target false-positive rate {f}"),
                    "needs labels: it is fitted on the scores of the training bars labelled normal",
                ));
            }
            let what = "training scores of bars labelled normal";
            (normal_training_scores(symbols).collect(), 1.0 - f, what, "scored bars labelled normal")
        }
    };
    if train.len() < MIN_TRAINING_SCORES {
        return Ok((
            fallback,
            format!(
                "fixed at {fallback}: the training period has only {} {bars} after the {warm_up}-bar warm-up, fewer than the {MIN_TRAINING_SCORES} a quantile needs",
                train.len(),
            ),
        ));
    }
    let quantile = empirical_quantile(&train, level)?;
    let fitted = format!("{:.1}th percentile of {} {what}", 100.0 * level, train.len());
    let floor = config.threshold_floor;
    if quantile < floor {
        let flat = train.iter().filter(|&&x| x == 0.0).count();
        return Ok((
            floor,
            format!(
                "raised to the floor {floor}: the {fitted} is {:.3}{}",
                quantile,
                if flat > 0 {
                    format!(
                        "; {:.1} % of them are exactly 0 (flat stretches: a halt, forward-filled or constant prices)",
                        100.0 * flat as f64 / train.len() as f64
                    )
                } else {
                    String::new()
                }
            ),
        ));
    }
    Ok((quantile, fitted))
}

/// The raw scores of the training bars labelled normal (unknown labels left out).
fn normal_training_scores(symbols: &[SymbolScan]) -> impl Iterator<Item = f64> + '_ {
    symbols.iter().flat_map(|s| {
        let labels = s.labels.as_deref().unwrap_or(&[]);
        let excluded = s.excluded_from_metrics.as_deref();
        (0..s.test_start).filter_map(move |i| {
            let normal = labels.get(i) == Some(&false) && excluded.is_none_or(|e| !e[i]);
            s.scores[i].as_ref().filter(|_| normal).map(|x| x.score)
        })
    })
}

fn alerts(
    symbols: &[SymbolScan],
    threshold: f64,
    merge_gap: usize,
    calibrator: Option<&Calibrator>,
) -> Vec<AlertInterval> {
    let mut out = Vec::new();
    let unscored = Scored::new(0.0, crate::alert::AnomalyType::Normal, crate::alert::Evidence::price_volume(0.0, 0.0));
    for s in symbols {
        let mut merger = IntervalMerger::new(Source::Bars, s.symbol.as_str(), merge_gap);
        let session_gap = session_gap(&s.timestamps);
        for i in s.test_start..s.scores.len() {
            // An alert never spans a session break (Friday close + Monday open).
            if i > 0 && session_gap.is_some_and(|g| s.timestamps[i] - s.timestamps[i - 1] > g) {
                out.extend(merger.finish());
            }
            out.extend(merger.push(s.timestamps[i], s.scores[i].as_ref().unwrap_or(&unscored), threshold));
        }
        out.extend(merger.finish());
    }
    if let Some(c) = calibrator {
        out.iter_mut().for_each(|a| a.calibrate(c));
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.symbol.cmp(&b.symbol)));
    out
}

impl ScanReport {
    /// Recomputes [`Self::summary`] after a later stage marked alerts
    /// explained or escalated (see [`Summary::explained_alerts`]).
    pub fn recompute_summary(&mut self) -> Result<()> {
        self.summary = Summary::compute(&self.symbols, &self.alerts, self.threshold)?;
        Ok(())
    }

    /// The time of the bar of `symbol` just before `t` (`None` for the first
    /// bar or an unknown symbol). For the first bar of a session it is the
    /// previous session's last bar, so that news of the night or weekend
    /// lies between the two.
    pub fn previous_bar(&self, symbol: &str, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let s = self.symbols.iter().find(|s| s.symbol == symbol)?;
        let at = s.timestamps.partition_point(|&x| x < t);
        at.checked_sub(1).map(|i| s.timestamps[i])
    }

    /// The time of the bar of `symbol` just after `t` (`None` after the
    /// last bar or for an unknown symbol): where the bar at `t` ends.
    pub fn next_bar(&self, symbol: &str, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let s = self.symbols.iter().find(|s| s.symbol == symbol)?;
        s.timestamps.get(s.timestamps.partition_point(|&x| x <= t)).copied()
    }

    /// The median spacing of `symbol`'s bars (`None` for fewer than two bars
    /// or an unknown symbol).
    pub fn bar_spacing(&self, symbol: &str) -> Option<chrono::Duration> {
        let s = self.symbols.iter().find(|s| s.symbol == symbol)?;
        session_gap(&s.timestamps).map(|g| g / SESSION_GAP_FACTOR as i32)
    }
}

impl SymbolScan {
    /// Raw scores of the test period. Warm-up bars count as 0, the lowest
    /// score of a detector whose scores are ≥ 0 (all in this crate).
    pub fn test_scores(&self) -> Vec<f64> {
        self.scores[self.test_start..].iter().map(|s| s.as_ref().map_or(0.0, |x| x.score)).collect()
    }

    /// Which test-period bars are hits at `threshold` (warm-up bars never are).
    pub fn test_hits(&self, threshold: f64) -> Vec<bool> {
        self.scores[self.test_start..]
            .iter()
            .map(|s| s.as_ref().is_some_and(|x| x.kind_at(threshold).is_anomaly()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn alerts_do_not_merge_across_a_session_break() {
        // Ten one-minute bars on Friday, ten on Monday; hits on the last
        // Friday bar and the first Monday bar: two bars apart, three days apart.
        let friday = Utc.with_ymd_and_hms(2025, 1, 10, 15, 50, 0).unwrap();
        let monday = Utc.with_ymd_and_hms(2025, 1, 13, 9, 30, 0).unwrap();
        let timestamps: Vec<DateTime<Utc>> = (0..10)
            .map(|i| friday + Duration::minutes(i))
            .chain((0..10).map(|i| monday + Duration::minutes(i)))
            .collect();
        let hit = crate::detect::PriceVolumeScore { price_z: 9.0, volume_z: 0.0 }.scored();
        let mut scores = vec![Some(crate::detect::PriceVolumeScore::ZERO.scored()); 20];
        scores[9] = Some(hit.clone());
        scores[10] = Some(hit);
        let symbol = SymbolScan {
            symbol: "X".into(),
            timestamps,
            closes: vec![100.0; 20],
            scores,
            test_start: 0,
            labels: None,
            patterns: None,
            excluded_from_metrics: None,
        };
        let found = alerts(&[symbol], 3.0, 3, None);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].start, found[1].start), (friday + Duration::minutes(9), monday));
    }
}
