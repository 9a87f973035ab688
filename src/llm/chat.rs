//! Chat messages and the model's chat template, rendered straight to token
//! ids.
//!
//! The template's control tokens are inserted by id; every message content
//! is tokenized as plain text ([`GgufTokenizer::encode_text`]). A headline
//! that contains `<|im_end|>\n<|im_start|>system` therefore stays inside
//! its message: it cannot close the turn or open a new one.

use serde::{Deserialize, Serialize};

use super::error::LlmError;
use super::gguf_tokenizer::GgufTokenizer;

/// Who speaks in a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The instructions the application gives.
    System,
    /// The request (here: the data to judge).
    User,
    /// The model's answer.
    Assistant,
}

impl Role {
    /// The role's name in chat templates and the OpenAI API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who speaks.
    pub role: Role,
    /// What is said.
    pub content: String,
}

impl ChatMessage {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self { role: Role::System, content: content.into() }
    }
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }
    /// An assistant message (a worked example's answer).
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

/// The chat templates this crate renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatTemplate {
    /// ChatML (`<|im_start|>role\n...<|im_end|>\n`): SmolLM2, Qwen.
    ChatMl,
    /// Gemma's turns (`<start_of_turn>user\n...<end_of_turn>\n`, the answer
    /// in a `model` turn). Gemma has no system turn: the system text opens
    /// the first user turn, followed by a blank line, as Gemma's own
    /// template does.
    Gemma,
}

impl ChatTemplate {
    /// Recognises the template from the GGUF's `tokenizer.chat_template`.
    pub fn from_jinja(template: &str) -> Result<Self, LlmError> {
        if template.contains("<|im_start|>") {
            Ok(Self::ChatMl)
        } else if template.contains("<start_of_turn>") {
            Ok(Self::Gemma)
        } else {
            Err(LlmError::UnknownChatTemplate)
        }
    }

    /// The template of a model: from its `tokenizer.chat_template`, or, for
    /// a Gemma base model that ships none, Gemma's turns (its vocabulary has
    /// the turn tokens; whether a base model follows them is what the
    /// measurements show).
    pub fn for_model(template: &str, architecture: &str) -> Result<Self, LlmError> {
        if template.is_empty() && architecture.starts_with("gemma") {
            Ok(Self::Gemma)
        } else {
            Self::from_jinja(template)
        }
    }

    /// The token ids of `messages`, followed by the opening of the
    /// assistant's turn and `assistant_prefix` (text the answer is made to
    /// start with; may be empty).
    pub fn render(
        self,
        tokenizer: &GgufTokenizer,
        messages: &[ChatMessage],
        assistant_prefix: &str,
    ) -> Result<Vec<u32>, LlmError> {
        let mut ids = self.render_turns(tokenizer, messages)?;
        match self {
            Self::ChatMl => {
                ids.push(tokenizer.control("<|im_start|>")?);
                ids.extend(tokenizer.encode_text(&format!("assistant\n{assistant_prefix}"))?);
            }
            Self::Gemma => {
                if messages.last().is_some_and(|m| m.role == Role::System) {
                    ids.push(tokenizer.control("<end_of_turn>")?);
                    ids.extend(tokenizer.encode_text("\n")?);
                }
                ids.push(tokenizer.control("<start_of_turn>")?);
                ids.extend(tokenizer.encode_text(&format!("model\n{assistant_prefix}"))?);
            }
        }
        Ok(ids)
    }

    /// The token ids of complete turns only, after the BOS token when the
    /// model asks for one. Each turn is tokenized on its own, so these ids
    /// are a prefix of [`Self::render`] of any longer chat that starts with
    /// the same messages (with Gemma, a final system message leaves its user
    /// turn open for the message that follows).
    pub fn render_turns(self, tokenizer: &GgufTokenizer, messages: &[ChatMessage]) -> Result<Vec<u32>, LlmError> {
        let mut ids: Vec<u32> = tokenizer.bos().into_iter().collect();
        ids.extend(self.render_turns_only(tokenizer, messages)?);
        Ok(ids)
    }

    fn render_turns_only(self, tokenizer: &GgufTokenizer, messages: &[ChatMessage]) -> Result<Vec<u32>, LlmError> {
        match self {
            Self::ChatMl => {
                let start = tokenizer.control("<|im_start|>")?;
                let end = tokenizer.control("<|im_end|>")?;
                let newline = tokenizer.encode_text("\n")?;
                let mut ids = Vec::new();
                for message in messages {
                    ids.push(start);
                    ids.extend(tokenizer.encode_text(&format!("{}\n{}", message.role.as_str(), message.content))?);
                    ids.push(end);
                    ids.extend_from_slice(&newline);
                }
                Ok(ids)
            }
            Self::Gemma => {
                let start = tokenizer.control("<start_of_turn>")?;
                let end = tokenizer.control("<end_of_turn>")?;
                let newline = tokenizer.encode_text("\n")?;
                let mut ids = Vec::new();
                let mut open_user_turn = false;
                for message in messages {
                    if open_user_turn && message.role != Role::User {
                        ids.push(end);
                        ids.extend_from_slice(&newline);
                    }
                    match message.role {
                        Role::System => {
                            ids.push(start);
                            ids.extend(tokenizer.encode_text(&format!("user\n{}\n\n", message.content))?);
                            open_user_turn = true;
                            continue;
                        }
                        Role::User if open_user_turn => ids.extend(tokenizer.encode_text(&message.content)?),
                        role => {
                            let speaker = if role == Role::Assistant { "model" } else { "user" };
                            ids.push(start);
                            ids.extend(tokenizer.encode_text(&format!("{speaker}\n{}", message.content))?);
                        }
                    }
                    open_user_turn = false;
                    ids.push(end);
                    ids.extend_from_slice(&newline);
                }
                Ok(ids)
            }
        }
    }

    /// The control tokens that end the assistant's turn.
    pub fn end_of_turn(self, tokenizer: &GgufTokenizer) -> Result<Vec<u32>, LlmError> {
        match self {
            Self::ChatMl => Ok(vec![tokenizer.control("<|im_end|>")?, tokenizer.eos()]),
            Self::Gemma => Ok(vec![tokenizer.control("<end_of_turn>")?, tokenizer.eos()]),
        }
    }
}
