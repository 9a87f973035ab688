//! One interface to any chat model, local or behind an HTTP server.

use serde::Serialize;

use super::chat::ChatMessage;
use super::error::LlmError;
use super::local_model::LocalLlm;
use super::session::{GenerateOptions, StopRule};

/// A chat completion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRequest {
    /// The chat so far.
    pub messages: Vec<ChatMessage>,
    /// At most this many answer tokens.
    pub max_tokens: usize,
    /// The answer must be one JSON object: a local model stops when the
    /// object closes, a server is asked for its JSON response format.
    pub json_object: bool,
    /// Text the answer is made to start with, where the backend can do that
    /// (a local model); it is part of [`ChatReply::text`].
    pub answer_prefix: String,
    /// A JSON schema the answer must follow (structured outputs). A local
    /// model decodes it guided ([`crate::llm::guided_object`]); a server is
    /// sent it as `response_format: json_schema`.
    pub schema: Option<serde_json::Value>,
}

/// The longest free-text field a local model writes in a guided answer.
pub const GUIDED_TEXT_TOKENS: usize = 40;

/// What a backend answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatReply {
    /// The whole answer, including any answer prefix.
    pub text: String,
    /// Tokens of the prompt, when the backend says.
    pub prompt_tokens: Option<usize>,
    /// Tokens of the answer, when the backend says.
    pub completion_tokens: Option<usize>,
    /// Seconds the request took.
    pub seconds: f64,
}

/// A chat model that answers requests.
pub trait ChatBackend {
    /// A short description for logs and summaries (never a secret).
    fn describe(&self) -> String;
    /// Answers one request.
    fn chat(&mut self, request: &ChatRequest) -> Result<ChatReply, LlmError>;

    /// Answers a request for a verdict: [`ChatBackend::chat`] with the
    /// verdict's JSON schema ([`crate::llm::verdict_schema`]).
    fn verdict(&mut self, messages: &[ChatMessage], max_tokens: usize) -> Result<ChatReply, LlmError> {
        self.chat(&ChatRequest {
            messages: messages.to_vec(),
            max_tokens,
            json_object: true,
            answer_prefix: crate::llm::ANSWER_PREFIX.to_string(),
            schema: Some(crate::llm::verdict_schema()),
        })
    }
}

impl<B: ChatBackend + ?Sized> ChatBackend for Box<B> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn chat(&mut self, request: &ChatRequest) -> Result<ChatReply, LlmError> {
        (**self).chat(request)
    }
    fn verdict(&mut self, messages: &[ChatMessage], max_tokens: usize) -> Result<ChatReply, LlmError> {
        (**self).verdict(messages, max_tokens)
    }
}

impl ChatBackend for LocalLlm {
    fn describe(&self) -> String {
        let info = self.info();
        format!("local {} ({})", info.name, info.path.display())
    }

    fn chat(&mut self, request: &ChatRequest) -> Result<ChatReply, LlmError> {
        if let Some(schema) = &request.schema {
            let text_tokens = request.max_tokens.min(GUIDED_TEXT_TOKENS);
            let fields = crate::llm::guided::fields_of_schema(schema, text_tokens).map_err(LlmError::Schema)?;
            return crate::llm::guided_object(self, &request.messages, &fields);
        }
        let started = std::time::Instant::now();
        let prompt = self.chat_tokens(&request.messages, &request.answer_prefix)?;
        let mut session = self.session();
        session.feed(&prompt)?;
        let options = GenerateOptions {
            max_new_tokens: request.max_tokens,
            stop: if request.json_object {
                StopRule::JsonObjectClosed { prefix: request.answer_prefix.clone() }
            } else {
                StopRule::EndOfTurn
            },
        };
        let generation = session.generate(self.tokenizer(), &self.stop_tokens()?, &options)?;
        Ok(ChatReply {
            text: format!("{}{}", request.answer_prefix, generation.text),
            prompt_tokens: Some(prompt.len()),
            completion_tokens: Some(generation.tokens.len()),
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// The byte length of the first complete JSON object at the start of
/// `text` (braces counted outside strings), if it is complete.
pub fn json_object_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_object_ends_at_its_closing_brace() {
        assert_eq!(json_object_end(r#"{"a": {"b": "}"}} tail"#), Some(17));
        assert_eq!(json_object_end(r#"{"a": "\"}"#), None);
        assert_eq!(json_object_end("no object"), None);
    }
}
