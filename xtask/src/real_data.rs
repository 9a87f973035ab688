//! `cargo xtask real-data`: long real market histories for the
//! `defaults_on_real_data` example, taken offline-friendly from two pinned
//! PyPI wheels (a wheel is a zip; no Python package is installed):
//! - `arch` 8.0.0: S&P 500 and NASDAQ Composite daily bars, 1999–2018;
//! - `backtesting` 0.6.6: GOOG daily bars 2004–2013 and EUR/USD hourly bars
//!   2017–2018.
//!
//! The files go to `target/real-data/` and are never committed.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, ensure};

use crate::{process, wheel};

/// Where the files go.
pub fn dir() -> PathBuf {
    process::target_dir().join("real-data")
}

/// The wheels and the members taken out of them: (requirement, member, file name).
const FILES: &[(&str, &str, &str)] = &[
    ("arch==8.0.0", "arch/data/sp500/sp500.csv.gz", "sp500.csv"),
    ("arch==8.0.0", "arch/data/nasdaq/nasdaq.csv.gz", "nasdaq.csv"),
    ("backtesting==0.6.6", "backtesting/test/GOOG.csv", "GOOG.csv"),
    ("backtesting==0.6.6", "backtesting/test/EURUSD.csv", "EURUSD.csv"),
];

/// Downloads the wheels (unless the files are there) and extracts the files.
pub fn fetch() -> Result<()> {
    let dir = dir();
    if FILES.iter().all(|(_, _, name)| dir.join(name).is_file()) {
        println!("real-data: {} is complete", dir.display());
        return Ok(());
    }
    let wheels = dir.join("wheels");
    std::fs::create_dir_all(&wheels)?;
    let mut requirements: Vec<&str> = FILES.iter().map(|(r, _, _)| *r).collect();
    requirements.dedup();
    wheel::pip_download(&requirements, &wheels)?;
    let wheels_text = wheels.display().to_string();
    // Extract with Python's zipfile and gzip modules (always present with pip).
    let script = r#"
import gzip, pathlib, sys, zipfile
wheels, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for spec in sys.argv[3:]:
    req, member, name = spec.split("|")
    stem = req.split("==")[0] + "-" + req.split("==")[1] + "-"
    wheel = next(p for p in wheels.iterdir() if p.name.startswith(stem))
    data = zipfile.ZipFile(wheel).read(member)
    if member.endswith(".gz"):
        data = gzip.decompress(data)
    (out / name).write_bytes(data)
"#;
    let specs: Vec<String> = FILES.iter().map(|(r, m, n)| format!("{r}|{m}|{n}")).collect();
    let status = Command::new("python3")
        .args(["-c", script, &wheels_text, &dir.display().to_string()])
        .args(&specs)
        .status()
        .context("running python3 to unzip the wheels")?;
    ensure!(status.success(), "extracting the real histories failed");
    println!("real-data: wrote {} files to {}", FILES.len(), dir.display());
    Ok(())
}
