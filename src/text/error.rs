//! What can go wrong between a text and its score.

use std::path::PathBuf;

use crate::models::ModelError;

/// An error of the text layer, naming the file, the item or the parameter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// An error of the shared layers (calibration, thresholds).
    #[error(transparent)]
    Core(#[from] crate::Error),
    /// The model is missing or damaged on disk.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A model file is whole but cannot be used (unsupported architecture, bad tensor names).
    #[error("cannot load the model from {path}: {reason}")]
    Load {
        /// The file.
        path: PathBuf,
        /// The loader's message.
        reason: String,
    },
    /// The tokenizer failed on one input.
    #[error("cannot tokenize text #{index}: {reason}")]
    Tokenize {
        /// Position of the text in the batch given.
        index: usize,
        /// The tokenizer's message.
        reason: String,
    },
    /// The model failed while running.
    #[error("the model failed on a batch of {batch} texts: {reason}")]
    Inference {
        /// How many texts were in the batch.
        batch: usize,
        /// candle's message.
        reason: String,
    },
    /// A parameter is out of range.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name as in the API.
        name: &'static str,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Too few texts to fit or calibrate on.
    #[error("`{what}` has {have} texts, at least {need} are needed")]
    TooFew {
        /// Which set.
        what: &'static str,
        /// How many were given.
        have: usize,
        /// How many are needed.
        need: usize,
    },
    /// Embeddings of different sizes were mixed.
    #[error("embedding size mismatch: `{what}` has {found} dimensions, the detector was fitted on {expected}")]
    DimensionMismatch {
        /// Which input.
        what: &'static str,
        /// Its dimension.
        found: usize,
        /// The expected dimension.
        expected: usize,
    },
    /// The language-model part failed on every headline it was given.
    #[error("the language model failed on all {of} headlines it scored while fitting; the first error: {first}")]
    LanguageModel {
        /// Headlines given.
        of: usize,
        /// The first headline's error (a backend that is down says so here).
        first: String,
    },
}
