//! The seed's `TimeSeriesAnomalyEncoder`, in candle: an input projection, a
//! learned positional encoding, a transformer encoder, and two heads: an
//! embedding of the whole window (mean over steps, then a projection) and a
//! reconstruction of every step.

use std::collections::BTreeMap;

use candle_core::{Device, Tensor, Var};
use serde::{Deserialize, Serialize};

use super::error::TimeSeriesError;
use super::layers::{EncoderLayer, Init, Linear, Params, Pass};
use crate::simulate::rng::SimRng;

/// The random stream of the initial weights ("TSEN").
const INIT_STREAM: u64 = 0x5453_454e;

/// The network's shape. The defaults are the seed's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EncoderConfig {
    /// Features per step (5 for OHLCV, 2 for a single value and its change).
    pub input_dim: usize,
    /// Width of the transformer.
    pub d_model: usize,
    /// Attention heads (must divide `d_model`).
    pub heads: usize,
    /// Transformer encoder layers.
    pub layers: usize,
    /// Steps per window.
    pub seq_length: usize,
    /// Width of the feed-forward block (the seed: `4 · d_model`).
    pub feedforward: usize,
    /// Dropout probability while training.
    pub dropout: f64,
}

impl Default for EncoderConfig {
    /// The seed's: OHLCV, width 64, 4 heads, 2 layers, 60 steps,
    /// feed-forward 256, dropout 0.1.
    fn default() -> Self {
        Self { input_dim: 5, d_model: 64, heads: 4, layers: 2, seq_length: 60, feedforward: 256, dropout: 0.1 }
    }
}

impl EncoderConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<(), TimeSeriesError> {
        let invalid = |name, value: String, reason| Err(TimeSeriesError::InvalidParameter { name, value, reason });
        for (name, value) in [
            ("input_dim", self.input_dim),
            ("d_model", self.d_model),
            ("heads", self.heads),
            ("layers", self.layers),
            ("feedforward", self.feedforward),
        ] {
            if value == 0 {
                return invalid(name, "0".into(), "must be at least 1");
            }
        }
        if self.seq_length < 2 {
            return invalid("seq_length", self.seq_length.to_string(), "a window needs at least 2 steps");
        }
        if !self.d_model.is_multiple_of(self.heads) {
            return invalid("heads", self.heads.to_string(), "must divide d_model");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return invalid("dropout", self.dropout.to_string(), "a probability in [0, 1)");
        }
        Ok(())
    }
}

/// The transformer autoencoder of windows.
#[derive(Debug, Clone)]
pub struct TimeSeriesAnomalyEncoder {
    config: EncoderConfig,
    params: Params,
    input_proj: Linear,
    pos_encoding: Var,
    layers: Vec<EncoderLayer>,
    embedding_proj: Linear,
    reconstruction_head: Linear,
}

/// What the encoder makes of a batch of windows.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowOutputs {
    /// Squared reconstruction error averaged over the features, per window
    /// and step: `windows × seq_length`.
    pub step_errors: Vec<f32>,
    /// The reconstruction of each window's last step: `windows × input_dim`.
    pub last_step: Vec<f32>,
    /// The window embeddings: `windows × d_model`.
    pub embeddings: Vec<f32>,
}

impl TimeSeriesAnomalyEncoder {
    /// A new encoder with PyTorch's initialisation drawn from `seed`
    /// (the positional encoding: normal, standard deviation 0.1, as the seed).
    pub fn new(config: EncoderConfig, seed: u64) -> Result<Self, TimeSeriesError> {
        config.validate()?;
        let mut rng = SimRng::new(seed, INIT_STREAM);
        Self::build(config, &mut rng).map_err(TimeSeriesError::network("initialising the encoder"))
    }

    fn build(c: EncoderConfig, rng: &mut SimRng) -> candle_core::Result<Self> {
        let mut params = Params::default();
        let input_proj = Linear::new(&mut params, "input_proj", c.input_dim, c.d_model, rng)?;
        let pos_encoding = params.add("pos_encoding".into(), &[1, c.seq_length, c.d_model], Init::Normal(0.1), rng)?;
        let layers = (0..c.layers)
            .map(|i| {
                EncoderLayer::new(
                    &mut params,
                    &format!("transformer.layers.{i}"),
                    c.d_model,
                    c.heads,
                    c.feedforward,
                    rng,
                )
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        let embedding_proj = Linear::new(&mut params, "embedding_proj", c.d_model, c.d_model, rng)?;
        let reconstruction_head = Linear::new(&mut params, "reconstruction_head", c.d_model, c.input_dim, rng)?;
        Ok(Self { config: c, params, input_proj, pos_encoding, layers, embedding_proj, reconstruction_head })
    }

    /// The network's shape.
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// Number of trainable numbers.
    pub fn parameter_count(&self) -> usize {
        self.params.vars().iter().map(|v| v.elem_count()).sum()
    }

    pub(crate) fn params(&self) -> &Params {
        &self.params
    }

    /// Every weight by its PyTorch `state_dict` name.
    pub fn tensors(&self) -> BTreeMap<String, Tensor> {
        self.params.tensors()
    }

    /// An encoder of `config` with the given weights (from a file or from
    /// PyTorch); a missing tensor or a wrong shape is an error naming it.
    pub fn from_tensors(config: EncoderConfig, tensors: &BTreeMap<String, Tensor>) -> Result<Self, TimeSeriesError> {
        let encoder = Self::new(config, 0)?;
        encoder.params.restore(tensors).map_err(|reason| TimeSeriesError::InvalidParameter {
            name: "tensors",
            value: reason,
            reason: "the weights do not fit this encoder's shape",
        })?;
        Ok(encoder)
    }

    // ANCHOR: forward
    /// The transformer's output for `(batch, seq_length, input_dim)`.
    pub(crate) fn hidden(&self, x: &Tensor, pass: &mut Pass<'_>) -> candle_core::Result<Tensor> {
        let mut h = self.input_proj.forward(x)?.broadcast_add(self.pos_encoding.as_tensor())?;
        for layer in &self.layers {
            h = layer.forward(&h, pass)?;
        }
        Ok(h)
    }

    /// Window embedding: the mean over steps, projected.
    pub(crate) fn embed(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        self.embedding_proj.forward(&hidden.mean(1)?)
    }

    /// Reconstruction of every step.
    pub(crate) fn reconstruct(&self, hidden: &Tensor) -> candle_core::Result<Tensor> {
        self.reconstruction_head.forward(hidden)
    }
    // ANCHOR_END: forward

    /// Runs `windows` (each `seq_length × input_dim` numbers, concatenated)
    /// in evaluation mode.
    pub fn evaluate(&self, windows: &[f32]) -> Result<WindowOutputs, TimeSeriesError> {
        let c = self.config;
        let per_window = c.seq_length * c.input_dim;
        if windows.is_empty() || !windows.len().is_multiple_of(per_window) {
            return Err(TimeSeriesError::WidthMismatch {
                what: "windows (numbers given, a multiple of seq_length × input_dim is needed)",
                found: windows.len(),
                expected: per_window,
            });
        }
        let batch = windows.len() / per_window;
        let run = || -> candle_core::Result<WindowOutputs> {
            let x = Tensor::from_slice(windows, (batch, c.seq_length, c.input_dim), &Device::Cpu)?;
            let hidden = self.hidden(&x, &mut Pass::Eval)?;
            let reconstructed = self.reconstruct(&hidden)?;
            let step_errors = (&reconstructed - &x)?.sqr()?.mean(2)?.flatten_all()?.to_vec1::<f32>()?;
            let last_step = reconstructed.narrow(1, c.seq_length - 1, 1)?.flatten_all()?.to_vec1::<f32>()?;
            let embeddings = self.embed(&hidden)?.flatten_all()?.to_vec1::<f32>()?;
            Ok(WindowOutputs { step_errors, last_step, embeddings })
        };
        run().map_err(TimeSeriesError::network("scoring windows"))
    }
}
