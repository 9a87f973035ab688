//! A chat backend for any OpenAI-compatible server: llama.cpp's
//! `llama-server`, Ollama, vLLM, OpenAI (feature `http`).
//!
//! `POST {base_url}/chat/completions` with temperature 0. Verdict requests
//! carry their JSON schema (`response_format: json_schema`); a server that
//! refuses it with a 400 naming `response_format` is asked again with
//! `json_object`, then with no format, and the client remembers what it
//! takes. 429, 5xx, timeouts and dropped connections are retried with
//! exponential backoff and jitter, honouring `Retry-After`
//! ([`RetryPolicy`]); every other failure is a typed [`LlmError`] at once.
//!
//! The API key is read from the environment variable the caller names and
//! is sent only as the `Authorization` header: no `Debug` output, log line
//! or error message contains it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use super::backend::{ChatBackend, ChatReply, ChatRequest};
use super::error::LlmError;
use super::retry::{Jitter, RetryPolicy, parse_retry_after};

/// Where the server is and how to talk to it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiConfig {
    /// The API root, e.g. `http://127.0.0.1:8080/v1` or `https://api.openai.com/v1`.
    pub base_url: String,
    /// The model name the server knows.
    pub model: String,
    /// The environment variable that holds the API key (`None`: no key, as
    /// for a local server).
    pub api_key_env: Option<String>,
    /// The longest a whole request may take.
    pub timeout: Duration,
    /// The longest connecting may take.
    pub connect_timeout: Duration,
    /// When and how to retry.
    pub retry: RetryPolicy,
}

impl OpenAiConfig {
    /// A configuration with default timeouts (120 s, connect 10 s) and retries.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            api_key_env: None,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

/// An API key that never shows itself.
#[derive(Clone)]
struct ApiKey {
    value: String,
    variable: String,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey(from ${}, redacted)", self.variable)
    }
}

/// The response formats, from most to least structured.
const FORMAT_SCHEMA: u8 = 0;
const FORMAT_JSON_OBJECT: u8 = 1;
const FORMAT_NONE: u8 = 2;

/// A client for one model on one OpenAI-compatible server.
#[derive(Debug)]
pub struct OpenAiClient {
    config: OpenAiConfig,
    url: String,
    api_key: Option<ApiKey>,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    jitter: Mutex<Jitter>,
    /// The most structured response format the server has not refused.
    format: AtomicU8,
}

impl OpenAiClient {
    /// A client; reads the API key now if `api_key_env` is set (an unset or
    /// empty variable is an error that names the variable, never its value).
    pub fn new(config: OpenAiConfig) -> Result<Self, LlmError> {
        let api_key = match &config.api_key_env {
            Some(variable) => match std::env::var(variable) {
                Ok(value) if !value.trim().is_empty() => {
                    Some(ApiKey { value: value.trim().to_string(), variable: variable.clone() })
                }
                _ => return Err(LlmError::MissingApiKey { variable: variable.clone() }),
            },
            None => None,
        };
        let base = config.base_url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(LlmError::BadUrl { url: config.base_url.clone() });
        }
        let url = format!("{base}/chat/completions");
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| LlmError::Connection { url: url.clone(), message: e.to_string() })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LlmError::Connection { url: url.clone(), message: format!("cannot start tokio: {e}") })?;
        Ok(Self {
            config,
            url,
            api_key,
            http,
            runtime,
            jitter: Mutex::new(Jitter::from_clock()),
            format: AtomicU8::new(FORMAT_SCHEMA),
        })
    }

    /// Uses `jitter` for the retry waits (tests make them reproducible).
    pub fn with_jitter(self, jitter: Jitter) -> Self {
        Self { jitter: Mutex::new(jitter), ..self }
    }

    /// The endpoint requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers `request`, retrying what is worth retrying. Use this from
    /// async code; [`ChatBackend::chat`] blocks on it.
    pub async fn chat_async(&self, request: &ChatRequest) -> Result<ChatReply, LlmError> {
        let started = std::time::Instant::now();
        let mut retry = 0;
        loop {
            match self.attempt(request).await {
                Ok(reply) => return Ok(ChatReply { seconds: started.elapsed().as_secs_f64(), ..reply }),
                Err(Failure::FormatRefused) => continue,
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retryable { error, retry_after }) => {
                    if retry >= self.config.retry.max_retries {
                        return Err(LlmError::RetriesExhausted { attempts: retry + 1, last: Box::new(error) });
                    }
                    let wait = {
                        let mut jitter = self.jitter.lock().unwrap_or_else(|p| p.into_inner());
                        self.config.retry.delay(retry, retry_after, &mut jitter)
                    };
                    let Some(wait) = wait else {
                        return Err(LlmError::RetryAfterTooLong {
                            url: self.url.clone(),
                            asked: retry_after.unwrap_or_default(),
                            cap: self.config.retry.max_retry_after,
                        });
                    };
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
            }
        }
    }

    async fn attempt(&self, request: &ChatRequest) -> Result<ChatReply, Failure> {
        let format = self.format.load(Ordering::Relaxed);
        let body = self.body(request, format);
        let mut builder = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(&key.value);
        }
        let response = builder.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let text = response.text().await.map_err(|e| self.transport(e))?;
        if !status.is_success() {
            let error =
                LlmError::Http { url: self.url.clone(), status: status.as_u16(), message: error_message(&text) };
            if status.as_u16() == 429 || status.is_server_error() {
                return Err(Failure::Retryable { error, retry_after });
            }
            let refused_format = status.as_u16() == 400
                && format < FORMAT_NONE
                && (request.schema.is_some() || request.json_object)
                && (text.contains("response_format") || text.contains("json_schema"));
            if refused_format {
                self.format.store(format + 1, Ordering::Relaxed);
                return Err(Failure::FormatRefused);
            }
            return Err(Failure::Final(error));
        }
        parse_reply(&text).map_err(Failure::Final)
    }

    fn body(&self, request: &ChatRequest, format: u8) -> Value {
        let mut body = json!({
            "model": self.config.model,
            "messages": request.messages,
            "max_tokens": request.max_tokens,
            "temperature": 0.0,
        });
        let response_format = match (&request.schema, request.json_object, format) {
            (Some(schema), _, FORMAT_SCHEMA) => Some(
                json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": true}}),
            ),
            (Some(_), _, FORMAT_JSON_OBJECT) | (None, true, FORMAT_SCHEMA | FORMAT_JSON_OBJECT) => {
                Some(json!({"type": "json_object"}))
            }
            _ => None,
        };
        if let Some(format) = response_format {
            body["response_format"] = format;
        }
        body
    }

    fn transport(&self, error: reqwest::Error) -> Failure {
        let error = if error.is_timeout() {
            LlmError::Timeout { url: self.url.clone(), after: self.config.timeout }
        } else {
            LlmError::Connection { url: self.url.clone(), message: describe(&error) }
        };
        Failure::Retryable { error, retry_after: None }
    }
}

impl ChatBackend for OpenAiClient {
    fn describe(&self) -> String {
        format!("http {} at {}", self.config.model, self.url)
    }

    fn chat(&mut self, request: &ChatRequest) -> Result<ChatReply, LlmError> {
        self.runtime.block_on(self.chat_async(request))
    }
}

/// How one attempt failed.
enum Failure {
    /// Try again after a wait.
    Retryable { error: LlmError, retry_after: Option<Duration> },
    /// The server refused the response format: ask again with a simpler one.
    FormatRefused,
    /// Give up.
    Final(LlmError),
}

/// The answer text of a chat completion, strictly: `choices[0].message.content`.
fn parse_reply(text: &str) -> Result<ChatReply, LlmError> {
    let bad = |problem: &str| LlmError::BadResponse {
        problem: problem.to_string(),
        excerpt: text.chars().take(200).collect(),
    };
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&format!("not JSON ({e})")))?;
    let content = value
        .pointer("/choices/0/message/content")
        .ok_or_else(|| bad("no choices[0].message.content"))?
        .as_str()
        .ok_or_else(|| bad("choices[0].message.content is not a string"))?;
    let count = |name: &str| value.pointer(&format!("/usage/{name}")).and_then(Value::as_u64).map(|n| n as usize);
    Ok(ChatReply {
        text: content.to_string(),
        prompt_tokens: count("prompt_tokens"),
        completion_tokens: count("completion_tokens"),
        seconds: 0.0,
    })
}

/// The server's own error message (`{"error": {"message": ...}}`), or the
/// start of the body.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.pointer("/error/message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// A transport error with its causes, without the URL twice.
fn describe(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
