//! The local model behind an OpenAI-compatible endpoint (feature `http`):
//! `POST /v1/chat/completions` and `GET /v1/models` on a listener you give
//! (127.0.0.1 by default in the example), so the HTTP backend, curl, or any
//! OpenAI client can use SmolLM2 in a workshop room without an API key.
//!
//! Decoding is greedy whatever `temperature` says (the answer is
//! reproducible). `response_format` is honoured: `json_schema` (the subset
//! [`fields_of_schema`] follows) is decoded guided, `json_object` stops when
//! the object closes. One request runs at a time; the others wait.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::backend::{ChatBackend, ChatRequest, GUIDED_TEXT_TOKENS};
use super::chat::ChatMessage;
use super::guided::fields_of_schema;
use super::local_model::LocalLlm;

/// The longest answer the server writes, whatever `max_tokens` asks.
pub const MAX_ANSWER_TOKENS: usize = 512;

/// The request fields the server reads (others are accepted and ignored).
#[derive(Debug, Deserialize)]
struct CompletionRequest {
    messages: Vec<ChatMessage>,
    #[serde(default)]
    max_tokens: Option<usize>,
    #[serde(default)]
    response_format: Option<Value>,
}

#[derive(Clone)]
struct Served {
    model: Arc<Mutex<LocalLlm>>,
    name: String,
}

/// The router: mount it with `axum::serve(listener, router)`.
pub fn openai_router(model: LocalLlm, name: impl Into<String>) -> Router {
    let state = Served { model: Arc::new(Mutex::new(model)), name: name.into() };
    Router::new().route("/v1/chat/completions", post(completions)).route("/v1/models", get(models)).with_state(state)
}

async fn models(State(served): State<Served>) -> Json<Value> {
    Json(json!({"object": "list", "data": [{"id": served.name, "object": "model", "owned_by": "local"}]}))
}

async fn completions(State(served): State<Served>, body: axum::body::Bytes) -> Response {
    let request: CompletionRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return error_response(StatusCode::BAD_REQUEST, &format!("invalid request body: {error}")),
    };
    if request.messages.is_empty() {
        return error_response(StatusCode::BAD_REQUEST, "`messages` is empty");
    }
    let max_tokens = request.max_tokens.unwrap_or(256).clamp(1, MAX_ANSWER_TOKENS);
    let (json_object, schema) =
        match request.response_format.as_ref().and_then(|f| f.get("type")).and_then(Value::as_str) {
            None | Some("text") => (false, None),
            Some("json_object") => (true, None),
            Some("json_schema") => {
                let schema = request.response_format.as_ref().and_then(|f| f.pointer("/json_schema/schema")).cloned();
                let Some(schema) = schema else {
                    return error_response(
                        StatusCode::BAD_REQUEST,
                        "response_format json_schema has no json_schema.schema",
                    );
                };
                if let Err(why) = fields_of_schema(&schema, GUIDED_TEXT_TOKENS) {
                    return error_response(StatusCode::BAD_REQUEST, &format!("response_format json_schema: {why}"));
                }
                (true, Some(schema))
            }
            Some(other) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &format!("response_format type {other:?} is not supported"),
                );
            }
        };
    let chat = ChatRequest {
        messages: request.messages,
        max_tokens,
        json_object,
        answer_prefix: if json_object && schema.is_none() { "{".into() } else { String::new() },
        schema,
    };
    let model = served.model.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let mut model = model.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        model.chat(&chat)
    })
    .await;
    match answer {
        Ok(Ok(reply)) => Json(json!({
            "id": "chatcmpl-local",
            "object": "chat.completion",
            "model": served.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens.zip(reply.completion_tokens).map(|(a, b)| a + b),
            },
        }))
        .into_response(),
        Ok(Err(error)) => error_response(StatusCode::BAD_REQUEST, &error.to_string()),
        Err(error) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &format!("the model task failed: {error}")),
    }
}

fn error_response(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": {"message": message, "type": "invalid_request_error"}}))).into_response()
}
