//! Sentence-embedding speed: all-MiniLM-L6-v2 on 1 000 headlines
//! ([`news_corpus::benchmark_headlines`]), this crate's fused encoder
//! against candle-transformers' `BertModel`, at batch 32 and 64. Both run
//! the same pipeline (tokenize, length-sorted batches, masked mean pooling,
//! L2); only the forward pass differs.
//!
//! The thread count is `CANDLE_NUM_THREADS` (the group is named after it);
//! `cargo xtask bench --only minilm` runs it at 1 thread pinned to one core
//! and at 2 threads, runs PyTorch sentence-transformers on the same
//! headlines (`benches/minilm_pytorch.py`), and writes
//! `book/generated/bench_minilm.md`. Needs the model (`cargo xtask models`);
//! without it the bench says so and measures nothing.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::models::{MINILM, ModelCache, ModelFiles};
use llm_anomaly::simulate::news_corpus;
use llm_anomaly::text::{BertEmbedder, Embedder, EmbedderOptions, Encoder};

fn minilm(c: &mut Criterion) {
    let files = match ModelCache::discover(None).resolve(MINILM.id).and_then(|dir| ModelFiles::open(&dir)) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("minilm bench skipped: {e}");
            return;
        }
    };
    let threads = std::env::var("CANDLE_NUM_THREADS").unwrap_or_else(|_| "default".into());
    let headlines = news_corpus::benchmark_headlines();
    let texts: Vec<&str> = headlines.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group(format!("minilm_threads_{threads}"));
    group.sample_size(10).measurement_time(Duration::from_secs(40)).throughput(Throughput::Elements(1000));
    for batch_size in [32, 64] {
        for (name, encoder) in [("candle_transformers", Encoder::CandleTransformers), ("fused", Encoder::Fused)] {
            let options = EmbedderOptions { batch_size, encoder, ..EmbedderOptions::default() };
            let model = BertEmbedder::load(&files, &options).expect("MiniLM loads");
            group.bench_with_input(BenchmarkId::new(name, batch_size), &texts, |b, texts| {
                b.iter(|| model.embed(texts).expect("embeds"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, minilm);
criterion_main!(benches);
