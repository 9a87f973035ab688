//! Per-token perplexity of a text under a language model: the mean negative
//! log-likelihood of its tokens, each given the ones before it.
//!
//! The book measures it as an anomaly score and shows that it fails on pump
//! spam (GUIDE §4): capitals, emoji and "BUY NOW" split into predictable
//! tokens, so spam is often *less* surprising to the model than sober news.
//! It is here to be measured, not to be used as a detector.

use super::error::LlmError;
use super::local_model::LocalLlm;

/// Mean negative log-likelihood (nats per token) of `text`, read as plain
/// text after the document separator
/// ([`GgufTokenizer::document_start`](super::GgufTokenizer::document_start)).
/// Higher = more surprising.
pub fn mean_token_nll(llm: &LocalLlm, text: &str) -> Result<f64, LlmError> {
    let tokens = llm.tokenizer().encode_text(text)?;
    if tokens.is_empty() {
        return Err(LlmError::EmptyText(text.to_string()));
    }
    let mut session = llm.session();
    // One call per token: the model returns the logits of the last position only.
    session.feed(&[llm.tokenizer().document_start()])?;
    let mut total = 0.0;
    for &token in &tokens {
        total -= session.next_log_probs().expect("fed")[token as usize];
        session.feed(&[token])?;
    }
    Ok(total / tokens.len() as f64)
}
