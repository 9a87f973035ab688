//! The autoencoder as a batch bar detector for [`crate::scan::scan_with`]:
//! the factory fits one detector per symbol on that symbol's training bars;
//! the fitted detector then scores each new bar from the window of bars
//! ending at it.
//!
//! Scores are the window's raw score divided by the symbol's own validation
//! threshold, so that one scan threshold means the same for every symbol:
//! `ThresholdChoice::Fixed(1.0)` alerts above each symbol's 99th validation
//! percentile. The raw error is kept in the evidence.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::detector::{FittedTimeSeriesDetector, TimeSeriesAnomalyDetector, TimeSeriesDetectorConfig};
use super::features::SeriesFeatures;
use crate::alert::{BarDetector, BarDetectorFactory, Scored};
use crate::data::Bar;
use crate::error::{Error, Result};

/// Makes a fitted autoencoder per symbol, and keeps a copy of each (for
/// figures, reports or saving), in the order they were built.
#[derive(Debug, Clone, Default)]
pub struct AutoencoderFactory {
    /// The detector's settings.
    pub config: TimeSeriesDetectorConfig,
    built: Arc<Mutex<Vec<FittedTimeSeriesDetector>>>,
}

impl AutoencoderFactory {
    /// A factory of detectors with these settings.
    pub fn new(config: TimeSeriesDetectorConfig) -> Self {
        Self { config, built: Arc::default() }
    }

    /// The detectors built so far, in build order (one per scanned symbol).
    pub fn built(&self) -> Vec<FittedTimeSeriesDetector> {
        self.built.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

/// One symbol's fitted autoencoder and the bars of its current window.
#[derive(Debug)]
pub struct AutoencoderBarDetector {
    fitted: FittedTimeSeriesDetector,
    recent: VecDeque<Bar>,
}

impl AutoencoderBarDetector {
    /// The fitted detector behind it.
    pub fn fitted(&self) -> &FittedTimeSeriesDetector {
        &self.fitted
    }
}

impl BarDetectorFactory for AutoencoderFactory {
    type Detector = AutoencoderBarDetector;

    fn build(&self, training: &[Bar]) -> Result<Self::Detector> {
        if training.is_empty() {
            return Err(Error::Empty { what: "training bars of the autoencoder (a batch detector)" });
        }
        let detector = TimeSeriesAnomalyDetector::new(self.config.clone());
        let fitted = detector
            .fit_bars(training, 0..training.len())
            .map_err(|e| Error::param("autoencoder", "fit on the training bars", e.to_string()))?;
        if let Ok(mut built) = self.built.lock() {
            built.push(fitted.clone());
        }
        Ok(AutoencoderBarDetector { fitted, recent: VecDeque::with_capacity(self.warm_up() + 1) })
    }

    fn warm_up(&self) -> usize {
        self.config.encoder.seq_length
    }

    fn describe(&self) -> String {
        let e = &self.config.encoder;
        format!(
            "transformer autoencoder, {} steps, width {}, {} layers, {} error",
            e.seq_length,
            e.d_model,
            e.layers,
            self.config.method.name()
        )
    }

    /// One validation threshold (scores are in its units).
    fn fallback_threshold(&self) -> f64 {
        1.0
    }
}

impl BarDetector for AutoencoderBarDetector {
    fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
        let len = self.fitted.config().encoder.seq_length;
        if self.recent.len() == len + 1 {
            self.recent.pop_front();
        }
        self.recent.push_back(*bar);
        if self.recent.len() < len + 1 {
            return Ok(None);
        }
        let bars: Vec<Bar> = self.recent.iter().copied().collect();
        let fail = |e: super::TimeSeriesError| Error::param("autoencoder", bar.timestamp, e.to_string());
        let features = SeriesFeatures::from_bars(&bars).map_err(fail)?;
        let scores = self.fitted.score(&features).map_err(fail)?;
        let (Some(score), Some(evidence)) = (scores.scores[len], scores.evidence[len].clone()) else {
            return Ok(None);
        };
        Ok(Some(self.fitted.scored(score / self.fitted.threshold(), evidence)))
    }
}
