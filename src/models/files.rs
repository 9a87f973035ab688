//! The files of one BERT-style model folder, checked before loading.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::cache::install_command;
use super::error::ModelError;

/// The files a BERT model needs, as one list for messages.
const NEEDED: &str = "config.json, tokenizer.json, model.safetensors";

/// How token vectors become one sentence vector (sentence-transformers'
/// `1_Pooling/config.json`; mean when the folder does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pooling {
    /// The average of the token vectors, padding excluded.
    Mean,
    /// The vector of the first (`[CLS]`) token.
    Cls,
}

/// A model folder whose files are present and whole.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    /// The folder.
    pub dir: PathBuf,
    /// `config.json`.
    pub config: PathBuf,
    /// `tokenizer.json`.
    pub tokenizer: PathBuf,
    /// `model.safetensors`.
    pub weights: PathBuf,
    /// The longest input in tokens the sentence model was trained with
    /// (`sentence_bert_config.json`'s `max_seq_length`), if the folder says.
    pub max_seq_length: Option<usize>,
    /// The pooling the folder asks for.
    pub pooling: Pooling,
}

impl ModelFiles {
    /// Checks the folder: every needed file present, the JSON files parse,
    /// and `model.safetensors` is exactly as long as its header says.
    pub fn open(dir: &Path) -> Result<Self, ModelError> {
        let config = required(dir, "config.json")?;
        let tokenizer = required(dir, "tokenizer.json")?;
        let weights = required(dir, "model.safetensors")?;
        read_json(&config)?;
        check_safetensors(&weights)?;
        let max_seq_length = optional_json(&dir.join("sentence_bert_config.json"))?
            .and_then(|value| value.get("max_seq_length")?.as_u64())
            .map(|n| n as usize);
        let pooling = match optional_json(&dir.join("1_Pooling").join("config.json"))? {
            Some(value) if value.get("pooling_mode_cls_token").and_then(|v| v.as_bool()) == Some(true) => Pooling::Cls,
            _ => Pooling::Mean,
        };
        Ok(Self { dir: dir.to_path_buf(), config, tokenizer, weights, max_seq_length, pooling })
    }
}

fn install_hint(path: &Path) -> String {
    // The hub layout puts the id in the folder name: models--org--name.
    let id = path
        .ancestors()
        .filter_map(|p| p.file_name()?.to_str()?.strip_prefix("models--").map(|s| s.replacen("--", "/", 1)))
        .next();
    id.map(|id| install_command(&id)).unwrap_or_else(|| super::known::INSTALL_COMMAND.to_string())
}

fn required(dir: &Path, file: &'static str) -> Result<PathBuf, ModelError> {
    let path = dir.join(file);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() && meta.len() > 0 => Ok(path),
        Ok(meta) if meta.is_file() => {
            Err(ModelError::Damaged { reason: "the file is empty".into(), install: install_hint(&path), path })
        }
        _ => Err(ModelError::MissingFile { dir: dir.to_path_buf(), file, needed: NEEDED, install: install_hint(dir) }),
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value, ModelError> {
    let text = std::fs::read(path).map_err(|source| ModelError::Io { path: path.to_path_buf(), source })?;
    serde_json::from_slice(&text).map_err(|error| ModelError::Damaged {
        path: path.to_path_buf(),
        reason: format!("not valid JSON ({error})"),
        install: install_hint(path),
    })
}

fn optional_json(path: &Path) -> Result<Option<serde_json::Value>, ModelError> {
    if path.is_file() { read_json(path).map(Some) } else { Ok(None) }
}

/// A safetensors file is an 8-byte little-endian header length, a JSON
/// header giving every tensor's byte range, then the data: a truncated
/// download is shorter than the last range's end.
fn check_safetensors(path: &Path) -> Result<(), ModelError> {
    let damaged =
        |reason: String| ModelError::Damaged { path: path.to_path_buf(), reason, install: install_hint(path) };
    let io = |source| ModelError::Io { path: path.to_path_buf(), source };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut len_bytes = [0u8; 8];
    file.read_exact(&mut len_bytes).map_err(|_| damaged(format!("only {size} bytes, shorter than a header")))?;
    let header_len = u64::from_le_bytes(len_bytes);
    if header_len > 100_000_000 || 8 + header_len > size {
        return Err(damaged(format!("header length {header_len} does not fit a file of {size} bytes")));
    }
    let mut header = vec![0u8; header_len as usize];
    file.read_exact(&mut header).map_err(io)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header).map_err(|error| damaged(format!("header is not valid JSON ({error})")))?;
    let data_end = header
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, tensor)| tensor.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    let expected = 8 + header_len + data_end;
    if size != expected {
        return Err(damaged(format!("{size} bytes, but its header says {expected} (a cut-short download?)")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("llm-anomaly-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), "{}").unwrap();
        std::fs::write(dir.join("tokenizer.json"), "{}").unwrap();
        dir
    }

    fn safetensors(data_len: u64, actual: usize) -> Vec<u8> {
        let header = format!("{{\"w\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,{data_len}]}}}}");
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        bytes.extend(std::iter::repeat_n(0u8, actual));
        bytes
    }

    #[test]
    fn a_whole_folder_opens_and_a_missing_file_is_named() {
        let dir = folder("whole");
        let missing = ModelFiles::open(&dir).unwrap_err().to_string();
        assert!(missing.contains("no `model.safetensors`"), "{missing}");
        std::fs::write(dir.join("model.safetensors"), safetensors(4, 4)).unwrap();
        let files = ModelFiles::open(&dir).unwrap();
        assert_eq!((files.pooling, files.max_seq_length), (Pooling::Mean, None));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_truncated_weights_file_is_refused_with_its_sizes() {
        let dir = folder("truncated");
        std::fs::write(dir.join("model.safetensors"), safetensors(4000, 1000)).unwrap();
        let message = ModelFiles::open(&dir).unwrap_err().to_string();
        assert!(message.contains("cut-short"), "{message}");
        assert!(message.contains("model.safetensors"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn broken_json_is_refused_naming_the_file() {
        let dir = folder("json");
        std::fs::write(dir.join("model.safetensors"), safetensors(4, 4)).unwrap();
        std::fs::write(dir.join("config.json"), "{\"hidden_size\": 3").unwrap();
        let message = ModelFiles::open(&dir).unwrap_err().to_string();
        assert!(message.contains("config.json") && message.contains("not valid JSON"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
