//! [`NewsAnomalyDetector`]: headlines in, one verdict per headline out
//! (score, probability, kind, explanation, action): the seed chapter's
//! `NewsAnomalyDetector.analyze_batch`, built from an [`Embedder`], a
//! [`TextAnomalyDetector`] fitted on normal reference headlines and
//! [`KindPrototypes`] that name the style of a flagged one.

use std::collections::HashMap;

use super::detector::{TextAnomalyDetector, TextDetectorConfig, TextScores, is_calibration_index};
use super::embedder::{Embedder, Embeddings, Truncated};
use super::error::TextError;
use super::kind_prototypes::KindPrototypes;
use crate::alert::{Action, AnomalyType, ConfidenceLevel, Evidence, Explanation, NearText, Scored};
use crate::simulate::news_corpus::{self, FamilyLabel};

/// The embeddings of `texts`: from `known` where there, from `embedder` for the rest.
fn embed_known<E: Embedder>(
    embedder: &E,
    texts: &[&str],
    known: &HashMap<&str, &[f32]>,
) -> Result<Embeddings, TextError> {
    let missing: Vec<&str> = texts.iter().copied().filter(|t| !known.contains_key(t)).collect();
    if missing.len() == texts.len() {
        return embedder.embed(texts);
    }
    let fresh = embedder.embed(&missing)?;
    let mut fresh_rows = fresh.rows();
    let mut data = Vec::with_capacity(texts.len() * embedder.dim());
    for text in texts {
        match known.get(text) {
            Some(row) => data.extend_from_slice(row),
            None => data.extend_from_slice(fresh_rows.next().unwrap_or_default()),
        }
    }
    Ok(Embeddings::new(embedder.dim(), data, Vec::new()))
}

/// The texts a [`NewsAnomalyDetector`] learns from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewsReference {
    /// Normal texts: 7 in 10 are fitted, 3 in 10 calibrate
    /// ([`is_calibration_index`]).
    pub normal: Vec<String>,
    /// Labelled anomalous examples, used only to name the kind of a
    /// flagged text (never to decide whether it is flagged).
    pub typed: Vec<(String, AnomalyType)>,
}

impl NewsReference {
    /// The project's own reference: the headlines of the corpus families
    /// that are not held out ([`news_corpus::split_families`]),
    /// `per_family` of each, seeded.
    pub fn from_corpus(seed: u64, per_family: usize) -> Self {
        let (fit, _) = news_corpus::split_families();
        let fitted: Vec<&str> = fit.iter().map(|f| f.name).collect();
        let mut reference = Self::default();
        for headline in news_corpus::generate(seed, per_family) {
            if !fitted.contains(&headline.family) {
                continue;
            }
            match headline.label {
                FamilyLabel::Normal => reference.normal.push(headline.text),
                FamilyLabel::Anomalous(kind) => reference.typed.push((headline.text, kind)),
            }
        }
        reference
    }

    /// This reference with its normal texts replaced by the rows of `file`
    /// not labelled anomalous: a desk's own wire history, say. The typed
    /// examples stay; they only name the kind of a flagged text.
    pub fn with_normal_texts_of(self, file: crate::data::HeadlineFile) -> Self {
        let normal = file.rows.into_iter().filter(|row| row.label != Some(true)).map(|row| row.text).collect();
        Self { normal, typed: self.typed }
    }
}

/// The verdict on one text.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsVerdict {
    /// Raw score, kind and evidence (the alert model's shape).
    pub scored: Scored,
    /// All three distances.
    pub scores: TextScores,
    /// Calibrated probability of the raw score among normal texts.
    pub probability: f64,
    /// The raw score above which a text is flagged.
    pub threshold: f64,
    /// How clearly the threshold was crossed, in [0, 1)
    /// ([`TextAnomalyDetector::confidence`]).
    pub confidence: f64,
    /// Whether the text was flagged.
    pub anomalous: bool,
    /// What to do about it: [`Action::NoActionRequired`] unless flagged,
    /// else from the probability, at least [`Action::StandardMonitoring`].
    pub action: Action,
    /// Set when the text was longer than the model reads.
    pub truncated: Option<Truncated>,
}

impl NewsVerdict {
    /// The kind reported: `normal` unless flagged.
    pub fn kind(&self) -> AnomalyType {
        if self.anomalous { self.scored.kind } else { AnomalyType::Normal }
    }

    /// The confidence as a word.
    pub fn confidence_level(&self) -> ConfidenceLevel {
        ConfidenceLevel::of(self.confidence)
    }

    /// A one-line explanation, formatted when displayed.
    pub fn explanation(&self) -> Explanation<'_> {
        Explanation {
            kind: self.kind(),
            score: self.scored.score,
            threshold: self.threshold,
            evidence: &self.scored.evidence,
        }
    }
}

/// Scores headlines against a reference of normal ones.
#[derive(Debug)]
pub struct NewsAnomalyDetector<E: Embedder> {
    embedder: E,
    detector: TextAnomalyDetector,
    fitted_texts: Vec<String>,
    prototypes: Option<KindPrototypes>,
    neighbours: usize,
}

impl<E: Embedder> NewsAnomalyDetector<E> {
    /// Embeds `reference` and fits the detector (normal texts) and the kind
    /// prototypes (typed examples).
    ///
    /// Repeated normal texts are fitted once: a repeat would be its own
    /// nearest neighbour and pull the envelope towards itself.
    pub fn fit(embedder: E, reference: &NewsReference, config: TextDetectorConfig) -> Result<Self, TextError> {
        Self::fit_with_known(embedder, reference, config, &HashMap::new())
    }

    /// [`NewsAnomalyDetector::fit`], taking the embeddings of texts already
    /// embedded by the same embedder from `known` instead of running the
    /// model on them again.
    pub fn fit_with_known(
        embedder: E,
        reference: &NewsReference,
        config: TextDetectorConfig,
        known: &HashMap<&str, &[f32]>,
    ) -> Result<Self, TextError> {
        let mut seen = std::collections::HashSet::new();
        let normal: Vec<&String> = reference.normal.iter().filter(|t| seen.insert(t.as_str())).collect();
        let texts: Vec<&str> = normal.iter().map(|t| t.as_str()).collect();
        let embedded = embed_known(&embedder, &texts, known)?;
        let (mut fit_rows, mut calibration_rows, mut fitted_texts) = (Vec::new(), Vec::new(), Vec::new());
        for (index, row) in embedded.rows().enumerate() {
            if is_calibration_index(index) {
                calibration_rows.extend_from_slice(row);
            } else {
                fit_rows.extend_from_slice(row);
                fitted_texts.push(normal[index].clone());
            }
        }
        let dim = embedder.dim();
        let fit = Embeddings::new(dim, fit_rows, Vec::new());
        let calibration = Embeddings::new(dim, calibration_rows, Vec::new());
        let detector = TextAnomalyDetector::fit(fit, &calibration, config)?;
        let prototypes = if reference.typed.is_empty() {
            None
        } else {
            let typed: Vec<&str> = reference.typed.iter().map(|(t, _)| t.as_str()).collect();
            let kinds: Vec<AnomalyType> = reference.typed.iter().map(|(_, k)| *k).collect();
            Some(KindPrototypes::fit(&embed_known(&embedder, &typed, known)?, &kinds)?)
        };
        Ok(Self { embedder, detector, fitted_texts, prototypes, neighbours: 3 })
    }

    /// The fitted text detector.
    pub fn detector(&self) -> &TextAnomalyDetector {
        &self.detector
    }

    /// The embedder.
    pub fn embedder(&self) -> &E {
        &self.embedder
    }

    /// The kind a flagged text is reported as: the nearest typed example's
    /// kind, or [`AnomalyType::UnusualText`] without typed examples.
    pub fn kind_of(&self, row: &[f32]) -> AnomalyType {
        self.prototypes.as_ref().and_then(|p| p.nearest(row)).map_or(AnomalyType::UnusualText, |near| near.kind)
    }

    /// The verdicts on `texts`, in order.
    pub fn analyze_batch(&self, texts: &[&str]) -> Result<Vec<NewsVerdict>, TextError> {
        let embedded = self.embedder.embed(texts)?;
        self.verdicts(&embedded)
    }

    /// The verdicts on texts already embedded by this detector's embedder.
    pub fn verdicts(&self, embedded: &Embeddings) -> Result<Vec<NewsVerdict>, TextError> {
        let mut truncated = embedded.truncated.iter().peekable();
        let mut out = Vec::with_capacity(embedded.len());
        for (index, row) in embedded.rows().enumerate() {
            let cut = truncated.next_if(|t| t.index == index).copied();
            out.push(self.verdict(row, cut)?);
        }
        Ok(out)
    }

    fn verdict(&self, row: &[f32], truncated: Option<Truncated>) -> Result<NewsVerdict, TextError> {
        let scores = self.detector.scores(row)?;
        let method = self.detector.config().method;
        let score = scores.get(method);
        let probability = self.detector.probability(score);
        let anomalous = self.detector.is_anomalous(score);
        let resembles = if anomalous { self.prototypes.as_ref().and_then(|p| p.nearest(row)) } else { None };
        let kind = resembles.map_or(AnomalyType::UnusualText, |near| near.kind);
        let nearest_normal = self
            .detector
            .nearest(row, self.neighbours)
            .into_iter()
            .map(|n| NearText { text: self.fitted_texts[n.index].clone(), similarity: n.similarity })
            .collect();
        let evidence = Evidence::Text {
            method: method.as_str().into(),
            mahalanobis: scores.mahalanobis,
            knn: scores.knn,
            centroid: scores.centroid,
            nearest_normal,
            resembles,
        };
        Ok(NewsVerdict {
            scored: Scored::new(score, kind, evidence),
            scores,
            probability,
            threshold: self.detector.threshold(),
            confidence: self.detector.confidence(score),
            anomalous,
            // A flagged text is at least watched; an unflagged one needs nothing.
            action: if anomalous {
                Action::from_probability(probability).max(Action::StandardMonitoring)
            } else {
                Action::NoActionRequired
            },
            truncated,
        })
    }
}
