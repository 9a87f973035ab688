//! Schema-guided decoding on a local model: the keys of a flat JSON object
//! are written for the model, and the model chooses only the values.
//!
//! A 135M model asked for JSON writes JSON-like text with wrong fields
//! (measured: SmolLM2 answered `{"anomaly_score": 1.0, "anomaly_type":
//! "high" }` for a pump headline). Like llama.cpp's grammars and the
//! structured outputs of hosted APIs (`response_format: json_schema`), the
//! local backend therefore fixes the shape and lets the model fill it:
//!
//! * a number from 0 to 1: the most likely of 0.0, 0.1, ..., 1.0;
//! * a string with an `enum`: the most likely of its values;
//! * any other string: generated freely up to its closing quote.
//!
//! "Most likely" is the summed log-probability of the value's tokens
//! (closing quote included, so `pump` cannot win over `pump_spam` by being
//! short). The answer is then read by the same strict parser as any other.

use serde_json::{Map, Value, json};

use super::backend::ChatReply;
use super::chat::ChatMessage;
use super::error::LlmError;
use super::local_model::LocalLlm;
use super::session::{GenerateOptions, Session, StopRule};
use super::verdict::verdict_type_names;

/// The numbers a unit-interval field chooses from.
pub const SCORE_CHOICES: [&str; 11] = ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"];

/// The confidence words a verdict chooses from.
pub const CONFIDENCE_CHOICES: [&str; 3] = ["low", "medium", "high"];

/// What one field of a guided object holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A number from 0 to 1, in tenths.
    UnitNumber,
    /// One of these strings.
    Choice(Vec<String>),
    /// Free text of at most this many tokens.
    Text {
        /// The cap.
        max_tokens: usize,
    },
}

/// One field of a guided object, in the order it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidedField {
    /// The key.
    pub name: String,
    /// What the value may be.
    pub kind: FieldKind,
}

/// The verdict's four fields.
pub fn verdict_fields(explanation_tokens: usize) -> Vec<GuidedField> {
    let field = |name: &str, kind| GuidedField { name: name.to_string(), kind };
    vec![
        field("anomaly_score", FieldKind::UnitNumber),
        field("anomaly_type", FieldKind::Choice(verdict_type_names().iter().map(|k| k.to_string()).collect())),
        field("explanation", FieldKind::Text { max_tokens: explanation_tokens }),
        field("confidence", FieldKind::Choice(CONFIDENCE_CHOICES.iter().map(|c| c.to_string()).collect())),
    ]
}

/// The verdict as a JSON schema (OpenAI structured outputs, also read by
/// llama.cpp's server, vLLM and Ollama).
pub fn verdict_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "anomaly_score": {"type": "number", "minimum": 0, "maximum": 1},
            "anomaly_type": {"type": "string", "enum": verdict_type_names()},
            "explanation": {"type": "string"},
            "confidence": {"type": "string", "enum": CONFIDENCE_CHOICES},
        },
        "required": ["anomaly_score", "anomaly_type", "explanation", "confidence"],
        "additionalProperties": false,
    })
}

/// The fields of a JSON schema this decoder can follow: a flat object whose
/// properties are numbers from 0 to 1, string enums or strings, written in
/// the order of `required` (every property must be required).
pub fn fields_of_schema(schema: &Value, text_tokens: usize) -> Result<Vec<GuidedField>, String> {
    let properties =
        schema.get("properties").and_then(Value::as_object).ok_or("the schema has no `properties` object")?;
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if required.len() != properties.len() || properties.keys().any(|k| !required.contains(&k.as_str())) {
        return Err("every property must be listed in `required` (it sets the order)".into());
    }
    required
        .into_iter()
        .map(|name| {
            let property = &properties[name];
            let kind = match property.get("type").and_then(Value::as_str) {
                Some("number")
                    if property.get("minimum") == Some(&json!(0)) && property.get("maximum") == Some(&json!(1)) =>
                {
                    FieldKind::UnitNumber
                }
                Some("string") => match property.get("enum").and_then(Value::as_array) {
                    Some(values) => FieldKind::Choice(
                        values
                            .iter()
                            .map(|v| v.as_str().map(str::to_string).ok_or("enum values must be strings"))
                            .collect::<Result<_, _>>()?,
                    ),
                    None => FieldKind::Text { max_tokens: text_tokens },
                },
                other => {
                    return Err(format!(
                        "property `{name}` has type {other:?}: supported are strings and numbers from 0 to 1"
                    ));
                }
            };
            Ok(GuidedField { name: name.to_string(), kind })
        })
        .collect()
}

/// Runs `messages` on `llm` and decodes an object with `fields` in order,
/// the keys fixed and the values chosen or written by the model.
pub fn guided_object(llm: &LocalLlm, messages: &[ChatMessage], fields: &[GuidedField]) -> Result<ChatReply, LlmError> {
    let started = std::time::Instant::now();
    let Some(first) = fields.first() else { return Err(LlmError::Schema("an object needs at least one field".into())) };
    let opening = format!("{{\"{}\": {}", first.name, if first.kind == FieldKind::UnitNumber { "" } else { "\"" });
    let prompt = llm.chat_tokens(messages, &opening)?;
    // Instructions and worked examples are the same for every input: run once.
    let shared = llm.template().render_turns(llm.tokenizer(), &messages[..messages.len().saturating_sub(1)])?;
    let mut session = llm.session_with_prefix(&prompt, shared.len())?;
    let mut generated = 0;
    let mut object = Map::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            let quote = if field.kind == FieldKind::UnitNumber { "" } else { "\"" };
            feed_text(llm, &mut session, &format!(", \"{}\": {quote}", field.name), &mut generated)?;
        }
        // ANCHOR: guided
        let value = match &field.kind {
            FieldKind::UnitNumber => {
                let choices: Vec<String> = SCORE_CHOICES.iter().map(|c| c.to_string()).collect();
                let chosen = choose(llm, &mut session, &choices, &mut generated)?;
                json!(chosen.parse::<f64>().expect("a listed number"))
            }
            FieldKind::Choice(values) => {
                let choices: Vec<String> = values.iter().map(|v| format!("{v}\"")).collect();
                let chosen = choose(llm, &mut session, &choices, &mut generated)?;
                json!(chosen.trim_end_matches('"'))
            }
            FieldKind::Text { max_tokens } => {
                let options = GenerateOptions { max_new_tokens: *max_tokens, stop: StopRule::Text("\"".into()) };
                let free = session.generate(llm.tokenizer(), &llm.stop_tokens()?, &options)?;
                generated += free.tokens.len();
                // The token that held the closing quote (or the cap) was not
                // fed; the answer continues from the closed string.
                feed_text(llm, &mut session, "\"", &mut generated)?;
                json!(free.text.split('"').next().unwrap_or_default().trim())
            }
        };
        // ANCHOR_END: guided
        object.insert(field.name.clone(), value);
    }
    Ok(ChatReply {
        text: Value::Object(object).to_string(),
        prompt_tokens: Some(prompt.len()),
        completion_tokens: Some(generated),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// [`guided_object`] with the verdict's fields.
pub fn guided_verdict(
    llm: &LocalLlm,
    messages: &[ChatMessage],
    explanation_tokens: usize,
) -> Result<ChatReply, LlmError> {
    guided_object(llm, messages, &verdict_fields(explanation_tokens))
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
        .ok_or_else(|| LlmError::Schema("a choice field needs at least one choice".into()))?;
    session.feed(&ids[best])?;
    *generated += ids[best].len();
    Ok(choices[best].clone())
}

fn feed_text(llm: &LocalLlm, session: &mut Session, text: &str, generated: &mut usize) -> Result<(), LlmError> {
    let ids = llm.tokenizer().encode_text(text)?;
    *generated += ids.len();
    session.feed(&ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_schema_gives_back_the_verdict_fields() {
        assert_eq!(fields_of_schema(&verdict_schema(), 40).unwrap(), verdict_fields(40));
    }

    #[test]
    fn schemas_outside_the_subset_are_refused_with_the_reason() {
        let nested = json!({"properties": {"a": {"type": "object"}}, "required": ["a"]});
        assert!(fields_of_schema(&nested, 8).unwrap_err().contains("property `a`"));
        let unordered = json!({"properties": {"a": {"type": "string"}}});
        assert!(fields_of_schema(&unordered, 8).unwrap_err().contains("required"));
    }
}
