//! `cargo xtask fuzz [CASES]`: the long run of the parsers' property tests
//! (`benches/fuzz_parsers.rs`), 10^6 generated inputs per property by default,
//! in release mode. CI runs the same tests with proptest's default count.

use anyhow::{Context, Result};

use crate::process;

/// Cases per property of the long run.
pub const DEFAULT_CASES: u64 = 1_000_000;

pub fn run(args: &[&str]) -> Result<()> {
    let cases = match args {
        [] => DEFAULT_CASES,
        [n] => n.parse().with_context(|| format!("`cargo xtask fuzz CASES` expects a number, got `{n}`"))?,
        _ => anyhow::bail!("usage: cargo xtask fuzz [CASES]"),
    };
    let started = std::time::Instant::now();
    process::run(
        process::cargo()
            .args([
                "test",
                "--release",
                "-p",
                "llm-anomaly-bench",
                "--test",
                "fuzz_parsers",
                "--",
                "--test-threads",
                "2",
            ])
            .env("PROPTEST_CASES", cases.to_string())
            .env("PROPTEST_MAX_SHRINK_ITERS", "10000"),
    )?;
    println!("fuzz: {cases} cases per property passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
