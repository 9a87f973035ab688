//! Schema-guided decoding of a verdict on a local model.
//!
//! A 135M model asked for JSON writes JSON-like text with wrong fields
//! (measured: SmolLM2 answered `{"anomaly_score": 1.0, "anomaly_type":
//! "high" }` for a pump headline). Like llama.cpp's grammars and the
//! structured outputs of hosted APIs, the local backend therefore writes the
//! verdict's keys itself and lets the model choose only the values:
//!
//! * `anomaly_score`: the most likely of 0.0, 0.1, ..., 1.0;
//! * `anomaly_type`: the most likely of the kind names;
//! * `explanation`: generated freely up to its closing quote;
//! * `confidence`: the most likely of `low`, `medium`, `high`.
//!
//! "Most likely" is the summed log-probability of the value's tokens
//! (closing quote included, so `pump` cannot win over `pump_spam` by being
//! short). The answer is then read by the same strict parser as any other.

use super::backend::ChatReply;
use super::chat::ChatMessage;
use super::error::LlmError;
use super::local_model::LocalLlm;
use super::session::{GenerateOptions, Session, StopRule};
use super::verdict::verdict_type_names;
use super::zero_shot::ANSWER_PREFIX;

/// The scores a guided verdict chooses from.
pub const SCORE_CHOICES: [&str; 11] = ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"];

/// The confidence words a guided verdict chooses from.
pub const CONFIDENCE_CHOICES: [&str; 3] = ["low", "medium", "high"];

/// Runs `messages` on `llm` and decodes a verdict whose keys are fixed and
/// whose values the model chooses. `explanation_tokens` caps the free text.
pub fn guided_verdict(
    llm: &LocalLlm,
    messages: &[ChatMessage],
    explanation_tokens: usize,
) -> Result<ChatReply, LlmError> {
    let started = std::time::Instant::now();
    let prompt = llm.chat_tokens(messages, ANSWER_PREFIX)?;
    // Instructions and worked examples are the same for every input: run once.
    let shared = llm.template().render_turns(llm.tokenizer(), &messages[..messages.len().saturating_sub(1)])?;
    let mut session = llm.session_with_prefix(&prompt, shared.len())?;
    let mut generated = 0;

    let score = choose(llm, &mut session, &SCORE_CHOICES.map(String::from), &mut generated)?;
    feed_text(llm, &mut session, ", \"anomaly_type\": \"", &mut generated)?;
    let kinds: Vec<String> = verdict_type_names().iter().map(|k| format!("{k}\"")).collect();
    let kind = choose(llm, &mut session, &kinds, &mut generated)?;
    feed_text(llm, &mut session, ", \"explanation\": \"", &mut generated)?;
    let options = GenerateOptions { max_new_tokens: explanation_tokens, stop: StopRule::Text("\"".into()) };
    let free = session.generate(llm.tokenizer(), &llm.stop_tokens()?, &options)?;
    generated += free.tokens.len();
    let explanation = free.text.split('"').next().unwrap_or_default().trim().to_string();
    // The token that held the closing quote (or the cap) was not fed; the
    // answer continues from the closed string.
    feed_text(llm, &mut session, "\", \"confidence\": \"", &mut generated)?;
    let confidence = choose(llm, &mut session, &CONFIDENCE_CHOICES.map(|c| format!("{c}\"")), &mut generated)?;

    let answer = serde_json::json!({
        "anomaly_score": score.parse::<f64>().expect("a listed score"),
        "anomaly_type": kind.trim_end_matches('"'),
        "explanation": explanation,
        "confidence": confidence.trim_end_matches('"'),
    });
    Ok(ChatReply {
        text: answer.to_string(),
        prompt_tokens: Some(prompt.len()),
        completion_tokens: Some(generated),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Feeds the most likely of `choices` and returns it.
fn choose(
    llm: &LocalLlm,
    session: &mut Session,
    choices: &[String],
    generated: &mut usize,
) -> Result<String, LlmError> {
    let ids = choices.iter().map(|c| llm.tokenizer().encode_text(c)).collect::<Result<Vec<_>, _>>()?;
    let log_probs = session.choice_log_probs(&ids)?;
    let best = (0..choices.len())
        .max_by(|&a, &b| log_probs[a].total_cmp(&log_probs[b]).then(b.cmp(&a)))
        .ok_or_else(|| LlmError::EmptyLabel("(no choices)".into()))?;
    session.feed(&ids[best])?;
    *generated += ids[best].len();
    Ok(choices[best].clone())
}

fn feed_text(llm: &LocalLlm, session: &mut Session, text: &str, generated: &mut usize) -> Result<(), LlmError> {
    let ids = llm.tokenizer().encode_text(text)?;
    *generated += ids.len();
    session.feed(&ids)
}
