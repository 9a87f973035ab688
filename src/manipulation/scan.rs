//! A whole tape (or a whole bar series) through the detector: fitted on
//! its first part, scored on the rest, as the examples and the evaluation
//! run it.

use super::bars::{BarManipulationConfig, BarManipulationDetector, BarScores};
use super::detector::{CryptoManipulationDetector, ManipulationConfig, SecondScores};
use crate::alert::AlertInterval;
use crate::data::Bar;
use crate::error::{Error, Result};
use crate::market::{TapeTrade, TradeTape};

const HOUR_US: i64 = 3_600_000_000;

/// Where a tape is cut into the history the detector is fitted on and the
/// part it scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitSplit {
    /// The first 24 hours; when the tape spans less than three days, its
    /// first third. The history must span at least an hour.
    Default,
    /// The first `n` hours.
    Hours(u32),
    /// Everything before this time (µs since the Unix epoch).
    Until(i64),
}

impl FitSplit {
    /// The cut, in µs, for a tape spanning `first..=last`.
    pub fn cut_us(self, first: i64, last: i64) -> i64 {
        match self {
            Self::Default => first + (24 * HOUR_US).min((last - first) / 3),
            Self::Hours(h) => first + i64::from(h) * HOUR_US,
            Self::Until(t) => t,
        }
    }
}

/// What [`scan_tape`] found.
#[derive(Debug, Clone)]
pub struct TapeScan {
    /// The fitted detector, after the scored part.
    pub detector: CryptoManipulationDetector,
    /// Trades the detector was fitted on.
    pub fit_trades: usize,
    /// Trades scored.
    pub scored_trades: usize,
    /// The cut, µs: the history ends before it, scoring starts at it.
    pub cut_us: i64,
    /// The last trade's time, µs.
    pub last_us: i64,
    /// Every scored second's scores.
    pub scores: Vec<SecondScores>,
    /// The alerts of the scored part, oldest first.
    pub alerts: Vec<AlertInterval>,
}

/// Fits a detector on the tape's history (see [`FitSplit`]) and scores the
/// rest. Errors name a history that is too short to fit on.
pub fn scan_tape(tape: &TradeTape, split: FitSplit, config: ManipulationConfig) -> Result<TapeScan> {
    let (first, last) = tape.span_us();
    // On a whole second: the history's last second is closed when fitting,
    // so no scored trade may fall into it.
    let cut = split.cut_us(first, last).div_euclid(1_000_000) * 1_000_000;
    let at = tape.trades().partition_point(|t| t.time_us < cut);
    if cut - first < HOUR_US || at < 50 {
        return Err(Error::param(
            "fit history",
            format!("{} trades over {:.1} h", at, (cut - first) as f64 / HOUR_US as f64),
            format!("{}: the detector needs at least an hour and 50 trades to fit on", tape.instrument().symbol()),
        ));
    }
    if at == tape.len() {
        return Err(Error::param(
            "fit history",
            format!("all {} trades", at),
            format!("{}: nothing is left to score after the history", tape.instrument().symbol()),
        ));
    }
    let history = TradeTape::new(tape.instrument().clone(), tape.trades()[..at].to_vec())
        .map_err(|e| Error::param("fit history", tape.instrument().symbol(), e.to_string()))?;
    let mut detector = CryptoManipulationDetector::fit(&history, config)?;
    detector.record_scores();
    let scored: &[TapeTrade] = &tape.trades()[at..];
    for trade in scored {
        detector.push(trade)?;
    }
    detector.advance_to(last.div_euclid(1_000_000) * 1_000_000 + 1_000_000)?;
    detector.flush_alerts();
    let alerts = detector.take_alerts();
    let scores = detector.take_scores();
    Ok(TapeScan { detector, fit_trades: at, scored_trades: scored.len(), cut_us: cut, last_us: last, scores, alerts })
}

/// What [`scan_bars`] found.
#[derive(Debug, Clone)]
pub struct BarScan {
    /// The fitted detector, after the scored part.
    pub detector: BarManipulationDetector,
    /// Bars the detector was fitted on.
    pub fit_bars: usize,
    /// Bars scored.
    pub scored_bars: usize,
    /// The cut, µs: the history ends before it, scoring starts at it.
    pub cut_us: i64,
    /// The last bar's close time, µs.
    pub last_us: i64,
    /// Every scored bar's scores.
    pub scores: Vec<BarScores>,
    /// The alerts of the scored part, oldest first.
    pub alerts: Vec<AlertInterval>,
}

/// Like [`scan_tape`] for one symbol's OHLCV bars (oldest first): fitted
/// on the bars before the cut of `split`, scored on the rest. Errors name a
/// history too short to fit on, nothing left to score, and a bad bar.
pub fn scan_bars(symbol: &str, bars: &[Bar], split: FitSplit, config: BarManipulationConfig) -> Result<BarScan> {
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return Err(Error::Empty { what: "bars" });
    };
    let (first_us, last_us) = (first.timestamp.timestamp_micros(), last.timestamp.timestamp_micros());
    let cut = split.cut_us(first_us, last_us);
    let at = bars.partition_point(|b| b.timestamp.timestamp_micros() < cut);
    if at == bars.len() {
        return Err(Error::param(
            "fit history",
            format!("all {at} bars"),
            format!("{symbol}: nothing is left to score after the history"),
        ));
    }
    let mut detector = BarManipulationDetector::fit(symbol, &bars[..at], config)?;
    detector.record_scores();
    for bar in &bars[at..] {
        detector.push(bar)?;
    }
    detector.flush_alerts();
    let alerts = detector.take_alerts();
    let scores = detector.take_scores();
    let last_us = last_us + detector.bar_length().num_microseconds().unwrap_or(0);
    Ok(BarScan { detector, fit_bars: at, scored_bars: bars.len() - at, cut_us: cut, last_us, scores, alerts })
}
