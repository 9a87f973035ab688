//! [`BertEncoder`]: the BERT forward pass (embeddings, then self-attention
//! and feed-forward layers), written for CPU throughput on short texts.
//!
//! It computes what candle-transformers' `BertModel` computes, with the
//! same weights, and differs only in how:
//!
//! * every token of the batch is one row of a single 2-D matrix, so each
//!   linear layer is one large matrix multiply;
//! * the query, key and value projections are fused into one multiply, with
//!   the weights transposed and the 1/√d attention scale folded into the
//!   query weights once, at load time;
//! * the softmax is candle's fused last-dimension kernel, not the generic
//!   one made of five tensor operations;
//! * GELU is the exact erf form, through a vectorised erf
//!   ([`super::fast_gelu`]).
//!
//! A test compares its embeddings with sentence-transformers' (PyTorch) for
//! fixed sentences (`tests/text_embeddings.rs`, cosine ≥ 0.9999), and the
//! criterion benchmark `benches/minilm.rs` compares its speed with
//! `BertModel`'s.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Linear, VarBuilder};
use candle_transformers::models::bert::{Config, HiddenAct, PositionEmbeddingType};

use super::fast_gelu::gelu_erf;

type Result<T> = candle_core::Result<T>;

/// Weights and biases of a layer norm.
struct Norm {
    weight: Tensor,
    bias: Tensor,
}

impl Norm {
    fn load(vb: VarBuilder, size: usize) -> Result<Self> {
        Ok(Self { weight: vb.get(size, "weight")?, bias: vb.get(size, "bias")? })
    }

    fn forward(&self, xs: &Tensor, eps: f32) -> Result<Tensor> {
        candle_nn::ops::layer_norm(xs, &self.weight, &self.bias, eps)
    }
}

/// One transformer layer.
struct Layer {
    /// Query, key and value projections side by side: `(hidden, 3·hidden)`
    /// as a `Linear` of `(3·hidden, hidden)` weights; the query part is
    /// pre-scaled by 1/√head_dim.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        let (h, i) = (c.hidden_size, c.intermediate_size);
        let scale = 1.0 / ((h / c.num_attention_heads) as f64).sqrt();
        let attn = vb.pp("attention.self");
        let part = |name: &str| -> Result<(Tensor, Tensor)> {
            let p = attn.pp(name);
            Ok((p.get((h, h), "weight")?, p.get(h, "bias")?))
        };
        let (qw, qb) = part("query")?;
        let (kw, kb) = part("key")?;
        let (vw, vb_) = part("value")?;
        let weight = Tensor::cat(&[(qw * scale)?, kw, vw], 0)?;
        let bias = Tensor::cat(&[(qb * scale)?, kb, vb_], 0)?;
        let linear = |p: VarBuilder, inp: usize, out: usize| -> Result<Linear> {
            Ok(Linear::new(p.get((out, inp), "weight")?, Some(p.get(out, "bias")?)))
        };
        Ok(Self {
            qkv: Linear::new(weight, Some(bias)),
            attention_out: linear(vb.pp("attention.output.dense"), h, h)?,
            attention_norm: Norm::load(vb.pp("attention.output.LayerNorm"), h)?,
            intermediate: linear(vb.pp("intermediate.dense"), h, i)?,
            output: linear(vb.pp("output.dense"), i, h)?,
            output_norm: Norm::load(vb.pp("output.LayerNorm"), h)?,
        })
    }
}

/// A BERT encoder on the CPU (see the module documentation).
pub struct BertEncoder {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    hidden: usize,
    eps: f32,
}

impl BertEncoder {
    /// Loads the weights of a BERT checkpoint (with or without a `bert.`
    /// prefix). Only the exact-GELU, absolute-position BERT is supported.
    pub fn load(vb: VarBuilder, c: &Config) -> Result<Self> {
        if c.hidden_act != HiddenAct::Gelu || c.position_embedding_type != PositionEmbeddingType::Absolute {
            candle_core::bail!("only BERT with hidden_act \"gelu\" and absolute positions is supported")
        }
        if c.num_attention_heads == 0 || !c.hidden_size.is_multiple_of(c.num_attention_heads) {
            candle_core::bail!("hidden_size {} is not a multiple of {} heads", c.hidden_size, c.num_attention_heads)
        }
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") { vb.pp("bert") } else { vb };
        let e = vb.pp("embeddings");
        let h = c.hidden_size;
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), c))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            word: e.get((c.vocab_size, h), "word_embeddings.weight")?,
            position: e.get((c.max_position_embeddings, h), "position_embeddings.weight")?,
            token_type: e.get((c.type_vocab_size, h), "token_type_embeddings.weight")?,
            embedding_norm: Norm::load(e.pp("LayerNorm"), h)?,
            layers,
            heads: c.num_attention_heads,
            hidden: h,
            eps: c.layer_norm_eps as f32,
        })
    }

    /// The last hidden states, `(batch, tokens, hidden)`, of token ids
    /// `(batch, tokens)` with `mask` (1 = token, 0 = padding), segment 0.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, tokens) = ids.dims2()?;
        let (h, heads) = (self.hidden, self.heads);
        let head_dim = h / heads;
        let words = self.word.index_select(&ids.flatten_all()?, 0)?.reshape((batch, tokens, h))?;
        let extra = self.position.narrow(0, 0, tokens)?.broadcast_add(&self.token_type.narrow(0, 0, 1)?)?;
        let embedded = words.broadcast_add(&extra)?.reshape((batch * tokens, h))?;
        let mut x = self.embedding_norm.forward(&embedded, self.eps)?;
        // 0 for tokens, a large negative number for padding, per key.
        let bias = ((mask.to_dtype(DType::F32)? - 1.0)? * f64::from(f32::MAX))?
            .reshape((batch, 1, 1, tokens))?
            .broadcast_as((batch, heads, tokens, tokens))?
            .contiguous()?;
        for layer in &self.layers {
            let qkv = layer
                .qkv
                .forward(&x)?
                .reshape((batch, tokens, 3, heads, head_dim))?
                .permute((2, 0, 3, 1, 4))?
                .contiguous()?;
            let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
            let scores = (q.matmul(&k.t()?)? + &bias)?;
            let probabilities = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probabilities.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((batch * tokens, h))?;
            let attended = layer.attention_out.forward(&context)?;
            x = layer.attention_norm.forward(&(attended + &x)?, self.eps)?;
            let inner = gelu_erf(&layer.intermediate.forward(&x)?)?;
            let out = layer.output.forward(&inner)?;
            x = layer.output_norm.forward(&(out + &x)?, self.eps)?;
        }
        x.reshape((batch, tokens, h))
    }

    /// The device the weights live on.
    pub fn device(&self) -> &Device {
        self.word.device()
    }
}
