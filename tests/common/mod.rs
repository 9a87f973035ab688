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

/// The SmolLM2 GGUF file, or `None` (with a note) when it is not installed.
pub fn smollm2_path() -> Option<std::path::PathBuf> {
    let cache = ModelCache::discover(None);
    match llm_anomaly::models::find_gguf(&cache, &llm_anomaly::models::SMOLLM2, llm_anomaly::models::SMOLLM2_GGUF) {
        Ok(path) => Some(path),
        Err(error) if std::env::var_os("LLM_ANOMALY_REQUIRE_MODEL").is_some_and(|v| v == "1") => {
            panic!("LLM_ANOMALY_REQUIRE_MODEL=1 but SmolLM2 is not usable: {error}")
        }
        Err(error) => {
            eprintln!("skipped (model not installed): {error}");
            None
        }
    }
}

/// SmolLM2 loaded once per test binary (requantised to Q8_0, the default),
/// or `None` when it is not installed.
pub fn smollm2() -> Option<&'static llm_anomaly::llm::LocalLlm> {
    static MODEL: std::sync::OnceLock<Option<llm_anomaly::llm::LocalLlm>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            smollm2_path()
                .map(|path| llm_anomaly::llm::LocalLlm::load(&path, &Default::default()).expect("SmolLM2 loads"))
        })
        .as_ref()
}

/// The installed Gemma-3-270M GGUF file, or `None` (with a message) when it
/// is not installed; with `LLM_ANOMALY_REQUIRE_MODEL=1` a missing model fails.
pub fn gemma3_path() -> Option<std::path::PathBuf> {
    let cache = ModelCache::discover(None);
    match llm_anomaly::models::find_gguf(
        &cache,
        &llm_anomaly::models::GEMMA3_270M,
        llm_anomaly::models::GEMMA3_270M_GGUF,
    ) {
        Ok(path) => Some(path),
        Err(error) if std::env::var_os("LLM_ANOMALY_REQUIRE_MODEL").is_some_and(|v| v == "1") => {
            panic!("LLM_ANOMALY_REQUIRE_MODEL=1 but Gemma-3-270M is not usable: {error}")
        }
        Err(error) => {
            eprintln!("skipped (model not installed): {error}");
            None
        }
    }
}

/// Gemma-3-270M loaded once per test binary (requantised, context 512), or
/// `None` when it is not installed.
pub fn gemma3() -> Option<&'static llm_anomaly::llm::LocalLlm> {
    static MODEL: std::sync::OnceLock<Option<llm_anomaly::llm::LocalLlm>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            gemma3_path().map(|path| {
                let options = llm_anomaly::llm::LoadOptions { context_tokens: 512, ..Default::default() };
                llm_anomaly::llm::LocalLlm::load(&path, &options).expect("Gemma-3-270M loads")
            })
        })
        .as_ref()
}
