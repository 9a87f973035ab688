//! Language models that read and answer (feature `text`): a local GGUF
//! chat model run in candle, its tokenizer rebuilt from the file, chat
//! templates rendered to token ids, and the two ways a model's opinion
//! becomes a number: a generated verdict, and the log-probability of an
//! answer label after a question (no generation needed).
//!
//! Text from outside (headlines, posts) is data: it is tokenized as plain
//! text, so control tokens written inside it stay characters.

mod attention;
pub mod backend;
pub mod chat;
pub mod digit_series;
pub mod error;
pub mod forecaster;
pub mod gemma3;
pub mod gguf_tokenizer;
pub mod guided;
pub mod headline_scorers;
pub mod injection;
pub mod label_likelihood;
mod linear;
pub mod llama;
pub mod local_model;
mod network;
#[cfg(feature = "http")]
pub mod openai;
pub mod perplexity;
pub mod prompt;
pub mod requantize;
pub mod retry;
mod rotary;
mod sentencepiece;
#[cfg(feature = "http")]
pub mod serve;
pub mod session;
pub mod verdict;
pub mod zero_shot;

pub use backend::{ChatBackend, ChatReply, ChatRequest, GUIDED_TEXT_TOKENS, json_object_end};
pub use chat::{ChatMessage, ChatTemplate, Role};
pub use digit_series::{DigitScaler, digit_token_text, parse_forecast};
pub use error::LlmError;
pub use forecaster::{ForecastError, ForecastRun, ForecasterConfig, LlmForecaster};
pub use gguf_tokenizer::GgufTokenizer;
pub use guided::{
    CONFIDENCE_CHOICES, FieldKind, GuidedField, SCORE_CHOICES, fields_of_schema, guided_object, guided_verdict,
    verdict_fields, verdict_schema,
};
pub use headline_scorers::VerdictScorer;
pub use injection::{ATTACKS, InjectionFinding, scan_injection};
pub use label_likelihood::LabelLikelihoodScorer;
pub use local_model::{LoadInfo, LoadOptions, LocalLlm};
#[cfg(feature = "http")]
pub use openai::{OpenAiClient, OpenAiConfig};
pub use perplexity::mean_token_nll;
pub use prompt::{MarketSnapshot, system_prompt, user_prompt, verdict_messages};
pub use requantize::{RequantizeReport, SLOW_TYPES, requantize_to_q8_0};
pub use retry::{Jitter, RetryPolicy, parse_retry_after};
#[cfg(feature = "http")]
pub use serve::openai_router;
pub use session::{GenerateOptions, Generation, Session, StopReason, StopRule};
pub use verdict::{Verdict, VerdictError, parse_verdict};
pub use zero_shot::{
    ANSWER_PREFIX, FewShotExample, FieldFinding, INJECTION_SCORE, ScoreSource, ZeroShotAnomalyDetector, ZeroShotResult,
};
