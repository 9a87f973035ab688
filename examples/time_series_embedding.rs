//! Time-series embedding anomalies: the seed's transformer autoencoder,
//! trained in candle-nn.
//!
//! 1. The seed's own synthetic test: 100 random-walk OHLCV windows, 10 with
//!    a price ×1.5 and volume ×10 jump; trained on 70 normal windows,
//!    judged at the 95th percentile of the training scores.
//! 2. The simulator's labelled bars: one autoencoder per symbol, fitted on
//!    the training period, scoring every later bar from the window ending
//!    at it, beside the streaming z-score detector of example 01.
//!
//! ```text
//! cargo run --release --example time_series_embedding                 # seed 42
//! cargo run --release --example time_series_embedding -- --seed 7
//! cargo run --release --example time_series_embedding -- --input bars.csv
//! cargo run --release --example time_series_embedding -- --values cpu.csv   # timestamp,value
//! cargo run --release --example time_series_embedding -- --json
//! cargo run --release --example time_series_embedding -- --save-weights acme.safetensors
//! ```
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::data::{BarCsv, BarSeries, repair};
use llm_anomaly::plot::SeriesPlot;
use llm_anomaly::scan::{ScanConfig, ScanInput, ScanReport, ThresholdChoice, scan, scan_with};
use llm_anomaly::simulate::{SimConfig, SimulatedMarket};
use llm_anomaly::timeseries::{
    AutoencoderFactory, EncoderConfig, SeedTestReport, TimeSeriesDetectorConfig, TrainingConfig, run_seed_test,
    seed_sample_data,
};

/// Flags of the time-series example.
#[derive(Parser, Debug)]
#[command(about = "Time-series embedding anomalies: a transformer autoencoder of OHLCV windows")]
struct Args {
    /// Seed of the simulator, the synthetic windows and the training.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Your own OHLCV CSV (the columns of example 01) instead of the simulator.
    #[arg(long)]
    input: Option<PathBuf>,
    /// A single-value series (`timestamp,value`, as NAB or a monitoring export) instead of bars.
    #[arg(long, conflicts_with = "input")]
    values: Option<PathBuf>,
    /// One JSON object per alert on stdout, then a summary line; text goes to stderr.
    #[arg(long)]
    json: bool,
    /// Save the first symbol's fitted detector (safetensors).
    #[arg(long)]
    save_weights: Option<PathBuf>,
    /// Where to write the figures.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/target/figures"))]
    figures_dir: PathBuf,
    /// Also write PNG versions of the figures.
    #[arg(long)]
    png: bool,
    /// Write no figures.
    #[arg(long)]
    no_figures: bool,
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
    if let Some(path) = &args.values {
        return run_values(args, path);
    }
    let seed_test = seed_synthetic_test(args.seed)?;
    let (inputs, description) = match &args.input {
        Some(path) => (load_csv(path)?, path.display().to_string()),
        None => simulate(args.seed)?,
    };
    // ANCHOR: scan
    let config = TimeSeriesDetectorConfig {
        training: TrainingConfig { seed: args.seed, ..TimeSeriesDetectorConfig::compact().training },
        ..TimeSeriesDetectorConfig::compact()
    };
    let factory = AutoencoderFactory::new(config);
    // Scores are in units of each symbol's validation threshold.
    let scan_config = ScanConfig { threshold: ThresholdChoice::Fixed(1.0), ..ScanConfig::default() };
    let autoencoder = scan_with(&inputs, &scan_config, &factory)?;
    let zscore = scan(&inputs, &ScanConfig::default())?;
    // ANCHOR_END: scan
    for (input, fitted) in inputs.iter().zip(factory.built()) {
        if let Some(r) = fitted.training_report() {
            eprintln!(
                "{}: {} training windows, {} validation, {} epochs (best {}), {:.2} s per epoch",
                input.series.symbol(),
                r.train_windows,
                r.validation_windows,
                r.epochs_run,
                r.best_epoch,
                r.seconds_per_epoch
            );
        }
    }
    if let (Some(path), Some(first)) = (&args.save_weights, factory.built().first()) {
        first.save(path)?;
        eprintln!("saved the fitted detector of {} to {}", inputs[0].series.symbol(), path.display());
    }
    if args.json {
        print_json(&autoencoder, &zscore, &seed_test)?;
    } else {
        print_report(&description, &autoencoder, &zscore, &seed_test);
    }
    if !args.no_figures {
        write_figures(args, &inputs, &autoencoder, &factory)?;
    }
    Ok(())
}

// ANCHOR: seed_test
fn seed_synthetic_test(seed: u64) -> Result<SeedTestReport, Box<dyn std::error::Error>> {
    let sample = seed_sample_data(100, 60, 0.1, seed);
    let training = TrainingConfig { seed, ..TrainingConfig::default() };
    Ok(run_seed_test(&sample, EncoderConfig::default(), &training)?)
}
// ANCHOR_END: seed_test

fn simulate(seed: u64) -> Result<(Vec<ScanInput>, String), Box<dyn std::error::Error>> {
    let config = SimConfig { microstructure: false, ..SimConfig::with_seed(seed) };
    let market = SimulatedMarket::generate(&config)?;
    let description = format!(
        "simulator, seed {seed}: {} symbols x {} days x {} one-minute bars",
        config.symbols.len(),
        config.days,
        config.bars_per_day
    );
    Ok((ScanInput::from_market(&market), description))
}

/// Reads an OHLCV file as example 01 does; disorder is sorted and repeated
/// timestamps keep their first row, both reported.
fn load_csv(path: &std::path::Path) -> Result<Vec<ScanInput>, Box<dyn std::error::Error>> {
    let loaded = BarCsv::read_path(path)?;
    let file = path.display().to_string();
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    for p in loaded.problems.iter().take(10) {
        eprintln!("{file}: line {}: skipped: {}", p.line, p.message);
    }
    if loaded.problems.len() > 10 {
        eprintln!("{file}: {} more rows skipped", loaded.problems.len() - 10);
    }
    let has_labels = loaded.has_labels;
    let mut inputs = Vec::new();
    for (symbol, rows) in loaded.by_symbol() {
        let (rows, moved) = repair::sort_by_time(rows);
        let (rows, duplicates) = repair::dedup_by_time(rows);
        if !moved.is_empty() || !duplicates.is_empty() {
            let (moved, repeated) = (moved.len(), duplicates.len());
            eprintln!("{file}: {symbol}: {moved} rows sorted into time order, {repeated} repeated timestamps dropped");
        }
        let labels = has_labels.then(|| rows.iter().map(|r| r.label.unwrap_or(false)).collect());
        let series = BarSeries::new(&*symbol, rows.into_iter().map(|r| r.bar).collect())?;
        inputs.push(ScanInput { series, labels, patterns: None, excluded_from_metrics: None });
    }
    if inputs.is_empty() {
        return Err(format!("no readable rows in {file}").into());
    }
    Ok(inputs)
}

// ANCHOR: values
/// A single-value file: read as it comes, repaired only explicitly and
/// with a report, fitted on its first 30 %, every later point scored.
fn run_values(args: &Args, path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    use llm_anomaly::data::ValueFile;
    use llm_anomaly::timeseries::TimeSeriesAnomalyDetector;
    let file = ValueFile::read_path(path)?;
    let name = file.name.clone();
    for s in &file.skipped {
        eprintln!("{name}: line {}: skipped: {}", s.line, s.reason);
    }
    let order = file.order_report();
    let (read, skipped) = (file.points.len(), file.skipped.len());
    let (sorted, moved) = repair::sort_by_time(file.points);
    let (points, repeated) = repair::dedup_by_time(sorted);
    if !order.is_clean() {
        eprintln!(
            "{name}: {} rows earlier than the row before them (sorted into time order), {} repeated timestamps (first row kept)",
            moved.len(),
            repeated.len()
        );
    }
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let fit = (values.len() as f64 * 0.3) as usize;
    let mut config = TimeSeriesDetectorConfig::compact();
    config.training.seed = args.seed;
    config.training.window_stride = 1;
    let fitted = TimeSeriesAnomalyDetector::new(config).fit_values(&values, 0..fit)?;
    let scored = fitted.score_values(&values)?;
    let threshold = fitted.threshold();
    let flagged: Vec<(usize, f64)> =
        (fit..values.len()).filter_map(|i| scored.scores[i].filter(|&s| s > threshold).map(|s| (i, s))).collect();
    if args.json {
        for &(i, score) in &flagged {
            let line = serde_json::json!({
                "index": i, "line": points[i].line, "timestamp": points[i].timestamp.to_rfc3339(),
                "value": values[i], "score": score, "probability": fitted.calibrator().probability(score),
                "anomalous": true, "type": "pattern_anomaly", "evidence": scored.evidence[i],
            });
            println!("{line}");
        }
    } else {
        let mut top = flagged.clone();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("the {} highest-scored points after the fit period:", top.len().min(20));
        for &(i, score) in top.iter().take(20) {
            let p = fitted.calibrator().probability(score);
            println!(
                "line {:>7}  {}  value {:>14.6}  score {score:>10.3}  p {p:.4}",
                points[i].line, points[i].timestamp, values[i]
            );
        }
    }
    let flagged = flagged.len();
    let summary = serde_json::json!({
        "labelled": false, "precision": null, "recall": null, "f1": null, "pr_auc": null, "roc_auc": null,
        "events": null, "detected_events": null,
        "input": {"file": name, "rows_read": read, "rows_skipped": skipped, "sorted": moved.len(), "repeated_dropped": repeated.len()},
        "fitted_on": fit, "scored": values.len() - fit, "flagged": flagged, "threshold": threshold,
    });
    if args.json {
        println!("{}", serde_json::json!({ "summary": summary }));
    } else {
        println!("{flagged} of {} points after the first {fit} flagged (threshold {threshold:.3})", values.len() - fit);
    }
    Ok(())
}
// ANCHOR_END: values

fn ratio(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{v:.3}"))
}

fn print_report(description: &str, autoencoder: &ScanReport, zscore: &ScanReport, seed: &SeedTestReport) {
    println!("The seed's synthetic test (seed windows, 95th percentile of training scores):");
    println!(
        "  true anomalies {}, detected {}, true positives {}: precision {:.2}, recall {:.2}",
        seed.true_anomalies, seed.detected, seed.true_positives, seed.precision, seed.recall
    );
    println!(
        "  training: {} windows, {} validate, {} epochs, best {} (validation MSE {:.4})",
        seed.training.train_windows,
        seed.training.validation_windows,
        seed.training.epochs_run,
        seed.training.best_epoch,
        seed.training.best_validation_loss()
    );
    println!();
    println!("{description}");
    println!("test period from {}", autoencoder.cutoff.format("%Y-%m-%d %H:%M UTC"));
    println!("{:<28} {:>12} {:>12}", "metric (test period)", "autoencoder", "z-score");
    let (a, z) = (&autoencoder.summary, &zscore.summary);
    for (name, x, y) in [
        ("bar precision", a.precision, z.precision),
        ("bar recall", a.recall, z.recall),
        ("bar F1", a.f1, z.f1),
        ("PR-AUC", a.pr_auc, z.pr_auc),
        ("ROC-AUC", a.roc_auc, z.roc_auc),
    ] {
        println!("{name:<28} {:>12} {:>12}", ratio(x), ratio(y));
    }
    let count = |x: Option<usize>| x.map_or("n/a".into(), |v| v.to_string());
    println!("{:<28} {:>12} {:>12}", "events detected", count(a.detected_events), count(z.detected_events));
    println!("{:<28} {:>12} {:>12}", "events labelled", count(a.events), count(z.events));
    println!("{:<28} {:>12} {:>12}", "alert intervals", a.alerts, z.alerts);
    println!("{:<28} {:>12} {:>12}", "alerts on an event", count(a.alerts_on_events), count(z.alerts_on_events));
    if !a.per_pattern.is_empty() {
        println!();
        println!("{:<28} {:>12} {:>12}", "events found, per pattern", "autoencoder", "z-score");
        for (p, q) in a.per_pattern.iter().zip(&z.per_pattern) {
            println!(
                "{:<28} {:>12} {:>12}",
                p.pattern,
                format!("{}/{}", p.detected, p.events),
                format!("{}/{}", q.detected, q.events)
            );
        }
    }
    println!();
    println!("autoencoder: {}, threshold: each symbol's 99th validation percentile", autoencoder.detector);
    println!("z-score: {}, threshold {:.2} ({})", zscore.detector, zscore.threshold, zscore.threshold_source);
}

fn print_json(autoencoder: &ScanReport, zscore: &ScanReport, seed: &SeedTestReport) -> Result<(), serde_json::Error> {
    for alert in &autoencoder.alerts {
        println!("{}", serde_json::to_string(alert)?);
    }
    let mut summary = serde_json::to_value(&autoencoder.summary)?;
    summary["detector"] = autoencoder.detector.clone().into();
    summary["zscore"] = serde_json::to_value(&zscore.summary)?;
    summary["seed_test"] = serde_json::json!({
        "true_anomalies": seed.true_anomalies,
        "detected": seed.detected,
        "true_positives": seed.true_positives,
        "precision": seed.precision,
        "recall": seed.recall,
        "epochs": seed.training.epochs_run,
    });
    println!("{}", serde_json::json!({ "summary": summary }));
    Ok(())
}

// ANCHOR: figures
fn write_figures(
    args: &Args,
    inputs: &[ScanInput],
    report: &ScanReport,
    factory: &AutoencoderFactory,
) -> Result<(), Box<dyn std::error::Error>> {
    // The symbol with the most labelled test bars (the first one without labels).
    let labelled = |s: &llm_anomaly::scan::SymbolScan| {
        s.labels.as_ref().map_or(0, |l| l[s.test_start..].iter().filter(|&&x| x).count())
    };
    let Some((k, sym)) = report.symbols.iter().enumerate().rev().max_by_key(|(_, s)| labelled(s)) else {
        return Ok(());
    };
    let fitted = &factory.built()[k];
    let t0 = sym.test_start;
    let scored = fitted.score_bars(inputs[k].series.bars())?;
    let unwrap = |v: &[Option<f64>]| -> Vec<f64> { v[t0..].iter().map(|r| r.unwrap_or(f64::NAN)).collect() };
    let (observed, reconstructed) = (unwrap(&scored.observed), unwrap(&scored.reconstructed));
    // On a log scale: the errors span five orders of magnitude.
    let scores: Vec<f64> = sym.scores[t0..].iter().map(|s| s.as_ref().map_or(f64::NAN, |x| x.score.log10())).collect();
    let shaded = sym.labels.as_ref().map_or_else(Vec::new, |l| {
        llm_anomaly::eval::events_from_labels(&l[t0..]).iter().map(|e| e.start..e.end + 1).collect()
    });
    let threshold = report.threshold.log10();
    let hits: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] > threshold).collect();
    let title_price = format!("{}: close-to-close return and its reconstruction, test period", sym.symbol);
    let mut price = SeriesPlot::new(&title_price, "bar (test period)", "return (bp)", &observed);
    price.overlay = Some((&reconstructed, "reconstruction"));
    price.shaded = shaded.clone();
    price.markers = hits.iter().map(|&i| (i, observed[i])).collect();
    let title_score = format!("{}: log10(reconstruction error / validation threshold)", sym.symbol);
    let mut score = SeriesPlot::new(&title_score, "bar (test period)", "log10 score", &scores);
    score.shaded = shaded;
    score.hline = Some((threshold, "threshold"));
    std::fs::create_dir_all(&args.figures_dir)?;
    let exts: &[&str] = if args.png { &["svg", "png"] } else { &["svg"] };
    for ext in exts {
        for (name, plot) in [("time_series_reconstruction", &price), ("time_series_scores", &score)] {
            let path = args.figures_dir.join(format!("{name}.{ext}"));
            plot.write(&path)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
// ANCHOR_END: figures
