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
//! cargo run --release --example 01_unusual_trading -- --input eu.csv --decimal-comma
//! cargo run --release --example 01_unusual_trading -- --json
//! cargo run --release --example 01_unusual_trading -- --input bars.csv --news headlines.csv
//! cargo run --release --example 01_unusual_trading -- --news-context off
//! ```
//!
//! With the sentence model in the cache (`cargo xtask models`), every alert
//! is checked against the symbol's news before it: ordinary news explains
//! it, a pump call or a fake tip escalates it (`--news-context`).
extern crate clap;
extern crate llm_anomaly;
extern crate serde_json;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use llm_anomaly::data::bar_csv::DecimalMark;
use llm_anomaly::data::{BarCsv, BarSeries, CsvOptions, CsvRow, InputReport, repair};
use llm_anomaly::data::{BarReader, ReadItem};
use llm_anomaly::data::{HeadlineFile, NewsItem};
use llm_anomaly::plot::SeriesPlot;
use llm_anomaly::prelude::*;
use llm_anomaly::scan::{
    DEFAULT_WINDOW, Estimator, ScanConfig, ScanInput, ScanReport, StreamConfig, StreamScan, StreamThreshold,
    ThresholdChoice, scan, window_for,
};
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
    /// Bars of this symbol from Yahoo Finance's chart API instead of the simulator (`^GSPC`, `AAPL`,
    /// `EURUSD=X`, `BTC-USD`); rows the API sends with nulls are left out and reported.
    #[arg(long, conflicts_with_all = ["input", "stream"])]
    yahoo: Option<String>,
    /// --yahoo: how far back (1mo 3mo 6mo 1y 2y 5y 10y ytd max; intraday intervals reach about 60 days).
    #[arg(long, default_value = "5y", requires = "yahoo")]
    yahoo_range: String,
    /// --yahoo: the bar length (1m 5m 15m 30m 60m 1d 1wk ...).
    #[arg(long, default_value = "1d", requires = "yahoo")]
    yahoo_interval: String,
    /// Refuse a CSV that needs any repair (bad rows, unreadable labels, unsorted or duplicate timestamps).
    #[arg(long)]
    strict: bool,
    /// Field delimiter of --input (detected from the header when absent): `,` `;` `tab` `|` or one character.
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// --input writes decimal commas (`1234,5`); detected when the file is not comma-separated.
    #[arg(long, conflicts_with = "decimal_point")]
    decimal_comma: bool,
    /// --input writes decimal points even though it is not comma-separated.
    #[arg(long)]
    decimal_point: bool,
    /// --input has no header row (Binance klines and MetaTrader 4 exports are recognised without it).
    #[arg(long)]
    no_header: bool,
    /// Column names of --input in file order, e.g. `timestamp,open,high,low,close,volume` (replaces the header).
    #[arg(long, value_delimiter = ',')]
    columns: Option<Vec<String>>,
    /// chrono format of the timestamps of --input, for day- or month-first dates: `%d/%m/%Y %H:%M`.
    #[arg(long)]
    date_format: Option<String>,
    /// The column of --input to read volume from (`Volume USDT`, `tickvol`, ...).
    #[arg(long)]
    volume_column: Option<String>,
    /// Ignore the volume of --input (FX, indices, series whose volume is not meaningful).
    #[arg(long)]
    price_only: bool,
    /// Read --input row by row in constant memory and write alerts as they close (rows must be in time order;
    /// the threshold is --threshold or a running quantile; no figures, no ranking metrics).
    #[arg(long, requires = "input")]
    stream: bool,
    /// One JSON object per alert on stdout, then a summary line; text goes to stderr.
    #[arg(long)]
    json: bool,
    /// Detector window in bars (default: 500, or a quarter of the longest symbol's bars when that is
    /// shorter, at least 20; 500 with --stream).
    #[arg(long)]
    window: Option<usize>,
    /// The lowest threshold the fitted quantile may give.
    #[arg(long, default_value_t = llm_anomaly::scan::MIN_FITTED_THRESHOLD)]
    threshold_floor: f64,
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
    /// Where to write the figures (default: target/figures of this repository).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/target/figures"))]
    figures_dir: PathBuf,
    /// Also write PNG versions of the figures.
    #[arg(long)]
    png: bool,
    /// Write no figures.
    #[arg(long, conflicts_with = "png")]
    no_figures: bool,
    /// Write the simulated bars (with `label` and `pattern` columns) to this CSV and go on.
    #[arg(long, conflicts_with = "input")]
    export_csv: Option<PathBuf>,
    /// Write the simulated headlines (`timestamp,symbol,headline,source`) to this CSV and go on.
    #[arg(long, conflicts_with = "input")]
    export_news: Option<PathBuf>,
    /// Alerts shown in the text table.
    #[arg(long, default_value_t = 12)]
    top: usize,
    /// Explain alerts by the news before them: `auto` when the sentence model is in the cache.
    #[arg(long, value_enum, default_value_t = NewsContextArg::Auto)]
    news_context: NewsContextArg,
    /// Headlines for the news context (CSV/TSV with timestamp, symbol and headline columns);
    /// the simulator's own news without it.
    #[arg(long)]
    news: Option<PathBuf>,
    /// Minutes before an alert's first bar whose news still counts.
    #[arg(long, default_value_t = DEFAULT_LOOKBACK_MINUTES)]
    news_lookback: i64,
    /// Your own wire's ordinary headlines to fit the text detector on (rows labelled 1 are left out;
    /// never the --news file); the project's corpus without it.
    #[arg(long)]
    news_fit: Option<PathBuf>,
    /// The model cache (default: $LLM_ANOMALY_MODEL_DIR, then the Hugging Face cache).
    #[arg(long)]
    model_dir: Option<PathBuf>,
}

/// `--news-context`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum NewsContextArg {
    /// On when the model is in the cache and there is news; off otherwise, saying why.
    Auto,
    /// On; an error when the model or the news is missing.
    On,
    /// Off.
    Off,
}

/// The default `--news-lookback` (the library's, where it is built).
#[cfg(feature = "text")]
const DEFAULT_LOOKBACK_MINUTES: i64 = llm_anomaly::text::DEFAULT_LOOKBACK_MINUTES;
#[cfg(not(feature = "text"))]
const DEFAULT_LOOKBACK_MINUTES: i64 = 60;

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
    /// The simulator's headlines (empty for a file).
    news: Vec<NewsItem>,
    /// What happened to the user's file (`None` for the simulator).
    input: Option<InputReport>,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() && t != "\"" => Ok(t.as_bytes()[0]),
        t => Err(format!("{t:?}: give one ASCII character, or `tab`")),
    }
}

impl Args {
    fn estimator(&self) -> Estimator {
        match self.estimator {
            EstimatorArg::Zscore => Estimator::ZScore,
            EstimatorArg::Mad => Estimator::Mad,
            EstimatorArg::Ewma => Estimator::Ewma,
        }
    }

    fn csv_options(&self) -> CsvOptions {
        CsvOptions {
            delimiter: self.delimiter,
            decimal: match (self.decimal_comma, self.decimal_point) {
                (true, _) => Some(DecimalMark::Comma),
                (_, true) => Some(DecimalMark::Point),
                _ => None,
            },
            no_header: self.no_header,
            columns: self.columns.clone(),
            date_format: self.date_format.clone(),
            volume_column: self.volume_column.clone(),
            price_only: self.price_only,
        }
    }
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
    if let (true, Some(path)) = (args.stream, &args.input) {
        return stream_csv(args, path);
    }
    let mut loaded = match (&args.input, &args.yahoo) {
        (Some(path), _) => load_csv(path, &args.csv_options(), args.strict)?,
        (None, Some(symbol)) => load_yahoo(symbol, &args.yahoo_range, &args.yahoo_interval)?,
        (None, None) => simulate(args.seed, args.export_csv.as_deref(), args.export_news.as_deref())?,
    };
    let longest = loaded.inputs.iter().map(|i| i.series.len()).max().unwrap_or(0);
    let window = args.window.unwrap_or_else(|| window_for(longest));
    loaded.inputs = usable(std::mem::take(&mut loaded.inputs), window, loaded.input.as_mut())?;
    if let Some(input) = &loaded.input {
        let bars: usize = loaded.inputs.iter().map(|i| i.series.len()).sum();
        loaded.description =
            format!("{}: {} symbols, {bars} bars ({})", input.file, loaded.inputs.len(), input.shape.name());
    }
    // ANCHOR: scan
    let config = ScanConfig {
        window,
        estimator: args.estimator(),
        train_fraction: args.train_fraction,
        threshold: match args.threshold {
            Some(z) => ThresholdChoice::Fixed(z),
            None => ThresholdChoice::Contamination(args.contamination),
        },
        merge_gap: args.merge_gap,
        threshold_floor: args.threshold_floor,
    };
    let mut report = scan(&loaded.inputs, &config)?;
    // ANCHOR_END: scan
    let without_context = report.summary.clone();
    let mut news_context = news_context(args, &loaded, &mut report)?;
    if news_context["used"] == true {
        news_context["without_context"] = serde_json::json!({
            "precision": without_context.precision,
            "f1": without_context.f1,
            "detected_events": without_context.detected_events,
        });
    }
    print_report(args, &loaded, &report, &news_context)?;
    if !args.no_figures {
        write_figures(args, &report)?;
    }
    Ok(())
}

// ANCHOR: news_context
/// `--news-context`: explains or escalates the alerts by the news before
/// them, and says what was used (the summary's `news_context`).
fn news_context(
    args: &Args,
    loaded: &Loaded,
    report: &mut ScanReport,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    if args.news_context == NewsContextArg::Off {
        return Ok(context_off(args, "--news-context off"));
    }
    let (news, origin) = match (&args.news, &args.input, &args.yahoo) {
        (Some(path), _, _) => (read_news(path)?, path.display().to_string()),
        (None, None, None) => (loaded.news.clone(), "simulator".to_string()),
        (None, Some(_), _) => {
            return not_used(args, "no news for --input: give --news FILE (timestamp, symbol and headline columns)");
        }
        (None, None, Some(_)) => {
            return not_used(args, "no news for --yahoo: give --news FILE (timestamp, symbol and headline columns)");
        }
    };
    if news.iter().all(|n| n.symbol.is_none()) {
        return not_used(args, "no dated headline names a symbol");
    }
    if let (Some(fit), Some(scored)) = (&args.news_fit, &args.news)
        && fit.canonicalize().ok() == scored.canonicalize().ok()
    {
        return Err("--news-fit and --news are the same file: the text detector is never fitted on the \
                    headlines it judges (a pump call in them would pull the envelope to it)"
            .into());
    }
    with_model(args, &news, &origin, report)
}

#[cfg(feature = "text")]
fn with_model(
    args: &Args,
    news: &[NewsItem],
    origin: &str,
    report: &mut ScanReport,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    use llm_anomaly::models::ModelError;
    use llm_anomaly::text::{Embedder, NewsContextConfig, NewsReference, TextError, apply_news_context, news_detector};
    use llm_anomaly::text::{REFERENCE_PER_FAMILY, REFERENCE_SEED};
    let mut reference = NewsReference::from_corpus(REFERENCE_SEED, REFERENCE_PER_FAMILY);
    if let Some(path) = &args.news_fit {
        reference = reference.with_normal_texts_of(HeadlineFile::read(path)?);
        eprintln!("news context: fitting on {} headlines of {}", reference.normal.len(), path.display());
    }
    let detector = match news_detector(args.model_dir.as_deref(), &reference) {
        Ok(detector) => detector,
        Err(TextError::Model(e @ ModelError::NotInstalled { .. })) if args.news_context == NewsContextArg::Auto => {
            return Ok(context_off(args, &e.to_string()));
        }
        Err(e) => return Err(e.into()),
    };
    let config = NewsContextConfig::with_lookback_minutes(args.news_lookback);
    let done = apply_news_context(&detector, report, news, &config)?;
    eprintln!(
        "news context: on ({}, {origin}): {} headlines in alert windows, {} alerts explained, {} escalated",
        detector.embedder().name(),
        done.headlines_scored,
        done.explained,
        done.escalated
    );
    let mut value = serde_json::to_value(&done)?;
    value["used"] = true.into();
    value["mode"] = format!("{:?}", args.news_context).to_lowercase().into();
    value["news"] = origin.into();
    value["model"] = detector.embedder().name().into();
    value["reference"] =
        args.news_fit.as_ref().map_or("corpus fit families".into(), |p| p.display().to_string()).into();
    Ok(value)
}

#[cfg(not(feature = "text"))]
fn with_model(
    args: &Args,
    _news: &[NewsItem],
    _origin: &str,
    _report: &mut ScanReport,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    not_used(args, "this build has no `text` feature (the sentence model)")
}
// ANCHOR_END: news_context

/// The context is off: an error with `--news-context on`, a note otherwise.
fn not_used(args: &Args, why: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    if args.news_context == NewsContextArg::On {
        return Err(format!("--news-context on: {why}").into());
    }
    Ok(context_off(args, why))
}

fn context_off(args: &Args, why: &str) -> serde_json::Value {
    if args.news_context == NewsContextArg::Auto {
        eprintln!("news context: off ({why})");
    }
    serde_json::json!({
        "used": false,
        "mode": format!("{:?}", args.news_context).to_lowercase(),
        "reason": why,
    })
}

/// `--news FILE`: dated headlines; undated rows are reported and left out.
fn read_news(path: &Path) -> Result<Vec<NewsItem>, Box<dyn std::error::Error>> {
    let file = HeadlineFile::read(path)?;
    let name = path.display();
    for skipped in file.skipped.iter().take(10) {
        eprintln!("{name}: line {}: {}", skipped.line, skipped.reason);
    }
    let (news, undated) = file.into_news("file");
    if let Some(first) = undated.first() {
        eprintln!(
            "{name}: {} headlines without a timestamp left out of the context (first at line {first})",
            undated.len()
        );
    }
    if news.is_empty() {
        return Err(format!("{name}: no headline with a readable timestamp").into());
    }
    let market_wide = news.iter().filter(|n| n.symbol.is_none()).count();
    if market_wide > 0 {
        eprintln!("{name}: {market_wide} headlines without a symbol: market-wide, they explain no alert");
    }
    Ok(news)
}

/// Drops (and reports) symbols with too few bars for the window.
fn usable(
    inputs: Vec<ScanInput>,
    window: usize,
    mut report: Option<&mut InputReport>,
) -> Result<Vec<ScanInput>, Box<dyn std::error::Error>> {
    let (ok, short): (Vec<ScanInput>, Vec<ScanInput>) = inputs.into_iter().partition(|i| i.series.len() > window);
    for i in &short {
        eprintln!(
            "skipped {}: {} bars, the {window}-bar window needs at least {}",
            i.series.symbol(),
            i.series.len(),
            window + 1
        );
        if let Some(r) = report.as_deref_mut() {
            r.skip("symbol_too_short_for_window", i.series.len());
        }
    }
    for i in &ok {
        let closes = i.series.closes();
        if closes.iter().all(|&c| c == closes[0]) {
            eprintln!(
                "note: {}: every close is {}: a constant series has nothing to find; it gives no alerts",
                i.series.symbol(),
                closes[0]
            );
        }
    }
    if ok.is_empty() {
        return Err(format!("no symbol has more than {window} bars: lower --window").into());
    }
    Ok(ok)
}

// ANCHOR: simulate
fn simulate(seed: u64, export: Option<&Path>, export_news: Option<&Path>) -> Result<Loaded> {
    let config = SimConfig { seed, microstructure: false, ..SimConfig::default() };
    let market = SimulatedMarket::generate(&config)?;
    if let Some(path) = export {
        market.write_bars_csv(path)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = export_news {
        market.write_news_csv(path)?;
        eprintln!("wrote {}", path.display());
    }
    let inputs = market
        .series
        .iter()
        .map(|series| ScanInput {
            series: series.clone(),
            labels: Some(market.bar_labels(series.symbol())),
            patterns: Some(market.bar_patterns(series.symbol())),
            excluded_from_metrics: None,
        })
        .collect();
    let bars = market.series[0].len();
    let description = format!(
        "simulator, seed {seed}: {} symbols x {bars} one-minute bars, {} trading days",
        market.series.len(),
        config.days
    );
    Ok(Loaded { inputs, description, context: market.context_events, news: market.news, input: None })
}
// ANCHOR_END: simulate

/// `--yahoo`: one symbol's bars from Yahoo Finance's chart API.
#[cfg(feature = "http")]
fn load_yahoo(symbol: &str, range: &str, interval: &str) -> Result<Loaded, Box<dyn std::error::Error>> {
    use llm_anomaly::yahoo::{ChartInterval, ChartSpan, YahooClient, YahooConfig};
    // ANCHOR: yahoo
    let client = YahooClient::new(YahooConfig::default())?;
    let chart = client.chart(symbol, ChartInterval::parse(interval)?, ChartSpan::Range(range.into()))?;
    for row in chart.missing.iter().take(5) {
        eprintln!("note: {symbol}: row {} ({}) left out: {}", row.index, row.timestamp, row.problem);
    }
    // ANCHOR_END: yahoo
    if chart.missing.len() > 5 {
        eprintln!("note: {symbol}: {} more rows left out", chart.missing.len() - 5);
    }
    let description = format!(
        "Yahoo Finance chart API: {symbol}, {interval} bars over {range}: {} bars, {} rows with nulls or bad values left out",
        chart.bars.len(),
        chart.missing.len()
    );
    let series = BarSeries::new(chart.symbol.as_str(), chart.bars)?;
    let input = ScanInput { series, labels: None, patterns: None, excluded_from_metrics: None };
    Ok(Loaded { inputs: vec![input], description, context: Vec::new(), news: Vec::new(), input: None })
}

/// `--yahoo` needs the `http` feature.
#[cfg(not(feature = "http"))]
fn load_yahoo(_: &str, _: &str, _: &str) -> Result<Loaded, Box<dyn std::error::Error>> {
    Err("--yahoo needs the library's `http` feature (on by default)".into())
}

// ANCHOR: load_csv
fn load_csv(path: &Path, options: &CsvOptions, strict: bool) -> Result<Loaded, Box<dyn std::error::Error>> {
    let loaded = BarCsv::read_path_with(path, options)?;
    let file = path.display().to_string();
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    report_lines(&file, "skipped", &loaded.problems);
    report_lines(&file, "label set aside", &loaded.label_problems);
    if loaded.rows.is_empty() {
        let first = &loaded.problems[0];
        return Err(
            format!("no readable rows in {file}; the first problem, line {}: {}", first.line, first.message).into()
        );
    }
    if strict && !(loaded.problems.is_empty() && loaded.label_problems.is_empty()) {
        return Err(format!(
            "{file}: {} rows cannot be read and {} labels are unreadable (--strict)",
            loaded.problems.len(),
            loaded.label_problems.len()
        )
        .into());
    }
    let mut input = InputReport::new(&file, loaded.shape, &loaded.counts, loaded.notes.clone());
    let has_labels = loaded.has_labels;
    let mut inputs = Vec::new();
    for (symbol, rows) in loaded.by_symbol() {
        let rows = repair_order(&file, &symbol, rows, strict, &mut input)?;
        let labels = has_labels.then(|| rows.iter().map(|r| r.label.unwrap_or(false)).collect());
        let unknown = has_labels.then(|| rows.iter().map(|r| r.label.is_none()).collect());
        let series = BarSeries::new(&*symbol, rows.into_iter().map(|r| r.bar).collect())?;
        inputs.push(ScanInput { series, labels, patterns: None, excluded_from_metrics: unknown });
    }
    Ok(Loaded { inputs, description: file, context: Vec::new(), news: Vec::new(), input: Some(input) })
}

/// Explicit, reported repairs of one symbol's rows: the library itself
/// refuses disorder. A file written newest first is reversed (no value
/// changes); other disorder is sorted, and repeated timestamps keep their
/// first row. `--strict` refuses both.
fn repair_order(
    file: &str,
    symbol: &str,
    mut rows: Vec<CsvRow>,
    strict: bool,
    input: &mut InputReport,
) -> Result<Vec<CsvRow>, Box<dyn std::error::Error>> {
    if repair::is_newest_first(&rows) {
        rows.reverse();
        eprintln!("note: {symbol}: the file runs newest first; read in reverse");
        input.notes.push(format!("{symbol}: newest first, read in reverse"));
    }
    let moved: Vec<u64> = repair::out_of_order_positions(&rows).into_iter().map(|i| rows[i].line).collect();
    let (rows, moved) = match (strict, moved.is_empty()) {
        (true, false) => {
            return Err(format!(
                "{file}: {symbol}: {} rows out of order, first at line {} (--strict)",
                moved.len(),
                moved[0]
            )
            .into());
        }
        _ => (repair::sort_by_time(rows).0, moved),
    };
    if !moved.is_empty() {
        let shown: Vec<String> = moved.iter().take(10).map(u64::to_string).collect();
        let more = if moved.len() > 10 { format!(" and {} more", moved.len() - 10) } else { String::new() };
        eprintln!("{file}: {symbol}: sorted by time; out of order at lines {}{more}", shown.join(", "));
        input.repair("sorted_out_of_order", moved.len());
    }
    let (rows, duplicates) = repair::dedup_by_time(rows);
    if strict && let Some(d) = duplicates.first() {
        return Err(format!(
            "{file}: {symbol}: {} duplicate timestamps, first {} at lines {} and {} (--strict)",
            duplicates.len(),
            d.removed.bar.timestamp,
            rows[d.kept_index].line,
            d.removed.line
        )
        .into());
    }
    for d in &duplicates {
        let identical = report_duplicate(file, &rows[d.kept_index], &d.removed);
        let reason = if identical { "duplicate_timestamp_identical" } else { "duplicate_timestamp_conflicting" };
        input.skip(reason, 1);
    }
    Ok(rows)
}

/// Reports a dropped row that repeated the time of a kept one, with both
/// rows' values when they differ. Returns `true` for an exact repeat.
fn report_duplicate(file: &str, kept: &CsvRow, dropped: &CsvRow) -> bool {
    let (a, b) = (&kept.bar, &dropped.bar);
    let identical = a == b && kept.label == dropped.label;
    if identical {
        eprintln!("{file}: line {}: dropped, repeats line {} exactly ({})", dropped.line, kept.line, b.timestamp);
    } else {
        eprintln!(
            "{file}: line {}: dropped, same time {} as line {} but different values: kept (O {} H {} L {} C {} V {}), dropped (O {} H {} L {} C {} V {})",
            dropped.line,
            b.timestamp,
            kept.line,
            a.open,
            a.high,
            a.low,
            a.close,
            a.volume,
            b.open,
            b.high,
            b.low,
            b.close,
            b.volume
        );
    }
    identical
}

/// Prints the first problems of a kind, with their line numbers.
fn report_lines(file: &str, what: &str, problems: &[llm_anomaly::data::RowProblem]) {
    const SHOWN: usize = 20;
    for p in problems.iter().take(SHOWN) {
        eprintln!("{file}: line {}: {what}: {}", p.line, p.message);
    }
    if problems.len() > SHOWN {
        eprintln!("{file}: ... and {} more rows: {what}", problems.len() - SHOWN);
    }
}
// ANCHOR_END: load_csv

// ANCHOR: stream
/// `--stream`: one row at a time, alerts printed as their intervals close.
fn stream_csv(args: &Args, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let file = path.display().to_string();
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("input");
    let handle = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader =
        BarReader::new(std::io::BufReader::with_capacity(1 << 16, handle), &file, stem, &args.csv_options())?;
    let mut notes = vec![format!("recognised shape: {}", reader.layout().shape.name())];
    notes.extend(reader.layout().notes.iter().cloned());
    for note in &notes {
        eprintln!("note: {note}");
    }
    let threshold = match args.threshold {
        Some(z) => StreamThreshold::Fixed(z),
        None => StreamThreshold::RunningQuantile(args.contamination),
    };
    let config = StreamConfig {
        window: args.window.unwrap_or(DEFAULT_WINDOW),
        estimator: args.estimator(),
        threshold,
        merge_gap: args.merge_gap,
        threshold_floor: args.threshold_floor,
    };
    let labelled = reader.layout().columns.label.is_some();
    let mut scan = StreamScan::new(config, &file, labelled)?;
    let (mut shown, mut duplicates) = (0usize, [0usize; 2]);
    let emit = |a: &AlertInterval| -> Result<(), Box<dyn std::error::Error>> {
        if args.json {
            println!("{}", serde_json::to_string(a)?);
        } else {
            println!(
                "{} {} .. {} {} peak {:.1}: {}",
                a.symbol,
                a.start,
                a.end,
                a.kind.name(),
                a.peak_score,
                a.explanation()
            );
        }
        Ok(())
    };
    while let Some(item) = reader.next_item()? {
        let row = match item {
            ReadItem::Row(row) => row,
            ReadItem::RowWithUnreadableLabel(row, problem) => {
                refuse_if_strict(args.strict, &file, &problem)?;
                report_one(&file, "label set aside", &problem, &mut shown);
                row
            }
            ReadItem::Skipped(problem) => {
                refuse_if_strict(args.strict, &file, &problem)?;
                report_one(&file, "skipped", &problem, &mut shown);
                continue;
            }
        };
        let step = scan.push(row)?;
        if let Some(d) = step.duplicate {
            if args.strict {
                return Err(format!(
                    "{file}: line {}: repeats the time of line {} (--strict)",
                    d.dropped.line, d.kept.line
                )
                .into());
            }
            let identical = report_duplicate(&file, &d.kept, &d.dropped);
            duplicates[usize::from(!identical)] += 1;
        }
        if let Some(alert) = step.closed {
            emit(&alert)?;
        }
    }
    let counts = reader.counts().clone();
    let mut input = InputReport::new(&file, reader.layout().shape, &counts, notes);
    input.skip("duplicate_timestamp_identical", duplicates[0]);
    input.skip("duplicate_timestamp_conflicting", duplicates[1]);
    let (last, summary) = scan.finish();
    for alert in &last {
        emit(alert)?;
    }
    eprintln!(
        "stream: {} rows read, {} used, {} bars scored, {} alerts; threshold {}",
        input.rows_read,
        input.rows_used,
        summary.scored_bars,
        summary.alerts,
        summary.threshold.map_or("never active".to_string(), |t| format!("{t:.2} ({})", summary.threshold_source))
    );
    let mut value = serde_json::to_value(&summary)?;
    value["input"] = serde_json::to_value(&input)?;
    value["mode"] = "stream".into();
    if args.json {
        println!("{}", serde_json::json!({ "summary": value }));
    } else {
        println!("summary: {value}");
    }
    Ok(())
}
// ANCHOR_END: stream

fn refuse_if_strict(strict: bool, file: &str, p: &llm_anomaly::data::RowProblem) -> Result<(), String> {
    if strict { Err(format!("{file}: line {}: {} (--strict)", p.line, p.message)) } else { Ok(()) }
}

/// Prints a problem while fewer than 20 were shown.
fn report_one(file: &str, what: &str, p: &llm_anomaly::data::RowProblem, shown: &mut usize) {
    *shown += 1;
    if *shown <= 20 {
        eprintln!("{file}: line {}: {what}: {}", p.line, p.message);
    } else if *shown == 21 {
        eprintln!("{file}: more problems follow; the summary counts them all");
    }
}

/// What the ground truth says about an alert.
fn truth(loaded: &Loaded, report: &ScanReport, alert: &AlertInterval) -> String {
    let Some(sym) = report.symbols.iter().find(|s| *s.symbol == *alert.symbol) else { return String::new() };
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
    let news =
        loaded.context.iter().any(|c| *c.symbol == *alert.symbol && c.start <= alert.end && alert.start <= c.end);
    if news { "normal: earnings news".into() } else { "false alarm".into() }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

/// The simulator's explained episodes in the test period, and how many of
/// them still raised an alert that no news explained (`None` for a file).
fn context_events(loaded: &Loaded, report: &ScanReport) -> Option<(usize, usize, usize)> {
    if loaded.input.is_some() {
        return None;
    }
    let episodes: Vec<&ContextEvent> = loaded.context.iter().filter(|c| c.start >= report.cutoff).collect();
    let overlapping =
        |c: &ContextEvent, a: &AlertInterval| *a.symbol == *c.symbol && a.start <= c.end && c.start <= a.end;
    let alerted = episodes.iter().filter(|c| report.alerts.iter().any(|a| overlapping(c, a))).count();
    let unexplained =
        episodes.iter().filter(|c| report.alerts.iter().any(|a| overlapping(c, a) && !a.is_explained())).count();
    Some((episodes.len(), alerted, unexplained))
}

/// The news column of the alert table.
fn news_mark(a: &AlertInterval) -> &'static str {
    match (a.is_escalated(), a.is_explained()) {
        (true, _) => "ESCALATED",
        (false, true) => "explained",
        _ => "",
    }
}

fn print_report(
    args: &Args,
    loaded: &Loaded,
    report: &ScanReport,
    news_context: &serde_json::Value,
) -> Result<(), Box<dyn std::error::Error>> {
    let s = &report.summary;
    let mut text = String::new();
    use std::fmt::Write as _;
    writeln!(text, "Example 01: unusual trading patterns")?;
    writeln!(text, "data:      {}", loaded.description)?;
    if let Some(i) = &loaded.input {
        let counts = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        };
        write!(text, "input:     {} rows read, {} used", i.rows_read, i.rows_used)?;
        if !i.skipped.is_empty() {
            write!(text, "; skipped: {}", counts(&i.skipped))?;
        }
        if !i.repaired.is_empty() {
            write!(text, "; repaired: {}", counts(&i.repaired))?;
        }
        if i.labels_unreadable > 0 {
            write!(text, "; {} unreadable labels (bars kept, left out of the metrics)", i.labels_unreadable)?;
        }
        writeln!(text)?;
    }
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
    let width = top.iter().take(args.top).map(|a| a.symbol.chars().count()).max().unwrap_or(0).max(6);
    writeln!(
        text,
        "{:<width$} {:<17} {:>4} {:<22} {:>6} {:>5}  {:<9}  ground truth",
        "symbol", "start (UTC)", "bars", "type", "peak", "conf", "news"
    )?;
    for a in top.iter().take(args.top) {
        writeln!(
            text,
            "{:<width$} {:<17} {:>4} {:<22} {:>6.1} {:>5.2}  {:<9}  {}",
            a.symbol,
            a.start.format("%Y-%m-%d %H:%M"),
            a.hits,
            a.kind.name(),
            a.peak_score,
            a.confidence(),
            news_mark(a),
            truth(loaded, report, a)
        )?;
    }
    if let Some(a) = top.first() {
        writeln!(text, "strongest alert, why: {}", a.explanation())?;
        if let (Some(p), Some(c)) = (a.probability, &report.calibrator) {
            writeln!(
                text,
                "its calibrated probability: {p:.6} (the score is above that share of the {} training scores; 1 - p = {:.1e})",
                c.reference_len(),
                c.survival(a.peak_score)
            )?;
        }
    }
    if news_context["used"] == true {
        writeln!(
            text,
            "news context ({} min lookback): {} alerts had news before them; {} explained by ordinary news, {} escalated by anomalous text",
            news_context["lookback_minutes"], news_context["alerts_with_news"], s.explained_alerts, s.escalated_alerts
        )?;
        let first = |pick: fn(&AlertInterval) -> Option<&str>| top.iter().find_map(|a| pick(a).map(|r| (a, r)));
        if let Some((a, reason)) = first(|a| a.explained.as_ref().map(|e| e.reason.as_str())) {
            writeln!(text, "  explained, {} {}: {reason}", a.symbol, a.start.format("%Y-%m-%d %H:%M"))?;
        }
        if let Some((a, reason)) = first(|a| a.escalated.as_ref().map(|e| e.reason.as_str())) {
            writeln!(text, "  escalated, {} {}: {reason}", a.symbol, a.start.format("%Y-%m-%d %H:%M"))?;
        }
        let before = &news_context["without_context"];
        if s.labelled {
            writeln!(
                text,
                "  without it: precision {}, F1 {}, events detected {}; with it: precision {}, F1 {}, events detected {}",
                fmt_opt(before["precision"].as_f64()),
                fmt_opt(before["f1"].as_f64()),
                before["detected_events"],
                fmt_opt(s.precision),
                fmt_opt(s.f1),
                s.detected_events.unwrap_or(0)
            )?;
        }
    } else {
        writeln!(text, "news context: off ({})", news_context["reason"].as_str().unwrap_or("unknown"))?;
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
        if let Some((episodes, alerted, unexplained)) = context_events(loaded, report).filter(|c| c.0 > 0) {
            writeln!(
                text,
                "Earnings episodes (labelled normal): {episodes}; {alerted} raised an alert, {unexplained} an alert no news explained"
            )?;
        }
        if s.explained_alerts > 0 {
            writeln!(
                text,
                "  (bars of the {} explained alerts count as not flagged: no false alarms, and no events found)",
                s.explained_alerts
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
        let mut summary = serde_json::to_value(s)?;
        summary["input"] = serde_json::to_value(&loaded.input)?;
        summary["news_context"] = news_context.clone();
        let episodes = context_events(loaded, report);
        summary["context_events"] = serde_json::to_value(episodes.map(|c| c.0))?;
        summary["context_events_alerted"] = serde_json::to_value(episodes.map(|c| c.2))?;
        println!("{}", serde_json::json!({ "summary": summary }));
    } else {
        print!("{text}");
    }
    Ok(())
}

// ANCHOR: figures
fn write_figures(args: &Args, report: &ScanReport) -> Result<(), llm_anomaly::plot::PlotError> {
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
    let scores: Vec<f64> = sym.scores[t0..].iter().map(|s| s.as_ref().map_or(f64::NAN, |x| x.score)).collect();
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
