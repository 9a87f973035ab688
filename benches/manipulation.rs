//! Throughput of the crypto manipulation detector: one simulated day of
//! BTCUSDT trades (about three a second, with the default market's
//! episodes) pushed through a detector fitted on the day before. One
//! element is one trade, through the per-second scoring, alerting and
//! learning it triggers. Run with `cargo xtask bench manipulation`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::manipulation::{CryptoManipulationDetector, ManipulationConfig};
use llm_anomaly::market::TradeTape;
use llm_anomaly::simulate::crypto::{CryptoSimConfig, SimulatedCrypto};

fn manipulation(c: &mut Criterion) {
    let config =
        CryptoSimConfig { symbols: CryptoSimConfig::default().symbols[..1].to_vec(), days: 2, ..Default::default() };
    let market = SimulatedCrypto::generate(&config).unwrap();
    let tape = &market.tapes[0];
    let cut = config.start.timestamp() * 1_000_000 + 86_400_000_000;
    let at = tape.trades().partition_point(|t| t.time_us < cut);
    let history = TradeTape::new(tape.instrument().clone(), tape.trades()[..at].to_vec()).unwrap();
    let fitted = CryptoManipulationDetector::fit(&history, ManipulationConfig::default()).unwrap();
    let day = &tape.trades()[at..];
    let mut group = c.benchmark_group("manipulation");
    group.throughput(Throughput::Elements(day.len() as u64));
    group.sample_size(20);
    group.bench_function("detector_push", |b| {
        b.iter_batched(
            || fitted.clone(),
            |mut detector| {
                for trade in day {
                    detector.push(black_box(trade)).unwrap();
                }
                detector.take_alerts().len()
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, manipulation);
criterion_main!(benches);
