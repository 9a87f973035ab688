//! What can be wrong with a model on disk.

use std::path::PathBuf;

/// A model that cannot be used, with the path at fault and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The model is not in the cache at all.
    #[error(
        "model `{model}` is not installed: looked in {searched} ({origin}). Install it with `{install}`, \
         or pass --model-dir DIR (a hub cache or a folder with config.json, tokenizer.json and model.safetensors)"
    )]
    NotInstalled {
        /// The model id, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
        model: String,
        /// The folder that was searched.
        searched: PathBuf,
        /// Why that folder was searched (flag, environment variable, default).
        origin: String,
        /// The command that installs it.
        install: String,
    },
    /// A file the model needs is missing from its folder.
    #[error("model folder {dir} has no `{file}` (needed: {needed}); reinstall with `{install}`")]
    MissingFile {
        /// The model folder.
        dir: PathBuf,
        /// The missing file.
        file: &'static str,
        /// Every file the loader needs.
        needed: &'static str,
        /// The command that installs the model again.
        install: String,
    },
    /// A file is there but cut short or not what its name says.
    #[error("model file {path} is damaged: {reason}; reinstall with `{install}`")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong (size, header, JSON).
        reason: String,
        /// The command that installs the model again.
        install: String,
    },
    /// A `--model` value that is neither a file nor a known GGUF model.
    #[error("--model {given}: not a file, and not a known GGUF model id (known: {known})")]
    UnknownGguf {
        /// What was given.
        given: String,
        /// The ids that are known.
        known: String,
    },
    /// Reading a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}
