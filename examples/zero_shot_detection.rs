//! Zero-shot and few-shot detection: a real local model (SmolLM2-135M-
//! Instruct) gives a verdict on a headline, and the injection test runs
//! live: four attacks appended to the headline, each scored again.
//!
//! It prints the prompt, the model's raw answer, the parsed verdict, and for
//! every attack what the model alone said and what the detector reports.
//!
//! ```text
//! cargo xtask models                                        # once: installs SmolLM2
//! cargo run --release --example zero_shot_detection
//! cargo run --release --example zero_shot_detection -- --headline "Acme beats estimates"
//! cargo run --release --example zero_shot_detection -- --few-shot 1 --json
//! cargo run --release --example zero_shot_detection -- --model my-model.gguf
//! cargo run --release --example serve_openai &            # the same model over HTTP
//! cargo run --release --example zero_shot_detection -- --backend http --base-url http://127.0.0.1:8080/v1
//! OPENAI_API_KEY=... cargo run --release --example zero_shot_detection -- --backend http \
//!     --base-url https://api.openai.com/v1 --http-model gpt-4o-mini --api-key-env OPENAI_API_KEY
//! ```
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::llm::{
    ATTACKS, ChatBackend, FewShotExample, LoadOptions, LocalLlm, MarketSnapshot, OpenAiClient, OpenAiConfig,
    ZeroShotAnomalyDetector, ZeroShotResult,
};
use llm_anomaly::models::{ModelCache, SMOLLM2, SMOLLM2_GGUF, find_gguf};
use llm_anomaly::simulate::news_corpus::{self, FamilyLabel};
use serde_json::{Value, json};

/// Flags of the zero-shot example.
#[derive(Parser, Debug)]
#[command(about = "Zero-shot verdicts from a local model, and the prompt-injection test live")]
struct Args {
    /// The headline to judge (outside text: it is fenced, never obeyed).
    #[arg(
        long,
        default_value = "🚀🚀 $PUMP is about to EXPLODE 1000%!!! Buy now before the insiders do, last chance!!!"
    )]
    headline: String,
    /// Who gives the verdict: `local` (a GGUF model run here) or `http` (an OpenAI-compatible server).
    #[arg(long, value_enum, default_value_t = Backend::Local)]
    backend: Backend,
    /// A GGUF chat model file (Llama architecture, ChatML template); default: SmolLM2 from the model cache.
    #[arg(long)]
    model: Option<PathBuf>,
    /// The server's API root for `--backend http` (llama.cpp server, Ollama, vLLM, OpenAI).
    #[arg(long, default_value = "http://127.0.0.1:8080/v1")]
    base_url: String,
    /// The model name the server knows, for `--backend http`.
    #[arg(long, default_value = "smollm2-135m-instruct")]
    http_model: String,
    /// The environment variable holding the API key, for `--backend http` (never printed).
    #[arg(long)]
    api_key_env: Option<String>,
    /// Model cache (default: $LLM_ANOMALY_MODEL_DIR, $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Worked examples per kind, from the project's labelled corpus (fit families, seed 42); 0 = zero-shot.
    #[arg(long, default_value_t = 0)]
    few_shot: usize,
    /// Skip the injection test (judge the headline only).
    #[arg(long)]
    no_attacks: bool,
    /// JSON lines on stdout (one per analysis, then a summary); human text goes to stderr.
    #[arg(long)]
    json: bool,
    /// Leave the times out of the human text (for output that repeats run to run).
    #[arg(long)]
    no_timings: bool,
}

/// Where the verdict comes from.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    /// A GGUF model run in this process.
    Local,
    /// An OpenAI-compatible server.
    Http,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    // ANCHOR: backend
    let backend: Box<dyn ChatBackend> = match args.backend {
        Backend::Local => Box::new(load_local(args)?),
        Backend::Http => {
            let config = OpenAiConfig {
                api_key_env: args.api_key_env.clone(),
                ..OpenAiConfig::new(&args.base_url, &args.http_model)
            };
            Box::new(OpenAiClient::new(config).map_err(|e| e.to_string())?)
        }
    };
    // ANCHOR_END: backend
    if args.backend == Backend::Http {
        eprintln!("backend: {}", backend.describe());
    }
    let examples = few_shot_examples(args.few_shot);
    let mode =
        if examples.is_empty() { "zero-shot".to_string() } else { format!("few-shot ({} examples)", examples.len()) };
    let mut detector = ZeroShotAnomalyDetector::few_shot(backend, examples);

    // ANCHOR: analyze
    let plain = detector.analyze(&MarketSnapshot::headline(args.headline.clone()));
    eprintln!("\n--- prompt ({mode}) ---");
    for message in &plain.prompt {
        eprintln!("[{}]\n{}\n", message.role.as_str(), message.content);
    }
    report("headline", &args.headline, &plain, args);

    let mut lowered = 0;
    let mut steered = 0;
    let attacks: &[(&str, &str)] = if args.no_attacks { &[] } else { &ATTACKS };
    for (name, attack) in attacks {
        let text = format!("{}{attack}", args.headline);
        let attacked = detector.analyze(&MarketSnapshot::headline(text.clone()));
        report(name, &text, &attacked, args);
        if let (Some(before), Some(after)) = (plain.score, attacked.score)
            && after < before
        {
            lowered += 1;
        }
        if let (Ok(before), Ok(after)) = (&plain.verdict, &attacked.verdict)
            && after.anomaly_score < before.anomaly_score
        {
            steered += 1;
        }
    }
    // ANCHOR_END: analyze
    if !attacks.is_empty() {
        eprintln!(
            "\ninjection test: the model's own verdict was lowered by {steered} of {} attacks; the detector's score by {lowered}",
            attacks.len()
        );
    }
    if args.json {
        let summary = json!({ "summary": {
            "labelled": 0, "precision": null, "recall": null, "f1": null, "pr_auc": null, "roc_auc": null,
            "events": null, "detected_events": null,
            "backend": detector.backend().describe(), "mode": mode,
            "attacks": attacks.len(), "model_verdict_lowered": steered, "detector_score_lowered": lowered,
        }});
        println!("{summary}");
    }
    Ok(())
}

fn load_local(args: &Args) -> Result<LocalLlm, String> {
    let path = match &args.model {
        Some(path) => path.clone(),
        None => find_gguf(&ModelCache::discover(args.model_dir.as_deref()), &SMOLLM2, SMOLLM2_GGUF)
            .map_err(|e| e.to_string())?,
    };
    let model = LocalLlm::load(&path, &LoadOptions::default()).map_err(|e| e.to_string())?;
    let info = model.info();
    let file = info.path.file_name().map_or(info.path.display().to_string(), |f| f.to_string_lossy().into_owned());
    let load = if args.no_timings { String::new() } else { format!(", loaded in {:.1} s", info.load_seconds) };
    eprintln!("model: {} ({file}), {} tensors requantised to Q8_0{load}", info.name, info.requantized.requantized);
    Ok(model)
}

/// `per_kind` labelled headlines of every kind (normal included) from the
/// corpus fit families, seed 42: the first of each family, round-robin.
fn few_shot_examples(per_kind: usize) -> Vec<FewShotExample> {
    if per_kind == 0 {
        return Vec::new();
    }
    let (fit, _) = news_corpus::split_families();
    let corpus = news_corpus::generate(42, 1);
    let mut chosen: Vec<FewShotExample> = Vec::new();
    let mut kinds: Vec<FamilyLabel> = Vec::new();
    for headline in corpus.iter().filter(|h| fit.iter().any(|f| f.name == h.family)) {
        let taken = kinds.iter().filter(|k| **k == headline.label).count();
        if taken < per_kind {
            kinds.push(headline.label);
            chosen.push(FewShotExample::from_labelled(headline));
        }
    }
    chosen
}

fn report(name: &str, text: &str, result: &ZeroShotResult, args: &Args) {
    eprintln!("--- {name} ---");
    eprintln!("text:    {text:?}");
    match &result.answer {
        Ok(answer) => eprintln!("answer:  {answer}"),
        Err(why) => eprintln!("answer:  none ({why})"),
    }
    match &result.verdict {
        Ok(v) => eprintln!(
            "verdict: score {:.1}, type {}, confidence {}",
            v.anomaly_score,
            v.anomaly_type,
            v.confidence.name()
        ),
        Err(error) => eprintln!("verdict: invalid ({error})"),
    }
    for hit in &result.injection {
        eprintln!("injection: {}: rule {} matched {:?}", hit.field, hit.finding.rule, hit.finding.matched);
    }
    let score = result.score.map_or("none".to_string(), |s| format!("{s:.2}"));
    let took = if args.no_timings { String::new() } else { format!(", {:.1} s", result.seconds) };
    eprintln!("result:  score {score}, type {}, from {:?}{took}", result.anomaly_type, result.score_source);
    if args.json {
        let mut line = serde_json::to_value(result).expect("a result serialises");
        if let Value::Object(map) = &mut line {
            map.remove("prompt");
            map.insert("case".into(), json!(name));
            map.insert("text".into(), json!(text));
        }
        println!("{line}");
    }
}
