//! GGUF model files (llama.cpp's format): found in the cache and checked
//! before loading.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::cache::{ModelCache, install_command};
use super::error::ModelError;
use super::known::KnownModel;

/// The GGUF versions candle reads.
const SUPPORTED_VERSIONS: [u32; 2] = [2, 3];

/// Checks that `path` is a GGUF file: it exists, starts with the `GGUF`
/// magic and carries a version candle reads. The tensors are checked when
/// they are loaded.
pub fn check_gguf(path: &Path) -> Result<(), ModelError> {
    let damaged = |reason: String| ModelError::Damaged {
        path: path.to_path_buf(),
        reason,
        install: super::known::INSTALL_COMMAND.to_string(),
    };
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(source) => return Err(ModelError::Io { path: path.to_path_buf(), source }),
    };
    let mut header = [0u8; 8];
    if file.read_exact(&mut header).is_err() {
        return Err(damaged("shorter than a GGUF header (8 bytes)".into()));
    }
    if &header[..4] != b"GGUF" {
        return Err(damaged(format!("starts with {:?}, not the GGUF magic", String::from_utf8_lossy(&header[..4]))));
    }
    let version = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(damaged(format!("GGUF version {version}; readable versions are 2 and 3")));
    }
    Ok(())
}

/// The checked GGUF file `file_name` of `model` in `cache`.
pub fn find_gguf(cache: &ModelCache, model: &KnownModel, file_name: &str) -> Result<PathBuf, ModelError> {
    let dir = cache.resolve(model.id)?;
    let path = dir.join(file_name);
    if !path.is_file() {
        return Err(ModelError::MissingFile {
            dir,
            file: model.files.iter().find(|f| f.name == file_name).map_or("model.gguf", |f| f.name),
            needed: "the model's .gguf file",
            install: install_command(model.id),
        });
    }
    check_gguf(&path)?;
    Ok(path)
}

/// The GGUF file `spec` names: a path to a file, or the hub id of a known
/// model whose copy is one `.gguf` file (SmolLM2, Gemma-3-270M), looked up
/// in `cache`.
pub fn locate_gguf(cache: &ModelCache, spec: &str) -> Result<PathBuf, ModelError> {
    let path = Path::new(spec);
    if path.is_file() {
        check_gguf(path)?;
        return Ok(path.to_path_buf());
    }
    let gguf_file = |model: &KnownModel| model.files.iter().find(|f| f.name.ends_with(".gguf")).map(|f| f.name);
    let known = super::known::ALL.iter().filter(|model| gguf_file(model).is_some());
    match known.clone().find(|model| model.id == spec) {
        Some(model) => find_gguf(cache, model, gguf_file(model).expect("filtered on a .gguf file")),
        None => Err(ModelError::UnknownGguf {
            given: spec.to_string(),
            known: known.map(|model| model.id).collect::<Vec<_>>().join(", "),
        }),
    }
}
