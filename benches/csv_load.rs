//! From a CSV file to scores: the project's bar reader (+ the streaming
//! detector) against polars' own CSV reader with one thread, on the same
//! file of one-minute bars.
//!
//! An "element" is one row. `ours_read_and_score` is the whole path of
//! example 01's `--stream` (read, parse, validate, score, learn, classify);
//! `ours_read` the reader alone; `polars_1_thread` polars' CSV reader with
//! `n_threads = 1` and `POLARS_MAX_THREADS=1`, parsing the timestamps into
//! a datetime column (`try_parse_dates`) as our reader does (the baseline),
//! and, for reference, leaving them as text. Run with
//! `cargo xtask bench`, which writes the results page.

use std::hint::black_box;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group};
use llm_anomaly::data::{BarReader, CsvOptions, ReadItem};
use llm_anomaly::detect::{AlertRule, PriceVolumeConfig, PriceVolumeDetector};
use llm_anomaly::simulate::rng::SimRng;
use polars::prelude::{CsvReadOptions, SerReader};

/// Rows of the benchmark file.
const ROWS: usize = 1_000_000;

/// Writes (once) a file of `ROWS` one-minute bars with ISO timestamps.
fn fixture() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(format!("bars_{ROWS}.csv"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "timestamp,open,high,low,close,volume").unwrap();
    let mut rng = SimRng::new(7, 0);
    let start = chrono::DateTime::from_timestamp(1_704_067_200, 0).unwrap();
    let mut close: f64 = 42_000.0;
    for i in 0..ROWS {
        let open = close;
        close = (open * (1.0 + 0.0008 * rng.normal()) * 100.0).round() / 100.0;
        let high = open.max(close) + 1.25;
        let low = open.min(close) - 1.25;
        let volume = (1000.0 * rng.lognormal(0.5)).round() / 1000.0;
        let t = start + chrono::Duration::minutes(i as i64);
        writeln!(out, "{},{open:.2},{high:.2},{low:.2},{close:.2},{volume}", t.format("%Y-%m-%d %H:%M:%S")).unwrap();
    }
    out.flush().unwrap();
    path
}

fn ours(path: &Path, score: bool) -> u64 {
    let file = std::fs::File::open(path).unwrap();
    let mut reader =
        BarReader::new(BufReader::with_capacity(1 << 16, file), "bench", "X", &CsvOptions::default()).unwrap();
    let mut detector = PriceVolumeDetector::zscore(PriceVolumeConfig::for_bars(60)).unwrap();
    let rule = AlertRule::uniform(4.0).unwrap();
    let mut hits = 0;
    while let Some(item) = reader.next_item().unwrap() {
        let ReadItem::Row(row) = item else { panic!("the benchmark file is clean") };
        if score {
            if let Some(s) = detector.process(row.bar.close, row.bar.volume).unwrap() {
                hits += u64::from(rule.classify(s).is_anomaly());
            }
        } else {
            hits += u64::from(row.bar.volume > 1.0);
        }
    }
    hits
}

fn polars_one_thread(path: &Path, parse_dates: bool) -> usize {
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_n_threads(Some(1))
        .map_parse_options(|p| p.with_try_parse_dates(parse_dates))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap();
    df.height()
}

fn csv_to_scores(c: &mut Criterion) {
    let path = fixture();
    let mut group = c.benchmark_group("csv_to_scores");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("ours_read_and_score", |b| b.iter(|| black_box(ours(&path, true))));
    group.bench_function("ours_read", |b| b.iter(|| black_box(ours(&path, false))));
    group.bench_function("polars_1_thread", |b| b.iter(|| black_box(polars_one_thread(&path, true))));
    group.bench_function("polars_1_thread_dates_as_text", |b| b.iter(|| black_box(polars_one_thread(&path, false))));
    group.finish();
}

criterion_group!(benches, csv_to_scores);

fn main() {
    // Before polars starts its thread pool.
    // SAFETY: no other thread exists yet.
    unsafe { std::env::set_var("POLARS_MAX_THREADS", "1") };
    benches();
    Criterion::default().configure_from_args().final_summary();
}
