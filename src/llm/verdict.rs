//! A model's verdict on market data, and the strict parser that reads it.
//!
//! The verdict is read from one place only: the whole answer must be one
//! JSON object (a single Markdown code fence around it is tolerated) with
//! exactly the four asked-for fields. Text before or after it, a second
//! object, a missing, duplicated or unknown field, a score outside [0, 1],
//! an unknown type or confidence: each is a typed [`VerdictError`], never a
//! guessed score.

use serde::{Deserialize, Serialize};

use crate::alert::{AnomalyType, ConfidenceLevel};

/// What a model said about one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// 0.0 (normal) to 1.0 (highly anomalous), as the model gave it.
    pub anomaly_score: f64,
    /// The kind the model named.
    pub anomaly_type: AnomalyType,
    /// The model's one-line reason.
    pub explanation: String,
    /// The model's own confidence.
    pub confidence: ConfidenceLevel,
}

/// Why an answer is not a usable verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerdictError {
    /// The answer is empty.
    #[error("the answer is empty")]
    Empty,
    /// The answer is not one JSON object.
    #[error("the answer is not one JSON object ({problem}): {excerpt:?}")]
    NotJson {
        /// What the JSON parser said.
        problem: String,
        /// The start of the answer.
        excerpt: String,
    },
    /// A field is missing.
    #[error("the verdict has no `{field}`")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong JSON type or an impossible value.
    #[error("the verdict's `{field}` is {value}: {expected}")]
    BadField {
        /// The field.
        field: &'static str,
        /// The value as JSON.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
}

/// The fields as they arrive; serde rejects unknown and duplicated keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVerdict {
    anomaly_score: Option<serde_json::Value>,
    anomaly_type: Option<serde_json::Value>,
    explanation: Option<serde_json::Value>,
    confidence: Option<serde_json::Value>,
}

/// The kinds a verdict may name, for the prompt.
pub fn verdict_type_names() -> Vec<&'static str> {
    AnomalyType::ALL.iter().map(|kind| kind.name()).collect()
}

/// Parses `answer` as a verdict, strictly.
pub fn parse_verdict(answer: &str) -> Result<Verdict, VerdictError> {
    let body = strip_fence(answer.trim());
    if body.is_empty() {
        return Err(VerdictError::Empty);
    }
    let excerpt = || body.chars().take(120).collect::<String>();
    if !body.starts_with('{') {
        return Err(VerdictError::NotJson { problem: "it does not start with `{`".into(), excerpt: excerpt() });
    }
    let raw: RawVerdict =
        serde_json::from_str(body).map_err(|e| VerdictError::NotJson { problem: e.to_string(), excerpt: excerpt() })?;
    let score = raw.anomaly_score.ok_or(VerdictError::MissingField { field: "anomaly_score" })?;
    let anomaly_score = match score.as_f64() {
        Some(x) if (0.0..=1.0).contains(&x) => x,
        _ => {
            return Err(VerdictError::BadField {
                field: "anomaly_score",
                value: score.to_string(),
                expected: "a number from 0.0 to 1.0",
            });
        }
    };
    let kind = raw.anomaly_type.ok_or(VerdictError::MissingField { field: "anomaly_type" })?;
    let anomaly_type = kind.as_str().and_then(kind_from_name).ok_or_else(|| VerdictError::BadField {
        field: "anomaly_type",
        value: kind.to_string(),
        expected: "one of the kinds the prompt lists",
    })?;
    let explanation = raw.explanation.ok_or(VerdictError::MissingField { field: "explanation" })?;
    let explanation = match explanation.as_str() {
        Some(text) if !text.trim().is_empty() => text.trim().to_string(),
        _ => {
            return Err(VerdictError::BadField {
                field: "explanation",
                value: explanation.to_string(),
                expected: "a non-empty string",
            });
        }
    };
    let level = raw.confidence.ok_or(VerdictError::MissingField { field: "confidence" })?;
    let confidence = match level.as_str().map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("low") => ConfidenceLevel::Low,
        Some("medium") => ConfidenceLevel::Medium,
        Some("high") => ConfidenceLevel::High,
        _ => {
            return Err(VerdictError::BadField {
                field: "confidence",
                value: level.to_string(),
                expected: "\"low\", \"medium\" or \"high\"",
            });
        }
    };
    Ok(Verdict { anomaly_score, anomaly_type, explanation, confidence })
}

/// The kind named `name`, ignoring case and reading spaces and hyphens as
/// underscores (`"Pump spam"` is `pump_spam`).
pub fn kind_from_name(name: &str) -> Option<AnomalyType> {
    let wanted: String =
        name.trim().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect();
    AnomalyType::ALL.into_iter().find(|kind| kind.name() == wanted)
}

/// The inside of one Markdown code fence that wraps the whole answer.
fn strip_fence(answer: &str) -> &str {
    let Some(rest) = answer.strip_prefix("```") else { return answer };
    let Some(inner) = rest.strip_suffix("```") else { return answer };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"anomaly_score": 0.9, "anomaly_type": "pump_spam", "explanation": "Promises returns.", "confidence": "high"}"#;

    #[test]
    fn a_complete_verdict_parses() {
        let verdict = parse_verdict(GOOD).unwrap();
        assert_eq!(verdict.anomaly_score, 0.9);
        assert_eq!(verdict.anomaly_type, AnomalyType::PumpSpam);
        assert_eq!(verdict.confidence, ConfidenceLevel::High);
        assert_eq!(parse_verdict(&format!("```json\n{GOOD}\n```")).unwrap(), verdict);
    }

    #[test]
    fn anything_but_the_four_fields_is_refused() {
        let cases = [
            ("", "empty"),
            ("The score is 0.9", "not start"),
            (&format!("{GOOD} and more"), "trailing"),
            (&format!("Sure! {GOOD}"), "not start"),
            (
                r#"{"anomaly_score": 0.9, "anomaly_score": 0.1, "anomaly_type": "normal", "explanation": "x", "confidence": "low"}"#,
                "duplicate",
            ),
            (
                r#"{"anomaly_score": 0.9, "anomaly_type": "normal", "explanation": "x", "confidence": "low", "note": 1}"#,
                "unknown field",
            ),
            (r#"{"anomaly_type": "normal", "explanation": "x", "confidence": "low"}"#, "no `anomaly_score`"),
            (r#"{"anomaly_score": 1.5, "anomaly_type": "normal", "explanation": "x", "confidence": "low"}"#, "1.5"),
            (
                r#"{"anomaly_score": "0.9", "anomaly_type": "normal", "explanation": "x", "confidence": "low"}"#,
                "\"0.9\"",
            ),
            (
                r#"{"anomaly_score": 0.2, "anomaly_type": "UNUSUAL_ACTIVITY", "explanation": "x", "confidence": "low"}"#,
                "UNUSUAL_ACTIVITY",
            ),
            (
                r#"{"anomaly_score": 0.2, "anomaly_type": "normal", "explanation": " ", "confidence": "low"}"#,
                "explanation",
            ),
            (r#"{"anomaly_score": 0.2, "anomaly_type": "normal", "explanation": "x", "confidence": "very"}"#, "very"),
        ];
        for (answer, says) in cases {
            let error = parse_verdict(answer).expect_err(answer).to_string();
            assert!(error.contains(says), "{answer:?} gave {error:?}, expected it to mention {says:?}");
        }
    }

    #[test]
    fn kinds_are_read_loosely_but_must_exist() {
        assert_eq!(kind_from_name("Pump spam"), Some(AnomalyType::PumpSpam));
        assert_eq!(kind_from_name("PROMPT-INJECTION"), Some(AnomalyType::PromptInjection));
        assert_eq!(kind_from_name("insider"), None);
    }
}
