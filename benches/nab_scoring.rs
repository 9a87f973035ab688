//! Scoring the whole NAB corpus (58 series, 365 k rows) with the project's
//! best streaming detector, as `nab_benchmark` does: the EWMA z-score on
//! every row, then NAB's three profiles with the exhaustive threshold
//! search and Orion's overlap counts.
//!
//! The corpus is read from `NAB_DIR` or `../shared/datasets/nab` beside the
//! workspace (never copied into the repository); without it the bench says
//! so and measures nothing. Run with `cargo xtask bench nab_scoring`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::detect::{EwmaZScore, ScaleFloor};
use llm_anomaly::eval::nab::{
    NabCorpus, OverlapCounts, PROFILES, ThresholdSearch, corpus_score_with, overlap_counts, scores_to_intervals,
    streaming_scores,
};

/// `nab_benchmark`'s settings of the EWMA detector (keep them equal to
/// `EWMA_SPAN_ROWS`, `WINDOW_ROWS / 4` and `FLAG_AT_DEVIATION` there).
const SPAN_ROWS: f64 = 288.0;
const WARM_UP_ROWS: usize = 72;
/// `nab_benchmark`'s flag for overlap F1 (|z| ≥ 4 as a score).
const FLAG_AT: f64 = 0.8;

fn corpus_dir() -> PathBuf {
    std::env::var_os("NAB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets/nab"))
}

fn ewma_scores(corpus: &NabCorpus) -> Vec<Vec<f64>> {
    let floor = ScaleFloor::new(1e-3, 1e-9).unwrap();
    corpus
        .series
        .iter()
        .map(|s| streaming_scores(EwmaZScore::new(SPAN_ROWS, WARM_UP_ROWS, floor).unwrap(), &s.values).unwrap())
        .collect()
}

fn nab_scores(corpus: &NabCorpus, scores: &[Vec<f64>]) -> f64 {
    PROFILES.iter().map(|p| corpus_score_with(corpus, scores, p, ThresholdSearch::Exhaustive).normalized).sum()
}

fn overlap(corpus: &NabCorpus, scores: &[Vec<f64>]) -> usize {
    let mut counts = OverlapCounts::default();
    for (series, scores) in corpus.series.iter().zip(scores) {
        let flagged: Vec<bool> = scores.iter().map(|&s| s >= FLAG_AT).collect();
        counts = counts + overlap_counts(&series.windows, &scores_to_intervals(&flagged));
    }
    counts.true_positives
}

fn nab_corpus(c: &mut Criterion) {
    let dir = corpus_dir();
    let corpus = match NabCorpus::load(&dir) {
        Ok(corpus) => corpus,
        Err(error) => {
            eprintln!("nab_scoring: skipped: no NAB corpus at {} ({error}); set NAB_DIR", dir.display());
            return;
        }
    };
    let rows: u64 = corpus.series.iter().map(|s| s.len() as u64).sum();
    let scores = ewma_scores(&corpus);
    let mut group = c.benchmark_group("nab_corpus");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    group.bench_function("ewma_scores", |b| b.iter(|| ewma_scores(black_box(&corpus))));
    group.bench_function("nab_three_profiles", |b| b.iter(|| nab_scores(black_box(&corpus), black_box(&scores))));
    group.bench_function("ewma_end_to_end", |b| {
        b.iter(|| {
            let scores = ewma_scores(black_box(&corpus));
            (nab_scores(&corpus, &scores), overlap(&corpus, &scores))
        })
    });
    group.finish();
}

criterion_group!(benches, nab_corpus);
criterion_main!(benches);
