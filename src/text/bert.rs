//! [`BertEmbedder`]: a BERT-family sentence model in candle.
//!
//! The steps are those of sentence-transformers: tokenize (WordPiece),
//! run the encoder, average the token vectors that are not padding (masked
//! mean pooling) and scale the result to unit length. Batches are formed
//! from texts of similar length, so little time goes into padding; the
//! output keeps the input order. The encoder is this crate's
//! [`BertEncoder`] by default, or candle-transformers' `BertModel`
//! ([`Encoder::CandleTransformers`]), the straightforward implementation it
//! is checked and benchmarked against.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use super::bert_encoder::BertEncoder;
use super::embedder::{Embedder, Embeddings, Truncated};
use super::error::TextError;
use crate::models::{ModelFiles, Pooling};

/// How a [`BertEmbedder`] runs.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedderOptions {
    /// Texts per forward pass (default 32).
    pub batch_size: usize,
    /// The longest input in tokens; `None` takes the model folder's
    /// `max_seq_length` (256 for all-MiniLM-L6-v2), else the model's
    /// position limit.
    pub max_tokens: Option<usize>,
    /// Which implementation of the forward pass runs.
    pub encoder: Encoder,
}

/// The implementation of the BERT forward pass; both give the same
/// embeddings (to float rounding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoder {
    /// [`BertEncoder`]: fused projections, fused softmax, vectorised GELU.
    #[default]
    Fused,
    /// candle-transformers' `BertModel`, as its documentation uses it.
    CandleTransformers,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        Self { batch_size: 32, max_tokens: None, encoder: Encoder::Fused }
    }
}

/// The loaded forward pass.
enum Model {
    Fused(BertEncoder),
    CandleTransformers(BertModel),
}

/// A BERT sentence model (all-MiniLM-L6-v2, FinBERT, ...) on the CPU.
pub struct BertEmbedder {
    model: Model,
    tokenizer: Tokenizer,
    device: Device,
    name: String,
    dim: usize,
    max_tokens: usize,
    pooling: Pooling,
    batch_size: usize,
}

impl std::fmt::Debug for BertEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BertEmbedder")
            .field("name", &self.name)
            .field("dim", &self.dim)
            .field("max_tokens", &self.max_tokens)
            .field("pooling", &self.pooling)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl BertEmbedder {
    /// Loads the model in `files` (see [`ModelFiles::open`]).
    pub fn load(files: &ModelFiles, options: &EmbedderOptions) -> Result<Self, TextError> {
        if options.batch_size == 0 {
            return Err(TextError::InvalidParameter {
                name: "batch_size",
                value: "0".into(),
                reason: "a batch holds at least one text",
            });
        }
        let load_error = |path: &std::path::Path, reason: String| TextError::Load { path: path.to_path_buf(), reason };
        let config_text =
            std::fs::read_to_string(&files.config).map_err(|e| load_error(&files.config, e.to_string()))?;
        let config: Config = serde_json::from_str(&config_text)
            .map_err(|e| load_error(&files.config, format!("not a BERT config ({e})")))?;
        let limit = config.max_position_embeddings;
        let max_tokens = options.max_tokens.or(files.max_seq_length).unwrap_or(limit).min(limit);
        if max_tokens < 2 {
            return Err(TextError::InvalidParameter {
                name: "max_tokens",
                value: max_tokens.to_string(),
                reason: "room for [CLS] and [SEP] is needed",
            });
        }
        let mut tokenizer =
            Tokenizer::from_file(&files.tokenizer).map_err(|e| load_error(&files.tokenizer, e.to_string()))?;
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: max_tokens, ..Default::default() }))
            .map_err(|e| load_error(&files.tokenizer, e.to_string()))?;
        tokenizer.with_padding(None::<PaddingParams>);
        let device = Device::Cpu;
        // SAFETY: the file is memory-mapped read-only; ModelFiles::open checked
        // that its length matches its header. Changing the file while the
        // model is loaded is undefined behaviour, as for every mmap.
        let weights = unsafe { VarBuilder::from_mmaped_safetensors(&[&files.weights], DType::F32, &device) }
            .map_err(|e| load_error(&files.weights, e.to_string()))?;
        let model = match options.encoder {
            Encoder::Fused => BertEncoder::load(weights, &config).map(Model::Fused),
            Encoder::CandleTransformers => BertModel::load(weights, &config).map(Model::CandleTransformers),
        }
        .map_err(|e| load_error(&files.weights, e.to_string()))?;
        let name = model_name(&files.dir);
        Ok(Self {
            model,
            tokenizer,
            device,
            name,
            dim: config.hidden_size,
            max_tokens,
            pooling: files.pooling,
            batch_size: options.batch_size,
        })
    }

    /// Runs one batch of already tokenized texts; returns `len * dim` values.
    fn forward(&self, encodings: &[&tokenizers::Encoding]) -> Result<Vec<f32>, TextError> {
        let batch = encodings.len();
        let inference = |e: candle_core::Error| TextError::Inference { batch, reason: e.to_string() };
        let width = encodings.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
        let mut ids = vec![0u32; batch * width];
        let mut mask = vec![0u32; batch * width];
        for (row, encoding) in encodings.iter().enumerate() {
            let n = encoding.get_ids().len();
            ids[row * width..row * width + n].copy_from_slice(encoding.get_ids());
            mask[row * width..row * width + n].fill(1);
        }
        let ids = Tensor::from_vec(ids, (batch, width), &self.device).map_err(inference)?;
        let mask = Tensor::from_vec(mask, (batch, width), &self.device).map_err(inference)?;
        // ANCHOR: pooling
        let hidden = match &self.model {
            Model::Fused(encoder) => encoder.forward(&ids, &mask),
            Model::CandleTransformers(model) => {
                ids.zeros_like().and_then(|type_ids| model.forward(&ids, &type_ids, Some(&mask)))
            }
        }
        .map_err(inference)?;
        let pooled = match self.pooling {
            Pooling::Cls => hidden.narrow(1, 0, 1).and_then(|t| t.squeeze(1)),
            _ => {
                let weights = mask.to_dtype(DType::F32).and_then(|m| m.unsqueeze(2)).map_err(inference)?;
                let summed = hidden.broadcast_mul(&weights).and_then(|t| t.sum(1)).map_err(inference)?;
                let counts = weights.sum(1).map_err(inference)?;
                summed.broadcast_div(&counts)
            }
        }
        .map_err(inference)?;
        let norms = pooled.sqr().and_then(|t| t.sum_keepdim(1)).and_then(|t| t.sqrt()).map_err(inference)?;
        let unit = pooled.broadcast_div(&norms).map_err(inference)?;
        // ANCHOR_END: pooling
        unit.flatten_all().and_then(|t| t.to_vec1::<f32>()).map_err(inference)
    }
}

impl Embedder for BertEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    fn embed(&self, texts: &[&str]) -> Result<Embeddings, TextError> {
        let mut encodings = Vec::with_capacity(texts.len());
        let mut truncated = Vec::new();
        for (index, text) in texts.iter().enumerate() {
            let encoding =
                self.tokenizer.encode(*text, true).map_err(|e| TextError::Tokenize { index, reason: e.to_string() })?;
            if !encoding.get_overflowing().is_empty() {
                let kept_bytes = encoding.get_offsets().iter().map(|&(_, end)| end).max().unwrap_or(0);
                let kept_chars = text.get(..kept_bytes).map_or(0, |kept| kept.chars().count());
                truncated.push(Truncated {
                    index,
                    kept_tokens: encoding.get_ids().len(),
                    kept_chars,
                    total_chars: text.chars().count(),
                });
            }
            encodings.push(encoding);
        }
        // Batches of similar length waste little on padding.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encodings[i].get_ids().len());
        let mut data = vec![0f32; texts.len() * self.dim];
        for chunk in order.chunks(self.batch_size) {
            let batch: Vec<&tokenizers::Encoding> = chunk.iter().map(|&i| &encodings[i]).collect();
            let vectors = self.forward(&batch)?;
            for (row, &index) in chunk.iter().enumerate() {
                data[index * self.dim..(index + 1) * self.dim]
                    .copy_from_slice(&vectors[row * self.dim..(row + 1) * self.dim]);
            }
        }
        Ok(Embeddings::new(self.dim, data, truncated))
    }
}

/// `all-MiniLM-L6-v2` from `.../models--sentence-transformers--all-MiniLM-L6-v2/snapshots/<rev>`,
/// else the folder's own name.
fn model_name(dir: &std::path::Path) -> String {
    dir.ancestors()
        .filter_map(|p| p.file_name()?.to_str()?.strip_prefix("models--")?.rsplit("--").next().map(str::to_string))
        .next()
        .or_else(|| dir.file_name().and_then(|n| n.to_str()).map(str::to_string))
        .unwrap_or_else(|| "bert".to_string())
}
