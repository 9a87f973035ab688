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
    /// A JSON schema outside what guided decoding follows.
    #[error("unsupported JSON schema for guided decoding: {0}")]
    Schema(String),
    /// An answer label tokenized to nothing.
    #[error("answer label {0:?} has no tokens")]
    EmptyLabel(String),
    /// A text to score tokenized to nothing (empty or only whitespace).
    #[error("text {0:?} has no tokens to score")]
    EmptyText(String),
    /// A session was asked for the next token's probabilities before any
    /// prompt was fed to it.
    #[error("no prompt has been fed to this session yet (call feed first)")]
    NoPromptFed,
    /// The tensor runtime failed.
    #[error("candle: {context}: {message}")]
    Candle {
        /// What was being done.
        context: String,
        /// candle's message.
        message: String,
    },
    /// The environment variable that should hold the API key is unset or empty.
    #[error(
        "the API key variable ${variable} is not set (or empty); export it, or leave --api-key-env out for a server without keys"
    )]
    MissingApiKey {
        /// The variable's name.
        variable: String,
    },
    /// The base URL is not an http(s) URL.
    #[error("base URL {url:?} must start with http:// or https:// (e.g. http://127.0.0.1:8080/v1)")]
    BadUrl {
        /// The URL given.
        url: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}: {message}")]
    Http {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's error message (or the start of its body).
        message: String,
    },
    /// The request took longer than the timeout.
    #[error("{url} did not answer within {after:?}")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The timeout.
        after: std::time::Duration,
    },
    /// The connection failed or broke.
    #[error("cannot talk to {url}: {message}")]
    Connection {
        /// The endpoint.
        url: String,
        /// What failed.
        message: String,
    },
    /// Every retry failed.
    #[error("gave up after {attempts} attempts; the last failure: {last}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last attempt's error.
        last: Box<LlmError>,
    },
    /// The server asked to wait longer than the client's cap.
    #[error("{url} asked to retry after {asked:?}, longer than the cap of {cap:?}")]
    RetryAfterTooLong {
        /// The endpoint.
        url: String,
        /// What the server asked for.
        asked: std::time::Duration,
        /// The cap ([`crate::llm::RetryPolicy::max_retry_after`]).
        cap: std::time::Duration,
    },
    /// The server's answer is not a chat completion.
    #[error("the server's answer is not a chat completion ({problem}): {excerpt:?}")]
    BadResponse {
        /// What is wrong.
        problem: String,
        /// The start of the body.
        excerpt: String,
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
