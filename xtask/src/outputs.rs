//! `cargo xtask outputs`: regenerate the outputs the book shows.
//!
//! Each entry of [`OUTPUTS`] runs one example (in debug, to share CI's build)
//! and writes its stdout to `book/generated/<stdout_to>`; stderr goes to the
//! terminal. Examples write their figures themselves (e.g. with
//! `--figures-dir book/figures`). CI runs this and fails when the committed
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
}

/// Add a line here for every captured output.
pub const OUTPUTS: &[Output] = &[
    Output { example: "anomaly_taxonomy", args: &["--figures-dir", "book/figures"], stdout_to: "anomaly_taxonomy.txt" },
    Output {
        example: "01_unusual_trading",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "01_unusual_trading.txt",
    },
    Output { example: "streaming_monitor", args: &[], stdout_to: "streaming_monitor.txt" },
    Output {
        example: "evaluation_metrics",
        args: &["--figures-dir", "book/figures"],
        stdout_to: "evaluation_metrics.txt",
    },
];

pub fn run() -> Result<()> {
    fs::create_dir_all(GENERATED_DIR)?;
    fs::create_dir_all(FIGURES_DIR)?;
    for output in OUTPUTS {
        let started = Instant::now();
        let mut cmd = process::cargo();
        cmd.args(["run", "--quiet", "--example", output.example, "--"]).args(output.args);
        let stdout = process::stdout_of(&mut cmd).with_context(|| format!("running example `{}`", output.example))?;
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
