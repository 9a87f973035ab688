//! The Numenta Anomaly Benchmark, scored exactly as NAB scores it: the
//! project's streaming detectors, or any detector's results folder, beside
//! the published anchors.
//!
//! With `--json` the last line is the summary: the windows, and what the
//! detector with the best NAB standard score found of them.
//!
//! ```text
//! cargo run --release --example nab_benchmark                         # the project's detectors on ../shared/datasets/nab
//! cargo run --release --example nab_benchmark -- --score-results ../shared/datasets/nab/published-results
//! cargo run --release --example nab_benchmark -- --json --category realAdExchange
//! ```
//!
//! Every detector sees each row once, in order, with the same settings for
//! every file (declared below, before any score was looked at). The
//! threshold is the best one per detector and profile over the whole
//! corpus; the "hill climb" column is NAB's own search from 0.5 (what its
//! published scores use; it depends on the scale of the scores and can stop
//! below the best threshold). Orion's
//! overlap F1 needs a yes/no per row, which is each detector's own rule
//! ([`FLAG_AT_DEVIATION`] for the project's detectors; for a results
//! folder, the detector's best standard-profile NAB threshold).
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::detect::{EwmaZScore, RollingMad, RollingZScore, ScaleFloor};
use llm_anomaly::eval::nab::{
    NabCorpus, NabScore, OVERLAP_SUBSETS, OverlapCounts, PROFILES, STANDARD, ThresholdSearch, corpus_score,
    corpus_score_with, deviation_to_score, overlap_counts, read_results_dir, scores_to_intervals, streaming_scores,
};
use serde_json::json;

/// Flags of the benchmark.
#[derive(Parser, Debug)]
#[command(about = "Score detectors on the Numenta Anomaly Benchmark exactly as NAB does")]
struct Args {
    /// The NAB folder (with `data/` and `labels/`); never copied into the repository.
    #[arg(long, default_value = "../shared/datasets/nab")]
    nab_dir: PathBuf,
    /// Score every detector folder of this results directory
    /// (`DIR/<detector>/<category>/<detector>_<name>.csv`) instead of running the project's detectors.
    #[arg(long)]
    score_results: Option<PathBuf>,
    /// Only these NAB categories (repeatable), e.g. for a quick run; scores are then not comparable
    /// with the published ones, which cover the whole corpus.
    #[arg(long)]
    category: Vec<String>,
    /// One JSON line per detector on stdout.
    #[arg(long)]
    json: bool,
    /// Seed of the autoencoder's training.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Also run the language model as a forecaster (SmolLM2: a fraction of
    /// a second per forecast, minutes per series; use it with `--category`).
    #[arg(long)]
    forecaster: bool,
    /// The forecaster forecasts every k-th row.
    #[arg(long, default_value_t = FORECAST_STRIDE)]
    forecast_stride: usize,
    /// A GGUF model for the forecaster instead of the installed SmolLM2.
    #[arg(long)]
    model: Option<PathBuf>,
}

/// The rolling window of the z-score and MAD detectors, in rows.
const WINDOW_ROWS: usize = 288;
/// The span of the EWMA detector, in rows.
const EWMA_SPAN_ROWS: f64 = 288.0;
/// A row is flagged (for overlap F1) when its deviation reaches this.
const FLAG_AT_DEVIATION: f64 = 4.0;

/// The autoencoder trains on at most about this many windows of a series'
/// probationary period (every k-th window of a longer one).
#[cfg(feature = "neural")]
const AUTOENCODER_MAX_WINDOWS: usize = 600;

/// The forecaster's default stride: a forecast every 4th row (a forecast
/// takes a fraction of a second; NAB's AdEx subset then takes minutes).
const FORECAST_STRIDE: usize = 4;

/// Published NAB standard scores (NAB's `results/final_results.json` and README).
const NAB_ANCHORS: [(&str, f64); 4] =
    [("ARTime", 74.9), ("Numenta HTM", 70.1), ("CAD OSE", 69.9), ("windowedGaussian", 39.6)];
/// Orion's published overlap F1 of AER per subset.
const AER_F1: [(&str, f64); 5] = [("Art", 0.750), ("AdEx", 0.733), ("AWS", 0.702), ("Traf", 0.611), ("Tweets", 0.606)];

/// One detector's scores and flags over the corpus.
struct Scored {
    name: String,
    scores: Vec<Vec<f64>>,
    /// `None`: flag at the best standard threshold.
    flag_at: Option<f64>,
    /// What the run cost, for detectors that say (`"run"` in the JSON line).
    run: Option<serde_json::Value>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.nab_dir.join("labels").join("combined_windows.json").is_file() {
        eprintln!(
            "nab_benchmark: skipped: no NAB corpus at {} (pass --nab-dir DIR: a folder with data/ and labels/)",
            args.nab_dir.display()
        );
        return ExitCode::SUCCESS;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    if args.forecaster && args.score_results.is_some() {
        return Err(
            "--forecaster runs a detector; --score-results scores a results folder instead: pass one of them".into()
        );
    }
    let keep =
        |name: &str| args.category.is_empty() || args.category.iter().any(|c| name.starts_with(&format!("{c}/")));
    let corpus = NabCorpus::load_where(&args.nab_dir, keep)?;
    if corpus.series.is_empty() {
        return Err(format!("no NAB series in the categories {:?}", args.category).into());
    }
    let rows: usize = corpus.series.iter().map(|s| s.len()).sum();
    eprintln!(
        "NAB corpus {}: {} series, {rows} rows, {} windows{}",
        args.nab_dir.display(),
        corpus.series.len(),
        corpus.window_count(),
        if args.category.is_empty() { String::new() } else { format!(" (categories {:?} only)", args.category) }
    );
    let detectors = match &args.score_results {
        Some(dir) => read_results_dir(dir, &corpus)?
            .into_iter()
            .map(|d| Scored { name: d.detector, scores: d.scores, flag_at: None, run: None })
            .collect(),
        None => project_detectors(&corpus, args)?,
    };
    if !args.json {
        println!("{}", header());
    }
    // (standard score, detector index) of the best detector, for the summary.
    let mut best: Option<(f64, usize)> = None;
    for (index, detector) in detectors.iter().enumerate() {
        let scores: Vec<NabScore> = PROFILES
            .iter()
            .map(|p| corpus_score_with(&corpus, &detector.scores, p, ThresholdSearch::Exhaustive))
            .collect();
        let climbed = corpus_score(&corpus, &detector.scores, &STANDARD);
        let flag_at = detector.flag_at.unwrap_or(scores[0].threshold);
        let f1 = overlap_f1(&corpus, &detector.scores, flag_at);
        if best.is_none_or(|(score, _)| scores[0].normalized > score) {
            best = Some((scores[0].normalized, index));
        }
        if args.json {
            println!(
                "{}",
                json!({
                    "detector": detector.name,
                    "standard": round(scores[0].normalized),
                    "reward_low_fp_rate": round(scores[1].normalized),
                    "reward_low_fn_rate": round(scores[2].normalized),
                    "standard_nab_hill_climb": round(climbed.normalized),
                    "thresholds": scores.iter().map(|s| (s.profile.name.to_string(), json!(s.threshold))).collect::<serde_json::Map<_, _>>(),
                    "overlap_f1": f1.iter().map(|(name, f)| (name.to_string(), json!(f.map(round3)))).collect::<serde_json::Map<_, _>>(),
                    "flagged_at_score": flag_at,
                    "run": detector.run,
                })
            );
        } else {
            let cells: Vec<String> = f1.iter().map(|(_, f)| f.map_or("—".into(), |v| format!("{v:.3}"))).collect();
            println!(
                "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
                detector.name,
                scores[0].normalized,
                scores[1].normalized,
                scores[2].normalized,
                climbed.normalized,
                cells.join(" | ")
            );
        }
    }
    if args.json {
        println!("{}", json!({ "summary": summary(&corpus, &detectors, &best) }));
    } else {
        let anchors: Vec<String> = NAB_ANCHORS.iter().map(|(name, score)| format!("{name} {score}")).collect();
        let aer: Vec<String> = AER_F1.iter().map(|(name, f)| format!("{name} {f:.3}")).collect();
        println!(
            "\nPublished NAB standard scores: {}. Orion's AER overlap F1: {}.",
            anchors.join(", "),
            aer.join(", ")
        );
    }
    Ok(())
}

/// The project's streaming detectors, scored row by row on every series.
fn project_detectors(corpus: &NabCorpus, args: &Args) -> Result<Vec<Scored>, Box<dyn std::error::Error>> {
    let floor = ScaleFloor::new(1e-3, 1e-9)?;
    let flag_at = Some(deviation_to_score(Some(FLAG_AT_DEVIATION)));
    let mut out = Vec::new();
    let mut run = |name: &str, score: &dyn Fn(&[f64]) -> llm_anomaly::error::Result<Vec<f64>>| {
        let scores = corpus.series.iter().map(|s| score(&s.values)).collect::<Result<Vec<_>, _>>()?;
        out.push(Scored { name: name.to_string(), scores, flag_at, run: None });
        Ok::<(), Box<dyn std::error::Error>>(())
    };
    run("rolling_zscore", &|v| streaming_scores(RollingZScore::new(WINDOW_ROWS, floor)?, v))?;
    run("rolling_mad", &|v| streaming_scores(RollingMad::new(WINDOW_ROWS, floor)?, v))?;
    run("ewma_zscore", &|v| streaming_scores(EwmaZScore::new(EWMA_SPAN_ROWS, WINDOW_ROWS / 4, floor)?, v))?;
    #[cfg(feature = "neural")]
    {
        let mut scores = Vec::with_capacity(corpus.series.len());
        for series in &corpus.series {
            let s = autoencoder_scores(&series.values, args.seed)
                .map_err(|e| format!("autoencoder on {}: {e}", series.name))?;
            scores.push(s);
        }
        // Flag where the error reaches the validation threshold (r = 1).
        out.push(Scored { name: "autoencoder".to_string(), scores, flag_at: Some(0.5), run: None });
    }
    if args.forecaster {
        out.push(forecaster_scores(corpus, args)?);
    }
    Ok(out)
}

// ANCHOR: forecaster
/// The language model as a forecaster on every series: the digits scaled on
/// NAB's probationary period, a forecast every `--forecast-stride`-th row
/// after it, the error as the score `e / (1 + e)` (0.5 = an error of the
/// probationary range); rows without a forecast score 0.
#[cfg(feature = "text")]
fn forecaster_scores(corpus: &NabCorpus, args: &Args) -> Result<Scored, Box<dyn std::error::Error>> {
    use llm_anomaly::eval::nab::probationary_length;
    use llm_anomaly::llm::{ForecasterConfig, LlmForecaster, LoadOptions, LocalLlm};
    use llm_anomaly::models::{ModelCache, SMOLLM2, SMOLLM2_GGUF, find_gguf};
    let path = match &args.model {
        Some(path) => path.clone(),
        None => find_gguf(&ModelCache::discover(None), &SMOLLM2, SMOLLM2_GGUF)?,
    };
    let llm = LocalLlm::load(&path, &LoadOptions::default())?;
    let config = ForecasterConfig { stride: args.forecast_stride, ..ForecasterConfig::default() };
    let forecaster = LlmForecaster::new(&llm, config)?;
    let mut scores = Vec::with_capacity(corpus.series.len());
    let (mut forecasts, mut unreadable, mut tokens, mut seconds) = (0, 0, 0, 0.0);
    for series in &corpus.series {
        let probation = probationary_length(series.len());
        let run =
            forecaster.run(&series.values, 0..probation).map_err(|e| format!("forecaster on {}: {e}", series.name))?;
        eprintln!(
            "forecaster: {}: {} forecasts ({} unreadable) in {:.0} s",
            series.name, run.forecasts_made, run.unreadable, run.seconds
        );
        (forecasts, unreadable, tokens, seconds) = (
            forecasts + run.forecasts_made,
            unreadable + run.unreadable,
            tokens + run.generated_tokens,
            seconds + run.seconds,
        );
        scores.push(run.anomaly_scores());
    }
    let run = json!({
        "model": llm.info().name, "stride": config.stride, "window_values": config.window_values,
        "context_values": config.context_values,
        "forecasts": forecasts, "unreadable": unreadable, "generated_tokens": tokens, "seconds": seconds.round(),
    });
    Ok(Scored { name: "llm_forecaster".to_string(), scores, flag_at: Some(0.5), run: Some(run) })
}
// ANCHOR_END: forecaster

#[cfg(not(feature = "text"))]
fn forecaster_scores(_: &NabCorpus, _: &Args) -> Result<Scored, Box<dyn std::error::Error>> {
    Err("--forecaster needs the `text` feature".into())
}

// ANCHOR: autoencoder
/// The time-series autoencoder on one NAB series: fitted on NAB's
/// probationary period (the first 15 % of the rows, which NAB does not
/// score), then scoring every row from the window ending at it. The error
/// over the validation threshold, `r`, becomes `r / (1 + r)` in [0, 1), so
/// 0.5 is the threshold; rows before the first full window score 0.
#[cfg(feature = "neural")]
fn autoencoder_scores(values: &[f64], seed: u64) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    use llm_anomaly::eval::nab::probationary_length;
    use llm_anomaly::timeseries::{TimeSeriesAnomalyDetector, TimeSeriesDetectorConfig};
    let probation = probationary_length(values.len());
    let mut config = TimeSeriesDetectorConfig::compact();
    config.training.seed = seed;
    config.training.progress = false;
    let windows = probation.saturating_sub(config.encoder.seq_length);
    config.training.window_stride = windows.div_ceil(AUTOENCODER_MAX_WINDOWS).max(1);
    let fitted = TimeSeriesAnomalyDetector::new(config).fit_values(values, 0..probation)?;
    let threshold = fitted.threshold();
    let scored = fitted.score_values(values)?;
    Ok(scored.scores.iter().map(|s| s.map_or(0.0, |e| (e / threshold) / (1.0 + e / threshold))).collect())
}
// ANCHOR_END: autoencoder

/// The summary line: the windows of the corpus and what the detector with
/// the best NAB standard score found of them, counted as overlap F1 counts
/// (a window is found when a flagged interval overlaps it; precision is over
/// the flagged intervals). NAB defines no ranking metric: `pr_auc` and
/// `roc_auc` are null.
fn summary(corpus: &NabCorpus, detectors: &[Scored], best: &Option<(f64, usize)>) -> serde_json::Value {
    let Some((standard, index)) = *best else {
        return json!({"labelled": true, "events": corpus.window_count(), "detected_events": 0,
            "precision": null, "recall": null, "f1": null, "pr_auc": null, "roc_auc": null});
    };
    let detector = &detectors[index];
    let flag_at = detector.flag_at.unwrap_or_else(|| {
        corpus_score_with(corpus, &detector.scores, &STANDARD, ThresholdSearch::Exhaustive).threshold
    });
    let mut counts = OverlapCounts::default();
    for (series, scores) in corpus.series.iter().zip(&detector.scores) {
        let flagged: Vec<bool> = scores.iter().map(|&s| s >= flag_at).collect();
        counts = counts + overlap_counts(&series.windows, &scores_to_intervals(&flagged));
    }
    let found = counts.true_positives;
    let intervals = found + counts.false_positives;
    let windows = corpus.window_count();
    json!({
        "labelled": true,
        "events": windows,
        "detected_events": found,
        "precision": (intervals > 0).then(|| round3(found as f64 / intervals as f64)),
        "recall": (windows > 0).then(|| round3(found as f64 / windows as f64)),
        "f1": counts.f1().map(round3),
        "pr_auc": null,
        "roc_auc": null,
        "detector": detector.name,
        "standard": round(standard),
        "series": corpus.series.len(),
    })
}

/// Orion's overlap F1 per subset, flagging rows scored at or above `flag_at`.
fn overlap_f1(corpus: &NabCorpus, scores: &[Vec<f64>], flag_at: f64) -> Vec<(&'static str, Option<f64>)> {
    OVERLAP_SUBSETS
        .iter()
        .map(|(name, category)| {
            let mut counts = OverlapCounts::default();
            let mut any = false;
            for (series, scores) in corpus.series.iter().zip(scores).filter(|(s, _)| s.category() == *category) {
                let flagged: Vec<bool> = scores.iter().map(|&s| s >= flag_at).collect();
                counts = counts + overlap_counts(&series.windows, &scores_to_intervals(&flagged));
                any = true;
            }
            (*name, if any { counts.f1() } else { None })
        })
        .collect()
}

fn header() -> String {
    let subsets: Vec<String> = OVERLAP_SUBSETS.iter().map(|(name, _)| format!("F1 {name}")).collect();
    let rule: Vec<&str> = std::iter::repeat_n("---:", 4 + subsets.len()).collect();
    format!(
        "| Detector | NAB standard | NAB low FP | NAB low FN | standard, NAB's hill climb | {} |\n|---|{}|",
        subsets.join(" | "),
        rule.join("|")
    )
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
