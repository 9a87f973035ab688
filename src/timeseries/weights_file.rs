//! A fitted detector in one safetensors file: the encoder's weights under
//! their PyTorch names, and in the header's metadata everything else (the
//! settings, the normaliser, the reference embeddings, the threshold and the
//! validation scores the calibrator is refitted on).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use candle_core::{Device, Tensor};
use serde::de::DeserializeOwned;

use super::detector::{FittedTimeSeriesDetector, TimeSeriesDetectorConfig};
use super::encoder::TimeSeriesAnomalyEncoder;
use super::error::TimeSeriesError;
use crate::alert::Calibrator;

/// The `format` entry of the metadata; another value is refused.
pub const WEIGHTS_FORMAT: &str = "llm-anomaly/time-series-detector/1";

impl FittedTimeSeriesDetector {
    /// Writes the detector to `path` (safetensors).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), TimeSeriesError> {
        let path = path.as_ref();
        let fail = |reason: String| TimeSeriesError::Weights { path: path.to_path_buf(), reason };
        let json = |text: serde_json::Result<String>| text.map_err(|e| fail(e.to_string()));
        let mut metadata = HashMap::new();
        metadata.insert("format".to_string(), WEIGHTS_FORMAT.to_string());
        metadata.insert("config".to_string(), json(serde_json::to_string(&self.config))?);
        metadata.insert("normaliser".to_string(), json(serde_json::to_string(&self.normaliser))?);
        metadata.insert("reference".to_string(), json(serde_json::to_string(&self.reference))?);
        metadata.insert("threshold".to_string(), json(serde_json::to_string(&self.threshold))?);
        metadata.insert("validation_scores".to_string(), json(serde_json::to_string(&self.validation_scores))?);
        let tensors = self.encoder.tensors();
        safetensors::serialize_to_file(tensors.iter(), Some(metadata), path).map_err(|e| fail(e.to_string()))
    }

    /// Reads a detector written by [`FittedTimeSeriesDetector::save`]; a
    /// file of another format, a missing entry or a tensor of the wrong
    /// shape is an error naming it.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TimeSeriesError> {
        let path = path.as_ref();
        let fail = |reason: String| TimeSeriesError::Weights { path: path.to_path_buf(), reason };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).map_err(|e| fail(e.to_string()))?;
        let metadata = header.metadata().clone().unwrap_or_default();
        let format = metadata.get("format").map(String::as_str).unwrap_or("(none)");
        if format != WEIGHTS_FORMAT {
            return Err(fail(format!("format is `{format}`, expected `{WEIGHTS_FORMAT}`")));
        }
        fn entry<T: DeserializeOwned>(metadata: &HashMap<String, String>, key: &str) -> Result<T, String> {
            let text = metadata.get(key).ok_or_else(|| format!("metadata entry `{key}` is missing"))?;
            serde_json::from_str(text).map_err(|e| format!("metadata entry `{key}`: {e}"))
        }
        let config: TimeSeriesDetectorConfig = entry(&metadata, "config").map_err(fail)?;
        let validation_scores: Vec<f64> = entry(&metadata, "validation_scores").map_err(fail)?;
        let tensors: BTreeMap<String, Tensor> = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
            .map_err(|e| fail(e.to_string()))?
            .into_iter()
            .collect();
        let encoder =
            TimeSeriesAnomalyEncoder::from_tensors(config.encoder, &tensors).map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            encoder,
            normaliser: entry(&metadata, "normaliser").map_err(fail)?,
            reference: entry(&metadata, "reference").map_err(fail)?,
            threshold: entry(&metadata, "threshold").map_err(fail)?,
            calibrator: Calibrator::fit(&validation_scores)?,
            validation_scores,
            report: None,
            config,
        })
    }
}
