//! Streaming detector throughput against a faithful port of the seed's
//! `StatisticalAnomalyDetector` and `CryptoAnomalyMonitor`.
//!
//! A "tick" is one (price, volume) update through score, learn and classify
//! (in `zscore_univariate`: one value through one `RollingZScore`).
//! Run with `cargo xtask bench`, which also writes the results page.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::baseline::seed_port::{CryptoAnomalyMonitor, MarketTick, StatisticalAnomalyDetector};
use llm_anomaly::detect::{
    AlertRule, MultiSymbolMonitor, PriceVolumeConfig, PriceVolumeDetector, RollingZScore, ScaleFloor, SymbolId,
    UnivariateDetector,
};
use llm_anomaly::simulate::rng::SimRng;

/// Ticks per iteration for our detector (as the issue asks: 10 M).
const OUR_TICKS: usize = 10_000_000;
/// Ticks per iteration for the seed: its O(W) update makes 10 M take
/// minutes per sample at W = 1000, so it runs 1 M; throughput is per tick.
const SEED_TICKS: usize = 1_000_000;
/// Distinct ticks generated (repeated to reach the counts above).
const DISTINCT: usize = 1_000_000;
/// Symbols in the monitor benchmark.
const SYMBOLS: usize = 600;

fn ticks() -> Vec<(f64, f64)> {
    let mut rng = SimRng::new(2024, 0);
    let mut price = 100.0;
    (0..DISTINCT)
        .map(|_| {
            price *= 1.0 + 0.0005 * rng.normal();
            let volume = (1000.0 * rng.lognormal(0.5)).round();
            (price, volume)
        })
        .collect()
}

/// The first `n` ticks of `ticks` repeated end to end (`n` is a multiple
/// of `ticks.len()` here, so whole passes suffice).
fn passes(ticks: &[(f64, f64)], n: usize) -> impl Iterator<Item = &(f64, f64)> {
    assert_eq!(n % ticks.len(), 0, "tick count must be whole passes over the data");
    (0..n / ticks.len()).flat_map(move |_| ticks.iter())
}

fn ours(ticks: &[(f64, f64)], window: usize, n: usize) -> u64 {
    let mut detector = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(window)).unwrap();
    let rule = AlertRule::new(3.0, 3.0).unwrap();
    let mut anomalies = 0;
    for &(price, volume) in passes(ticks, n) {
        if let Some(score) = detector.process(price, volume).unwrap() {
            anomalies += u64::from(rule.classify(score).is_anomaly());
        }
    }
    anomalies
}

fn seed(ticks: &[(f64, f64)], window: usize, n: usize) -> u64 {
    let mut detector = StatisticalAnomalyDetector::new(window, 3.0, 3.0);
    let mut anomalies = 0;
    for &(price, volume) in passes(ticks, n) {
        let result = detector.detect(price, volume);
        detector.update(price, volume);
        anomalies += u64::from(result.is_anomaly);
    }
    anomalies
}

/// One feature through `RollingZScore` alone (score, then learn): half the
/// work of a price-and-volume tick (which, sharing one window, costs less
/// than two of these), for readers who stream one series.
fn univariate(ticks: &[(f64, f64)], window: usize, n: usize) -> u64 {
    let floor = ScaleFloor::new(1e-4, 1e-12).unwrap();
    let mut detector = RollingZScore::new(window, floor).unwrap();
    let mut anomalies = 0;
    for &(price, _) in passes(ticks, n) {
        if let Some(z) = detector.deviation(price) {
            anomalies += u64::from(z.abs() > 3.0);
        }
        detector.learn_one(price).unwrap();
    }
    anomalies
}

fn zscore_univariate(c: &mut Criterion) {
    let data = ticks();
    let mut group = c.benchmark_group("zscore_univariate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(OUR_TICKS as u64));
    group.bench_with_input(BenchmarkId::new("optimized", "w1000"), &1000, |b, &w| {
        b.iter(|| black_box(univariate(black_box(&data), w, OUR_TICKS)))
    });
    group.finish();
}

fn zscore_vs_seed(c: &mut Criterion) {
    let data = ticks();
    let mut group = c.benchmark_group("zscore_vs_seed");
    group.sample_size(10);
    for window in [20, 100, 1000] {
        let id = format!("w{window}");
        group.throughput(Throughput::Elements(OUR_TICKS as u64));
        group.bench_with_input(BenchmarkId::new("optimized", &id), &window, |b, &w| {
            b.iter(|| black_box(ours(black_box(&data), w, OUR_TICKS)))
        });
        group.throughput(Throughput::Elements(SEED_TICKS as u64));
        group.bench_with_input(BenchmarkId::new("seed", &id), &window, |b, &w| {
            b.iter(|| black_box(seed(black_box(&data), w, SEED_TICKS)))
        });
    }
    group.finish();
}

fn monitor_600_symbols(c: &mut Criterion) {
    let data = ticks();
    let names: Vec<String> = (0..SYMBOLS).map(|i| format!("SYM{i:03}USDT")).collect();
    let window = 100;
    let mut group = c.benchmark_group("monitor_600_symbols");
    group.sample_size(10);
    group.throughput(Throughput::Elements(OUR_TICKS as u64));
    group.bench_function(BenchmarkId::new("optimized", "w100"), |b| {
        b.iter(|| {
            let template = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(window)).unwrap();
            let mut monitor = MultiSymbolMonitor::new(template, AlertRule::new(3.0, 3.0).unwrap());
            let ids: Vec<SymbolId> = names.iter().map(|n| monitor.symbol_id(n)).collect();
            let mut anomalies = 0u64;
            for (k, &(price, volume)) in passes(&data, OUR_TICKS).enumerate() {
                let id = ids[k % SYMBOLS];
                if let Some(d) = monitor.process(id, price, volume).unwrap() {
                    anomalies += u64::from(d.is_anomaly());
                }
            }
            black_box(anomalies)
        })
    });
    group.bench_function(BenchmarkId::new("optimized_by_name", "w100"), |b| {
        b.iter(|| {
            let template = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(window)).unwrap();
            let mut monitor = MultiSymbolMonitor::new(template, AlertRule::new(3.0, 3.0).unwrap());
            let mut anomalies = 0u64;
            for (k, &(price, volume)) in passes(&data, OUR_TICKS).enumerate() {
                if let (_, Some(d)) = monitor.process_tick(&names[k % SYMBOLS], price, volume).unwrap() {
                    anomalies += u64::from(d.is_anomaly());
                }
            }
            black_box(anomalies)
        })
    });
    // The seed's ticks arrive as owned structs (as from a JSON decoder):
    // build them outside the timed loop.
    let seed_ticks: Vec<MarketTick> = data
        .iter()
        .cycle()
        .take(SEED_TICKS)
        .enumerate()
        .map(|(k, &(price, volume))| MarketTick {
            symbol: names[k % SYMBOLS].clone(),
            timestamp: k as i64,
            price,
            volume,
            bid: price,
            ask: price,
        })
        .collect();
    group.throughput(Throughput::Elements(SEED_TICKS as u64));
    group.bench_function(BenchmarkId::new("seed", "w100"), |b| {
        b.iter(|| {
            let mut monitor = CryptoAnomalyMonitor::new(window, 3.0, 3.0);
            let mut anomalies = 0u64;
            for tick in &seed_ticks {
                anomalies += u64::from(monitor.process_tick(black_box(tick)).is_anomaly);
            }
            black_box(anomalies)
        })
    });
    group.finish();
}

criterion_group!(benches, zscore_vs_seed, zscore_univariate, monitor_600_symbols);
criterion_main!(benches);
