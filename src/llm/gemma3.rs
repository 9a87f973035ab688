//! Gemma 3 (text only) as a quantised network on the CPU.
//!
//! The layers follow candle-transformers 0.11.1's `quantized_gemma3`
//! (MIT/Apache-2.0) with four changes, covered by the tests in
//! [`super::attention`] and in `tests/gemma3.rs` (which compares the
//! next-token log-probabilities with llama.cpp's):
//!
//! - The feed-forward gate is GELU (tanh approximation), as in Gemma's
//!   configuration and llama.cpp; candle's uses SiLU.
//! - The rotary tables cover the context cap, not 131 072 positions
//!   (candle's take about 2.4 GB for the 18 layers of Gemma-3-270M).
//! - A chunk of tokens fed after a cached prefix attends to that prefix.
//!   candle's mask hides the cached positions from a chunk longer than one
//!   token, so a prompt fed in two pieces gives different logits than the
//!   same prompt fed at once.
//! - The sliding-window layers see the last `window` positions also when
//!   keys come from the cache.
//!
//! Like [`super::llama::Llama`], every layer matrix can keep a dense copy
//! for prompts ([`Linear`]).

use candle_core::quantized::{QMatMul, QTensor, gguf_file};
use candle_core::{Device, IndexOp, Module, Tensor};
use candle_nn::Embedding;
use candle_transformers::quantized_nn::RmsNorm;

use super::attention::{KvCache, attend, attention_mask};
use super::linear::Linear;
use super::rotary::{Rotary, RotaryPairs};

/// One in `SLIDING_WINDOW_PERIOD` layers attends globally, the others
/// within the sliding window (Gemma 3's 5:1 pattern; the GGUF files carry no
/// key for it).
const SLIDING_WINDOW_PERIOD: usize = 6;
/// Rotary base of the sliding-window layers when `rope.local_freq_base` is absent.
const LOCAL_ROPE_BASE: f32 = 10_000.0;

/// The loaded network with its key/value cache.
#[derive(Debug, Clone)]
pub struct Gemma3 {
    embeddings: Embedding,
    width: usize,
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
    query_norm: RmsNorm,
    key_norm: RmsNorm,
    attention_norm: RmsNorm,
    post_attention_norm: RmsNorm,
    ffn_norm: RmsNorm,
    post_ffn_norm: RmsNorm,
    gate: Linear,
    up: Linear,
    down: Linear,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    window: Option<usize>,
    rotary: Rotary,
    cache: KvCache,
}

impl Gemma3 {
    /// Builds the network from a GGUF file (`general.architecture =
    /// gemma3`) with rotary tables for `context` positions; `dense` keeps
    /// an f32 copy of every layer matrix for prompts.
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
                .get(&format!("gemma3.{key}"))
                .ok_or_else(|| candle_core::Error::Msg(format!("gemma3.{key} is missing")))
        };
        let heads = meta("attention.head_count")?.to_u32()? as usize;
        let kv_heads = meta("attention.head_count_kv")?.to_u32()? as usize;
        let blocks = meta("block_count")?.to_u32()? as usize;
        let width = meta("embedding_length")?.to_u32()? as usize;
        let head_dim = meta("attention.key_length")?.to_u32()? as usize;
        let eps = meta("attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let window = meta("attention.sliding_window")?.to_u32()? as usize;
        let global_base = meta("rope.freq_base")?.to_f32()?;
        let local_base = meta("rope.local_freq_base").and_then(|v| v.to_f32()).unwrap_or(LOCAL_ROPE_BASE);
        // Never more positions than the model was trained for.
        let context = meta("context_length").and_then(|v| v.to_u32()).map_or(context, |n| context.min(n as usize));
        let global_rotary = Rotary::new(head_dim, global_base, context, RotaryPairs::Halves, device)?;
        let local_rotary = Rotary::new(head_dim, local_base, context, RotaryPairs::Halves, device)?;

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
            let sliding = (index + 1) % SLIDING_WINDOW_PERIOD != 0;
            layers.push(Layer {
                query: linear(weight("attn_q")?)?,
                key: linear(weight("attn_k")?)?,
                value: linear(weight("attn_v")?)?,
                out: linear(weight("attn_output")?)?,
                query_norm: norm(weight("attn_q_norm")?)?,
                key_norm: norm(weight("attn_k_norm")?)?,
                attention_norm: norm(weight("attn_norm")?)?,
                post_attention_norm: norm(weight("post_attention_norm")?)?,
                ffn_norm: norm(weight("ffn_norm")?)?,
                post_ffn_norm: norm(weight("post_ffw_norm")?)?,
                gate: linear(weight("ffn_gate")?)?,
                up: linear(weight("ffn_up")?)?,
                down: linear(weight("ffn_down")?)?,
                heads,
                kv_heads,
                head_dim,
                window: sliding.then_some(window),
                rotary: if sliding { local_rotary.clone() } else { global_rotary.clone() },
                cache: KvCache::default(),
            });
        }
        Ok(Self { embeddings, width, layers, norm: final_norm, output: QMatMul::from_qtensor(output)?, context })
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
        let mut x = (self.embeddings.forward(tokens)? * (self.width as f64).sqrt())?;
        for layer in &mut self.layers {
            let mask = attention_mask(len, position, layer.window, tokens.device())?;
            let attended = layer.attention(&layer.attention_norm.forward(&x)?, mask.as_ref(), position)?;
            let x_mid = (layer.post_attention_norm.forward(&attended)? + &x)?;
            let hidden = layer.ffn_norm.forward(&x_mid)?;
            let gated = (layer.gate.forward(&hidden)?.gelu()? * layer.up.forward(&hidden)?)?;
            x = (layer.post_ffn_norm.forward(&layer.down.forward(&gated)?)? + x_mid)?;
        }
        let last = x.i((.., len - 1, ..))?;
        self.output.forward(&self.norm.forward(&last)?)
    }
}

impl Layer {
    fn attention(&mut self, x: &Tensor, mask: Option<&Tensor>, position: usize) -> candle_core::Result<Tensor> {
        let (batch, len, _) = x.dims3()?;
        let split = |t: Tensor, heads: usize| t.reshape((batch, len, heads, self.head_dim))?.transpose(1, 2);
        let q = split(self.query.forward(x)?, self.heads)?;
        let k = split(self.key.forward(x)?, self.kv_heads)?;
        let v = split(self.value.forward(x)?, self.kv_heads)?;
        let q = self.rotary.apply(&self.query_norm.forward(&q.contiguous()?)?, position)?;
        let k = self.rotary.apply(&self.key_norm.forward(&k.contiguous()?)?, position)?;
        let (k, v) = self.cache.append(k, v, position)?;
        self.out.forward(&attend(&q, k, v, mask)?)
    }
}
