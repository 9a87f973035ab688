//! A weight matrix kept in two forms, each used where it is fastest.
//!
//! Generating feeds one token at a time: the work is reading the weights,
//! and a quantised matrix (Q8_0, one byte per weight) reads four times fewer
//! bytes than f32. Reading a prompt feeds many tokens at once: the work is
//! arithmetic, and candle's f32 matrix multiply does it far faster than its
//! quantised dot products, which run once per token. `cargo xtask bench
//! smollm2` measures both (the zero-shot page's speed table).

use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{Module, Tensor};

/// Inputs with at least this many rows (tokens) use the dense copy; one
/// token (a generation step) and two (a label continuation) stay on the
/// quantised form, which reads a quarter of the bytes.
pub(crate) const DENSE_MIN_ROWS: usize = 3;

/// A quantised weight matrix with, optionally, its dense f32 copy.
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    quantized: QMatMul,
    dense: Option<QMatMul>,
}

impl Linear {
    /// The matrix `weights`, with a dense copy when `dense` is set (4 bytes
    /// per weight more memory).
    pub(crate) fn new(weights: QTensor, dense: bool) -> candle_core::Result<Self> {
        let copy = if dense { Some(QMatMul::Tensor(weights.dequantize(&weights.device())?)) } else { None };
        Ok(Self { quantized: QMatMul::QTensor(std::sync::Arc::new(weights)), dense: copy })
    }

    // ANCHOR: forward
    /// `x · Wᵀ` over the last dimension of `x`.
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let rows = x.elem_count() / x.dims().last().copied().unwrap_or(1).max(1);
        match &self.dense {
            Some(dense) if rows >= DENSE_MIN_ROWS => dense.forward(x),
            _ => self.quantized.forward(x),
        }
    }
    // ANCHOR_END: forward
}
