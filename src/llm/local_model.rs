//! A quantised chat model from a GGUF file, run in candle on the CPU.

use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};

use super::chat::{ChatMessage, ChatTemplate};
use super::error::LlmError;
use super::gguf_tokenizer::GgufTokenizer;
use super::requantize::{RequantizeReport, requantize_to_q8_0};
use super::session::Session;
use crate::models::check_gguf;

/// How a GGUF model is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Rewrite Q4_1/Q5 tensors as Q8_0 in memory (about 3× faster on
    /// candle 0.11.1; the file is not changed). Default `true`.
    pub requantize: bool,
    /// The most tokens a prompt plus its answer may take. Default 2048.
    pub context_tokens: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self { requantize: true, context_tokens: 2048 }
    }
}

/// What was loaded and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadInfo {
    /// The GGUF file.
    pub path: PathBuf,
    /// `general.name` from the metadata.
    pub name: String,
    /// `general.architecture`.
    pub architecture: String,
    /// What requantisation changed (all zero when it was off).
    pub requantized: RequantizeReport,
    /// Seconds from opening the file to a ready model.
    pub load_seconds: f64,
}

/// A local chat model: weights, tokenizer and chat template from one GGUF
/// file. Every prompt runs in its own [`Session`], so one loaded model
/// serves any number of prompts, and a shared prompt prefix is computed once
/// ([`Session::fork`]).
#[derive(Debug, Clone)]
pub struct LocalLlm {
    weights: ModelWeights,
    tokenizer: GgufTokenizer,
    template: ChatTemplate,
    context_tokens: usize,
    info: LoadInfo,
    /// The session after the most recent shared prefix (instructions and
    /// examples), with its tokens.
    prefix_cache: Arc<Mutex<Option<CachedPrefix>>>,
}

/// A prompt prefix and the session that has run it.
type CachedPrefix = (Vec<u32>, Session);

impl LocalLlm {
    /// Loads a Llama-architecture GGUF chat model (SmolLM2, Llama, Qwen-free
    /// ChatML models) from `path`.
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Self, LlmError> {
        let started = Instant::now();
        check_gguf(path)?;
        let io = |source| LlmError::Io { path: path.to_path_buf(), source };
        let mut reader = BufReader::new(std::fs::File::open(path).map_err(io)?);
        let content = gguf_file::Content::read(&mut reader).map_err(LlmError::candle("reading the GGUF header"))?;
        let text =
            |field: &str| content.metadata.get(field).and_then(|v| v.to_string().ok()).cloned().unwrap_or_default();
        let architecture = text("general.architecture");
        if architecture != "llama" {
            return Err(LlmError::UnsupportedArchitecture {
                path: path.to_path_buf(),
                architecture,
                supported: "llama (SmolLM2, Llama 2/3, TinyLlama)",
            });
        }
        let name = text("general.name");
        let template = ChatTemplate::from_jinja(&text("tokenizer.chat_template"))?;
        let tokenizer = GgufTokenizer::from_gguf(&content)?;
        let device = Device::Cpu;
        let (weights, requantized) = if options.requantize {
            let (bytes, report) = requantize_to_q8_0(&content, &mut reader)?;
            let mut cursor = Cursor::new(bytes);
            let content =
                gguf_file::Content::read(&mut cursor).map_err(LlmError::candle("reading the requantised model"))?;
            let weights = ModelWeights::from_gguf(content, &mut cursor, &device)
                .map_err(LlmError::candle("building the requantised model"))?;
            (weights, report)
        } else {
            let weights = ModelWeights::from_gguf(content, &mut reader, &device)
                .map_err(LlmError::candle(format!("building the model from {}", path.display())))?;
            (weights, RequantizeReport::default())
        };
        let info = LoadInfo {
            path: path.to_path_buf(),
            name,
            architecture,
            requantized,
            load_seconds: started.elapsed().as_secs_f64(),
        };
        let context_tokens = options.context_tokens.clamp(1, MAX_SEQ_LEN);
        Ok(Self { weights, tokenizer, template, context_tokens, info, prefix_cache: Arc::default() })
    }

    /// What was loaded.
    pub fn info(&self) -> &LoadInfo {
        &self.info
    }

    /// The model's tokenizer.
    pub fn tokenizer(&self) -> &GgufTokenizer {
        &self.tokenizer
    }

    /// The model's chat template.
    pub fn template(&self) -> ChatTemplate {
        self.template
    }

    /// The token ids of a chat, ending where the assistant's answer begins
    /// (after `assistant_prefix`).
    pub fn chat_tokens(&self, messages: &[ChatMessage], assistant_prefix: &str) -> Result<Vec<u32>, LlmError> {
        self.template.render(&self.tokenizer, messages, assistant_prefix)
    }

    /// A fresh session (empty context) on this model.
    pub fn session(&self) -> Session {
        Session::new(self.weights.clone(), self.context_tokens)
    }

    /// A session that has run all of `prompt`, where the first
    /// `shared_tokens` of it are kept and reused by the next call with the
    /// same beginning (the instructions of a detector run once, not once per
    /// input). The same computation as feeding `prompt` to a fresh session,
    /// up to rounding: candle picks its quantised kernels by the number of
    /// tokens fed at once (measured: KL 0.0012 nat between the two).
    pub fn session_with_prefix(&self, prompt: &[u32], shared_tokens: usize) -> Result<Session, LlmError> {
        let shared = &prompt[..shared_tokens.min(prompt.len())];
        let mut cache = self.prefix_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let hit = cache.as_ref().is_some_and(|(tokens, _)| !tokens.is_empty() && tokens.as_slice() == shared);
        if !hit {
            let mut session = self.session();
            session.feed(shared)?;
            *cache = Some((shared.to_vec(), session));
        }
        let mut session = cache.as_ref().expect("filled above").1.fork();
        drop(cache);
        session.feed(&prompt[shared.len()..])?;
        Ok(session)
    }

    /// The tokens that end an answer.
    pub fn stop_tokens(&self) -> Result<Vec<u32>, LlmError> {
        self.template.end_of_turn(&self.tokenizer)
    }
}

/// Log-softmax of one row of logits, in f64.
pub(crate) fn log_softmax(logits: &Tensor) -> Result<Vec<f64>, LlmError> {
    let row: Vec<f32> = logits.flatten_all().and_then(|t| t.to_vec1()).map_err(LlmError::candle("reading logits"))?;
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = row.iter().map(|&x| (x as f64 - max).exp()).sum();
    let log_sum = max + sum.ln();
    Ok(row.iter().map(|&x| x as f64 - log_sum).collect())
}
