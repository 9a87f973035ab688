//! A scripted HTTP/1.1 server on 127.0.0.1 for the HTTP backend's fault
//! tests: each connection gets the next scripted behaviour (an answer, a
//! slow answer, a body cut short, a dropped connection). It records every
//! request it reads. Canned answers are for fault tests only; the verdict
//! and injection tests run a real model.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does with one connection.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answers with this status, extra headers and body.
    Reply { status: u16, headers: Vec<(String, String)>, body: String },
    /// Waits, then answers 200 with this body.
    Slow { delay: Duration, body: String },
    /// Promises a longer body than it sends, then closes.
    Truncated { body: String },
    /// Reads the request and closes without a word.
    Drop,
}

impl Behaviour {
    /// 200 with a chat completion whose content is `content`.
    pub fn completion(content: &str) -> Self {
        let body = serde_json::json!({
            "id": "chatcmpl-test", "object": "chat.completion", "model": "test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
        });
        Self::Reply { status: 200, headers: vec![], body: body.to_string() }
    }

    /// An error status with an OpenAI-style error body.
    pub fn error(status: u16, message: &str) -> Self {
        let body = serde_json::json!({"error": {"message": message, "type": "test_error"}}).to_string();
        Self::Reply { status, headers: vec![], body }
    }

    /// 429 with a `Retry-After` header.
    pub fn rate_limited(retry_after: &str) -> Self {
        let body = serde_json::json!({"error": {"message": "rate limited"}}).to_string();
        Self::Reply { status: 429, headers: vec![("Retry-After".into(), retry_after.into())], body }
    }
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: serde_json::Value,
}

/// A running server: its base URL and what it has seen.
pub struct FaultServer {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// Every request read, in order.
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    _runtime: tokio::runtime::Runtime,
}

impl FaultServer {
    /// Starts a server that plays `script` in order; after the script, every
    /// connection gets the last behaviour again.
    pub fn start(script: Vec<Behaviour>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        runtime.spawn(async move {
            let mut next = 0usize;
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let behaviour = script[next.min(script.len() - 1)].clone();
                next += 1;
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut socket).await else { return };
                    seen.lock().unwrap().push(request);
                    let reply = match behaviour {
                        Behaviour::Reply { status, headers, body } => response(status, &headers, &body, body.len()),
                        Behaviour::Slow { delay, body } => {
                            tokio::time::sleep(delay).await;
                            response(200, &[], &body, body.len())
                        }
                        Behaviour::Truncated { body } => response(200, &[], &body, body.len() + 500),
                        Behaviour::Drop => return,
                    };
                    let _ = socket.write_all(reply.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { base_url: format!("http://127.0.0.1:{port}/v1"), requests, _runtime: runtime }
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

fn response(status: u16, headers: &[(String, String)], body: &str, declared: usize) -> String {
    let mut head = format!(
        "HTTP/1.1 {status} Test\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    format!("{head}\r\n{body}")
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string())))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while data.len() < header_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = serde_json::from_slice(&data[header_end..]).unwrap_or(serde_json::Value::Null);
    Some(Recorded { headers, body })
}
