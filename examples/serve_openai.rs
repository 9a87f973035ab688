//! The local model behind an OpenAI-compatible API on 127.0.0.1, for the
//! HTTP backend, curl or any OpenAI client; no API key needed.
//!
//! ```text
//! cargo xtask models                                   # once: installs SmolLM2
//! cargo run --release --example serve_openai           # http://127.0.0.1:8080/v1
//! curl http://127.0.0.1:8080/v1/chat/completions -d '{"messages": [{"role": "user", "content": "Hi"}]}'
//! cargo run --release --example zero_shot_detection -- --backend http --base-url http://127.0.0.1:8080/v1
//! ```
extern crate axum;
extern crate clap;
extern crate llm_anomaly;
extern crate tokio;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::llm::{LoadOptions, LocalLlm, openai_router};
use llm_anomaly::models::{ModelCache, SMOLLM2, SMOLLM2_GGUF, find_gguf};

/// Flags of the server.
#[derive(Parser, Debug)]
#[command(about = "Serve a local GGUF chat model behind an OpenAI-compatible API")]
struct Args {
    /// Address to listen on (keep 127.0.0.1 unless you mean to share the model on your network).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A GGUF chat model file; default: SmolLM2 from the model cache.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Model cache (default: $LLM_ANOMALY_MODEL_DIR, $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// The model name clients send and `/v1/models` lists.
    #[arg(long, default_value = "smollm2-135m-instruct")]
    name: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let path = match &args.model {
        Some(path) => Ok(path.clone()),
        None => find_gguf(&ModelCache::discover(args.model_dir.as_deref()), &SMOLLM2, SMOLLM2_GGUF),
    };
    let model = match path
        .map_err(|e| e.to_string())
        .and_then(|p| LocalLlm::load(&p, &LoadOptions::default()).map_err(|e| e.to_string()))
    {
        Ok(model) => model,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("tokio starts");
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        eprintln!("serving {} as `{}` on http://{address}/v1 (Ctrl-C stops)", model.info().name, args.name);
        let router = openai_router(model, args.name.clone());
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
