//! Shared by the tests that need the real MiniLM model.
//!
//! The model is installed by `cargo xtask models`. Without it these tests
//! say so and pass, unless `LLM_ANOMALY_REQUIRE_MODEL=1` (CI sets it), which
//! makes a missing model a failure.
#![allow(dead_code)]

use llm_anomaly::models::{MINILM, ModelCache, ModelFiles};
use llm_anomaly::text::{BertEmbedder, EmbedderOptions};

/// The MiniLM files, or `None` (with a note) when the model is not installed.
pub fn minilm_files() -> Option<ModelFiles> {
    let cache = ModelCache::discover(None);
    let found = cache.resolve(MINILM.id).and_then(|dir| ModelFiles::open(&dir));
    match found {
        Ok(files) => Some(files),
        Err(error) if std::env::var_os("LLM_ANOMALY_REQUIRE_MODEL").is_some_and(|v| v == "1") => {
            panic!("LLM_ANOMALY_REQUIRE_MODEL=1 but the model is not usable: {error}")
        }
        Err(error) => {
            eprintln!("skipped (model not installed): {error}");
            None
        }
    }
}

/// MiniLM with the default options, or `None` when it is not installed.
pub fn minilm() -> Option<BertEmbedder> {
    minilm_files().map(|files| BertEmbedder::load(&files, &EmbedderOptions::default()).expect("MiniLM loads"))
}
