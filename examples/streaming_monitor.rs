//! The streaming detector and the multi-symbol monitor on a live-like feed:
//! the simulator's bars of all symbols, interleaved in time order, one tick
//! at a time.
//!
//! ```text
//! cargo run --release --example streaming_monitor
//! ```
extern crate chrono;
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::baseline::seed_port::StatisticalAnomalyDetector;
use llm_anomaly::prelude::*;

/// Flags of the monitor example.
#[derive(Parser, Debug)]
#[command(about = "Run the multi-symbol monitor over an interleaved feed")]
struct Args {
    /// Simulator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Fixed z-score threshold.
    #[arg(long, default_value_t = 5.0)]
    threshold: f64,
    /// Alerts printed as JSON.
    #[arg(long, default_value_t = 5)]
    show: usize,
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

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: flat_history
    // Twenty identical ticks, then ten times the volume.
    let mut seed = StatisticalAnomalyDetector::new(20, 3.0, 3.0);
    let mut ours = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(20))?;
    for _ in 0..20 {
        seed.update(100.0, 1000.0);
        ours.learn_one(100.0, 1000.0)?;
    }
    let seed_verdict = seed.detect(100.0, 10_000.0);
    let our_verdict = AlertRule::new(3.0, 3.0)?.classify(ours.score_one(100.0, 10_000.0)?.expect("warm"));
    // ANCHOR_END: flat_history
    println!("Flat history, then 10x volume:");
    println!("  seed port: is_anomaly = {}, {:?}", seed_verdict.is_anomaly, seed_verdict.anomaly_type);
    println!("  ours:      {} ({})", our_verdict.kind, our_verdict.explanation());

    let market =
        SimulatedMarket::generate(&SimConfig { seed: args.seed, microstructure: false, ..SimConfig::default() })?;
    // A feed delivers all symbols interleaved in time.
    let mut feed: Vec<(&str, &Bar)> =
        market.series.iter().flat_map(|s| s.bars().iter().map(move |b| (s.symbol(), b))).collect();
    feed.sort_by_key(|(symbol, bar)| (bar.timestamp, *symbol));

    // ANCHOR: monitor
    let template = PriceVolumeDetector::zscore(PriceVolumeConfig::for_bars(60))?;
    let mut monitor = MultiSymbolMonitor::new(template, AlertRule::uniform(args.threshold)?);
    let mut mergers: Vec<IntervalMerger> = Vec::new();
    let mut last_seen: Vec<Option<chrono::DateTime<chrono::Utc>>> = Vec::new();
    let mut alerts = Vec::new();
    for (symbol, bar) in feed {
        let id = monitor.symbol_id(symbol);
        let k = id.index();
        if k == mergers.len() {
            mergers.push(IntervalMerger::new(Source::Bars, symbol, 3));
            last_seen.push(None);
        }
        // After a night or a weekend, measure the first return from the open.
        if last_seen[k].is_some_and(|t| bar.timestamp - t > chrono::Duration::minutes(10)) {
            monitor.set_reference_price(id, bar.open)?;
        }
        last_seen[k] = Some(bar.timestamp);
        if let Some(detection) = monitor.process(id, bar.close, bar.volume)? {
            alerts.extend(mergers[k].push_detection(bar.timestamp, &detection));
        }
    }
    alerts.extend(mergers.iter_mut().filter_map(IntervalMerger::finish));
    // ANCHOR_END: monitor
    alerts.sort_by(|a, b| (a.start, &a.symbol).cmp(&(b.start, &b.symbol)));
    println!("\nMonitor over {} symbols, threshold z > {}:", monitor.active_symbols().count(), args.threshold);
    for symbol in monitor.active_symbols() {
        let n = alerts.iter().filter(|a| &*a.symbol == symbol).count();
        let labelled = alerts
            .iter()
            .filter(|a| &*a.symbol == symbol)
            .filter(|a| {
                market.labels_for(symbol).any(|l| l.pattern.visible_in_bars() && l.start <= a.end && a.start <= l.end)
            })
            .count();
        println!("  {symbol}: {n} alerts, {labelled} on labelled anomalies");
    }
    println!("\nFirst {} alerts as JSON:", args.show);
    for a in alerts.iter().take(args.show) {
        println!("{}", serde_json::to_string(a)?);
    }
    Ok(())
}
