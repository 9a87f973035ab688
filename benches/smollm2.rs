//! Local language-model speed: SmolLM2-135M-Instruct (the Q4_1 GGUF of
//! `cargo xtask models`) in candle, as stored, requantised to Q8_0 at load
//! ([`LoadOptions::requantize`]), and requantised with a dense f32 copy of
//! every layer matrix for prompts ([`LoadOptions::dense_prompts`], the
//! default).
//!
//! Two measurements per load mode, both in tokens per second:
//! - `prompt`: the zero-shot verdict prompt of one headline
//!   ([`prompt::verdict_messages`], rendered with the model's chat
//!   template), fed in one call to a fresh session;
//! - `generate`: [`GENERATED_TOKENS`] tokens decoded greedily after that
//!   prompt (generation only: the prompt is fed in the untimed setup), with
//!   no stop token, so every iteration produces the same number of tokens.
//!
//! The thread count is `CANDLE_NUM_THREADS` (the group is named after it).
//! `cargo xtask bench smollm2` runs it at 1 thread pinned to one core and at
//! 2 threads, runs llama.cpp on the same GGUF and the same prompt tokens
//! (`benches/smollm2_llamacpp.py`), and writes
//! `book/generated/bench_smollm2.md`. Without the model the bench says so
//! and measures nothing.

use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llm_anomaly::llm::{GenerateOptions, LoadOptions, LocalLlm, MarketSnapshot, StopRule, prompt};
use llm_anomaly::models::{ModelCache, SMOLLM2, SMOLLM2_GGUF, find_gguf};

/// Tokens generated per `generate` iteration.
const GENERATED_TOKENS: usize = 64;

/// Where to write the prompt's token ids (JSON array), so that llama.cpp is
/// fed exactly the same tokens; `cargo xtask bench smollm2` sets it.
const PROMPT_TOKENS_OUT: &str = "SMOLLM2_PROMPT_TOKENS_OUT";

/// The headline of the benchmark prompt.
const BENCH_HEADLINE: &str = "🚀🚀 $ACME to the moon!!! Insiders say 500% gains by Friday, buy before it's too late";

fn smollm2(c: &mut Criterion) {
    let path = match find_gguf(&ModelCache::discover(None), &SMOLLM2, SMOLLM2_GGUF) {
        Ok(path) => path,
        Err(e) => {
            eprintln!("smollm2 bench skipped: {e}");
            return;
        }
    };
    let threads = std::env::var("CANDLE_NUM_THREADS").unwrap_or_else(|_| "default".into());
    let mut group = c.benchmark_group(format!("smollm2_threads_{threads}"));
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let modes = [("as_stored", false, false), ("requantized_q8_0", true, false), ("q8_0_dense_prompts", true, true)];
    for (mode, requantize, dense_prompts) in modes {
        let options = LoadOptions { requantize, dense_prompts, ..LoadOptions::default() };
        let llm = LocalLlm::load(&path, &options).expect("SmolLM2 loads");
        let messages = prompt::verdict_messages(&MarketSnapshot::headline(BENCH_HEADLINE), &[]);
        let tokens = llm.chat_tokens(&messages, "").expect("the prompt renders");
        if let Some(out) = std::env::var_os(PROMPT_TOKENS_OUT) {
            let ids = tokens.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            std::fs::write(&out, format!("[{ids}]")).expect("writing the prompt tokens");
        }

        group.throughput(Throughput::Elements(tokens.len() as u64));
        group.bench_with_input(BenchmarkId::new("prompt", mode), &tokens, |b, tokens| {
            b.iter(|| {
                let mut session = llm.session();
                session.feed(tokens).expect("the prompt fits");
                session
            });
        });

        let mut prompted = llm.session();
        prompted.feed(&tokens).expect("the prompt fits");
        let options = GenerateOptions { max_new_tokens: GENERATED_TOKENS, stop: StopRule::EndOfTurn };
        group.throughput(Throughput::Elements(GENERATED_TOKENS as u64));
        group.bench_with_input(BenchmarkId::new("generate", mode), &prompted, |b, prompted| {
            b.iter_batched(
                || prompted.fork(),
                |mut session| {
                    let answer = session.generate(llm.tokenizer(), &[], &options).expect("generates");
                    assert_eq!(answer.tokens.len(), GENERATED_TOKENS);
                    answer
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, smollm2);
criterion_main!(benches);
