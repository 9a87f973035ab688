//! Training the [`FinancialAnomalyEncoder`] in candle-nn: seeded weights,
//! shuffled mini-batches, AdamW, a class-balanced logistic loss, and the
//! numeric context hidden at random so the head also learns to read a
//! headline alone.

use candle_core::{Device, Tensor, Var};
use candle_nn::optim::{AdamW, Optimizer, ParamsAdamW};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::detector::is_calibration_index;
use super::error::TextError;
use super::financial_encoder::{
    EncoderWeights, FUSED_WIDTH, FinancialAnomalyEncoder, NUMERIC_INPUTS, NUMERIC_WIDTH, TEXT_WIDTH, numeric_input,
};
use super::numeric_context::NumericContext;
use crate::simulate::rng::SimRng;

/// The random stream of the encoder's initial weights and batches ("ENCD").
const STREAM: u64 = 0x454e_4344;

/// One labelled training example.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderExample {
    /// The headline's sentence embedding.
    pub embedding: Vec<f32>,
    /// The market around it, when known.
    pub numeric: Option<NumericContext>,
    /// The label.
    pub anomalous: bool,
}

/// How to train.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EncoderTrainingConfig {
    /// Seed of the initial weights, the batch order and the hidden contexts.
    pub seed: u64,
    /// Passes over the examples.
    pub epochs: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// AdamW's learning rate.
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f64,
    /// Share of the examples with a context whose context is hidden in each
    /// epoch, in [0, 1).
    pub hide_numeric: f64,
    /// Draw a progress bar on stderr (hidden when stderr is not a terminal).
    pub progress: bool,
}

impl Default for EncoderTrainingConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            epochs: 40,
            batch_size: 64,
            learning_rate: 3e-3,
            weight_decay: 1e-2,
            hide_numeric: 0.3,
            progress: true,
        }
    }
}

/// What training did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingReport {
    /// Examples trained on.
    pub examples: usize,
    /// Of them labelled anomalous.
    pub anomalous: usize,
    /// Of them with a numeric context.
    pub with_numeric: usize,
    /// Passes made.
    pub epochs: usize,
    /// Class-balanced loss of the first epoch (nats).
    pub first_epoch_loss: f64,
    /// Class-balanced loss of the last epoch (nats).
    pub last_epoch_loss: f64,
}

/// Trains an encoder on `examples` (both labels present, one embedding
/// size, at least 20 normal examples: 7 in 10 of them become the distance
/// reference, the others calibrate it).
pub fn train_encoder(
    examples: &[EncoderExample],
    config: &EncoderTrainingConfig,
) -> Result<(FinancialAnomalyEncoder, TrainingReport), TextError> {
    let invalid = |name, value: String, reason| TextError::InvalidParameter { name, value, reason };
    if config.epochs == 0 {
        return Err(invalid("epochs", "0".into(), "at least one pass"));
    }
    if config.batch_size == 0 {
        return Err(invalid("batch_size", "0".into(), "at least one example per step"));
    }
    if !(config.learning_rate > 0.0 && config.learning_rate.is_finite()) {
        return Err(invalid("learning_rate", config.learning_rate.to_string(), "a finite rate > 0"));
    }
    if !(0.0..1.0).contains(&config.hide_numeric) {
        return Err(invalid("hide_numeric", config.hide_numeric.to_string(), "a share in [0, 1)"));
    }
    let anomalous = examples.iter().filter(|e| e.anomalous).count();
    let normal = examples.len() - anomalous;
    if anomalous == 0 {
        return Err(TextError::TooFew { what: "anomalous training examples", have: 0, need: 1 });
    }
    if normal < 20 {
        return Err(TextError::TooFew { what: "normal training examples", have: normal, need: 20 });
    }
    let dim = examples[0].embedding.len();
    if let Some(bad) = examples.iter().find(|e| e.embedding.len() != dim) {
        return Err(TextError::DimensionMismatch {
            what: "training embedding",
            found: bad.embedding.len(),
            expected: dim,
        });
    }
    if let Some(row) = examples.iter().position(|e| e.embedding.iter().any(|x| !x.is_finite())) {
        return Err(invalid("embedding", format!("example #{row}"), "has a value that is not finite"));
    }
    let (numeric_mean, numeric_std) = numeric_moments(examples);
    let mut rng = SimRng::new(config.seed, STREAM);
    let vars = Vars::init(dim, &mut rng).map_err(train_error)?;
    let params = ParamsAdamW { lr: config.learning_rate, weight_decay: config.weight_decay, ..ParamsAdamW::default() };
    let mut optimizer = AdamW::new(vars.all(), params).map_err(train_error)?;
    // Class-balanced weights: both labels weigh half of the loss.
    let weight_of = |a: bool| examples.len() as f32 / (2.0 * if a { anomalous } else { normal } as f32);
    let progress = if config.progress { ProgressBar::new(config.epochs as u64) } else { ProgressBar::hidden() };
    progress.set_style(
        ProgressStyle::with_template("training the encoder {bar:30} epoch {pos}/{len} loss {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let (mut first_epoch_loss, mut last_epoch_loss) = (f64::NAN, f64::NAN);
    for epoch in 0..config.epochs {
        shuffle(&mut order, &mut rng);
        let mut total = 0.0;
        for batch in order.chunks(config.batch_size) {
            let mut text = Vec::with_capacity(batch.len() * dim);
            let mut numeric = Vec::with_capacity(batch.len() * NUMERIC_INPUTS);
            let mut target = Vec::with_capacity(batch.len());
            let mut weight = Vec::with_capacity(batch.len());
            for &i in batch {
                let e = &examples[i];
                text.extend_from_slice(&e.embedding);
                let shown = e.numeric.as_ref().filter(|_| !rng.chance(config.hide_numeric));
                numeric.extend_from_slice(&numeric_input(shown, &numeric_mean, &numeric_std));
                target.push(if e.anomalous { 1f32 } else { 0.0 });
                weight.push(weight_of(e.anomalous));
            }
            let loss = vars.loss(batch.len(), dim, text, numeric, target, weight).map_err(train_error)?;
            optimizer.backward_step(&loss).map_err(train_error)?;
            total += f64::from(loss.to_scalar::<f32>().map_err(train_error)?) * batch.len() as f64;
        }
        let epoch_loss = total / examples.len() as f64;
        if epoch == 0 {
            first_epoch_loss = epoch_loss;
        }
        last_epoch_loss = epoch_loss;
        progress.set_message(format!("{epoch_loss:.4}"));
        progress.inc(1);
    }
    progress.finish_and_clear();
    if !last_epoch_loss.is_finite() {
        return Err(invalid("learning_rate", config.learning_rate.to_string(), "training diverged (loss not finite)"));
    }
    let weights = vars.weights(numeric_mean, numeric_std).map_err(train_error)?;
    // The distance reference: normal examples through the trained weights.
    let (mut fit, mut calibration) = (Vec::new(), Vec::new());
    for (index, e) in examples.iter().filter(|e| !e.anomalous).enumerate() {
        let fused = weights.fuse(&e.embedding, e.numeric.as_ref())?;
        if is_calibration_index(index) { calibration.extend_from_slice(&fused) } else { fit.extend_from_slice(&fused) }
    }
    let encoder = FinancialAnomalyEncoder::from_parts(dim, weights, fit, calibration)?;
    let report = TrainingReport {
        examples: examples.len(),
        anomalous,
        with_numeric: examples.iter().filter(|e| e.numeric.is_some()).count(),
        epochs: config.epochs,
        first_epoch_loss,
        last_epoch_loss,
    };
    Ok((encoder, report))
}

/// The trainable tensors.
struct Vars {
    text_weight: Var,
    text_bias: Var,
    numeric_weight: Var,
    numeric_bias: Var,
    head_weight: Var,
    head_bias: Var,
}

impl Vars {
    /// Glorot-uniform weights and zero biases, from the seeded stream.
    fn init(dim: usize, rng: &mut SimRng) -> candle_core::Result<Self> {
        let mut glorot = |out: usize, input: usize| -> candle_core::Result<Var> {
            let limit = (6.0 / (out + input) as f64).sqrt();
            let data: Vec<f32> = (0..out * input).map(|_| rng.range(-limit, limit) as f32).collect();
            Var::from_vec(data, (out, input), &Device::Cpu)
        };
        let zeros = |n: usize| Var::from_vec(vec![0f32; n], n, &Device::Cpu);
        Ok(Self {
            text_weight: glorot(TEXT_WIDTH, dim)?,
            numeric_weight: glorot(NUMERIC_WIDTH, NUMERIC_INPUTS)?,
            head_weight: glorot(1, FUSED_WIDTH)?,
            text_bias: zeros(TEXT_WIDTH)?,
            numeric_bias: zeros(NUMERIC_WIDTH)?,
            head_bias: zeros(1)?,
        })
    }

    fn all(&self) -> Vec<Var> {
        [
            &self.text_weight,
            &self.text_bias,
            &self.numeric_weight,
            &self.numeric_bias,
            &self.head_weight,
            &self.head_bias,
        ]
        .into_iter()
        .cloned()
        .collect()
    }

    /// The weighted logistic loss of one batch, `ln(1 + e^{-|x|}) + max(x, 0) − x·y`
    /// (stable for any logit `x`).
    fn loss(
        &self,
        rows: usize,
        dim: usize,
        text: Vec<f32>,
        numeric: Vec<f32>,
        target: Vec<f32>,
        weight: Vec<f32>,
    ) -> candle_core::Result<Tensor> {
        let d = &Device::Cpu;
        let text = Tensor::from_vec(text, (rows, dim), d)?;
        let numeric = Tensor::from_vec(numeric, (rows, NUMERIC_INPUTS), d)?;
        let target = Tensor::from_vec(target, rows, d)?;
        let weight = Tensor::from_vec(weight, rows, d)?;
        // ANCHOR: loss
        let t = text.matmul(&self.text_weight.t()?)?.broadcast_add(&self.text_bias)?.tanh()?;
        let n = numeric.matmul(&self.numeric_weight.t()?)?.broadcast_add(&self.numeric_bias)?.tanh()?;
        let fused = Tensor::cat(&[&t, &n], 1)?;
        let logit = fused.matmul(&self.head_weight.t()?)?.broadcast_add(&self.head_bias)?.squeeze(1)?;
        let softplus = logit.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
        let per_example = ((softplus + logit.relu()?)? - (&logit * &target)?)?;
        (per_example * weight)?.mean_all()
        // ANCHOR_END: loss
    }

    fn weights(&self, numeric_mean: [f32; 4], numeric_std: [f32; 4]) -> candle_core::Result<EncoderWeights> {
        let flat = |v: &Var| v.as_tensor().flatten_all()?.to_vec1::<f32>();
        Ok(EncoderWeights {
            text_weight: flat(&self.text_weight)?,
            text_bias: flat(&self.text_bias)?,
            numeric_weight: flat(&self.numeric_weight)?,
            numeric_bias: flat(&self.numeric_bias)?,
            head_weight: flat(&self.head_weight)?,
            head_bias: flat(&self.head_bias)?[0],
            numeric_mean,
            numeric_std,
        })
    }
}

/// Mean and standard deviation (≥ 1e-6) of each numeric feature over the
/// examples that have one; 0 and 1 when none has.
fn numeric_moments(examples: &[EncoderExample]) -> ([f32; 4], [f32; 4]) {
    let rows: Vec<[f64; 4]> = examples.iter().filter_map(|e| e.numeric.map(|n| n.features())).collect();
    let (mut mean, mut std) = ([0f32; 4], [1f32; 4]);
    if rows.is_empty() {
        return (mean, std);
    }
    for j in 0..4 {
        let m = rows.iter().map(|r| r[j]).sum::<f64>() / rows.len() as f64;
        let v = rows.iter().map(|r| (r[j] - m).powi(2)).sum::<f64>() / rows.len() as f64;
        mean[j] = m as f32;
        std[j] = (v.sqrt() as f32).max(1e-6);
    }
    (mean, std)
}

fn shuffle(order: &mut [usize], rng: &mut SimRng) {
    for i in (1..order.len()).rev() {
        order.swap(i, rng.int(0, i));
    }
}

fn train_error(e: candle_core::Error) -> TextError {
    TextError::Inference { batch: 0, reason: format!("training the encoder: {e}") }
}
