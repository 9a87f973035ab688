//! Scanning a time-sorted bar file in constant memory (example 01's
//! `--stream`).
//!
//! [`super::scan`] holds every bar so it can split time into a training and
//! a test period and fit its threshold on the first. A file of millions of
//! rows does not need that: here each bar is scored as it arrives (score
//! first, then learn), the threshold is fixed or follows a running quantile
//! of the scores seen so far, and an alert is handed back the moment its
//! interval closes. Memory holds one detector, one merger and one previous
//! row per symbol, whatever the length of the file.
//!
//! What needs the whole file is refused, not approximated: rows out of time
//! order stop the scan with the line numbers (sort the file, or scan without
//! `--stream`); ranking metrics (PR-AUC, ROC-AUC), which need every score,
//! are `None`. A repeated timestamp only needs the previous row, so it is
//! handled as in the batch path: the first row is kept and the repeat is
//! reported, with both rows' values when they differ.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use std::sync::Arc;

use serde::Serialize;

#[cfg(doc)]
use super::MIN_FITTED_THRESHOLD;
use super::{Estimator, MIN_TRAINING_SCORES, PriceVolumeFactory, SESSION_GAP_FACTOR};
use crate::alert::{AlertInterval, BarDetector, BarDetectorFactory, IntervalMerger, Source};
use crate::data::CsvRow;
use crate::detect::threshold::StreamingQuantile;
use crate::error::{Error, Result};
use crate::eval::ConfusionMatrix;

/// The threshold of a stream scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum StreamThreshold {
    /// A fixed z-score.
    Fixed(f64),
    /// The running `1 − c` quantile of the scores seen so far (P²), used
    /// once [`MIN_TRAINING_SCORES`] scores were seen and never below
    /// [`StreamConfig::threshold_floor`]; nothing alerts before that.
    RunningQuantile(f64),
}

/// Settings of a stream scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StreamConfig {
    /// Detector window (bars).
    pub window: usize,
    /// Running statistics.
    pub estimator: Estimator,
    /// Threshold policy.
    pub threshold: StreamThreshold,
    /// Normal bars tolerated inside one alert interval.
    pub merge_gap: usize,
    /// The lowest threshold the running quantile may give (default
    /// [`MIN_FITTED_THRESHOLD`]).
    pub threshold_floor: f64,
}

/// A row repeated the previous row's timestamp and was dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedDuplicate {
    /// The row kept (the first one).
    pub kept: CsvRow,
    /// The row dropped.
    pub dropped: CsvRow,
}

impl DroppedDuplicate {
    /// `true` when the two rows carry the same values and label.
    pub fn identical(&self) -> bool {
        self.kept.bar == self.dropped.bar && self.kept.label == self.dropped.label
    }
}

/// What one pushed row produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamStep {
    /// An alert whose interval has just closed.
    pub closed: Option<AlertInterval>,
    /// The row, dropped because it repeated the previous timestamp.
    pub duplicate: Option<DroppedDuplicate>,
}

/// Metrics of a stream scan. Ranking metrics are `None`: they need every
/// score. Threshold metrics count bars scored while the threshold was active.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamSummary {
    /// `true` when the file has a label column.
    pub labelled: bool,
    /// Bar-level precision.
    pub precision: Option<f64>,
    /// Bar-level recall.
    pub recall: Option<f64>,
    /// Bar-level F1.
    pub f1: Option<f64>,
    /// Always `None` in a stream (needs every score).
    pub pr_auc: Option<f64>,
    /// Always `None` in a stream (needs every score).
    pub roc_auc: Option<f64>,
    /// Labelled events (runs of anomalous bars) that began while the
    /// threshold was active.
    pub events: Option<usize>,
    /// Those with at least one alerted bar.
    pub detected_events: Option<usize>,
    /// Alert intervals raised.
    pub alerts: usize,
    /// Bars scored with an active threshold.
    pub scored_bars: usize,
    /// Bars left out of the metrics (unknown label).
    pub excluded_bars: usize,
    /// The threshold in force at the end.
    pub threshold: Option<f64>,
    /// Where it came from, in words.
    pub threshold_source: String,
}

struct SymbolState {
    detector: Box<dyn BarDetector + Send>,
    merger: IntervalMerger,
    previous: CsvRow,
    /// Running median of the spacing between bars, in seconds.
    spacing: StreamingQuantile,
    in_event: bool,
    /// The current event began while the threshold was active.
    event_counted: bool,
    event_detected: bool,
}

/// Makes the detector of a new symbol.
type DetectorBuilder = Box<dyn Fn() -> Result<Box<dyn BarDetector + Send>> + Send>;

/// The scan (see [the module documentation](self)).
pub struct StreamScan {
    config: StreamConfig,
    build: DetectorBuilder,
    file: String,
    /// Hashed with foldhash, as in the multi-symbol monitor: one lookup per row.
    symbols: HashMap<Arc<str>, SymbolState, RandomState>,
    quantile: Option<StreamingQuantile>,
    labelled: bool,
    matrix: ConfusionMatrix,
    events: usize,
    detected: usize,
    alerts: usize,
    scored: usize,
    excluded: usize,
    last_threshold: Option<f64>,
}

/// Fewest spacings before the running median decides session breaks.
const MIN_SPACINGS: usize = 10;

impl StreamScan {
    /// A scan of the file `file` (named in messages) with the price/volume
    /// detector of `config`; `labelled` when the file has a label column.
    pub fn new(config: StreamConfig, file: impl Into<String>, labelled: bool) -> Result<Self> {
        let factory = PriceVolumeFactory { estimator: config.estimator, window: config.window };
        Self::with_factory(config, factory, file, labelled)
    }

    /// A scan with any streaming detector (`config.estimator` and
    /// `config.window` are not used). A stream has no training period, so
    /// `factory` gets no training bars: a batch detector that needs them
    /// fails here, with its own error. A score that is not finite stops the
    /// scan with an error naming the symbol, the line and the value.
    pub fn with_factory<F>(config: StreamConfig, factory: F, file: impl Into<String>, labelled: bool) -> Result<Self>
    where
        F: BarDetectorFactory + Send + 'static,
        F::Detector: Send + 'static,
    {
        let build: DetectorBuilder = Box::new(move || Ok(Box::new(factory.build(&[])?) as Box<dyn BarDetector + Send>));
        build()?;
        if !(config.threshold_floor.is_finite() && config.threshold_floor > 0.0) {
            return Err(Error::param("threshold_floor", config.threshold_floor, "must be a finite number > 0"));
        }
        let quantile = match config.threshold {
            StreamThreshold::Fixed(t) => {
                if !(t.is_finite() && t > 0.0) {
                    return Err(Error::param("threshold", t, "must be a finite number > 0"));
                }
                None
            }
            StreamThreshold::RunningQuantile(c) => {
                if !(c > 0.0 && c <= 0.5) {
                    return Err(Error::param("contamination", c, "must be in (0, 0.5]"));
                }
                Some(StreamingQuantile::new(1.0 - c)?)
            }
        };
        Ok(Self {
            config,
            build,
            file: file.into(),
            symbols: HashMap::default(),
            quantile,
            labelled,
            matrix: ConfusionMatrix::default(),
            events: 0,
            detected: 0,
            alerts: 0,
            scored: 0,
            excluded: 0,
            last_threshold: None,
        })
    }

    /// The threshold now in force (`None` while a running quantile warms up).
    pub fn threshold(&self) -> Option<f64> {
        match (self.config.threshold, &self.quantile) {
            (StreamThreshold::Fixed(t), _) => Some(t),
            (_, Some(q)) if q.count() >= MIN_TRAINING_SCORES => {
                q.estimate().map(|v| v.max(self.config.threshold_floor))
            }
            _ => None,
        }
    }

    /// Scores, then learns one row. Errors on a row earlier than the
    /// previous row of its symbol (naming both lines).
    pub fn push(&mut self, row: CsvRow) -> Result<StreamStep> {
        let mut step = StreamStep::default();
        let threshold = self.threshold();
        let first = !self.symbols.contains_key(&row.symbol);
        if first {
            let state = SymbolState {
                detector: (self.build)()?,
                merger: IntervalMerger::new(Source::Bars, Arc::clone(&row.symbol), self.config.merge_gap),
                previous: row.clone(),
                spacing: StreamingQuantile::new(0.5)?,
                in_event: false,
                event_counted: false,
                event_detected: false,
            };
            self.symbols.insert(row.symbol.clone(), state);
        }
        let state = self.symbols.get_mut(&row.symbol).expect("inserted above");
        let (t, prev_t) = (row.bar.timestamp, state.previous.bar.timestamp);
        if !first {
            if t < prev_t {
                return Err(Error::Csv {
                    path: self.file.clone(),
                    line: row.line,
                    message: format!(
                        "{}: {t} is before {prev_t} on line {}: --stream needs rows in time order (a file written newest first, too); sort the file, or run without --stream to sort it in memory",
                        row.symbol, state.previous.line
                    ),
                });
            }
            if t == prev_t {
                step.duplicate = Some(DroppedDuplicate { kept: state.previous.clone(), dropped: row });
                return Ok(step);
            }
            let spacing = (t - prev_t).num_milliseconds() as f64 / 1000.0;
            if state.spacing.count() >= MIN_SPACINGS
                && let Some(median) = state.spacing.estimate()
                && spacing > median * SESSION_GAP_FACTOR as f64
            {
                if let Some(closed) = state.merger.finish() {
                    step.closed = Some(closed);
                }
                state.detector.new_session(&row.bar)?;
            }
            state.spacing.update(spacing)?;
        }
        let score = state.detector.process(&row.bar)?;
        if let Some(s) = &score {
            super::check_score(&row.symbol, &row.bar, row.line as usize, s)?;
        }
        if let (Some(s), Some(q)) = (&score, self.quantile.as_mut()) {
            q.update(s.score)?;
        }
        let active = score.is_some() && threshold.is_some();
        if row.label == Some(true) && !state.in_event {
            state.event_counted = active;
            state.event_detected = false;
            self.events += usize::from(active);
        }
        state.in_event = row.label == Some(true);
        if let (Some(s), Some(th)) = (&score, threshold) {
            let hit = s.kind_at(th).is_anomaly();
            self.scored += 1;
            self.last_threshold = Some(th);
            if let Some(closed) = state.merger.push(t, s, th) {
                debug_assert!(step.closed.is_none(), "a session break closes before a new hit");
                step.closed = Some(closed);
            }
            match (self.labelled, row.label) {
                (false, _) => {}
                (true, None) => self.excluded += 1,
                (true, Some(label)) => {
                    self.matrix.record(label, hit);
                    if label && hit && state.event_counted && !state.event_detected {
                        state.event_detected = true;
                        self.detected += 1;
                    }
                }
            }
        }
        if step.closed.is_some() {
            self.alerts += 1;
        }
        state.previous = row;
        Ok(step)
    }

    /// Closes the open intervals (in symbol order) and returns them with the
    /// summary.
    pub fn finish(mut self) -> (Vec<AlertInterval>, StreamSummary) {
        let mut names: Vec<Arc<str>> = self.symbols.keys().cloned().collect();
        names.sort();
        let mut last = Vec::new();
        for name in names {
            if let Some(a) = self.symbols.get_mut(&name).and_then(|s| s.merger.finish()) {
                last.push(a);
            }
        }
        self.alerts += last.len();
        let labelled = self.labelled;
        let threshold_source = match self.config.threshold {
            StreamThreshold::Fixed(t) => format!("fixed at {t}"),
            StreamThreshold::RunningQuantile(c) => format!(
                "running {:.1}th percentile of the scores so far (active after {MIN_TRAINING_SCORES} scores, floor {})",
                100.0 * (1.0 - c),
                self.config.threshold_floor
            ),
        };
        let summary = StreamSummary {
            labelled,
            precision: labelled.then(|| self.matrix.precision()).flatten(),
            recall: labelled.then(|| self.matrix.recall()).flatten(),
            f1: labelled.then(|| self.matrix.f1()).flatten(),
            pr_auc: None,
            roc_auc: None,
            events: labelled.then_some(self.events),
            detected_events: labelled.then_some(self.detected),
            alerts: self.alerts,
            scored_bars: self.scored,
            excluded_bars: self.excluded,
            threshold: self.last_threshold.or(self.threshold()),
            threshold_source,
        };
        (last, summary)
    }
}
