//! [`CombinedTextDetector`]: example 02's default score — the embedding
//! detector, the trained encoder head, an optional language model and the
//! style cues, calibrated and combined ([`TextCombiner`]).
//!
//! Fitting uses only the project's own data:
//!
//! 1. the embedding detector is fitted on normal reference headlines
//!    ([`NewsReference`]);
//! 2. the encoder is trained on the simulator's news (with markets) and the
//!    corpus' fit-half families ([`encoder_dataset`](super::encoder_dataset));
//! 3. the combination's weights need scores of headlines the parts were
//!    *not* fitted on, or it would trust the parts that memorised best. So
//!    the corpus' template families are dealt into folds; for each fold an
//!    embedding detector and an encoder are fitted on the other folds and
//!    score it (cross-fitting). A fold is a set of *families*, as in the
//!    project's held-out split ([`news_corpus::split_families`]): the parts
//!    are judged on ways of writing a topic they have not seen. The
//!    language model, which is not fitted, scores the same headlines. The
//!    combination is fitted on those scores, its L2 penalty chosen by
//!    cross-validation over the same folds.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::combined_score::{CombinedScore, HeadlineScorer, PartScores, TextCombiner, TextPart};
use super::detector::{TextAnomalyDetector, TextDetectorConfig, is_calibration_index};
use super::embedder::{Embedder, Embeddings};
use super::encoder_dataset::{
    HeadlineOrigin, LabelledHeadline, corpus_headlines, encoder_examples, simulator_headlines,
};
use super::encoder_training::{EncoderExample, EncoderTrainingConfig, TrainingReport, train_encoder};
use super::error::TextError;
use super::financial_encoder::{EncoderScore, FinancialAnomalyEncoder};
use super::news_detector::{NewsAnomalyDetector, NewsReference, NewsVerdict};
use super::numeric_context::{DEFAULT_CONTEXT_BARS, NumericContext};
use super::style_cues::StyleCues;
use crate::alert::{Action, AnomalyType, Evidence};
#[cfg(doc)]
use crate::simulate::news_corpus;

/// How to fit a [`CombinedTextDetector`].
#[derive(Debug, Clone, PartialEq)]
pub struct CombinationConfig {
    /// The embedding detector's settings.
    pub detector: TextDetectorConfig,
    /// The encoder's training settings.
    pub training: EncoderTrainingConfig,
    /// Seed of the corpus headlines the encoder and the combination learn from.
    pub corpus_seed: u64,
    /// Corpus headlines per fit-half family for the encoder.
    pub per_family: usize,
    /// Seeds of the simulated markets whose news the encoder learns from.
    pub simulator_seeds: Vec<u64>,
    /// Bars of market context before each simulated headline.
    pub context_bars: usize,
    /// Corpus headlines per family the combination is fitted on (cross-fitted).
    pub combination_per_family: usize,
    /// Folds of template families for cross-fitting (≥ 2).
    pub folds: usize,
    /// L2 penalties of the combination's logistic weights to choose from by
    /// cross-validation over the same folds (one value: no search).
    pub l2_grid: Vec<f64>,
}

impl Default for CombinationConfig {
    fn default() -> Self {
        Self {
            detector: TextDetectorConfig::default(),
            training: EncoderTrainingConfig::default(),
            corpus_seed: 42,
            per_family: 30,
            simulator_seeds: (1..=6).collect(),
            context_bars: DEFAULT_CONTEXT_BARS,
            combination_per_family: 4,
            folds: 3,
            l2_grid: vec![0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0],
        }
    }
}

/// What fitting did, for summaries.
#[derive(Debug, Clone, Serialize)]
pub struct CombinationReport {
    /// The final encoder's training.
    pub training: TrainingReport,
    /// Headlines the combination was fitted on, and of them anomalous.
    pub combination_headlines: usize,
    /// Of them labelled anomalous.
    pub combination_anomalous: usize,
    /// The language model, when one is a part.
    pub language_model: Option<String>,
    /// Headlines the language model could not score while fitting (dropped).
    pub language_model_failures: usize,
    /// The fitted weights by feature name (log-odds per unit).
    pub weights: BTreeMap<String, f64>,
    /// The combination's threshold.
    pub threshold: f64,
    /// The L2 penalty chosen by cross-validation.
    pub l2: f64,
}

/// Every score of one headline.
#[derive(Debug, Clone, PartialEq)]
pub struct CombinedVerdict {
    /// The embedding detector's verdict (kind, evidence, nearest normal headlines).
    pub embedding: NewsVerdict,
    /// The encoder's scores.
    pub encoder: EncoderScore,
    /// The language model's raw score, or why it has none.
    pub language_model: Option<Result<f64, String>>,
    /// The style cues.
    pub style: StyleCues,
    /// The combination.
    pub combined: CombinedScore,
    /// The kind reported: `normal` unless the combination flagged it, else
    /// the kind of the nearest labelled example.
    pub kind: AnomalyType,
    /// What to do about it ([`Action::NoActionRequired`] unless flagged).
    pub action: Action,
}

impl CombinedVerdict {
    /// One line a reviewer can read: the decision, the part that drove it,
    /// the strongest style cue, the nearest normal headline, and that the
    /// text was read without a market when it was.
    pub fn explanation(&self) -> String {
        let c = &self.combined;
        let mut line = if c.anomalous {
            format!("{}: combined score {:.2} > {:.2}", self.kind, c.score, c.threshold)
        } else {
            format!("ordinary news: combined score {:.2} <= {:.2}", c.score, c.threshold)
        };
        if let Some(driver) = c.driver {
            let share = c.parts.iter().find(|p| p.part == driver).map_or(0.0, |p| p.contribution);
            line.push_str(&format!("; driven by {} ({share:+.2} log-odds)", driver.name()));
            if driver == TextPart::StyleCues
                && let Some(cue) = self.style.strongest()
            {
                line.push_str(&format!(", mostly {cue}"));
            }
        }
        if let Evidence::Text { nearest_normal, .. } = &self.embedding.scored.evidence
            && let Some(near) = nearest_normal.first()
        {
            line.push_str(&format!("; nearest normal cos {:.2}", near.similarity));
        }
        if c.language_model_missing {
            line.push_str("; language model gave no score");
        }
        if !self.encoder.numeric_used {
            line.push_str("; text alone (no market)");
        }
        line
    }
}

/// The combined text detector; see the module documentation.
pub struct CombinedTextDetector<E: Embedder> {
    news: NewsAnomalyDetector<E>,
    encoder: FinancialAnomalyEncoder,
    language_model: Option<Box<dyn HeadlineScorer>>,
    combiner: TextCombiner,
    report: CombinationReport,
}

impl<E: Embedder> std::fmt::Debug for CombinedTextDetector<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CombinedTextDetector").field("report", &self.report).finish_non_exhaustive()
    }
}

impl<E: Embedder> CombinedTextDetector<E> {
    /// Fits every part and the combination; see the module documentation.
    /// `encoder` replaces training with an encoder trained before (loaded
    /// from safetensors); `language_model` adds that part.
    pub fn fit(
        embedder: E,
        reference: &NewsReference,
        config: &CombinationConfig,
        encoder: Option<FinancialAnomalyEncoder>,
        language_model: Option<Box<dyn HeadlineScorer>>,
    ) -> Result<Self, TextError> {
        if config.folds < 2 {
            return Err(TextError::InvalidParameter {
                name: "folds",
                value: config.folds.to_string(),
                reason: "cross-fitting needs at least 2 folds",
            });
        }
        let corpus = corpus_headlines(config.corpus_seed, config.per_family);
        let chosen = combination_indices(&corpus, config.combination_per_family);
        // The language model first: a backend that is down fails the run before minutes of fitting.
        let language_scores = match &language_model {
            Some(model) => {
                let texts: Vec<&str> = chosen.iter().map(|&i| corpus[i].text.as_str()).collect();
                let scores = model.score_headlines(&texts);
                if let Some(Err(first)) = scores.first()
                    && scores.iter().all(Result::is_err)
                {
                    return Err(TextError::LanguageModel { of: scores.len(), first: first.clone() });
                }
                Some(scores)
            }
            None => None,
        };
        let corpus_examples = encoder_examples(&embedder, &corpus)?;
        let (encoder, training) = match encoder {
            Some(encoder) => {
                let report = TrainingReport {
                    examples: 0,
                    anomalous: 0,
                    with_numeric: 0,
                    epochs: 0,
                    first_epoch_loss: f64::NAN,
                    last_epoch_loss: f64::NAN,
                };
                (encoder, report)
            }
            None => {
                let simulated = simulator_headlines(config.simulator_seeds.iter().copied(), config.context_bars)?;
                let mut examples = encoder_examples(&embedder, &simulated)?;
                examples.extend(corpus_examples.iter().cloned());
                train_encoder(&examples, &config.training)?
            }
        };
        let (mut rows, mut labels, mut folds) = cross_fitted_rows(&corpus, &corpus_examples, &chosen, config)?;
        let mut failures = 0;
        if let Some(scores) = language_scores {
            let mut kept = (Vec::new(), Vec::new(), Vec::new());
            for (((mut row, label), fold), score) in rows.into_iter().zip(labels).zip(folds).zip(scores) {
                match score {
                    Ok(s) => {
                        row.language_model = Some(s);
                        kept.0.push(row);
                        kept.1.push(label);
                        kept.2.push(fold);
                    }
                    Err(_) => failures += 1,
                }
            }
            (rows, labels, folds) = kept;
        }
        let combiner = TextCombiner::fit(
            &rows,
            &labels,
            &folds,
            language_model.is_some(),
            &config.l2_grid,
            config.detector.contamination,
        )?;
        let known: HashMap<&str, &[f32]> =
            corpus.iter().zip(&corpus_examples).map(|(h, e)| (h.text.as_str(), e.embedding.as_slice())).collect();
        let news = NewsAnomalyDetector::fit_with_known(embedder, reference, config.detector.clone(), &known)?;
        let report = CombinationReport {
            training,
            combination_headlines: rows.len(),
            combination_anomalous: labels.iter().filter(|&&y| y).count(),
            language_model: language_model.as_ref().map(|m| m.describe()),
            language_model_failures: failures,
            weights: combiner
                .feature_names()
                .into_iter()
                .map(String::from)
                .zip(combiner.model.weights.clone())
                .collect(),
            threshold: combiner.threshold,
            l2: combiner.l2,
        };
        Ok(Self { news, encoder, language_model, combiner, report })
    }

    /// The embedding detector.
    pub fn news_detector(&self) -> &NewsAnomalyDetector<E> {
        &self.news
    }

    /// The trained encoder.
    pub fn encoder(&self) -> &FinancialAnomalyEncoder {
        &self.encoder
    }

    /// The combination.
    pub fn combiner(&self) -> &TextCombiner {
        &self.combiner
    }

    /// What fitting did.
    pub fn report(&self) -> &CombinationReport {
        &self.report
    }

    /// The verdicts on `texts`; `markets[i]` is the market around text `i`
    /// when known (`None` for a bare headline, or pass an empty slice).
    pub fn analyze(
        &self,
        texts: &[&str],
        markets: &[Option<NumericContext>],
    ) -> Result<Vec<CombinedVerdict>, TextError> {
        let embedded = self.news.embedder().embed(texts)?;
        self.analyze_embedded(texts, &embedded, markets)
    }

    /// [`CombinedTextDetector::analyze`] for texts already embedded by this
    /// detector's embedder.
    pub fn analyze_embedded(
        &self,
        texts: &[&str],
        embedded: &Embeddings,
        markets: &[Option<NumericContext>],
    ) -> Result<Vec<CombinedVerdict>, TextError> {
        if embedded.len() != texts.len() {
            return Err(TextError::DimensionMismatch {
                what: "embedded texts",
                found: embedded.len(),
                expected: texts.len(),
            });
        }
        if !markets.is_empty() && markets.len() != texts.len() {
            return Err(TextError::DimensionMismatch { what: "markets", found: markets.len(), expected: texts.len() });
        }
        let verdicts = self.news.verdicts(embedded)?;
        let mut language = self.language_model.as_ref().map(|m| m.score_headlines(texts).into_iter());
        let mut out = Vec::with_capacity(texts.len());
        for (i, (verdict, row)) in verdicts.into_iter().zip(embedded.rows()).enumerate() {
            let market = markets.get(i).and_then(Option::as_ref);
            let encoder = self.encoder.score(row, market)?;
            let language_model = language.as_mut().and_then(Iterator::next);
            let style = StyleCues::of(texts[i]);
            let parts = PartScores {
                embedding: verdict.scored.score,
                encoder_head: encoder.logit,
                language_model: language_model.as_ref().and_then(|r| r.as_ref().ok().copied()),
                style,
            };
            let combined = self.combiner.combine(&parts);
            let (kind, action) = if combined.anomalous {
                let action = Action::from_probability(combined.probability).max(Action::StandardMonitoring);
                (self.news.kind_of(row), action)
            } else {
                (AnomalyType::Normal, Action::NoActionRequired)
            };
            out.push(CombinedVerdict { embedding: verdict, encoder, language_model, style, combined, kind, action });
        }
        Ok(out)
    }
}

/// The rows of [`cross_fitted_rows`]: part scores, labels, folds.
type CrossFitted = (Vec<PartScores>, Vec<bool>, Vec<usize>);

/// The corpus headlines the combination is fitted on: the first
/// `per_family` of every family, in corpus order.
fn combination_indices(corpus: &[LabelledHeadline], per_family: usize) -> Vec<usize> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    (0..corpus.len())
        .filter(|&i| {
            let family = match corpus[i].origin {
                HeadlineOrigin::Corpus { family, .. } => family,
                HeadlineOrigin::Simulator => "",
            };
            let n = seen.entry(family).or_insert(0);
            *n += 1;
            *n <= per_family
        })
        .collect()
}

/// The cross-fitted part scores (embedding, encoder head; no language
/// model yet) of the `chosen` corpus headlines, their labels and folds.
fn cross_fitted_rows(
    corpus: &[LabelledHeadline],
    examples: &[EncoderExample],
    chosen: &[usize],
    config: &CombinationConfig,
) -> Result<CrossFitted, TextError> {
    let family_of = |h: &LabelledHeadline| match h.origin {
        HeadlineOrigin::Corpus { family, .. } => family,
        HeadlineOrigin::Simulator => "",
    };
    let mut families: Vec<&str> = corpus.iter().map(family_of).collect();
    families.sort_unstable();
    families.dedup();
    // Families in name order, dealt round-robin: every fold gets normal and anomalous ones.
    let fold_of = |h: &LabelledHeadline| families.binary_search(&family_of(h)).unwrap_or(0) % config.folds;
    let mut rows = vec![None; corpus.len()];
    let training = EncoderTrainingConfig { progress: false, ..config.training.clone() };
    for fold in 0..config.folds {
        let others: Vec<usize> = (0..corpus.len()).filter(|&i| fold_of(&corpus[i]) != fold).collect();
        let train: Vec<EncoderExample> = others.iter().map(|&i| examples[i].clone()).collect();
        let (encoder, _) = train_encoder(&train, &training)?;
        let normal: Vec<usize> = others.iter().copied().filter(|&i| !corpus[i].anomalous).collect();
        let dim = examples[0].embedding.len();
        let (mut fit, mut calibration) = (Vec::new(), Vec::new());
        for (k, &i) in normal.iter().enumerate() {
            let target = if is_calibration_index(k) { &mut calibration } else { &mut fit };
            target.extend_from_slice(&examples[i].embedding);
        }
        let detector = TextAnomalyDetector::fit(
            Embeddings::new(dim, fit, Vec::new()),
            &Embeddings::new(dim, calibration, Vec::new()),
            config.detector.clone(),
        )?;
        for &i in chosen.iter().filter(|&&i| fold_of(&corpus[i]) == fold) {
            let e = &examples[i].embedding;
            rows[i] = Some(PartScores {
                embedding: detector.score(e)?,
                encoder_head: encoder.score(e, None)?.logit,
                language_model: None,
                style: StyleCues::of(&corpus[i].text),
            });
        }
    }
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for &i in chosen {
        if let Some(row) = rows[i] {
            out.0.push(row);
            out.1.push(corpus[i].anomalous);
            out.2.push(fold_of(&corpus[i]));
        }
    }
    Ok(out)
}
