//! A quantised chat model from a GGUF file, run in candle on the CPU.

use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};

use super::chat::{ChatMessage, ChatTemplate};
use super::error::LlmError;
use super::gemma3::Gemma3;
use super::gguf_tokenizer::GgufTokenizer;
use super::llama::Llama;
use super::network::Network;
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
    /// Keep a dense f32 copy of every layer matrix, used for prompts (many
    /// tokens fed at once): several times faster prompts for 4 bytes per
    /// weight of memory (SmolLM2: about 0.4 GB). Default `true`.
    pub dense_prompts: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self { requantize: true, context_tokens: 2048, dense_prompts: true }
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
    weights: Network,
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
    /// Loads a GGUF language model from `path`: Llama architecture (SmolLM2,
    /// Llama, TinyLlama) or Gemma 3.
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Self, LlmError> {
        let started = Instant::now();
        check_gguf(path)?;
        let io = |source| LlmError::Io { path: path.to_path_buf(), source };
        let mut reader = BufReader::new(std::fs::File::open(path).map_err(io)?);
        let content = gguf_file::Content::read(&mut reader).map_err(LlmError::candle("reading the GGUF header"))?;
        let text =
            |field: &str| content.metadata.get(field).and_then(|v| v.to_string().ok()).cloned().unwrap_or_default();
        let architecture = text("general.architecture");
        if architecture != "llama" && architecture != "gemma3" {
            return Err(LlmError::UnsupportedArchitecture {
                path: path.to_path_buf(),
                architecture,
                supported: "llama (SmolLM2, Llama 2/3, TinyLlama), gemma3 (Gemma 3)",
            });
        }
        let name = text("general.name");
        let template = ChatTemplate::for_model(&text("tokenizer.chat_template"), &architecture)?;
        let tokenizer = GgufTokenizer::from_gguf(&content)?;
        let (weights, requantized) = if options.requantize {
            let (bytes, report) = requantize_to_q8_0(&content, &mut reader)?;
            let mut cursor = Cursor::new(bytes);
            let content =
                gguf_file::Content::read(&mut cursor).map_err(LlmError::candle("reading the requantised model"))?;
            (build_network(content, &mut cursor, &architecture, options, "the requantised model")?, report)
        } else {
            let network = build_network(content, &mut reader, &architecture, options, &path.display().to_string())?;
            (network, RequantizeReport::default())
        };
        let info = LoadInfo {
            path: path.to_path_buf(),
            name,
            architecture,
            requantized,
            load_seconds: started.elapsed().as_secs_f64(),
        };
        let context_tokens = weights.max_context();
        Ok(Self { weights, tokenizer, template, context_tokens, info, prefix_cache: Arc::default() })
    }

    /// What was loaded.
    pub fn info(&self) -> &LoadInfo {
        &self.info
    }

    /// The most tokens a session may hold (prompt and answer).
    pub fn context_tokens(&self) -> usize {
        self.context_tokens
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

/// The network of architecture `architecture` from a GGUF file.
fn build_network<R: std::io::Read + std::io::Seek>(
    content: gguf_file::Content,
    reader: &mut R,
    architecture: &str,
    options: &LoadOptions,
    what: &str,
) -> Result<Network, LlmError> {
    let device = Device::Cpu;
    let building = LlmError::candle(format!("building the model from {what}"));
    let (context, dense) = (options.context_tokens.max(1), options.dense_prompts);
    if architecture == "gemma3" {
        Gemma3::from_gguf(&content, reader, context, dense, &device).map(Network::Gemma3).map_err(building)
    } else {
        Llama::from_gguf(&content, reader, context, dense, &device).map(Network::Llama).map_err(building)
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
