//! One running context of a local model: feed tokens, read the next
//! token's log-probabilities, score answer labels, generate greedily.

use std::time::Instant;

use candle_core::{Device, Tensor};

use super::backend::json_object_end;
use super::error::LlmError;
use super::gguf_tokenizer::GgufTokenizer;
use super::local_model::log_softmax;
use super::network::Network;

/// A model with its key/value cache: the tokens fed so far and the
/// log-probabilities of the next token. Cloning ([`Session::fork`]) is cheap
/// (tensors are shared), so a prompt prefix common to many inputs is run
/// once and forked for each.
#[derive(Debug, Clone)]
pub struct Session {
    weights: Network,
    position: usize,
    cap: usize,
    next: Option<Vec<f64>>,
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The model ended its turn.
    EndOfTurn,
    /// The answer met its [`StopRule`].
    StopText,
    /// `max_new_tokens` were generated.
    Length,
}

/// A generated answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// The answer's text (control tokens left out).
    pub text: String,
    /// The answer's token ids.
    pub tokens: Vec<u32>,
    /// Why it stopped.
    pub stop: StopReason,
    /// Seconds spent generating (prompt processing excluded).
    pub seconds: f64,
}

/// When an answer is complete, besides the model ending its turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopRule {
    /// Only at the end of the turn (or the length limit).
    EndOfTurn,
    /// When the answer contains this text.
    Text(String),
    /// When `prefix` + the answer holds one complete JSON object.
    JsonObjectClosed {
        /// The text the answer was made to start with.
        prefix: String,
    },
}

/// How to generate. Decoding is greedy (the most likely token each step),
/// so the same prompt gives the same answer on the same machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// At most this many new tokens.
    pub max_new_tokens: usize,
    /// When to stop early.
    pub stop: StopRule,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { max_new_tokens: 128, stop: StopRule::EndOfTurn }
    }
}

impl Session {
    pub(crate) fn new(mut weights: Network, cap: usize) -> Self {
        weights.clear_kv_cache();
        Self { weights, position: 0, cap, next: None }
    }

    /// Tokens in the context so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// A copy of this session that continues independently.
    pub fn fork(&self) -> Self {
        self.clone()
    }

    /// Runs `tokens` through the model, extending the context.
    pub fn feed(&mut self, tokens: &[u32]) -> Result<(), LlmError> {
        if tokens.is_empty() {
            return Ok(());
        }
        let needed = self.position + tokens.len();
        if needed > self.cap {
            return Err(LlmError::ContextFull { needed, cap: self.cap });
        }
        let input = Tensor::new(tokens, &Device::Cpu)
            .and_then(|t| t.unsqueeze(0))
            .map_err(LlmError::candle("building the input"))?;
        let logits = self.weights.forward(&input, self.position).map_err(LlmError::candle("running the model"))?;
        self.next = Some(log_softmax(&logits)?);
        self.position = needed;
        Ok(())
    }

    /// The log-probabilities of the next token (after [`Session::feed`]).
    pub fn next_log_probs(&self) -> Option<&[f64]> {
        self.next.as_deref()
    }

    /// log P(`label` | context): the summed log-probabilities of the label's
    /// tokens, each given the ones before it. The session itself is not
    /// changed.
    pub fn label_log_prob(&self, label: &[u32]) -> Result<f64, LlmError> {
        let (&first, rest) = label.split_first().ok_or_else(|| LlmError::EmptyLabel(String::new()))?;
        let next = self.next.as_ref().ok_or(LlmError::NoPromptFed)?;
        let mut total = next[first as usize];
        if rest.is_empty() {
            return Ok(total);
        }
        let mut fork = self.fork();
        let mut previous = first;
        for &token in rest {
            fork.feed(&[previous])?;
            total += fork.next.as_ref().expect("fed one token")[token as usize];
            previous = token;
        }
        Ok(total)
    }

    /// log P(choice | context) for every choice at once. Choices that share
    /// leading tokens share their forward passes (a token trie), so the 11
    /// scores 0.0 ... 1.0 cost 4 passes instead of 22. The session itself is
    /// not changed.
    pub fn choice_log_probs(&self, choices: &[Vec<u32>]) -> Result<Vec<f64>, LlmError> {
        if let Some(i) = choices.iter().position(|c| c.is_empty()) {
            return Err(LlmError::EmptyLabel(format!("choice {i}")));
        }
        let mut out = vec![0.0; choices.len()];
        let tails: Vec<(usize, &[u32])> = choices.iter().enumerate().map(|(i, c)| (i, c.as_slice())).collect();
        self.score_trie(&tails, 0.0, &mut out)?;
        Ok(out)
    }

    fn score_trie(&self, tails: &[(usize, &[u32])], so_far: f64, out: &mut [f64]) -> Result<(), LlmError> {
        let next = self.next.as_ref().ok_or(LlmError::NoPromptFed)?;
        let mut firsts: Vec<u32> = tails.iter().map(|(_, t)| t[0]).collect();
        firsts.sort_unstable();
        firsts.dedup();
        for first in firsts {
            let log_prob = so_far + next[first as usize];
            let mut longer = Vec::new();
            for &(index, tail) in tails.iter().filter(|(_, t)| t[0] == first) {
                if tail.len() == 1 {
                    out[index] = log_prob;
                } else {
                    longer.push((index, &tail[1..]));
                }
            }
            if !longer.is_empty() {
                let mut fork = self.fork();
                fork.feed(&[first])?;
                fork.score_trie(&longer, log_prob, out)?;
            }
        }
        Ok(())
    }

    /// Generates greedily until the end of the turn, the stop text or the
    /// length limit.
    pub fn generate(
        &mut self,
        tokenizer: &GgufTokenizer,
        stop_tokens: &[u32],
        options: &GenerateOptions,
    ) -> Result<Generation, LlmError> {
        let started = Instant::now();
        let mut tokens = Vec::new();
        let mut stop = StopReason::Length;
        let mut text = String::new();
        for _ in 0..options.max_new_tokens {
            let next = self.next.as_ref().ok_or(LlmError::NoPromptFed)?;
            let token = argmax(next);
            if stop_tokens.contains(&token) {
                stop = StopReason::EndOfTurn;
                break;
            }
            tokens.push(token);
            text = tokenizer.decode(&tokens)?;
            let done = match &options.stop {
                StopRule::EndOfTurn => false,
                StopRule::Text(stop_text) => text.contains(stop_text.as_str()),
                StopRule::JsonObjectClosed { prefix } => json_object_end(&format!("{prefix}{text}")).is_some(),
            };
            if done {
                stop = StopReason::StopText;
                break;
            }
            if tokens.len() < options.max_new_tokens {
                self.feed(&[token])?;
            }
        }
        Ok(Generation { text, tokens, stop, seconds: started.elapsed().as_secs_f64() })
    }
}

fn argmax(values: &[f64]) -> u32 {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best as u32
}
