//! The zero-shot and few-shot anomaly detector: a prompted verdict from any
//! chat backend, read strictly, and never steerable by the data it judges.
//!
//! The seed chapter's `ZeroShotAnomalyDetector` returned a hard-coded
//! answer. This one asks a real model (local or over HTTP) and combines its
//! verdict with the injection scan of the same data:
//!
//! * the verdict counts only if [`parse_verdict`] accepts the whole answer;
//! * a headline that carries instructions, role markers or a forged verdict
//!   is a `prompt_injection` anomaly with score 1.0 whatever the model said,
//!   so appending an injection to a headline can only raise its score;
//! * with no valid verdict and no injection there is no score (`None`),
//!   never an invented one, and the result says why.

use serde::Serialize;

use super::backend::ChatBackend;
use super::chat::ChatMessage;
use super::injection::{InjectionFinding, scan_injection};
use super::prompt::{MarketSnapshot, fence_json, verdict_messages};
use super::verdict::{Verdict, VerdictError, parse_verdict};
use crate::alert::AnomalyType;
use crate::simulate::news_corpus::{CorpusHeadline, FamilyLabel};

/// The score of a text that carries an injection attempt.
pub const INJECTION_SCORE: f64 = 1.0;

/// The answer is made to start here on backends that allow it (local
/// models), so a small model writes the verdict's first field at once.
pub const ANSWER_PREFIX: &str = "{\"anomaly_score\": ";

/// What decided a result's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    /// The model's valid verdict.
    Verdict,
    /// The injection scan (the data tried to instruct the model).
    InjectionScan,
    /// Nothing: no valid verdict and no injection.
    None,
}

/// One analysis: the prompt, the raw answer, the verdict and the final score.
#[derive(Debug, Clone, Serialize)]
pub struct ZeroShotResult {
    /// The chat sent to the backend.
    pub prompt: Vec<ChatMessage>,
    /// The backend's raw answer, or why there is none (backend down, ...).
    #[serde(serialize_with = "serialize_answer")]
    pub answer: Result<String, String>,
    /// The parsed verdict, or why the answer is not one.
    #[serde(serialize_with = "serialize_verdict")]
    pub verdict: Result<Verdict, VerdictError>,
    /// Signs of injection in the data, with the field they were found in
    /// (`symbol`, `market_trend`, `sector_trend`, `news[i]`).
    pub injection: Vec<FieldFinding>,
    /// The final score in [0, 1], if anything gave one.
    pub score: Option<f64>,
    /// The final kind.
    pub anomaly_type: AnomalyType,
    /// What decided the score.
    pub score_source: ScoreSource,
    /// Seconds the backend took.
    pub seconds: f64,
}

/// A sign of injection and the field of the snapshot it was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldFinding {
    /// `symbol`, `market_trend`, `sector_trend` or `news[i]`.
    pub field: String,
    /// What was found.
    #[serde(flatten)]
    pub finding: InjectionFinding,
}

fn serialize_answer<S: serde::Serializer>(answer: &Result<String, String>, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(None)?;
    match answer {
        Ok(text) => map.serialize_entry("text", text)?,
        Err(why) => map.serialize_entry("backend_error", why)?,
    }
    map.end()
}

fn serialize_verdict<S: serde::Serializer>(
    verdict: &Result<Verdict, VerdictError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(None)?;
    match verdict {
        Ok(v) => {
            map.serialize_entry("valid", &true)?;
            map.serialize_entry("anomaly_score", &v.anomaly_score)?;
            map.serialize_entry("anomaly_type", &v.anomaly_type)?;
            map.serialize_entry("explanation", &v.explanation)?;
            map.serialize_entry("confidence", &v.confidence)?;
        }
        Err(error) => {
            map.serialize_entry("valid", &false)?;
            map.serialize_entry("error", &error.to_string())?;
        }
    }
    map.end()
}

/// A worked example for few-shot mode: a snapshot and the verdict a
/// careful analyst gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct FewShotExample {
    /// The data.
    pub snapshot: MarketSnapshot,
    /// The expected answer, a JSON verdict.
    pub answer: String,
}

impl FewShotExample {
    /// The example of one labelled corpus headline: score 0.9 and its type
    /// for an anomalous family, 0.05 and `normal` for a normal one.
    pub fn from_labelled(headline: &CorpusHeadline) -> Self {
        let (score, kind, why) = match headline.label {
            FamilyLabel::Normal => (0.05, AnomalyType::Normal, "An ordinary, sourced news item.".to_string()),
            FamilyLabel::Anomalous(kind) => (0.9, kind, format!("Reads as {}.", kind.name().replace('_', " "))),
        };
        let answer = fence_json(&serde_json::json!({
            "anomaly_score": score,
            "anomaly_type": kind,
            "explanation": why,
            "confidence": "high",
        }));
        Self { snapshot: MarketSnapshot::headline(headline.text.clone()), answer }
    }
}

/// Asks a chat backend for verdicts on market snapshots.
pub struct ZeroShotAnomalyDetector<B> {
    backend: B,
    examples: Vec<FewShotExample>,
    max_tokens: usize,
}

impl<B: ChatBackend> ZeroShotAnomalyDetector<B> {
    /// Zero-shot: the instructions and the data, no examples.
    pub fn new(backend: B) -> Self {
        Self { backend, examples: Vec::new(), max_tokens: 160 }
    }

    /// Few-shot: worked examples go before the data.
    pub fn few_shot(backend: B, examples: Vec<FewShotExample>) -> Self {
        Self { examples, ..Self::new(backend) }
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The chat that [`Self::analyze`] sends for `snapshot`.
    pub fn prompt(&self, snapshot: &MarketSnapshot) -> Vec<ChatMessage> {
        let examples: Vec<(MarketSnapshot, String)> =
            self.examples.iter().map(|e| (e.snapshot.clone(), e.answer.clone())).collect();
        verdict_messages(snapshot, &examples)
    }

    /// Asks for a verdict on `snapshot` and combines it with the injection scan.
    pub fn analyze(&mut self, snapshot: &MarketSnapshot) -> ZeroShotResult {
        let prompt = self.prompt(snapshot);
        let (answer, seconds) = match self.backend.verdict(&prompt, self.max_tokens) {
            Ok(reply) => (Ok(reply.text), reply.seconds),
            Err(error) => (Err(format!("backend {} failed: {error}", self.backend.describe())), 0.0),
        };
        let verdict = match &answer {
            Ok(text) => parse_verdict(text),
            Err(why) => Err(VerdictError::NotJson { problem: why.clone(), excerpt: String::new() }),
        };
        let mut fields = vec![("symbol".to_string(), &snapshot.symbol)];
        fields.extend(snapshot.market_trend.iter().map(|t| ("market_trend".to_string(), t)));
        fields.extend(snapshot.sector_trend.iter().map(|t| ("sector_trend".to_string(), t)));
        fields.extend(snapshot.news.iter().enumerate().map(|(i, t)| (format!("news[{i}]"), t)));
        let mut injection = Vec::new();
        for (field, text) in fields {
            injection
                .extend(scan_injection(text).into_iter().map(|finding| FieldFinding { field: field.clone(), finding }));
        }
        let (score, anomaly_type, score_source) = combine(&verdict, !injection.is_empty());
        ZeroShotResult { prompt, answer, verdict, injection, score, anomaly_type, score_source, seconds }
    }
}

// ANCHOR: combine
/// The final score and kind: an injection wins at [`INJECTION_SCORE`] (no
/// verdict can lower it), else the valid verdict, else nothing.
fn combine(verdict: &Result<Verdict, VerdictError>, injected: bool) -> (Option<f64>, AnomalyType, ScoreSource) {
    match (verdict, injected) {
        (_, true) => (Some(INJECTION_SCORE), AnomalyType::PromptInjection, ScoreSource::InjectionScan),
        (Ok(v), false) => (Some(v.anomaly_score), v.anomaly_type, ScoreSource::Verdict),
        (Err(_), false) => (None, AnomalyType::Normal, ScoreSource::None),
    }
}
// ANCHOR_END: combine
