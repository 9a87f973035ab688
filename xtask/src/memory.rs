//! Peak memory of example 01 on a big file, with and without `--stream`,
//! measured with `/usr/bin/time -v` (its "Maximum resident set size"), for
//! the results page `book/generated/bench_csv.md`.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::bench::{civil_from_days as civil, group_digits as group};
use crate::process;

/// Rows of the file the memory is measured on.
pub const ROWS: u64 = 5_000_000;

/// The Markdown section: one row per mode, with the commands.
pub fn section() -> Result<String> {
    process::run(process::cargo().args(["build", "--release", "--example", "01_unusual_trading"]))?;
    let exe = process::target_dir().join("release/examples/01_unusual_trading");
    let file = fixture()?;
    let size_mb = fs::metadata(&file)?.len() as f64 / 1e6;
    let figures = process::target_dir().join("bench-data/figures");
    let input = file.display().to_string();
    let figures_dir = figures.display().to_string();
    let modes: [(&str, Vec<&str>); 2] = [
        ("`--stream` (row by row)", vec!["--json", "--stream", "--threshold", "4", "--input", &input]),
        (
            "whole file in memory (default)",
            vec!["--json", "--threshold", "4", "--figures-dir", &figures_dir, "--input", &input],
        ),
    ];
    let mut md = String::new();
    let _ = writeln!(
        md,
        "\nPeak memory of example 01 on a file of {} one-minute bars ({size_mb:.0} MB, one symbol), measured with `/usr/bin/time -v`:\n",
        group(ROWS)
    );
    let _ = writeln!(md, "| Mode | Maximum resident set size | Wall time | Rows/s end to end |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (name, args) in &modes {
        let (rss_kb, seconds) = measure(&exe, args)?;
        let _ = writeln!(
            md,
            "| {name} | {:.0} MB | {seconds:.1} s | {:.2} M |",
            rss_kb as f64 / 1024.0,
            ROWS as f64 / seconds / 1e6
        );
    }
    let _ = writeln!(
        md,
        "\n- Command: `/usr/bin/time -v target/release/examples/01_unusual_trading ARGS --input {}` with the arguments of each row (`--json`, `--threshold 4`, plus `--stream` or a figures folder); the file is written by `cargo xtask bench` (seeded, deterministic).",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("")
    );
    Ok(md)
}

/// Runs the example under `/usr/bin/time -v`; returns (max RSS in kB, seconds).
fn measure(exe: &Path, args: &[&str]) -> Result<(u64, f64)> {
    ensure!(Path::new("/usr/bin/time").exists(), "/usr/bin/time is missing (Debian package `time`)");
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(exe)
        .args(args)
        .stdout(Stdio::null())
        .output()
        .context("running /usr/bin/time")?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("example 01 {} failed:\n{stderr}", args.join(" "));
    }
    let rss = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .context("no `Maximum resident set size` in /usr/bin/time's output")?;
    Ok((rss, seconds))
}

/// Writes (once) the big file: minute bars with ISO timestamps, a seeded
/// random walk (a small LCG: xtask has no random-number crate).
fn fixture() -> Result<PathBuf> {
    let dir = process::target_dir().join("bench-data");
    let path = dir.join(format!("bars_{ROWS}.csv"));
    if path.exists() {
        return Ok(path);
    }
    fs::create_dir_all(&dir)?;
    let mut out = BufWriter::new(fs::File::create(&path)?);
    writeln!(out, "timestamp,open,high,low,close,volume")?;
    let mut state: u64 = 42;
    let mut uniform = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut close = 42_000.0f64;
    let start: i64 = 1_704_067_200; // 2024-01-01 00:00 UTC
    for i in 0..ROWS {
        let open = close;
        close = ((open * (1.0 + 0.002 * (uniform() - 0.5))) * 100.0).round() / 100.0;
        let (high, low) = (open.max(close) + 1.25, open.min(close) - 1.25);
        let volume = (1000.0 * (0.2 + uniform() * uniform() * 5.0)).round() / 1000.0;
        let t = start + 60 * i as i64;
        let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
        let (y, m, d) = civil(days);
        writeln!(
            out,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:00,{open:.2},{high:.2},{low:.2},{close:.2},{volume}",
            secs / 3600,
            secs % 3600 / 60
        )?;
    }
    out.flush()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil(0), (1970, 1, 1));
        assert_eq!(super::civil(19_723), (2024, 1, 1));
    }
}
