//! What can go wrong when a language model is loaded, prompted or answers.

use std::path::PathBuf;

use crate::models::ModelError;

/// An error of a language-model backend, local or remote.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    /// The model file is missing or damaged.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A field of the GGUF metadata is missing or not what it should be.
    #[error("GGUF metadata `{field}` {problem}")]
    Metadata {
        /// The metadata key.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The model's tokenizer is of a kind this loader does not build.
    #[error("GGUF metadata `{field}` is {value:?}; this loader supports {supported}")]
    UnsupportedTokenizer {
        /// The metadata key.
        field: &'static str,
        /// Its value.
        value: String,
        /// What is supported.
        supported: &'static str,
    },
    /// The model's architecture is not one this loader runs.
    #[error("{path}: architecture {architecture:?} is not supported (supported: {supported})")]
    UnsupportedArchitecture {
        /// The model file.
        path: PathBuf,
        /// `general.architecture`.
        architecture: String,
        /// What is supported.
        supported: &'static str,
    },
    /// The model's chat template is not one this crate can render.
    #[error("the chat template in `tokenizer.chat_template` is not ChatML (<|im_start|>) or Gemma (<start_of_turn>)")]
    UnknownChatTemplate,
    /// Tokenizing or decoding failed.
    #[error("tokenizer: {0}")]
    Tokenize(String),
    /// A prompt plus its answer would not fit the context.
    #[error("the prompt needs {needed} tokens but the context is capped at {cap} (LoadOptions::context_tokens)")]
    ContextFull {
        /// Tokens needed.
        needed: usize,
        /// The cap.
        cap: usize,
    },
    /// An answer label tokenized to nothing.
    #[error("answer label {0:?} has no tokens")]
    EmptyLabel(String),
    /// The tensor runtime failed.
    #[error("candle: {context}: {message}")]
    Candle {
        /// What was being done.
        context: String,
        /// candle's message.
        message: String,
    },
    /// Reading the model file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl LlmError {
    /// Wraps a candle error with what was being done.
    pub fn candle(context: impl Into<String>) -> impl FnOnce(candle_core::Error) -> Self {
        let context = context.into();
        move |error| Self::Candle { context, message: error.to_string() }
    }
}
