//! In-memory requantisation of a GGUF file's slow tensors to Q8_0.
//!
//! candle 0.11.1 multiplies Q4_0, Q8_0 and the K-quants with SIMD kernels
//! but Q4_1, Q5_0 and Q5_1 with scalar code (GUIDE §4): SmolLM2's Q4_1
//! weights generate about 3× faster once turned into Q8_0 at load. Q8_0
//! keeps 8 bits per weight, so the Q4_1 values survive almost exactly (the
//! rounding error of Q8_0 is far below Q4_1's step). The file on disk is
//! never changed.

use std::io::{Cursor, Read, Seek};

use candle_core::Device;
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};

use super::error::LlmError;

/// The tensor types whose candle kernels are scalar.
pub const SLOW_TYPES: [GgmlDType; 3] = [GgmlDType::Q4_1, GgmlDType::Q5_0, GgmlDType::Q5_1];

/// What a requantisation changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequantizeReport {
    /// Tensors rewritten as Q8_0.
    pub requantized: usize,
    /// Tensors kept as they were.
    pub kept: usize,
}

/// Rewrites the GGUF model read from `reader` with every tensor of a
/// [`SLOW_TYPES`] type as Q8_0, and returns the new file's bytes with the
/// report. Metadata is kept as it is.
pub fn requantize_to_q8_0<R: Read + Seek>(
    content: &gguf_file::Content,
    reader: &mut R,
) -> Result<(Vec<u8>, RequantizeReport), LlmError> {
    let device = Device::Cpu;
    let mut report = RequantizeReport::default();
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    // Keep the file's own tensor order (by offset), so the copy is laid out like the original.
    names.sort_by_key(|name| content.tensor_infos[*name].offset);
    let mut tensors: Vec<(&str, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let tensor = content.tensor(reader, name, &device).map_err(LlmError::candle(format!("reading {name}")))?;
        let tensor =
            if SLOW_TYPES.contains(&tensor.dtype()) && tensor.shape().dims().last().is_some_and(|d| d % 32 == 0) {
                report.requantized += 1;
                let values = tensor.dequantize(&device).map_err(LlmError::candle(format!("dequantizing {name}")))?;
                QTensor::quantize(&values, GgmlDType::Q8_0).map_err(LlmError::candle(format!("quantizing {name}")))?
            } else {
                report.kept += 1;
                tensor
            };
        tensors.push((name.as_str(), tensor));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(name, t)| (*name, t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &tensor_refs).map_err(LlmError::candle("writing the requantised model"))?;
    Ok((out.into_inner(), report))
}
