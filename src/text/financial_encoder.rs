//! [`FinancialAnomalyEncoder`]: a headline's sentence embedding and the
//! market around it ([`NumericContext`]) fused into one vector, scored two
//! ways — by a head trained on labelled events and by the distance of the
//! fused vector to normal ones.
//!
//! The seed chapter's encoder concatenated a text and a numeric projection
//! and put heads with random weights on top. Here the same shape is
//! *trained* ([`super::encoder_training`]):
//!
//! ```text
//! text embedding (384) ──Linear──tanh──┐
//!                                      ├─ fused (40) ──Linear── logit
//! numeric (4 + missing flag) ─Linear─tanh┘
//! ```
//!
//! The numeric input is standardised with the training set's mean and
//! spread. When a headline comes without a market (a bare headline file),
//! the four numbers are zero and the fifth input, the *missing* flag, is 1:
//! the head was trained with the numbers hidden at random on part of the
//! examples, so it knows that case, and the score says the text was alone.
//!
//! Inference is plain Rust on the trained weights: a 384×32 product per
//! headline, no tensors, no allocation beyond the fused vector.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use serde::Serialize;

use super::error::TextError;
use super::numeric_context::NumericContext;
use super::shrinkage::ShrunkCovariance;
use crate::alert::Calibrator;

/// Width of the text projection.
pub const TEXT_WIDTH: usize = 32;
/// Width of the numeric projection.
pub const NUMERIC_WIDTH: usize = 8;
/// Width of the fused embedding.
pub const FUSED_WIDTH: usize = TEXT_WIDTH + NUMERIC_WIDTH;
/// Numeric inputs: the four features and the missing flag.
pub const NUMERIC_INPUTS: usize = 5;

/// The trained weights, row-major (`out × in`).
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderWeights {
    /// Text projection, `TEXT_WIDTH × text_dim`.
    pub text_weight: Vec<f32>,
    /// Its bias.
    pub text_bias: Vec<f32>,
    /// Numeric projection, `NUMERIC_WIDTH × NUMERIC_INPUTS`.
    pub numeric_weight: Vec<f32>,
    /// Its bias.
    pub numeric_bias: Vec<f32>,
    /// The head, `1 × FUSED_WIDTH`.
    pub head_weight: Vec<f32>,
    /// Its bias.
    pub head_bias: f32,
    /// Mean of each numeric feature in training.
    pub numeric_mean: [f32; 4],
    /// Standard deviation of each numeric feature in training (≥ 1e-6).
    pub numeric_std: [f32; 4],
}

impl EncoderWeights {
    /// The size of the text embeddings these weights read.
    pub fn text_dim(&self) -> usize {
        self.text_weight.len() / TEXT_WIDTH
    }

    /// The fused embedding of a headline whose sentence embedding is
    /// `text` and whose market was `numeric` (`None`: text alone).
    // ANCHOR: fuse
    pub fn fuse(&self, text: &[f32], numeric: Option<&NumericContext>) -> Result<[f32; FUSED_WIDTH], TextError> {
        let dim = self.text_dim();
        if text.len() != dim {
            return Err(TextError::DimensionMismatch { what: "text embedding", found: text.len(), expected: dim });
        }
        let mut fused = [0f32; FUSED_WIDTH];
        for (o, out) in fused[..TEXT_WIDTH].iter_mut().enumerate() {
            *out = (self.text_bias[o] + dot(&self.text_weight[o * dim..(o + 1) * dim], text)).tanh();
        }
        let input = numeric_input(numeric, &self.numeric_mean, &self.numeric_std);
        for (o, out) in fused[TEXT_WIDTH..].iter_mut().enumerate() {
            let row = &self.numeric_weight[o * NUMERIC_INPUTS..(o + 1) * NUMERIC_INPUTS];
            *out = (self.numeric_bias[o] + dot(row, &input)).tanh();
        }
        Ok(fused)
    }
    // ANCHOR_END: fuse
}

/// The encoder's two scores of one headline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EncoderScore {
    /// The head's log-odds that the headline is anomalous (raw, unclamped).
    pub logit: f64,
    /// Mahalanobis distance of the fused vector to the normal reference.
    pub distance: f64,
    /// Share of normal calibration headlines with a smaller distance.
    pub distance_probability: f64,
    /// `true` when the numeric context was used; `false`: text alone.
    pub numeric_used: bool,
}

/// A trained text + numeric encoder with its normal reference.
#[derive(Debug, Clone)]
pub struct FinancialAnomalyEncoder {
    text_dim: usize,
    weights: EncoderWeights,
    reference_fit: Vec<f32>,
    reference_calibration: Vec<f32>,
    covariance: ShrunkCovariance,
    calibrator: Calibrator,
}

impl FinancialAnomalyEncoder {
    /// The encoder from trained weights and the fused vectors of normal
    /// examples (`fit` for the covariance, `calibration` for the
    /// probability), both flattened rows of [`FUSED_WIDTH`].
    pub fn from_parts(
        text_dim: usize,
        weights: EncoderWeights,
        reference_fit: Vec<f32>,
        reference_calibration: Vec<f32>,
    ) -> Result<Self, TextError> {
        let shapes = [
            ("text_weight", weights.text_weight.len(), TEXT_WIDTH * text_dim),
            ("text_bias", weights.text_bias.len(), TEXT_WIDTH),
            ("numeric_weight", weights.numeric_weight.len(), NUMERIC_WIDTH * NUMERIC_INPUTS),
            ("numeric_bias", weights.numeric_bias.len(), NUMERIC_WIDTH),
            ("head_weight", weights.head_weight.len(), FUSED_WIDTH),
        ];
        for (what, found, expected) in shapes {
            if found != expected {
                return Err(TextError::DimensionMismatch { what, found, expected });
            }
        }
        for (what, rows) in [("reference_fit", &reference_fit), ("reference_calibration", &reference_calibration)] {
            if rows.len() % FUSED_WIDTH != 0 {
                return Err(TextError::DimensionMismatch { what, found: rows.len() % FUSED_WIDTH, expected: 0 });
            }
        }
        let covariance = ShrunkCovariance::ledoit_wolf(reference_fit.chunks_exact(FUSED_WIDTH))?;
        let distances: Vec<f64> = reference_calibration
            .chunks_exact(FUSED_WIDTH)
            .map(|row| covariance.mahalanobis(row))
            .collect::<Result<_, _>>()?;
        if distances.len() < 10 {
            return Err(TextError::TooFew { what: "calibration normal examples", have: distances.len(), need: 10 });
        }
        let calibrator = Calibrator::fit(&distances)?;
        Ok(Self { text_dim, weights, reference_fit, reference_calibration, covariance, calibrator })
    }

    /// The size of the text embeddings it reads.
    pub fn text_dim(&self) -> usize {
        self.text_dim
    }

    /// The trained weights.
    pub fn weights(&self) -> &EncoderWeights {
        &self.weights
    }

    /// The fused embedding of a headline whose sentence embedding is
    /// `text` and whose market was `numeric` (`None`: text alone).
    pub fn fuse(&self, text: &[f32], numeric: Option<&NumericContext>) -> Result<[f32; FUSED_WIDTH], TextError> {
        self.weights.fuse(text, numeric)
    }

    /// Both scores of one headline.
    pub fn score(&self, text: &[f32], numeric: Option<&NumericContext>) -> Result<EncoderScore, TextError> {
        let fused = self.fuse(text, numeric)?;
        let logit = f64::from(self.weights.head_bias + dot(&self.weights.head_weight, &fused));
        let distance = self.covariance.mahalanobis(&fused)?;
        Ok(EncoderScore {
            logit,
            distance,
            distance_probability: self.calibrator.probability(distance),
            numeric_used: numeric.is_some(),
        })
    }

    /// Writes the weights and the normal reference as safetensors.
    pub fn save(&self, path: &Path) -> Result<(), TextError> {
        let fail = |e: candle_core::Error| TextError::Load { path: path.to_path_buf(), reason: e.to_string() };
        let w = &self.weights;
        let rows = |v: &[f32]| v.len() / FUSED_WIDTH;
        let d = &Device::Cpu;
        let tensors: HashMap<String, Tensor> = [
            ("text.weight", Tensor::from_slice(&w.text_weight, (TEXT_WIDTH, self.text_dim), d)),
            ("text.bias", Tensor::from_slice(&w.text_bias, TEXT_WIDTH, d)),
            ("numeric.weight", Tensor::from_slice(&w.numeric_weight, (NUMERIC_WIDTH, NUMERIC_INPUTS), d)),
            ("numeric.bias", Tensor::from_slice(&w.numeric_bias, NUMERIC_WIDTH, d)),
            ("head.weight", Tensor::from_slice(&w.head_weight, (1, FUSED_WIDTH), d)),
            ("head.bias", Tensor::from_slice(&[w.head_bias], 1, d)),
            ("numeric.mean", Tensor::from_slice(&w.numeric_mean, 4, d)),
            ("numeric.std", Tensor::from_slice(&w.numeric_std, 4, d)),
            ("reference.fit", Tensor::from_slice(&self.reference_fit, (rows(&self.reference_fit), FUSED_WIDTH), d)),
            (
                "reference.calibration",
                Tensor::from_slice(&self.reference_calibration, (rows(&self.reference_calibration), FUSED_WIDTH), d),
            ),
        ]
        .into_iter()
        .map(|(name, t)| t.map(|t| (name.to_string(), t)))
        .collect::<Result<_, _>>()
        .map_err(fail)?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| TextError::Load { path: dir.to_path_buf(), reason: e.to_string() })?;
        }
        candle_core::safetensors::save(&tensors, path).map_err(fail)
    }

    /// Reads an encoder written by [`FinancialAnomalyEncoder::save`]; a
    /// missing tensor or a wrong shape is named in the error.
    pub fn load(path: &Path) -> Result<Self, TextError> {
        let fail = |reason: String| TextError::Load { path: path.to_path_buf(), reason };
        let tensors = candle_core::safetensors::load(path, &Device::Cpu).map_err(|e| fail(e.to_string()))?;
        let get = |name: &str| -> Result<Vec<f32>, TextError> {
            let t = tensors.get(name).ok_or_else(|| fail(format!("no tensor `{name}`")))?;
            t.to_dtype(DType::F32)
                .and_then(|t| t.flatten_all())
                .and_then(|t| t.to_vec1::<f32>())
                .map_err(|e| fail(format!("tensor `{name}`: {e}")))
        };
        let text_weight = get("text.weight")?;
        let text_dim = text_weight.len() / TEXT_WIDTH;
        let four = |name: &str| -> Result<[f32; 4], TextError> {
            let v = get(name)?;
            v.as_slice().try_into().map_err(|_| fail(format!("tensor `{name}` has {} values, expected 4", v.len())))
        };
        let head_bias = get("head.bias")?;
        let weights = EncoderWeights {
            text_weight,
            text_bias: get("text.bias")?,
            numeric_weight: get("numeric.weight")?,
            numeric_bias: get("numeric.bias")?,
            head_weight: get("head.weight")?,
            head_bias: *head_bias.first().ok_or_else(|| fail("tensor `head.bias` is empty".into()))?,
            numeric_mean: four("numeric.mean")?,
            numeric_std: four("numeric.std")?,
        };
        Self::from_parts(text_dim, weights, get("reference.fit")?, get("reference.calibration")?)
    }
}

/// The five numeric inputs: standardised features and the missing flag.
pub(crate) fn numeric_input(
    numeric: Option<&NumericContext>,
    mean: &[f32; 4],
    std: &[f32; 4],
) -> [f32; NUMERIC_INPUTS] {
    let mut input = [0f32; NUMERIC_INPUTS];
    match numeric {
        Some(context) => {
            for (i, x) in context.features().iter().enumerate() {
                // Clipped at ±6 spreads: one absurd bar must not saturate the projection.
                input[i] = ((*x as f32 - mean[i]) / std[i]).clamp(-6.0, 6.0);
            }
        }
        None => input[4] = 1.0,
    }
    input
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
