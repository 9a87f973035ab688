//! Rotary position embeddings: the cos/sin tables for the positions of the
//! context, applied to queries and keys.

use candle_core::{DType, Device, Tensor};

/// How a head's dimensions are paired for the rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RotaryPairs {
    /// Dimensions (2i, 2i+1): Llama in llama.cpp's GGUF layout.
    Interleaved,
    /// Dimensions (i, i + d/2): Gemma, GPT-NeoX.
    Halves,
}

/// The tables for positions `0..context`.
#[derive(Debug, Clone)]
pub(crate) struct Rotary {
    cos: Tensor,
    sin: Tensor,
    pairs: RotaryPairs,
}

impl Rotary {
    /// Tables for `dims` rotated dimensions with base `base`, for `context` positions.
    pub(crate) fn new(
        dims: usize,
        base: f32,
        context: usize,
        pairs: RotaryPairs,
        device: &Device,
    ) -> candle_core::Result<Self> {
        let inverse: Vec<f32> = (0..dims).step_by(2).map(|i| 1.0 / base.powf(i as f32 / dims as f32)).collect();
        let inverse = Tensor::new(inverse.as_slice(), device)?;
        let angles = Tensor::arange(0, context as u32, device)?
            .to_dtype(DType::F32)?
            .reshape((context, 1))?
            .matmul(&inverse.reshape((1, dims / 2))?)?;
        Ok(Self { cos: angles.cos()?, sin: angles.sin()?, pairs })
    }

    /// Rotates `x` (batch, heads, tokens, head dim) for positions starting at `position`.
    pub(crate) fn apply(&self, x: &Tensor, position: usize) -> candle_core::Result<Tensor> {
        let (_, _, len, _) = x.dims4()?;
        let cos = self.cos.narrow(0, position, len)?;
        let sin = self.sin.narrow(0, position, len)?;
        match self.pairs {
            RotaryPairs::Interleaved => candle_nn::rotary_emb::rope_i(&x.contiguous()?, &cos, &sin),
            RotaryPairs::Halves => candle_nn::rotary_emb::rope(&x.contiguous()?, &cos, &sin),
        }
    }
}
