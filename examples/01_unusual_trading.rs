//! Example 01: unusual trading patterns.
//!
//! Scores every bar with a streaming price/volume detector, fits the alert
//! threshold on a training period, and reports alerts and metrics on the
//! later test period only.
//!
//! ```text
//! cargo run --release --example 01_unusual_trading                  # simulator, seed 42
//! cargo run --release --example 01_unusual_trading -- --seed 7
//! cargo run --release --example 01_unusual_trading -- --input bars.csv
//! cargo run --release --example 01_unusual_trading -- --json
//! ```
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use llm_anomaly::data::{BarCsv, BarSeries, repair};
use llm_anomaly::plot::SeriesPlot;
use llm_anomaly::prelude::*;
use llm_anomaly::scan::{Estimator, ScanConfig, ScanInput, ScanReport, ThresholdChoice, scan};
use llm_anomaly::simulate::ContextEvent;

/// Flags of example 01.
#[derive(Parser, Debug)]
#[command(about = "Example 01: detect unusual trading patterns in OHLCV bars")]
struct Args {
    /// Simulator seed (ignored with --input).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Your own OHLCV CSV instead of the simulator (see the book for the columns).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Refuse a CSV that needs any repair (bad rows, unsorted or duplicate timestamps).
    #[arg(long)]
    strict: bool,
    /// One JSON object per alert on stdout, then a summary line; text goes to stderr.
    #[arg(long)]
    json: bool,
    /// Detector window in bars.
    #[arg(long, default_value_t = 60)]
    window: usize,
    /// Running statistics.
    #[arg(long, value_enum, default_value_t = EstimatorArg::Zscore)]
    estimator: EstimatorArg,
    /// Share of the time span used to fit the threshold.
    #[arg(long, default_value_t = 0.3)]
    train_fraction: f64,
    /// Expected share of anomalous bars: the threshold is the (1 - c) quantile of training scores.
    #[arg(long, default_value_t = 0.01, conflicts_with = "threshold")]
    contamination: f64,
    /// A fixed z-score threshold instead of a fitted one.
    #[arg(long)]
    threshold: Option<f64>,
    /// Normal bars tolerated inside one alert interval.
    #[arg(long, default_value_t = 3)]
    merge_gap: usize,
    /// Where to write the figures.
    #[arg(long, default_value = "target/figures")]
    figures_dir: PathBuf,
    /// Also write PNG versions of the figures.
    #[arg(long)]
    png: bool,
    /// Write the simulated bars (with `label` and `pattern` columns) to this CSV and go on.
    #[arg(long, conflicts_with = "input")]
    export_csv: Option<PathBuf>,
    /// Alerts shown in the text table.
    #[arg(long, default_value_t = 12)]
    top: usize,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum EstimatorArg {
    Zscore,
    Mad,
    Ewma,
}

/// Where the bars came from, and the simulator's explained episodes.
struct Loaded {
    inputs: Vec<ScanInput>,
    description: String,
    context: Vec<ContextEvent>,
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
    let mut loaded = match &args.input {
        Some(path) => load_csv(path, args.strict)?,
        None => simulate(args.seed, args.export_csv.as_deref())?,
    };
    loaded.inputs = usable(std::mem::take(&mut loaded.inputs), args.window)?;
    // ANCHOR: scan
    let config = ScanConfig {
        window: args.window,
        estimator: match args.estimator {
            EstimatorArg::Zscore => Estimator::ZScore,
            EstimatorArg::Mad => Estimator::Mad,
            EstimatorArg::Ewma => Estimator::Ewma,
        },
        train_fraction: args.train_fraction,
        threshold: match args.threshold {
            Some(z) => ThresholdChoice::Fixed(z),
            None => ThresholdChoice::Contamination(args.contamination),
        },
        merge_gap: args.merge_gap,
    };
    let report = scan(&loaded.inputs, &config)?;
    // ANCHOR_END: scan
    print_report(args, &loaded, &report)?;
    write_figures(args, &report)?;
    Ok(())
}

/// Drops (and reports) symbols with too few bars for the window.
fn usable(inputs: Vec<ScanInput>, window: usize) -> Result<Vec<ScanInput>, Box<dyn std::error::Error>> {
    let (ok, short): (Vec<ScanInput>, Vec<ScanInput>) = inputs.into_iter().partition(|i| i.series.len() > window);
    for i in &short {
        eprintln!(
            "skipped {}: {} bars, the {window}-bar window needs at least {}",
            i.series.symbol(),
            i.series.len(),
            window + 1
        );
    }
    if ok.is_empty() {
        return Err(format!("no symbol has more than {window} bars: lower --window").into());
    }
    Ok(ok)
}

// ANCHOR: simulate
fn simulate(seed: u64, export: Option<&Path>) -> Result<Loaded> {
    let config = SimConfig { seed, microstructure: false, ..SimConfig::default() };
    let market = SimulatedMarket::generate(&config)?;
    if let Some(path) = export {
        market.write_bars_csv(path)?;
        eprintln!("wrote {}", path.display());
    }
    let inputs = market
        .series
        .iter()
        .map(|series| ScanInput {
            series: series.clone(),
            labels: Some(market.bar_labels(series.symbol())),
            patterns: Some(market.bar_patterns(series.symbol())),
        })
        .collect();
    let bars = market.series[0].len();
    let description = format!(
        "simulator, seed {seed}: {} symbols x {bars} one-minute bars, {} trading days",
        market.series.len(),
        config.days
    );
    Ok(Loaded { inputs, description, context: market.context_events })
}
// ANCHOR_END: simulate

// ANCHOR: load_csv
fn load_csv(path: &Path, strict: bool) -> Result<Loaded, Box<dyn std::error::Error>> {
    let loaded = BarCsv::read_path(path)?;
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    const SHOWN: usize = 20;
    for p in loaded.problems.iter().take(SHOWN) {
        eprintln!("{}: line {}: skipped: {}", path.display(), p.line, p.message);
    }
    if loaded.problems.len() > SHOWN {
        eprintln!("{}: ... and {} more rows skipped", path.display(), loaded.problems.len() - SHOWN);
    }
    if loaded.rows.is_empty() {
        let first = &loaded.problems[0];
        return Err(format!(
            "no readable rows in {}; the first problem, line {}: {}",
            path.display(),
            first.line,
            first.message
        )
        .into());
    }
    if strict && !loaded.problems.is_empty() {
        return Err(format!("{} rows cannot be read (--strict)", loaded.problems.len()).into());
    }
    let has_labels = loaded.has_labels;
    let mut inputs = Vec::new();
    for (symbol, rows) in loaded.by_symbol() {
        // Explicit, reported repairs: the library itself refuses disorder.
        let (rows, moved) = repair::sort_by_time(rows);
        let (rows, duplicates) = repair::dedup_by_time(rows);
        if strict && (!moved.is_empty() || !duplicates.is_empty()) {
            return Err(format!(
                "{symbol}: {} rows out of order, {} duplicate timestamps (--strict)",
                moved.len(),
                duplicates.len()
            )
            .into());
        }
        if !moved.is_empty() {
            eprintln!("{symbol}: sorted by time ({} rows were out of order)", moved.len());
        }
        for d in &duplicates {
            eprintln!("{symbol}: line {}: dropped, duplicate timestamp {}", d.line, d.bar.timestamp);
        }
        let labels = has_labels.then(|| rows.iter().map(|r| r.label.unwrap_or(false)).collect());
        let series = BarSeries::new(symbol, rows.into_iter().map(|r| r.bar).collect())?;
        inputs.push(ScanInput { series, labels, patterns: None });
    }
    let bars: usize = inputs.iter().map(|i| i.series.len()).sum();
    let description = format!("{}: {} symbols, {bars} bars", path.display(), inputs.len());
    Ok(Loaded { inputs, description, context: Vec::new() })
}
// ANCHOR_END: load_csv

/// What the ground truth says about an alert.
fn truth(loaded: &Loaded, report: &ScanReport, alert: &AlertInterval) -> String {
    let Some(sym) = report.symbols.iter().find(|s| s.symbol == alert.symbol) else { return String::new() };
    let in_alert = |i: &usize| sym.timestamps[*i] >= alert.start && sym.timestamps[*i] <= alert.end;
    if let Some(patterns) = &sym.patterns {
        if let Some(p) = (0..patterns.len()).filter(in_alert).find_map(|i| patterns[i]) {
            return p.name().to_string();
        }
    } else if let Some(labels) = &sym.labels {
        if (0..labels.len()).filter(in_alert).any(|i| labels[i]) {
            return "labelled".into();
        }
    } else {
        return String::new();
    }
    let news = loaded.context.iter().any(|c| c.symbol == alert.symbol && c.start <= alert.end && alert.start <= c.end);
    if news { "normal: earnings news".into() } else { "false alarm".into() }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

fn print_report(args: &Args, loaded: &Loaded, report: &ScanReport) -> Result<(), Box<dyn std::error::Error>> {
    let s = &report.summary;
    let mut text = String::new();
    use std::fmt::Write as _;
    writeln!(text, "Example 01: unusual trading patterns")?;
    writeln!(text, "data:      {}", loaded.description)?;
    writeln!(
        text,
        "detector:  {:?}, window {} bars (log return of close, log volume)",
        report.config.estimator, report.config.window
    )?;
    writeln!(
        text,
        "split:     train before {}, test from it ({} test bars)",
        report.cutoff.format("%Y-%m-%d %H:%M UTC"),
        s.test_bars
    )?;
    writeln!(text, "threshold: z > {:.2} ({})", report.threshold, report.threshold_source)?;
    writeln!(text)?;
    let mut top: Vec<&AlertInterval> = report.alerts.iter().collect();
    top.sort_by(|a, b| b.peak_score.total_cmp(&a.peak_score).then(a.start.cmp(&b.start)));
    writeln!(text, "{} alerts in the test period; the {} strongest:", report.alerts.len(), args.top.min(top.len()))?;
    writeln!(
        text,
        "{:<6} {:<17} {:>4} {:<22} {:>6} {:>5}  ground truth",
        "symbol", "start (UTC)", "bars", "type", "peak", "conf"
    )?;
    for a in top.iter().take(args.top) {
        writeln!(
            text,
            "{:<6} {:<17} {:>4} {:<22} {:>6.1} {:>5.2}  {}",
            a.symbol,
            a.start.format("%Y-%m-%d %H:%M"),
            a.hits,
            a.kind.name(),
            a.peak_score,
            a.confidence,
            truth(loaded, report, a)
        )?;
    }
    if let Some(a) = top.first() {
        writeln!(text, "strongest alert, explained: {}", a.explanation)?;
    }
    writeln!(text)?;
    if s.labelled {
        writeln!(text, "Metrics on the test period (bar level unless stated):")?;
        writeln!(text, "  precision {}  recall {}  F1 {}", fmt_opt(s.precision), fmt_opt(s.recall), fmt_opt(s.f1))?;
        writeln!(text, "  PR-AUC {}  ROC-AUC {}  (threshold-free)", fmt_opt(s.pr_auc), fmt_opt(s.roc_auc))?;
        writeln!(
            text,
            "  events detected {} of {}; mean delay {} bars; alerts on labelled events {} of {}",
            s.detected_events.unwrap_or(0),
            s.events.unwrap_or(0),
            s.mean_delay_bars.map_or("n/a".into(), |d| format!("{d:.1}")),
            s.alerts_on_events.unwrap_or(0),
            s.alerts
        )?;
        writeln!(
            text,
            "  point-adjusted F1 {} (inflated by design; see the Evaluation page)",
            fmt_opt(s.point_adjusted_f1)
        )?;
        if !s.per_pattern.is_empty() {
            writeln!(text, "Event recall by pattern:")?;
            for p in &s.per_pattern {
                writeln!(text, "  {:<22} {} of {}", p.pattern, p.detected, p.events)?;
            }
        }
        let explained: Vec<&ContextEvent> = loaded.context.iter().filter(|c| c.start >= report.cutoff).collect();
        if !explained.is_empty() {
            let flagged = explained
                .iter()
                .filter(|c| report.alerts.iter().any(|a| a.symbol == c.symbol && a.start <= c.end && c.start <= a.end))
                .count();
            writeln!(
                text,
                "Earnings episodes (labelled normal) that raised an alert: {flagged} of {}",
                explained.len()
            )?;
        }
    } else {
        writeln!(text, "No `label` column: alerts only, no metrics (add a 0/1 `label` column to measure).")?;
    }
    if args.json {
        eprint!("{text}");
        for a in &report.alerts {
            let mut v = serde_json::to_value(a)?;
            v["ground_truth"] = serde_json::Value::String(truth(loaded, report, a));
            println!("{v}");
        }
        println!("{}", serde_json::json!({ "summary": s }));
    } else {
        print!("{text}");
    }
    Ok(())
}

// ANCHOR: figures
fn write_figures(args: &Args, report: &ScanReport) -> Result<()> {
    // The first symbol with the most labelled test bars, among those with
    // scored test bars; nothing to draw otherwise.
    let has_scores = |s: &&llm_anomaly::scan::SymbolScan| s.scores[s.test_start..].iter().any(Option::is_some);
    let labelled = |s: &llm_anomaly::scan::SymbolScan| {
        s.labels.as_ref().map_or(0, |l| l[s.test_start..].iter().filter(|&&x| x).count())
    };
    let Some(sym) = report.symbols.iter().filter(has_scores).rev().max_by_key(|s| labelled(s)) else {
        eprintln!("no figures: no symbol has scored bars in the test period");
        return Ok(());
    };
    let t0 = sym.test_start;
    let closes = &sym.closes[t0..];
    let scores: Vec<f64> = sym.scores[t0..].iter().map(|s| s.map_or(f64::NAN, |x| x.score())).collect();
    let shaded = sym.labels.as_ref().map_or_else(Vec::new, |l| {
        llm_anomaly::eval::events_from_labels(&l[t0..]).iter().map(|e| e.start..e.end + 1).collect()
    });
    let hits: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] > report.threshold).collect();
    let title_price = format!("{}: close price, test period; red dots = alerted bars", sym.symbol);
    let mut price = SeriesPlot::new(&title_price, "bar (test period)", "close", closes);
    price.shaded = shaded.clone();
    price.markers = hits.iter().map(|&i| (i, closes[i])).collect();
    let title_score = format!("{}: anomaly score max(|price z|, volume z)", sym.symbol);
    let mut score = SeriesPlot::new(&title_score, "bar (test period)", "score", &scores);
    score.shaded = shaded;
    score.hline = Some((report.threshold, "threshold"));
    let exts: &[&str] = if args.png { &["svg", "png"] } else { &["svg"] };
    for ext in exts {
        for (name, plot) in [("01_price_alerts", &price), ("01_scores", &score)] {
            let path = args.figures_dir.join(format!("{name}.{ext}"));
            plot.write(&path)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
// ANCHOR_END: figures
