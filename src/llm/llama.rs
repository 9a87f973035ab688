//! The Llama architecture (SmolLM2, Llama 2/3, TinyLlama) as a quantised
//! network on the CPU.
//!
//! The layers are those of candle-transformers 0.11.1's `quantized_llama`
//! (MIT/Apache-2.0; dense feed-forward only, no mixture of experts) with
//! two changes: every layer matrix can keep a dense copy for prompts
//! ([`Linear`]: prompts read several times faster), and the rotary tables
//! cover the context cap. `tests/local_llm.rs` checks that one token at a
//! time it computes what candle's `quantized_llama` computes.

use candle_core::quantized::{QMatMul, QTensor, gguf_file};
use candle_core::{Device, IndexOp, Module, Tensor};
use candle_nn::Embedding;
use candle_transformers::quantized_nn::RmsNorm;

use super::attention::{KvCache, attend, attention_mask};
use super::linear::Linear;
use super::rotary::{Rotary, RotaryPairs};

/// Rotary base when `llama.rope.freq_base` is absent.
const DEFAULT_ROPE_BASE: f32 = 10_000.0;

/// The loaded network with its key/value cache.
#[derive(Debug, Clone)]
pub struct Llama {
    embeddings: Embedding,
    layers: Vec<Layer>,
    norm: RmsNorm,
    output: QMatMul,
    context: usize,
}

#[derive(Debug, Clone)]
struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    out: Linear,
    attention_norm: RmsNorm,
    ffn_norm: RmsNorm,
    gate: Linear,
    up: Linear,
    down: Linear,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    rotary: Rotary,
    cache: KvCache,
}

impl Llama {
    /// Builds the network from a GGUF file (`general.architecture = llama`)
    /// with rotary tables for `context` positions; `dense` keeps an f32 copy
    /// of every layer matrix for prompts.
    pub fn from_gguf<R: std::io::Read + std::io::Seek>(
        content: &gguf_file::Content,
        reader: &mut R,
        context: usize,
        dense: bool,
        device: &Device,
    ) -> candle_core::Result<Self> {
        let meta = |key: &str| {
            content
                .metadata
                .get(&format!("llama.{key}"))
                .ok_or_else(|| candle_core::Error::Msg(format!("llama.{key} is missing")))
        };
        let heads = meta("attention.head_count")?.to_u32()? as usize;
        let kv_heads = meta("attention.head_count_kv")?.to_u32()? as usize;
        let blocks = meta("block_count")?.to_u32()? as usize;
        let width = meta("embedding_length")?.to_u32()? as usize;
        let head_dim = width / heads;
        let rotary_dims = meta("rope.dimension_count").and_then(|v| v.to_u32()).map_or(head_dim, |d| d as usize);
        let eps = meta("attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let base = meta("rope.freq_base").and_then(|v| v.to_f32()).unwrap_or(DEFAULT_ROPE_BASE);
        if meta("expert_count").and_then(|v| v.to_u32()).unwrap_or(0) > 1 {
            candle_core::bail!("mixture-of-experts Llama models are not supported");
        }
        // Never more positions than the model was trained for.
        let context = meta("context_length").and_then(|v| v.to_u32()).map_or(context, |n| context.min(n as usize));
        let rotary = Rotary::new(rotary_dims, base, context, RotaryPairs::Interleaved, device)?;

        let mut tensor = |name: &str| content.tensor(reader, name, device);
        let norm = |t: QTensor| RmsNorm::from_qtensor(t, eps);
        let token_embeddings = tensor("token_embd.weight")?;
        let embeddings = Embedding::new(token_embeddings.dequantize(device)?, width);
        let output = match tensor("output.weight") {
            Ok(weights) => weights,
            Err(_) => token_embeddings,
        };
        let final_norm = norm(tensor("output_norm.weight")?)?;
        let mut layers = Vec::with_capacity(blocks);
        for index in 0..blocks {
            let mut weight = |part: &str| tensor(&format!("blk.{index}.{part}.weight"));
            let linear = |t: QTensor| Linear::new(t, dense);
            layers.push(Layer {
                query: linear(weight("attn_q")?)?,
                key: linear(weight("attn_k")?)?,
                value: linear(weight("attn_v")?)?,
                out: linear(weight("attn_output")?)?,
                attention_norm: norm(weight("attn_norm")?)?,
                ffn_norm: norm(weight("ffn_norm")?)?,
                gate: linear(weight("ffn_gate")?)?,
                up: linear(weight("ffn_up")?)?,
                down: linear(weight("ffn_down")?)?,
                heads,
                kv_heads,
                head_dim,
                rotary: rotary.clone(),
                cache: KvCache::default(),
            });
        }
        Ok(Self { embeddings, layers, norm: final_norm, output: QMatMul::from_qtensor(output)?, context })
    }

    /// The most positions the rotary tables cover.
    pub fn context(&self) -> usize {
        self.context
    }

    /// Forgets the cached keys and values.
    pub fn clear_kv_cache(&mut self) {
        for layer in &mut self.layers {
            layer.cache.clear();
        }
    }

    /// Runs `tokens` (shape `[1, n]`) at positions `position..position + n`
    /// after the cached ones and returns the logits of the last position
    /// (shape `[1, vocabulary]`). `position` 0 starts a new context.
    pub fn forward(&mut self, tokens: &Tensor, position: usize) -> candle_core::Result<Tensor> {
        let (_, len) = tokens.dims2()?;
        if position + len > self.context {
            candle_core::bail!("positions up to {} do not fit the context of {}", position + len, self.context);
        }
        let mask = attention_mask(len, position, None, tokens.device())?;
        let mut x = self.embeddings.forward(tokens)?;
        for layer in &mut self.layers {
            let attended = layer.attention(&layer.attention_norm.forward(&x)?, mask.as_ref(), position)?;
            let x_mid = (attended + &x)?;
            let hidden = layer.ffn_norm.forward(&x_mid)?;
            let gated = (candle_nn::ops::silu(&layer.gate.forward(&hidden)?)? * layer.up.forward(&hidden)?)?;
            x = (layer.down.forward(&gated)? + x_mid)?;
        }
        let last = x.i((.., len - 1, ..))?;
        self.output.forward(&self.norm.forward(&last)?)
    }
}

impl Layer {
    fn attention(&mut self, x: &Tensor, mask: Option<&Tensor>, position: usize) -> candle_core::Result<Tensor> {
        let (batch, len, _) = x.dims3()?;
        let split = |t: Tensor, heads: usize| t.reshape((batch, len, heads, self.head_dim))?.transpose(1, 2);
        let q = self.rotary.apply(&split(self.query.forward(x)?, self.heads)?, position)?;
        let k = self.rotary.apply(&split(self.key.forward(x)?, self.kv_heads)?, position)?;
        let v = split(self.value.forward(x)?, self.kv_heads)?;
        let (k, v) = self.cache.append(k, v, position)?;
        self.out.forward(&attend(&q, k, v, mask)?)
    }
}
