//! Which defaults of example 01 hold on real data, and what each costs on
//! the simulator.
//!
//! Runs example 01's scan with several settings on long real histories (the
//! S&P 500 and NASDAQ Composite daily 1999–2018, GOOG daily 2004–2013,
//! EUR/USD hourly 2017–2018; `cargo xtask real-data` puts them in
//! `target/real-data`) and on the simulator (seed 42), and prints Markdown
//! tables: on real data, the share of test-period bars flagged and how many
//! of the six largest single-bar moves of the test period are flagged; on
//! the simulator, the labelled metrics.
//!
//! ```text
//! cargo xtask real-data
//! cargo run --release --example defaults_on_real_data
//! ```
extern crate clap;
extern crate llm_anomaly;

use std::path::PathBuf;

use clap::Parser;
use llm_anomaly::data::{BarCsv, BarSeries, CsvOptions};
use llm_anomaly::prelude::*;
use llm_anomaly::scan::{DEFAULT_WINDOW, MIN_FITTED_THRESHOLD, ScanConfig, ScanInput, ScanReport, SymbolScan, scan};

/// Flags of the example.
#[derive(Parser, Debug)]
#[command(about = "Example 01's settings compared on real histories and on the simulator")]
struct Args {
    /// Folder with sp500.csv, nasdaq.csv, GOOG.csv and EURUSD.csv (`cargo xtask real-data`).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/target/real-data"))]
    data_dir: PathBuf,
    /// Simulator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

// ANCHOR: settings
/// The settings compared: (name, window, threshold floor).
const SETTINGS: &[(&str, usize, f64)] = &[
    ("window 60, floor 3 (before)", 60, 3.0),
    ("window 60, floor 4", 60, 4.0),
    ("window 250, floor 4", 250, 4.0),
    ("window 500, floor 3", 500, 3.0),
    ("window 500, floor 4 (default)", DEFAULT_WINDOW, MIN_FITTED_THRESHOLD),
];

/// The real histories: (file, what it is, options it needs).
fn histories() -> [(&'static str, &'static str, CsvOptions); 4] {
    let us_dates = CsvOptions { date_format: Some("%m/%d/%Y".into()), ..CsvOptions::default() };
    [
        ("sp500.csv", "S&P 500, daily 1999–2018", us_dates.clone()),
        ("nasdaq.csv", "NASDAQ Composite, daily 1999–2018", us_dates),
        ("GOOG.csv", "GOOG, daily 2004–2013", CsvOptions::default()),
        ("EURUSD.csv", "EUR/USD, hourly 2017–2018", CsvOptions::default()),
    ]
}
// ANCHOR_END: settings

/// How many of the largest moves must be flagged.
const LARGEST: usize = 6;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    println!("On real histories (test period: the last 70 % of each file; threshold: the 99th percentile of");
    println!(
        "the first 30 %, raised to the floor; largest moves: the {LARGEST} largest |log return| bars of the test period):\n"
    );
    let files = histories();
    let present = files.iter().all(|(f, _, _)| args.data_dir.join(f).is_file());
    if present {
        let names: Vec<&str> = files.iter().map(|(_, what, _)| *what).collect();
        println!("| Setting | {} |", names.join(" | "));
        println!("|---|{}", "---|".repeat(files.len()));
        let mut loaded = Vec::new();
        for (file, _, options) in &files {
            let l = BarCsv::read_path_with(args.data_dir.join(file), options)?;
            if let Some(p) = l.problems.first() {
                return Err(format!("{file}: line {}: {}", p.line, p.message).into());
            }
            let symbol = file.trim_end_matches(".csv");
            loaded.push(BarSeries::new(symbol, l.rows.into_iter().map(|r| r.bar).collect())?);
        }
        for &(name, window, floor) in SETTINGS {
            let mut cells = Vec::new();
            for series in &loaded {
                let config = ScanConfig { window, threshold_floor: floor, ..ScanConfig::default() };
                let report = scan(&[ScanInput::unlabelled(series.clone())], &config)?;
                let (flagged, hits) = real_data_cell(&report.symbols[0], report.threshold);
                cells.push(format!("{:.2} % flagged, {hits} of {LARGEST}", 100.0 * flagged));
            }
            println!("| {name} | {} |", cells.join(" | "));
        }
        println!("\nThe largest moves, their scores with the default setting and with the 60-bar window (before):\n");
        println!("| History | Bar (UTC) | Log return | Score (default) | Threshold | Score (window 60) | Threshold |");
        println!("|---|---|---:|---:|---:|---:|---:|");
        for ((_, what, _), series) in files.iter().zip(&loaded) {
            let report = scan(&[ScanInput::unlabelled(series.clone())], &ScanConfig::default())?;
            let before = ScanConfig { window: SETTINGS[0].1, threshold_floor: SETTINGS[0].2, ..ScanConfig::default() };
            let old = scan(&[ScanInput::unlabelled(series.clone())], &before)?;
            let (sym, old_sym) = (&report.symbols[0], &old.symbols[0]);
            let score = |s: &SymbolScan, i: usize| s.scores[i].as_ref().map_or(f64::NAN, |x| x.score);
            for i in largest_moves(sym) {
                println!(
                    "| {what} | {} | {:+.2} % | {:.1} | {:.2} | {:.1} | {:.2} |",
                    sym.timestamps[i].format("%Y-%m-%d %H:%M"),
                    100.0 * (sym.closes[i] / sym.closes[i - 1]).ln(),
                    score(sym, i),
                    report.threshold,
                    score(old_sym, i),
                    old.threshold
                );
            }
        }
    } else {
        println!(
            "(Not measured here: the real histories are not in {}; `cargo xtask real-data` fetches them.)",
            args.data_dir.display()
        );
    }
    println!("\nOn the simulator (seed {}, 5 symbols × 7 800 one-minute bars, labelled):\n", args.seed);
    simulator_table(args.seed)?;
    Ok(())
}

/// The share of scored test bars above the threshold, and how many of the
/// largest moves are among them.
fn real_data_cell(sym: &SymbolScan, threshold: f64) -> (f64, usize) {
    let test = &sym.scores[sym.test_start..];
    let scored = test.iter().flatten().count();
    let flagged = test.iter().flatten().filter(|s| s.score > threshold).count();
    let hits =
        largest_moves(sym).iter().filter(|&&i| sym.scores[i].as_ref().is_some_and(|s| s.score > threshold)).count();
    (flagged as f64 / scored.max(1) as f64, hits)
}

/// Indices of the [`LARGEST`] largest |log return| bars of the test period.
fn largest_moves(sym: &SymbolScan) -> Vec<usize> {
    let start = sym.test_start.max(1);
    let mut idx: Vec<usize> = (start..sym.closes.len()).collect();
    let size = |i: usize| (sym.closes[i] / sym.closes[i - 1]).ln().abs();
    idx.sort_by(|&a, &b| size(b).total_cmp(&size(a)));
    idx.truncate(LARGEST);
    idx
}

fn simulator_table(seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let market = SimulatedMarket::generate(&SimConfig { seed, microstructure: false, ..SimConfig::default() })?;
    let inputs: Vec<ScanInput> = ScanInput::from_market(&market);
    let reports: Vec<(&str, ScanReport)> = SETTINGS
        .iter()
        .map(|&(name, window, floor)| {
            let config = ScanConfig { window, threshold_floor: floor, ..ScanConfig::default() };
            scan(&inputs, &config).map(|r| (name, r))
        })
        .collect::<Result<_>>()?;
    let patterns: Vec<&str> = reports[0].1.summary.per_pattern.iter().map(|p| p.pattern).collect();
    println!(
        "| Setting | Threshold | Alerts | Precision | Recall | PR-AUC | ROC-AUC | Events | Delay (bars) | {} |",
        patterns.join(" | ")
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|{}", "---:|".repeat(patterns.len()));
    let f = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    for (name, r) in &reports {
        let s = &r.summary;
        let per: Vec<String> = patterns
            .iter()
            .map(|p| {
                s.per_pattern
                    .iter()
                    .find(|x| x.pattern == *p)
                    .map_or("–".into(), |x| format!("{}/{}", x.detected, x.events))
            })
            .collect();
        println!(
            "| {name} | {:.2} | {} | {} | {} | {} | {} | {}/{} | {} | {} |",
            r.threshold,
            s.alerts,
            f(s.precision),
            f(s.recall),
            f(s.pr_auc),
            f(s.roc_auc),
            s.detected_events.unwrap_or(0),
            s.events.unwrap_or(0),
            s.mean_delay_bars.map_or("n/a".into(), |d| format!("{d:.1}")),
            per.join(" | ")
        );
    }
    Ok(())
}
