//! The four classes of anomaly — point, contextual, collective, semantic —
//! each shown on the simulator's labelled data.
//!
//! ```text
//! cargo run --release --example anomaly_taxonomy
//! cargo run --release --example anomaly_taxonomy -- --seed 7 --figures-dir /tmp/fig
//! ```
extern crate chrono;
extern crate clap;
extern crate llm_anomaly;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use llm_anomaly::plot::SeriesPlot;
use llm_anomaly::prelude::*;

/// Flags of the taxonomy example.
#[derive(Parser, Debug)]
#[command(about = "Show one anomaly of each class from the simulator")]
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

/// Bars `[from, to)` around a labelled interval, clipped to the series.
fn window(series: &BarSeries, start: chrono::DateTime<chrono::Utc>, before: usize, after: usize) -> (usize, usize) {
    let i = series.bars().partition_point(|b| b.timestamp < start);
    (i.saturating_sub(before), (i + after).min(series.len()))
}

/// Index range of the bars inside [start, end], relative to `from`.
fn shade(
    series: &BarSeries,
    from: usize,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> std::ops::Range<usize> {
    let a = series.bars().partition_point(|b| b.timestamp < start);
    let b = series.bars().partition_point(|b| b.timestamp <= end);
    a - from..b - from
}

/// Median volume of the `n` bars before index `i`.
fn median_volume_before(series: &BarSeries, i: usize, n: usize) -> f64 {
    let mut v: Vec<f64> = series.bars()[i.saturating_sub(n)..i].iter().map(|b| b.volume).collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: generate
    let market =
        SimulatedMarket::generate(&SimConfig { seed: args.seed, microstructure: false, ..SimConfig::default() })?;
    let first = |p: AnomalyPattern| market.labels.iter().find(|l| l.pattern == p).expect("every pattern is injected");
    // ANCHOR_END: generate
    let dir = &args.figures_dir;
    println!("Anomaly taxonomy on the simulator (seed {}):\n", args.seed);

    // Point: one bar with a huge volume.
    let point = first(AnomalyPattern::LargePrint);
    let s = market.series(&point.symbol).expect("symbol");
    let (from, to) = window(s, point.start, 60, 30);
    let volume: Vec<f64> = s.bars()[from..to].iter().map(|b| b.volume).collect();
    let i = s.bars().partition_point(|b| b.timestamp < point.start);
    println!(
        "point       {} {}  one bar, volume {:.1}x the median of the previous hour",
        point.symbol,
        point.start.format("%Y-%m-%d %H:%M"),
        s.bars()[i].volume / median_volume_before(s, i, 60)
    );
    let mut plot = SeriesPlot::new("Point anomaly: a single huge print", "bar (one-minute)", "volume", &volume);
    plot.shaded.push(shade(s, from, point.start, point.end));
    plot.write(dir.join("theory_point.svg"))?;

    // Contextual: the same kind of surge, with and without news.
    let news = &market.context_events[0];
    let no_news = first(AnomalyPattern::VolumeSurgeNoNews);
    for (name, symbol, start, end, caption, title) in [
        (
            "theory_contextual_news.svg",
            &news.symbol,
            news.start,
            news.end,
            "after earnings news: normal",
            "Contextual: a surge after an earnings headline (normal)",
        ),
        (
            "theory_contextual_no_news.svg",
            &no_news.symbol,
            no_news.start,
            no_news.end,
            "no news: anomaly",
            "Contextual: a surge with no news (anomalous)",
        ),
    ] {
        let s = market.series(symbol).expect("symbol");
        let (from, to) = window(s, start, 60, 60);
        let volume: Vec<f64> = s.bars()[from..to].iter().map(|b| b.volume).collect();
        let i = s.bars().partition_point(|b| b.timestamp < start);
        println!(
            "contextual  {} {}  volume {:.1}x the previous hour's median; {}",
            symbol,
            start.format("%Y-%m-%d %H:%M"),
            s.bars()[i].volume / median_volume_before(s, i, 60),
            caption
        );
        let mut plot = SeriesPlot::new(title, "bar (one-minute)", "volume", &volume);
        plot.shaded.push(shade(s, from, start, end));
        plot.shaded_label = caption;
        plot.write(dir.join(name))?;
    }
    println!("            headline: {}", news.explanation);

    // Collective: a pump-and-dump, unremarkable bar by bar at first.
    let pump = first(AnomalyPattern::PumpAndDump);
    let s = market.series(&pump.symbol).expect("symbol");
    let (from, to) = window(s, pump.start, 60, 200);
    let close: Vec<f64> = s.bars()[from..to].iter().map(|b| b.close).collect();
    let span = shade(s, from, pump.start, pump.end);
    let inside = &close[span.clone()];
    let peak = inside.iter().copied().fold(f64::MIN, f64::max);
    println!(
        "collective  {} {}  pump-and-dump over {} bars: {:.2} -> peak {:.2} -> {:.2}",
        pump.symbol,
        pump.start.format("%Y-%m-%d %H:%M"),
        span.len(),
        inside[0],
        peak,
        inside[inside.len() - 1]
    );
    let mut plot = SeriesPlot::new("Collective anomaly: accumulation, pump, dump", "bar (one-minute)", "close", &close);
    plot.shaded.push(span);
    plot.write(dir.join("theory_collective.svg"))?;

    // Semantic: the text itself is the anomaly.
    let spam =
        market.labels.iter().find(|l| l.pattern == AnomalyPattern::PumpSpam && l.symbol == pump.symbol).expect("spam");
    let mentions: Vec<&SocialMentions> = market.social.iter().filter(|m| m.symbol == pump.symbol).collect();
    let k = mentions.partition_point(|m| m.timestamp <= spam.start).saturating_sub(1);
    let (a, b) = (k.saturating_sub(26), (k + 14).min(mentions.len()));
    let counts: Vec<f64> = mentions[a..b].iter().map(|m| f64::from(m.mentions)).collect();
    let mut plot =
        SeriesPlot::new("Semantic: pump spam, and the chatter around it", "30-minute bucket", "mentions", &counts);
    plot.markers.push((k - a, counts[k - a]));
    plot.marker_label = "spam headline";
    plot.write(dir.join("theory_semantic.svg"))?;
    println!("\nsemantic anomalies (their words are the anomaly):");
    for l in market.labels.iter().filter(|l| l.class() == AnomalyClass::Semantic) {
        let item =
            market.news.iter().find(|n| n.timestamp == l.start && n.symbol.as_deref() == Some(l.symbol.as_str()));
        println!("  {:<12} {}", l.pattern.name(), item.map_or("", |n| n.headline.as_str()));
    }
    println!("\nordinary headlines, for comparison:");
    for n in market.news.iter().filter(|n| n.source == "newswire").take(4) {
        println!("  {}", n.headline);
    }

    println!("\nlabels by class:");
    for class in [AnomalyClass::Point, AnomalyClass::Contextual, AnomalyClass::Collective, AnomalyClass::Semantic] {
        let n = market.labels.iter().filter(|l| l.class() == class).count();
        println!("  {:<11} {n}", format!("{class:?}").to_lowercase());
    }
    println!("  explained (normal) surges after earnings: {}", market.context_events.len());
    Ok(())
}
