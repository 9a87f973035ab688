//! How to measure a detector of rare events: precision, recall, F1,
//! PR-AUC and ROC-AUC, event recall and delay, point adjustment — first on a
//! case small enough to check by hand, then on example 01's scores.
//!
//! ```text
//! cargo run --release --example evaluation_metrics
//! ```
extern crate clap;
extern crate llm_anomaly;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::eval::{
    ConfusionMatrix, average_precision, event_report, events_from_labels, point_adjusted_f1, pr_curve, roc_auc,
    roc_curve,
};
use llm_anomaly::plot::CurvePlot;
use llm_anomaly::prelude::*;
use llm_anomaly::scan::{ScanConfig, ScanInput, scan};
use llm_anomaly::simulate::rng::SimRng;

/// Flags of the evaluation example.
#[derive(Parser, Debug)]
#[command(about = "Metrics for rare events, by hand and on example 01's scores")]
struct Args {
    /// Simulator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where to write the figures.
    #[arg(long, default_value = "target/figures")]
    figures_dir: PathBuf,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn show(x: Option<f64>) -> String {
    x.map_or_else(|| "undefined".into(), |v| format!("{v:.3}"))
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: by_hand
    // Ten bars, two labelled events (bars 2-4 and 8), and a detector's scores.
    let labels = [false, false, true, true, true, false, false, false, true, false];
    let scores = [0.1, 0.3, 0.2, 0.9, 0.4, 0.8, 0.1, 0.2, 0.7, 0.1];
    let threshold = 0.5;
    let predicted: Vec<bool> = scores.iter().map(|&s| s > threshold).collect();
    let cm = ConfusionMatrix::from_predictions(&labels, &predicted)?;
    let events = events_from_labels(&labels);
    let report = event_report(&events, &predicted)?;
    // ANCHOR_END: by_hand
    println!("By hand (10 bars, 4 anomalous, threshold {threshold}):");
    println!("  tp {} fp {} tn {} fn {}", cm.tp, cm.fp, cm.tn, cm.fn_);
    println!("  precision {}  recall {}  F1 {}", show(cm.precision()), show(cm.recall()), show(cm.f1()));
    println!("  PR-AUC {}  ROC-AUC {}", show(average_precision(&scores, &labels)?), show(roc_auc(&scores, &labels)?));
    println!(
        "  events detected {} of {}, delays {:?}; point-adjusted F1 {}",
        report.detected,
        report.events,
        report.delays,
        show(point_adjusted_f1(&labels, &predicted)?)
    );

    // ANCHOR: rare_events
    let market =
        SimulatedMarket::generate(&SimConfig { seed: args.seed, microstructure: false, ..SimConfig::default() })?;
    let inputs: Vec<ScanInput> =
        market.series.iter().map(|s| ScanInput::labelled(s.clone(), market.bar_labels(s.symbol()))).collect();
    let report = scan(&inputs, &ScanConfig::default())?;
    let (mut labels, mut scores) = (Vec::new(), Vec::new());
    for s in &report.symbols {
        labels.extend_from_slice(&s.labels.as_ref().expect("labelled")[s.test_start..]);
        scores.extend(s.test_scores());
    }
    // Two baselines every report should beat: "never alert" and coin flips.
    let never = vec![false; labels.len()];
    let mut rng = SimRng::new(args.seed, 99);
    let coin: Vec<f64> = (0..labels.len()).map(|_| rng.uniform()).collect();
    // ANCHOR_END: rare_events
    let base_rate = labels.iter().filter(|&&l| l).count() as f64 / labels.len() as f64;
    let detector = ConfusionMatrix::from_scores(&labels, &scores, report.threshold)?;
    let lazy = ConfusionMatrix::from_predictions(&labels, &never)?;
    println!(
        "\nExample 01's test period (seed {}): {} bars, {:.1}% labelled anomalous",
        args.seed,
        labels.len(),
        100.0 * base_rate
    );
    println!("  {:<28} {:>8} {:>9} {:>7} {:>7} {:>7}", "", "accuracy", "precision", "recall", "PR-AUC", "ROC-AUC");
    let coin_cm = ConfusionMatrix::from_scores(&labels, &coin, 0.99)?;
    let zeros = vec![0.0; labels.len()];
    for (name, cm, ranking) in [
        ("never alert", &lazy, &zeros),
        ("coin flip (1% alerts)", &coin_cm, &coin),
        ("rolling z-score (example 01)", &detector, &scores),
    ] {
        println!(
            "  {:<28} {:>8} {:>9} {:>7} {:>7} {:>7}",
            name,
            show(cm.accuracy()),
            show(cm.precision()),
            show(cm.recall()),
            show(average_precision(ranking, &labels)?),
            show(roc_auc(ranking, &labels)?)
        );
    }

    let pr: Vec<(f64, f64)> = pr_curve(&scores, &labels)?.iter().map(|p| (p.recall, p.precision)).collect();
    let pr_coin: Vec<(f64, f64)> = pr_curve(&coin, &labels)?.iter().map(|p| (p.recall, p.precision)).collect();
    let mut plot = CurvePlot::new("Precision-recall, example 01 test period", "recall", "precision");
    plot.curves.push(("rolling z-score".into(), pr));
    plot.curves.push(("coin flip".into(), pr_coin));
    plot.write(args.figures_dir.join("evaluation_pr_curve.svg"))?;
    let roc: Vec<(f64, f64)> = roc_curve(&scores, &labels)?.iter().map(|p| (p.fpr, p.tpr)).collect();
    let mut plot = CurvePlot::new("ROC, example 01 test period", "false positive rate", "true positive rate");
    plot.curves.push(("rolling z-score".into(), roc));
    plot.curves.push(("chance".into(), vec![(0.0, 0.0), (1.0, 1.0)]));
    plot.write(args.figures_dir.join("evaluation_roc_curve.svg"))?;
    Ok(())
}
