//! The seed's `TimeSeriesAnomalyDetector`: fit the autoencoder on a period
//! taken as ordinary, then score every later window by how badly it is
//! reconstructed (or how far its embedding lies from the ordinary ones).
//!
//! `fit → fitted`: only [`FittedTimeSeriesDetector`] scores. The score of
//! point `t` comes from the window of the `seq_length` points ending at `t`
//! and from nothing later; the threshold and the [`Calibrator`] are fitted on
//! the validation windows, which trained nothing.

use std::borrow::Cow;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::encoder::{EncoderConfig, TimeSeriesAnomalyEncoder, WindowOutputs};
use super::error::TimeSeriesError;
use super::features::{FeatureKind, NormalisedSeries, Normaliser, SeriesFeatures};
use super::training::{EVAL_BATCH, TrainingConfig, TrainingReport, WindowSplit, gather, train};
use crate::alert::{AnomalyType, Calibrator, Evidence, Scored};
use crate::data::Bar;
use crate::detect::threshold::empirical_quantile;

/// What the score of a window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMethod {
    /// Mean squared reconstruction error (the seed's default).
    Reconstruction,
    /// Distance of the embedding to the mean training embedding, z-scored
    /// on the training windows (the seed's `distance`).
    Distance,
}

impl ScoreMethod {
    /// The name used in evidence and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reconstruction => "reconstruction",
            Self::Distance => "distance",
        }
    }
}

/// Which steps of a window the reconstruction error averages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorFocus {
    /// Every step (the seed): an anomaly stays in the score for
    /// `seq_length` points, diluted `seq_length` times.
    Window,
    /// The newest step only: the score of point `t` is about point `t`.
    Newest,
}

/// Settings of the detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeSeriesDetectorConfig {
    /// The network (its `input_dim` is set from the series).
    pub encoder: EncoderConfig,
    /// How to train it.
    pub training: TrainingConfig,
    /// What a window's score is.
    pub method: ScoreMethod,
    /// Which steps the reconstruction error covers.
    pub focus: ErrorFocus,
    /// The threshold: this quantile of the validation windows' scores (the
    /// seed: the 95th percentile of its training scores).
    pub threshold_quantile: f64,
}

impl Default for TimeSeriesDetectorConfig {
    /// The seed's network and method, trained with
    /// [`TrainingConfig::default`], error at the newest step, threshold at
    /// the 99th percentile of the validation scores.
    fn default() -> Self {
        Self {
            encoder: EncoderConfig::default(),
            training: TrainingConfig::default(),
            method: ScoreMethod::Reconstruction,
            focus: ErrorFocus::Newest,
            threshold_quantile: 0.99,
        }
    }
}

impl TimeSeriesDetectorConfig {
    /// A smaller network for long bar histories scored bar by bar on a CPU:
    /// 32 steps, width 32, 4 heads, 2 layers, feed-forward 128; training on
    /// every 4th window, at most 30 epochs, patience 4. The rest as
    /// [`TimeSeriesDetectorConfig::default`].
    pub fn compact() -> Self {
        Self {
            encoder: EncoderConfig {
                d_model: 32,
                heads: 4,
                layers: 2,
                seq_length: 32,
                feedforward: 128,
                ..EncoderConfig::default()
            },
            training: TrainingConfig { window_stride: 4, max_epochs: 30, patience: 4, ..TrainingConfig::default() },
            ..Self::default()
        }
    }
}

/// The detector before fitting.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeSeriesAnomalyDetector {
    /// Its settings.
    pub config: TimeSeriesDetectorConfig,
}

/// The centre of the ordinary windows' embeddings and the spread of their
/// distances to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingReference {
    /// Mean embedding of the training windows.
    pub centroid: Vec<f32>,
    /// Mean distance of the training windows to it.
    pub mean_distance: f64,
    /// Standard deviation of those distances (+1e-8, as the seed).
    pub std_distance: f64,
}

/// A fitted detector: the trained encoder, the normaliser, the reference
/// embeddings, the threshold and the calibrator.
#[derive(Debug, Clone)]
pub struct FittedTimeSeriesDetector {
    pub(crate) config: TimeSeriesDetectorConfig,
    pub(crate) encoder: TimeSeriesAnomalyEncoder,
    pub(crate) normaliser: Normaliser,
    pub(crate) reference: EmbeddingReference,
    pub(crate) threshold: f64,
    pub(crate) calibrator: Calibrator,
    pub(crate) validation_scores: Vec<f64>,
    pub(crate) report: Option<TrainingReport>,
}

/// The scores of a series, one slot per point.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesScores {
    /// Raw score per point; `None` before the first full window.
    pub scores: Vec<Option<f64>>,
    /// Each point's main quantity: for bars the close's log return in basis
    /// points (from the previous close, or from the bar's open after a
    /// session break), for a single-value series the value; `None` where
    /// unscored.
    pub observed: Vec<Option<f64>>,
    /// The network's reconstruction of the same quantity, in the same units.
    pub reconstructed: Vec<Option<f64>>,
    /// Evidence per scored point.
    pub evidence: Vec<Option<Evidence>>,
}

impl SeriesScores {
    /// The first scored point.
    pub fn first_scored(&self) -> Option<usize> {
        self.scores.iter().position(Option::is_some)
    }
}

impl TimeSeriesAnomalyDetector {
    /// A detector with these settings.
    pub fn new(config: TimeSeriesDetectorConfig) -> Self {
        Self { config }
    }

    /// Fits on bars `fit_points` of `bars` (taken as ordinary).
    pub fn fit_bars(
        &self,
        bars: &[Bar],
        fit_points: Range<usize>,
    ) -> Result<FittedTimeSeriesDetector, TimeSeriesError> {
        self.fit(&SeriesFeatures::from_bars(bars)?, fit_points)
    }

    /// Fits on points `fit_points` of a single-value series.
    pub fn fit_values(
        &self,
        values: &[f64],
        fit_points: Range<usize>,
    ) -> Result<FittedTimeSeriesDetector, TimeSeriesError> {
        self.fit(&SeriesFeatures::from_values(values)?, fit_points)
    }

    // ANCHOR: fit
    /// Fits on the points `fit_points` of `features`: the normaliser on
    /// their rows, the encoder on the windows that end in them (the latest
    /// share validates), the reference on the training windows, the
    /// threshold and the calibrator on the validation windows.
    pub fn fit(
        &self,
        features: &SeriesFeatures,
        fit_points: Range<usize>,
    ) -> Result<FittedTimeSeriesDetector, TimeSeriesError> {
        let c = &self.config;
        if !(0.0..=1.0).contains(&c.threshold_quantile) {
            return Err(TimeSeriesError::InvalidParameter {
                name: "threshold_quantile",
                value: c.threshold_quantile.to_string(),
                reason: "a quantile in [0, 1]",
            });
        }
        let encoder_config = EncoderConfig { input_dim: features.kind().width(), ..c.encoder };
        let len = encoder_config.seq_length;
        let end = fit_points.end.min(features.points());
        let normaliser = Normaliser::fit(features, fit_points.start..end)?;
        let series = normaliser.apply(features)?;
        let first = (fit_points.start + len).max(NormalisedSeries::first_end(len));
        let ends: Vec<usize> = (first..end).rev().step_by(c.training.window_stride.max(1)).rev().collect();
        let split = WindowSplit::chronological(&ends, len, c.training.validation_fraction)?;
        let mut encoder = TimeSeriesAnomalyEncoder::new(encoder_config, c.training.seed)?;
        let report = train(&mut encoder, &series, &split, &c.training)?;
        let reference = embedding_reference(&encoder, &series, &split.train)?;
        let mut fitted = FittedTimeSeriesDetector {
            config: TimeSeriesDetectorConfig { encoder: encoder_config, ..c.clone() },
            encoder,
            normaliser,
            reference,
            threshold: f64::NAN,
            calibrator: Calibrator::fit(&[0.0])?,
            validation_scores: Vec::new(),
            report: Some(report),
        };
        let validation: Vec<f64> =
            fitted.score_ends(&series, &split.validation)?.into_iter().map(|(s, _, _)| s).collect();
        fitted.threshold = empirical_quantile(&validation, c.threshold_quantile)?;
        fitted.calibrator = Calibrator::fit(&validation)?;
        fitted.validation_scores = validation;
        Ok(fitted)
    }
    // ANCHOR_END: fit
}

fn embedding_reference(
    encoder: &TimeSeriesAnomalyEncoder,
    series: &NormalisedSeries,
    ends: &[usize],
) -> Result<EmbeddingReference, TimeSeriesError> {
    let c = encoder.config();
    let d = c.d_model;
    let mut embeddings = Vec::with_capacity(ends.len() * d);
    for chunk in ends.chunks(EVAL_BATCH) {
        embeddings.extend(encoder.evaluate(&gather(series, chunk, c.seq_length))?.embeddings);
    }
    let n = ends.len();
    let mut centroid = vec![0f32; d];
    for row in embeddings.chunks(d) {
        for (m, x) in centroid.iter_mut().zip(row) {
            *m += x / n as f32;
        }
    }
    let distances: Vec<f64> = embeddings.chunks(d).map(|row| distance(row, &centroid)).collect();
    let mean_distance = distances.iter().sum::<f64>() / n as f64;
    // The seed's torch.std: the n − 1 estimate.
    let variance = distances.iter().map(|x| (x - mean_distance).powi(2)).sum::<f64>() / (n as f64 - 1.0).max(1.0);
    Ok(EmbeddingReference { centroid, mean_distance, std_distance: variance.sqrt() + 1e-8 })
}

fn distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x - y).powi(2)).sum::<f64>().sqrt()
}

impl FittedTimeSeriesDetector {
    /// Scores every point of `bars` that ends a full window.
    pub fn score_bars(&self, bars: &[Bar]) -> Result<SeriesScores, TimeSeriesError> {
        self.score(&SeriesFeatures::from_bars(bars)?)
    }

    /// Scores every point of a single-value series that ends a full window.
    pub fn score_values(&self, values: &[f64]) -> Result<SeriesScores, TimeSeriesError> {
        self.score(&SeriesFeatures::from_values(values)?)
    }

    // ANCHOR: score
    /// Scores every point of `features` that ends a full window, in batches;
    /// point `t`'s score reads points `t + 1 − seq_length ..= t` only.
    pub fn score(&self, features: &SeriesFeatures) -> Result<SeriesScores, TimeSeriesError> {
        let series = self.normaliser.apply(features)?;
        let n = features.points();
        let len = self.config.encoder.seq_length;
        let mut out = SeriesScores {
            scores: vec![None; n],
            observed: vec![None; n],
            reconstructed: vec![None; n],
            evidence: vec![None; n],
        };
        let ends: Vec<usize> = (NormalisedSeries::first_end(len)..n).collect();
        for (&end, (score, last, evidence)) in ends.iter().zip(self.score_ends(&series, &ends)?) {
            out.scores[end] = Some(score);
            let (observed, reconstructed) = self.main_quantity(features, end, &last);
            out.observed[end] = Some(observed);
            out.reconstructed[end] = Some(reconstructed);
            out.evidence[end] = Some(evidence);
        }
        Ok(out)
    }
    // ANCHOR_END: score

    /// Score, last-step reconstruction and evidence of the windows ending at `ends`.
    fn score_ends(
        &self,
        series: &NormalisedSeries,
        ends: &[usize],
    ) -> Result<Vec<(f64, Vec<f32>, Evidence)>, TimeSeriesError> {
        let c = self.config.encoder;
        let mut out = Vec::with_capacity(ends.len());
        for chunk in ends.chunks(EVAL_BATCH) {
            let outputs = self.encoder.evaluate(&gather(series, chunk, c.seq_length))?;
            for (i, &end) in chunk.iter().enumerate() {
                out.push(self.window_score(&outputs, i, series.window(end, c.seq_length)));
            }
        }
        Ok(out)
    }

    fn window_score(&self, outputs: &WindowOutputs, i: usize, window: &[f32]) -> (f64, Vec<f32>, Evidence) {
        let c = self.config.encoder;
        let (len, w, d) = (c.seq_length, c.input_dim, c.d_model);
        let steps = &outputs.step_errors[i * len..(i + 1) * len];
        let reconstruction_error = match self.config.focus {
            ErrorFocus::Window => steps.iter().map(|&e| f64::from(e)).sum::<f64>() / len as f64,
            ErrorFocus::Newest => f64::from(steps[len - 1]),
        };
        let embedding = &outputs.embeddings[i * d..(i + 1) * d];
        let r = &self.reference;
        let distance_z = (distance(embedding, &r.centroid) - r.mean_distance) / r.std_distance;
        let last = outputs.last_step[i * w..(i + 1) * w].to_vec();
        let newest = &window[(len - 1) * w..];
        let (worst, worst_error) = last
            .iter()
            .zip(newest)
            .map(|(a, b)| f64::from(a - b).powi(2))
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (j, e)| if e > best.1 { (j, e) } else { best });
        let score = match self.config.method {
            ScoreMethod::Reconstruction => reconstruction_error,
            ScoreMethod::Distance => distance_z,
        };
        let evidence = Evidence::Window {
            method: Cow::Borrowed(self.config.method.name()),
            reconstruction_error,
            distance_z,
            worst_feature: Cow::Borrowed(self.normaliser.kind.names()[worst]),
            worst_feature_error: worst_error,
        };
        (score, last, evidence)
    }

    /// Point `end`'s main quantity, observed and reconstructed.
    fn main_quantity(&self, features: &SeriesFeatures, end: usize, last: &[f32]) -> (f64, f64) {
        match self.normaliser.kind {
            FeatureKind::Value => (features.row(end)[0], self.normaliser.denormalise(0, last[0])),
            // Feature 3 is ln(close / previous close).
            FeatureKind::Ohlcv => (features.row(end)[3] * 1e4, self.normaliser.denormalise(3, last[3]) * 1e4),
        }
    }

    /// The scored observation of one window, for alerts.
    pub fn scored(&self, score: f64, evidence: Evidence) -> Scored {
        Scored::new(score, AnomalyType::PatternAnomaly, evidence)
    }

    /// The alert threshold (raw score units).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The calibrator fitted on the validation windows' scores.
    pub fn calibrator(&self) -> &Calibrator {
        &self.calibrator
    }

    /// The validation windows' scores (the threshold's reference).
    pub fn validation_scores(&self) -> &[f64] {
        &self.validation_scores
    }

    /// What training did (`None` for a detector loaded from a file).
    pub fn training_report(&self) -> Option<&TrainingReport> {
        self.report.as_ref()
    }

    /// The trained network.
    pub fn encoder(&self) -> &TimeSeriesAnomalyEncoder {
        &self.encoder
    }

    /// The normaliser fitted on the training points.
    pub fn normaliser(&self) -> &Normaliser {
        &self.normaliser
    }

    /// The settings it was fitted with.
    pub fn config(&self) -> &TimeSeriesDetectorConfig {
        &self.config
    }
}
