//! Training the encoder on CPU: shuffled mini-batches, AdamW, a validation
//! split taken from the end of the training period (the past only), early
//! stopping on the validation loss, and the best epoch's weights kept.
//! Everything random (initial weights, batch order, dropout) comes from the
//! seed, so a run repeats exactly on the same machine and thread count.

use std::time::Instant;

use candle_core::{Device, Tensor};
use candle_nn::optim::{AdamW, Optimizer, ParamsAdamW};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use super::encoder::TimeSeriesAnomalyEncoder;
use super::error::TimeSeriesError;
use super::features::NormalisedSeries;
use super::layers::Pass;
use crate::simulate::rng::SimRng;

/// The random stream of batch order and dropout ("TSTR").
const TRAIN_STREAM: u64 = 0x5453_5452;

/// Windows scored per forward pass outside training.
pub(crate) const EVAL_BATCH: usize = 256;

/// How to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingConfig {
    /// Seed of the initial weights, the batch order and the dropout masks.
    pub seed: u64,
    /// Most passes over the training windows (the seed trains 50).
    pub max_epochs: usize,
    /// Windows per step.
    pub batch_size: usize,
    /// AdamW's learning rate (the seed's Adam: 1e-3).
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f64,
    /// Train on every `window_stride`-th window only (1 = all; a long
    /// history of overlapping windows says much the same thing many times).
    pub window_stride: usize,
    /// Share of the training windows, the latest ones, kept for validation.
    pub validation_fraction: f64,
    /// Epochs without a validation improvement before stopping.
    pub patience: usize,
    /// Smallest relative drop of the validation loss that counts as one.
    pub min_improvement: f64,
    /// Draw a progress bar on stderr (hidden when stderr is not a terminal).
    pub progress: bool,
}

impl Default for TrainingConfig {
    /// Seed 7, at most 50 epochs of 32 windows, AdamW 1e-3 with decay 0.01,
    /// the latest 20 % validates, patience 5 epochs, 0.5 % improvement.
    fn default() -> Self {
        Self {
            seed: 7,
            max_epochs: 50,
            batch_size: 32,
            learning_rate: 1e-3,
            weight_decay: 1e-2,
            window_stride: 1,
            validation_fraction: 0.2,
            patience: 5,
            min_improvement: 0.005,
            progress: true,
        }
    }
}

impl TrainingConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<(), TimeSeriesError> {
        let invalid = |name, value: String, reason| Err(TimeSeriesError::InvalidParameter { name, value, reason });
        if self.max_epochs == 0 {
            return invalid("max_epochs", "0".into(), "at least one pass");
        }
        if self.window_stride == 0 {
            return invalid("window_stride", "0".into(), "at least 1 (every window)");
        }
        if self.batch_size == 0 {
            return invalid("batch_size", "0".into(), "at least one window per step");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return invalid("learning_rate", self.learning_rate.to_string(), "a finite rate > 0");
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return invalid("weight_decay", self.weight_decay.to_string(), "a finite number ≥ 0");
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 0.9) {
            return invalid("validation_fraction", self.validation_fraction.to_string(), "a share in (0, 0.9)");
        }
        if !(0.0..1.0).contains(&self.min_improvement) {
            return invalid("min_improvement", self.min_improvement.to_string(), "a share in [0, 1)");
        }
        Ok(())
    }
}

/// Which windows train and which validate, by the point each ends at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowSplit {
    /// Ends of the training windows (the older part).
    pub train: Vec<usize>,
    /// Ends of the validation windows (the latest part).
    pub validation: Vec<usize>,
    /// Windows between the two left out, because they share points with
    /// the first validation window.
    pub purged: usize,
}

impl WindowSplit {
    /// Splits the windows ending at `ends` (increasing) in time: the latest
    /// `fraction` validate; the windows before them that share a point with
    /// the first validation window are dropped.
    pub fn chronological(ends: &[usize], seq_length: usize, fraction: f64) -> Result<Self, TimeSeriesError> {
        let validation_len = ((ends.len() as f64 * fraction).ceil() as usize).max(MIN_VALIDATION);
        let too_few = || TimeSeriesError::TooFew {
            what: "training windows",
            have: ends.len(),
            need: validation_len + MIN_TRAIN + seq_length - 1,
        };
        let cut = ends.len().checked_sub(validation_len).ok_or_else(too_few)?;
        let first_validation = ends.get(cut).copied().ok_or_else(too_few)?;
        // A window ending at e covers e + 1 − seq_length ..= e.
        let train: Vec<usize> = ends[..cut].iter().copied().filter(|&e| e + seq_length <= first_validation).collect();
        if train.len() < MIN_TRAIN {
            return Err(too_few());
        }
        Ok(Self { purged: cut - train.len(), train, validation: ends[cut..].to_vec() })
    }
}

/// Fewest windows that train.
pub const MIN_TRAIN: usize = 16;
/// Fewest windows that validate.
pub const MIN_VALIDATION: usize = 8;

/// What training did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// Windows trained on.
    pub train_windows: usize,
    /// Windows validated on.
    pub validation_windows: usize,
    /// Windows left out between them.
    pub purged_windows: usize,
    /// Epochs run.
    pub epochs_run: usize,
    /// The epoch (1-based) whose weights were kept.
    pub best_epoch: usize,
    /// Whether patience ran out before `max_epochs`.
    pub stopped_early: bool,
    /// Mean training loss (MSE, with dropout) per epoch.
    pub train_loss: Vec<f64>,
    /// Validation loss (MSE, no dropout) per epoch.
    pub validation_loss: Vec<f64>,
    /// Wall-clock seconds per epoch, validation included (machine-dependent).
    pub seconds_per_epoch: f64,
}

impl TrainingReport {
    /// The kept epoch's validation loss.
    pub fn best_validation_loss(&self) -> f64 {
        self.validation_loss[self.best_epoch - 1]
    }
}

/// Copies the windows ending at `ends` into one buffer.
pub(crate) fn gather(series: &NormalisedSeries, ends: &[usize], seq_length: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(ends.len() * seq_length * series.width());
    for &end in ends {
        out.extend_from_slice(series.window(end, seq_length));
    }
    out
}

/// Mean reconstruction MSE of `ends`, in evaluation mode.
pub(crate) fn mean_loss(
    encoder: &TimeSeriesAnomalyEncoder,
    series: &NormalisedSeries,
    ends: &[usize],
) -> Result<f64, TimeSeriesError> {
    let len = encoder.config().seq_length;
    let mut total = 0.0;
    for chunk in ends.chunks(EVAL_BATCH) {
        let out = encoder.evaluate(&gather(series, chunk, len))?;
        total += out.step_errors.iter().map(|&e| f64::from(e)).sum::<f64>();
    }
    Ok(total / (ends.len() * len) as f64)
}

// ANCHOR: train
/// Trains `encoder` to reconstruct the windows of `split`; returns with the
/// weights of the epoch with the lowest validation loss.
pub fn train(
    encoder: &mut TimeSeriesAnomalyEncoder,
    series: &NormalisedSeries,
    split: &WindowSplit,
    config: &TrainingConfig,
) -> Result<TrainingReport, TimeSeriesError> {
    config.validate()?;
    let c = *encoder.config();
    if series.width() != c.input_dim {
        return Err(TimeSeriesError::WidthMismatch { what: "series", found: series.width(), expected: c.input_dim });
    }
    let net = TimeSeriesError::network;
    let params = ParamsAdamW { lr: config.learning_rate, weight_decay: config.weight_decay, ..ParamsAdamW::default() };
    let mut optimizer = AdamW::new(encoder.params().vars(), params).map_err(net("creating AdamW"))?;
    let mut rng = SimRng::new(config.seed, TRAIN_STREAM);
    let progress = if config.progress { ProgressBar::new(config.max_epochs as u64) } else { ProgressBar::hidden() };
    progress.set_style(
        ProgressStyle::with_template("training the autoencoder {bar:30} epoch {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut order = split.train.clone();
    let (mut train_loss, mut validation_loss) = (Vec::new(), Vec::new());
    let (mut best, mut best_epoch, mut best_weights) =
        (f64::INFINITY, 0, encoder.params().snapshot().map_err(net("copying weights"))?);
    let mut stopped_early = false;
    for epoch in 1..=config.max_epochs {
        shuffle(&mut order, &mut rng);
        let mut total = 0.0;
        for batch in order.chunks(config.batch_size) {
            let x = Tensor::from_vec(
                gather(series, batch, c.seq_length),
                (batch.len(), c.seq_length, c.input_dim),
                &Device::Cpu,
            )
            .map_err(net("building a batch"))?;
            let mut pass = Pass::Train { rng: &mut rng, p: c.dropout };
            let loss = encoder
                .hidden(&x, &mut pass)
                .and_then(|h| encoder.reconstruct(&h))
                .and_then(|r| (r - &x)?.sqr()?.mean_all())
                .map_err(net("computing the training loss"))?;
            optimizer.backward_step(&loss).map_err(net("taking an AdamW step"))?;
            total += f64::from(loss.to_scalar::<f32>().map_err(net("reading the loss"))?) * batch.len() as f64;
        }
        let epoch_loss = total / order.len() as f64;
        let validation = mean_loss(encoder, series, &split.validation)?;
        if !epoch_loss.is_finite() || !validation.is_finite() {
            progress.finish_and_clear();
            let loss = if epoch_loss.is_finite() { validation } else { epoch_loss };
            return Err(TimeSeriesError::Diverged { epoch, loss, learning_rate: config.learning_rate });
        }
        train_loss.push(epoch_loss);
        validation_loss.push(validation);
        progress.set_message(format!("train {epoch_loss:.4} validation {validation:.4}"));
        progress.inc(1);
        if validation < best * (1.0 - config.min_improvement) {
            (best, best_epoch) = (validation, epoch);
            best_weights = encoder.params().snapshot().map_err(net("copying weights"))?;
        } else if epoch - best_epoch >= config.patience {
            stopped_early = true;
            break;
        }
    }
    progress.finish_and_clear();
    encoder
        .params()
        .restore(&best_weights)
        .map_err(|reason| TimeSeriesError::Network { while_doing: "restoring the best weights", reason })?;
    let epochs_run = train_loss.len();
    Ok(TrainingReport {
        train_windows: split.train.len(),
        validation_windows: split.validation.len(),
        purged_windows: split.purged,
        epochs_run,
        best_epoch,
        stopped_early,
        train_loss,
        validation_loss,
        seconds_per_epoch: started.elapsed().as_secs_f64() / epochs_run as f64,
    })
}
// ANCHOR_END: train

fn shuffle(order: &mut [usize], rng: &mut SimRng) {
    for i in (1..order.len()).rev() {
        order.swap(i, rng.int(0, i));
    }
}
