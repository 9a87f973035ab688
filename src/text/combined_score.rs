//! [`TextCombiner`]: several text scores made comparable and combined into
//! one, with the part that drove each verdict named.
//!
//! Each part's raw score is first *calibrated* against normal headlines:
//! `surprise = −ln P(normal score ≥ s)`, in nats, from a [`Calibrator`]
//! fitted on that part's scores of normal headlines it was not fitted on. A
//! Mahalanobis distance, a head's log-odds and a language model's
//! `log P(Yes) − log P(No)` then share one scale, where 3 nats means "rarer
//! than 1 normal headline in 20". The style cues enter as they are (counts
//! on a log scale). A [`LogisticRegression`] fitted on labelled headlines
//! weighs them; each part's *contribution* is its weight times how far its
//! feature is above the normal headlines' mean, and the largest is the
//! driver.

use serde::Serialize;

use super::error::TextError;
use super::logistic::LogisticRegression;
use super::style_cues::{STYLE_CUE_NAMES, StyleCues};
use crate::alert::Calibrator;

/// One of the scores the combination reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextPart {
    /// Distance of the sentence embedding to normal headlines.
    Embedding,
    /// The trained encoder head's log-odds.
    EncoderHead,
    /// A language model's score (label likelihood or verdict).
    LanguageModel,
    /// The style cues a reader sees.
    StyleCues,
}

impl TextPart {
    /// The part's name in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Embedding => "embedding",
            Self::EncoderHead => "encoder_head",
            Self::LanguageModel => "language_model",
            Self::StyleCues => "style_cues",
        }
    }
}

/// A score of headlines from outside this module: a language model's.
pub trait HeadlineScorer {
    /// What scores (model and method), for summaries.
    fn describe(&self) -> String;
    /// One raw score per headline (higher = more anomalous), or why that
    /// headline could not be scored; a failure loses only its headline.
    fn score_headlines(&self, texts: &[&str]) -> Vec<Result<f64, String>>;
}

/// The raw part scores of one headline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartScores {
    /// The embedding detector's raw score.
    pub embedding: f64,
    /// The encoder head's log-odds.
    pub encoder_head: f64,
    /// The language model's raw score; `None` without a model or when it failed.
    pub language_model: Option<f64>,
    /// The style cues.
    pub style: StyleCues,
}

/// One part's share of a combined score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartContribution {
    /// The part.
    pub part: TextPart,
    /// Its raw score (the style cues: the sum of their features).
    pub raw: Option<f64>,
    /// Its calibrated surprise in nats (style cues: `None`).
    pub surprise: Option<f64>,
    /// Its weight × (feature − normal mean), summed over its features, in log-odds.
    pub contribution: f64,
}

/// The combined score of one headline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CombinedScore {
    /// Log-odds of the combination (raw, unclamped; higher = more anomalous).
    pub score: f64,
    /// Share of normal calibration headlines with a lower combined score.
    pub probability: f64,
    /// `−ln P(normal combined score ≥ score)`, in nats.
    pub surprise: f64,
    /// How clearly the threshold was crossed, in [0, 1): the surprise
    /// against the threshold's ([`crate::alert::confidence`]).
    pub confidence: f64,
    /// Whether the score is above the threshold.
    pub anomalous: bool,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// Every part, in the order of the combination.
    pub parts: Vec<PartContribution>,
    /// The part with the largest positive contribution; `None` when no part
    /// raised the score above the normal mean.
    pub driver: Option<TextPart>,
    /// `true` when the language model was configured but gave no score for
    /// this headline (its feature was then set to the normal mean).
    pub language_model_missing: bool,
}

/// The fitted combination.
#[derive(Debug, Clone, Serialize)]
pub struct TextCombiner {
    #[serde(skip)]
    calibrators: Vec<(TextPart, Calibrator)>,
    /// The logistic weights, in the order of [`TextCombiner::feature_names`].
    pub model: LogisticRegression,
    /// Mean of every feature over the normal headlines it was fitted on.
    pub normal_mean: Vec<f64>,
    #[serde(skip)]
    calibrator: Calibrator,
    /// The combined score above which a headline is flagged.
    pub threshold: f64,
    /// The L2 penalty chosen.
    pub l2: f64,
    /// Every penalty tried and its cross-validated log loss (empty when one was given).
    pub cross_validation: Vec<(f64, f64)>,
}

/// The class-balanced log loss of weights fitted with `l2` on all folds but
/// one, on the one left out, averaged over the rows. A fold without both
/// labels in its complement is skipped.
fn cross_validated_log_loss(
    features: &[Vec<f64>],
    labels: &[bool],
    folds: &[usize],
    l2: f64,
) -> Result<f64, TextError> {
    let mut fold_ids: Vec<usize> = folds.to_vec();
    fold_ids.sort_unstable();
    fold_ids.dedup();
    let positives = labels.iter().filter(|&&y| y).count().max(1) as f64;
    let negatives = (labels.len() as f64 - positives).max(1.0);
    let (mut total, mut weight) = (0.0, 0.0);
    for &fold in &fold_ids {
        let train: Vec<usize> = (0..features.len()).filter(|&i| folds[i] != fold).collect();
        let train_labels: Vec<bool> = train.iter().map(|&i| labels[i]).collect();
        if !train_labels.contains(&true) || !train_labels.contains(&false) {
            continue;
        }
        let train_rows: Vec<Vec<f64>> = train.iter().map(|&i| features[i].clone()).collect();
        let model = LogisticRegression::fit(&train_rows, &train_labels, l2)?;
        for i in (0..features.len()).filter(|&i| folds[i] == fold) {
            let p = model.probability(&features[i]).clamp(1e-12, 1.0 - 1e-12);
            let (loss, w) = if labels[i] { (-p.ln(), 0.5 / positives) } else { (-(1.0 - p).ln(), 0.5 / negatives) };
            total += w * loss;
            weight += w;
        }
    }
    Ok(if weight > 0.0 { total / weight } else { f64::INFINITY })
}

impl TextCombiner {
    /// Fits on the raw part scores of labelled headlines that none of the
    /// parts was fitted on. `uses_language_model` says whether the language
    /// model's score is one of the parts (rows without it are then refused).
    ///
    /// The L2 penalty is chosen from `l2_grid` by cross-validation over
    /// `folds` (the fold of every row): for each penalty the weights are
    /// fitted on all folds but one and judged by their class-balanced log
    /// loss on the one left out; the penalty with the lowest mean wins, and
    /// the final weights are fitted on every row. One penalty in the grid
    /// skips the search. The threshold is the upper `contamination` quantile
    /// of the normal headlines' combined scores.
    pub fn fit(
        rows: &[PartScores],
        labels: &[bool],
        folds: &[usize],
        uses_language_model: bool,
        l2_grid: &[f64],
        contamination: f64,
    ) -> Result<Self, TextError> {
        if folds.len() != rows.len() {
            return Err(TextError::DimensionMismatch { what: "folds", found: folds.len(), expected: rows.len() });
        }
        if l2_grid.is_empty() {
            return Err(TextError::InvalidParameter {
                name: "l2_grid",
                value: "[]".into(),
                reason: "at least one penalty",
            });
        }
        let normal: Vec<&PartScores> = rows.iter().zip(labels).filter(|(_, y)| !**y).map(|(r, _)| r).collect();
        if normal.len() < 10 {
            return Err(TextError::TooFew {
                what: "normal headlines for the combination",
                have: normal.len(),
                need: 10,
            });
        }
        let mut parts = vec![TextPart::Embedding, TextPart::EncoderHead];
        if uses_language_model {
            if let Some(row) = rows.iter().position(|r| r.language_model.is_none()) {
                return Err(TextError::InvalidParameter {
                    name: "language_model",
                    value: format!("headline #{row}"),
                    reason: "has no language-model score, and the combination is fitted with one",
                });
            }
            parts.push(TextPart::LanguageModel);
        }
        let mut calibrators = Vec::new();
        for part in parts {
            let scores: Vec<f64> = normal.iter().map(|r| raw_of(r, part).unwrap_or(0.0)).collect();
            calibrators.push((part, Calibrator::fit(&scores)?));
        }
        let mut combiner = Self {
            calibrators,
            model: LogisticRegression { weights: Vec::new(), intercept: 0.0 },
            normal_mean: Vec::new(),
            calibrator: Calibrator::fit(&[0.0])?,
            threshold: f64::INFINITY,
            l2: l2_grid[0],
            cross_validation: Vec::new(),
        };
        let features: Vec<Vec<f64>> = rows.iter().map(|r| combiner.features(r).0).collect();
        if l2_grid.len() > 1 {
            for &l2 in l2_grid {
                let loss = cross_validated_log_loss(&features, labels, folds, l2)?;
                combiner.cross_validation.push((l2, loss));
            }
            let best = combiner.cross_validation.iter().min_by(|a, b| a.1.total_cmp(&b.1));
            combiner.l2 = best.map_or(l2_grid[0], |b| b.0);
        }
        combiner.model = LogisticRegression::fit(&features, labels, combiner.l2)?;
        let width = features[0].len();
        combiner.normal_mean = (0..width)
            .map(|j| {
                features.iter().zip(labels).filter(|(_, y)| !**y).map(|(f, _)| f[j]).sum::<f64>() / normal.len() as f64
            })
            .collect();
        let normal_scores: Vec<f64> =
            features.iter().zip(labels).filter(|(_, y)| !**y).map(|(f, _)| combiner.model.logit(f)).collect();
        combiner.calibrator = Calibrator::fit(&normal_scores)?;
        combiner.threshold = crate::detect::threshold::empirical_quantile(&normal_scores, 1.0 - contamination)?;
        Ok(combiner)
    }

    /// Whether the language model is one of the parts.
    pub fn uses_language_model(&self) -> bool {
        self.calibrators.iter().any(|(p, _)| *p == TextPart::LanguageModel)
    }

    /// The features' names, in the order of the weights.
    pub fn feature_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.calibrators.iter().map(|(p, _)| p.name()).collect();
        names.extend(STYLE_CUE_NAMES);
        names
    }

    /// The combined score of one headline.
    pub fn combine(&self, row: &PartScores) -> CombinedScore {
        // ANCHOR: combine
        let (features, missing) = self.features(row);
        let score = self.model.logit(&features);
        let term = |j: usize| self.model.weights[j] * (features[j] - self.normal_mean[j]);
        let mut parts: Vec<PartContribution> = self
            .calibrators
            .iter()
            .enumerate()
            .map(|(j, (part, _))| PartContribution {
                part: *part,
                raw: raw_of(row, *part),
                surprise: raw_of(row, *part).map(|_| features[j]),
                contribution: term(j),
            })
            .collect();
        let first_style = self.calibrators.len();
        parts.push(PartContribution {
            part: TextPart::StyleCues,
            raw: Some(row.style.features().iter().sum()),
            surprise: None,
            contribution: (first_style..features.len()).map(term).sum(),
        });
        let driver = parts
            .iter()
            .filter(|p| p.contribution > 0.0)
            .max_by(|a, b| a.contribution.total_cmp(&b.contribution))
            .map(|p| p.part);
        // ANCHOR_END: combine
        let surprise = surprise(&self.calibrator, score);
        CombinedScore {
            score,
            probability: self.calibrator.probability(score),
            surprise,
            confidence: crate::alert::confidence(surprise, surprise_at(&self.calibrator, self.threshold)),
            anomalous: score > self.threshold,
            threshold: self.threshold,
            parts,
            driver,
            language_model_missing: missing,
        }
    }

    /// The features of one row and whether the language model's was missing.
    fn features(&self, row: &PartScores) -> (Vec<f64>, bool) {
        let mut missing = false;
        let mut features: Vec<f64> = self
            .calibrators
            .iter()
            .enumerate()
            .map(|(j, (part, calibrator))| match raw_of(row, *part) {
                Some(raw) => surprise(calibrator, raw),
                None => {
                    missing = true;
                    self.normal_mean.get(j).copied().unwrap_or(std::f64::consts::LN_2)
                }
            })
            .collect();
        features.extend(row.style.features());
        (features, missing)
    }
}

/// The surprise of the threshold itself (at least a small positive number).
fn surprise_at(calibrator: &Calibrator, threshold: f64) -> f64 {
    surprise(calibrator, threshold).max(1e-9)
}

/// `−ln P(normal score ≥ raw)` under `calibrator`.
fn surprise(calibrator: &Calibrator, raw: f64) -> f64 {
    -calibrator.survival(raw).max(f64::MIN_POSITIVE).ln()
}

fn raw_of(row: &PartScores, part: TextPart) -> Option<f64> {
    match part {
        TextPart::Embedding => Some(row.embedding),
        TextPart::EncoderHead => Some(row.encoder_head),
        TextPart::LanguageModel => row.language_model,
        TextPart::StyleCues => None,
    }
}
