//! The networks a local model runs: [`Llama`] and [`Gemma3`].

use candle_core::Tensor;

use super::gemma3::Gemma3;
use super::llama::Llama;

/// A loaded network with its key/value cache.
#[derive(Debug, Clone)]
pub(crate) enum Network {
    /// SmolLM2, Llama 2/3, TinyLlama.
    Llama(Llama),
    /// Gemma 3 (text).
    Gemma3(Gemma3),
}

impl Network {
    /// The logits of the last of `tokens` (shape `[1, n]`) fed at `position`.
    pub(crate) fn forward(&mut self, tokens: &Tensor, position: usize) -> candle_core::Result<Tensor> {
        match self {
            Self::Llama(weights) => weights.forward(tokens, position),
            Self::Gemma3(weights) => weights.forward(tokens, position),
        }
    }

    /// Forgets the cached keys and values.
    pub(crate) fn clear_kv_cache(&mut self) {
        match self {
            Self::Llama(weights) => weights.clear_kv_cache(),
            Self::Gemma3(weights) => weights.clear_kv_cache(),
        }
    }

    /// The most positions the network can take.
    pub(crate) fn max_context(&self) -> usize {
        match self {
            Self::Llama(weights) => weights.context(),
            Self::Gemma3(weights) => weights.context(),
        }
    }
}
