//! One training epoch of the seed's transformer autoencoder, in candle, on
//! the seed's own workload: 100 random-walk OHLCV windows of 60 steps
//! (`seed_sample_data`, seed 42), the 70 normal ones split as in
//! `run_seed_test` (56 train in one full batch, as the seed's `fit` does;
//! 14 validate), the seed's architecture (width 64, 4 heads, 2 layers,
//! feed-forward 256, dropout 0.1). `benches/autoencoder_pytorch.py` times
//! the seed's PyTorch module on the same shapes; `cargo xtask bench
//! autoencoder` runs both.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::timeseries::{
    EncoderConfig, NormalisedSeries, TimeSeriesAnomalyEncoder, TrainingConfig, WindowSplit, seed_sample_data, train,
};

/// The seed's window length and its split of the normal windows.
const SEQ_LENGTH: usize = 60;
const TRAIN_WINDOWS: usize = 56;
const VALIDATION_WINDOWS: usize = 14;

fn autoencoder_epoch(c: &mut Criterion) {
    let sample = seed_sample_data(100, SEQ_LENGTH, 0.1, 42);
    // Scaled to order one (the timing does not depend on the values).
    let values: Vec<f32> = sample.values.iter().map(|&v| (v / 1000.0) as f32).collect();
    let series = NormalisedSeries::from_windows(&values, 5);
    let normal: Vec<usize> = (0..sample.len()).filter(|&i| !sample.anomalous[i]).take(70).collect();
    let end_of = |i: usize| NormalisedSeries::window_end(i, SEQ_LENGTH);
    let split = WindowSplit {
        train: normal[..TRAIN_WINDOWS].iter().map(|&i| end_of(i)).collect(),
        validation: normal[TRAIN_WINDOWS..TRAIN_WINDOWS + VALIDATION_WINDOWS].iter().map(|&i| end_of(i)).collect(),
        purged: 0,
    };
    let config = EncoderConfig { input_dim: 5, seq_length: SEQ_LENGTH, ..EncoderConfig::default() };
    let training =
        TrainingConfig { max_epochs: 1, batch_size: TRAIN_WINDOWS, progress: false, ..TrainingConfig::default() };
    let mut net = TimeSeriesAnomalyEncoder::new(config, 7).unwrap();
    // One group per thread count (`cargo xtask bench autoencoder` runs 1 and 2).
    let threads = std::env::var("CANDLE_NUM_THREADS").unwrap_or_else(|_| "default".into());
    let mut group = c.benchmark_group(format!("autoencoder_epoch_threads_{threads}"));
    group.sample_size(20);
    group.throughput(Throughput::Elements(TRAIN_WINDOWS as u64));
    group.bench_function("candle", |b| b.iter(|| train(&mut net, &series, &split, &training).unwrap()));
    group.finish();
}

criterion_group!(benches, autoencoder_epoch);
criterion_main!(benches);
