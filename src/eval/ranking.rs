//! Threshold-free metrics: average precision (PR-AUC), ROC-AUC and the
//! curves behind them.
//!
//! The scores are sorted once (O(n log n)); tied scores form a single
//! threshold, so the result does not depend on the order of tied points.
//! At a threshold `t`, the points with `score ≥ t` count as flagged, which is
//! scikit-learn's convention: the values agree with `average_precision_score`
//! and `roc_auc_score`.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::eval::confusion::check_lengths;

/// One point of a precision–recall curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrPoint {
    /// Points with `score ≥ threshold` are flagged.
    pub threshold: f64,
    /// Precision at this threshold.
    pub precision: f64,
    /// Recall at this threshold.
    pub recall: f64,
}

/// One point of a ROC curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RocPoint {
    /// Points with `score ≥ threshold` are flagged (`+∞`: nothing is flagged).
    pub threshold: f64,
    /// False-positive rate at this threshold.
    pub fpr: f64,
    /// True-positive rate (recall) at this threshold.
    pub tpr: f64,
}

/// Average precision, the usual estimate of the area under the
/// precision–recall curve, exactly as scikit-learn's
/// `average_precision_score`:
///
/// `AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ`
///
/// over the distinct score thresholds in descending order, with `R₀ = 0`.
/// It is a step-wise sum, not a trapezoid (which would be optimistic).
///
/// `None` when there are no positive labels. Errors on a length mismatch,
/// empty input, or a NaN score (naming its index).
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Result<Option<f64>> {
    let ranked = Ranked::new(scores, labels)?;
    if ranked.positives == 0 {
        return Ok(None);
    }
    let positives = ranked.positives as f64;
    let mut ap = 0.0;
    let mut previous_recall = 0.0;
    for step in &ranked.steps {
        let recall = step.tp as f64 / positives;
        let precision = step.tp as f64 / (step.tp + step.fp) as f64;
        ap += (recall - previous_recall) * precision;
        previous_recall = recall;
    }
    Ok(Some(ap))
}

/// Area under the ROC curve, computed as the Mann–Whitney statistic: the
/// probability that a random anomaly scores higher than a random normal
/// point, ties counting one half. Equals scikit-learn's `roc_auc_score`.
///
/// `None` when there are no positive or no negative labels. Errors on a
/// length mismatch, empty input, or a NaN score (naming its index).
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Result<Option<f64>> {
    let ranked = Ranked::new(scores, labels)?;
    if ranked.positives == 0 || ranked.negatives == 0 {
        return Ok(None);
    }
    // Twice the Mann–Whitney U, in exact integer arithmetic: each positive
    // counts 2 per negative strictly below it and 1 per negative tied with it.
    let mut twice_u: u128 = 0;
    let (mut tp_above, mut fp_above) = (0usize, 0usize);
    for step in &ranked.steps {
        let group_tp = (step.tp - tp_above) as u128;
        let group_fp = (step.fp - fp_above) as u128;
        let negatives_below = (ranked.negatives - step.fp) as u128;
        twice_u += group_tp * (2 * negatives_below + group_fp);
        (tp_above, fp_above) = (step.tp, step.fp);
    }
    let pairs = ranked.positives as u128 * ranked.negatives as u128;
    Ok(Some(twice_u as f64 / (2 * pairs) as f64))
}

/// The precision–recall curve: one point per distinct score, thresholds
/// descending (recall non-decreasing).
///
/// Unlike scikit-learn, no artificial end point `(recall 0, precision 1)` is
/// added. Empty when there are no positive labels (recall is undefined).
/// Errors as [`average_precision`].
pub fn pr_curve(scores: &[f64], labels: &[bool]) -> Result<Vec<PrPoint>> {
    let ranked = Ranked::new(scores, labels)?;
    if ranked.positives == 0 {
        return Ok(Vec::new());
    }
    let positives = ranked.positives as f64;
    Ok(ranked
        .steps
        .iter()
        .map(|s| PrPoint {
            threshold: s.threshold,
            precision: s.tp as f64 / (s.tp + s.fp) as f64,
            recall: s.tp as f64 / positives,
        })
        .collect())
}

/// The ROC curve: a first point at `(0, 0)` with threshold `+∞` (nothing
/// flagged, as in scikit-learn), then one point per distinct score,
/// thresholds descending; the last point is `(1, 1)`. No intermediate point
/// is dropped.
///
/// Empty when there are no positive or no negative labels. Errors as
/// [`roc_auc`].
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Result<Vec<RocPoint>> {
    let ranked = Ranked::new(scores, labels)?;
    if ranked.positives == 0 || ranked.negatives == 0 {
        return Ok(Vec::new());
    }
    let (positives, negatives) = (ranked.positives as f64, ranked.negatives as f64);
    let start = RocPoint { threshold: f64::INFINITY, fpr: 0.0, tpr: 0.0 };
    Ok(std::iter::once(start)
        .chain(ranked.steps.iter().map(|s| RocPoint {
            threshold: s.threshold,
            fpr: s.fp as f64 / negatives,
            tpr: s.tp as f64 / positives,
        }))
        .collect())
}

/// Cumulative counts at one distinct threshold.
struct Step {
    threshold: f64,
    /// Positives with `score ≥ threshold`.
    tp: usize,
    /// Negatives with `score ≥ threshold`.
    fp: usize,
}

/// Scores sorted descending and grouped into distinct thresholds.
struct Ranked {
    steps: Vec<Step>,
    positives: usize,
    negatives: usize,
}

impl Ranked {
    fn new(scores: &[f64], labels: &[bool]) -> Result<Self> {
        check_lengths("scores", scores.len(), "labels", labels.len())?;
        if scores.is_empty() {
            return Err(Error::Empty { what: "scores" });
        }
        if let Some(row) = scores.iter().position(|s| s.is_nan()) {
            return Err(Error::InvalidValue {
                field: "score",
                row,
                value: scores[row].to_string(),
                reason: "a NaN score cannot be ranked",
            });
        }
        let mut order: Vec<usize> = (0..scores.len()).collect();
        // total_cmp puts -0.0 next to 0.0, so grouping with `==` below still merges them.
        order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let mut steps: Vec<Step> = Vec::new();
        let (mut tp, mut fp) = (0, 0);
        for (k, &i) in order.iter().enumerate() {
            if labels[i] {
                tp += 1;
            } else {
                fp += 1;
            }
            let last_of_group = order.get(k + 1).is_none_or(|&next| scores[next] != scores[i]);
            if last_of_group {
                steps.push(Step { threshold: scores[i], tp, fp });
            }
        }
        Ok(Self { steps, positives: tp, negatives: fp })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const T: bool = true;
    const F: bool = false;

    #[test]
    fn sklearn_docs_example() {
        // sklearn.metrics.average_precision_score / roc_auc_score docs.
        let scores = [0.1, 0.4, 0.35, 0.8];
        let labels = [F, F, T, T];
        assert_relative_eq!(average_precision(&scores, &labels).unwrap().unwrap(), 0.833_333_333_333_333_3);
        assert_relative_eq!(roc_auc(&scores, &labels).unwrap().unwrap(), 0.75);
    }

    #[test]
    fn ties_form_one_threshold() {
        // Sorted: 0.9 (F), {0.5 (T), 0.5 (F)}, 0.2 (T).
        // Thresholds: 0.9 → P 0, R 0; 0.5 → P 1/3, R 1/2; 0.2 → P 1/2, R 1.
        // AP = 1/2 · 1/3 + 1/2 · 1/2 = 5/12.
        let scores = [0.5, 0.5, 0.2, 0.9];
        let labels = [T, F, T, F];
        assert_relative_eq!(average_precision(&scores, &labels).unwrap().unwrap(), 5.0 / 12.0);
        // Pairs (pos, neg): (0.5, 0.5) tie = 1/2, the other three lose: 0.5 / 4.
        assert_relative_eq!(roc_auc(&scores, &labels).unwrap().unwrap(), 0.125);
        // Order of tied points does not matter.
        let swapped = [0.5, 0.5, 0.2, 0.9];
        let swapped_labels = [F, T, T, F];
        assert_relative_eq!(average_precision(&swapped, &swapped_labels).unwrap().unwrap(), 5.0 / 12.0);
        // All scores equal: AP = prevalence, ROC-AUC = 1/2.
        let flat = [1.0; 4];
        let labels = [T, F, F, F];
        assert_relative_eq!(average_precision(&flat, &labels).unwrap().unwrap(), 0.25);
        assert_relative_eq!(roc_auc(&flat, &labels).unwrap().unwrap(), 0.5);
        // -0.0 and 0.0 are the same score.
        assert_relative_eq!(roc_auc(&[0.0, -0.0], &[T, F]).unwrap().unwrap(), 0.5);
    }

    #[test]
    fn perfect_and_inverted_rankings() {
        let scores = [0.9, 0.8, 0.3, 0.2, 0.1];
        let labels = [T, T, F, F, F];
        assert_eq!(average_precision(&scores, &labels).unwrap(), Some(1.0));
        assert_eq!(roc_auc(&scores, &labels).unwrap(), Some(1.0));
        let inverted = [F, F, F, T, T];
        assert_eq!(roc_auc(&scores, &inverted).unwrap(), Some(0.0));
        // Positives ranked 4th and 5th: AP = 1/2 · 1/4 + 1/2 · 2/5 = 0.325.
        assert_relative_eq!(average_precision(&scores, &inverted).unwrap().unwrap(), 0.325);
    }

    #[test]
    fn undefined_is_none() {
        let scores = [0.1, 0.2, 0.3];
        assert_eq!(average_precision(&scores, &[F, F, F]).unwrap(), None);
        assert_eq!(roc_auc(&scores, &[F, F, F]).unwrap(), None);
        assert_eq!(roc_auc(&scores, &[T, T, T]).unwrap(), None);
        assert_eq!(average_precision(&scores, &[T, T, T]).unwrap(), Some(1.0));
        assert!(pr_curve(&scores, &[F, F, F]).unwrap().is_empty());
        assert!(roc_curve(&scores, &[T, T, T]).unwrap().is_empty());
    }

    #[test]
    fn errors() {
        match average_precision(&[0.1, f64::NAN, 0.3], &[T, F, T]) {
            Err(Error::InvalidValue { field: "score", row: 1, .. }) => {}
            other => panic!("expected a NaN error at row 1, got {other:?}"),
        }
        match roc_auc(&[0.1, 0.2], &[T]) {
            Err(Error::LengthMismatch { left_len: 2, right_len: 1, .. }) => {}
            other => panic!("expected a length mismatch, got {other:?}"),
        }
        assert!(matches!(roc_auc(&[], &[]), Err(Error::Empty { .. })));
    }

    #[test]
    fn matches_brute_force_with_many_ties() {
        // Scores on a coarse grid (many ties), labels from a small LCG.
        let mut state: u32 = 7;
        let mut next = || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            state >> 8
        };
        let scores: Vec<f64> = (0..200).map(|_| f64::from(next() % 13) / 4.0).collect();
        let labels: Vec<bool> = scores.iter().map(|&s| next() % 100 < (10.0 + 20.0 * s) as u32).collect();

        // O(n²) Mann–Whitney.
        let mut wins = 0.0;
        let mut pairs = 0.0;
        for (i, &li) in labels.iter().enumerate() {
            for (j, &lj) in labels.iter().enumerate() {
                if li && !lj {
                    pairs += 1.0;
                    wins += match scores[i].partial_cmp(&scores[j]).unwrap() {
                        std::cmp::Ordering::Greater => 1.0,
                        std::cmp::Ordering::Equal => 0.5,
                        std::cmp::Ordering::Less => 0.0,
                    };
                }
            }
        }
        assert_relative_eq!(roc_auc(&scores, &labels).unwrap().unwrap(), wins / pairs, max_relative = 1e-12);

        // AP from the definition, one confusion matrix per distinct threshold (score ≥ t).
        let mut thresholds = scores.clone();
        thresholds.sort_by(|a, b| b.total_cmp(a));
        thresholds.dedup();
        let positives = labels.iter().filter(|&&l| l).count() as f64;
        let (mut ap, mut previous_recall) = (0.0, 0.0);
        for &t in &thresholds {
            let flagged = scores.iter().filter(|&&s| s >= t).count() as f64;
            let tp = scores.iter().zip(&labels).filter(|&(&s, &l)| s >= t && l).count() as f64;
            let recall = tp / positives;
            ap += (recall - previous_recall) * tp / flagged;
            previous_recall = recall;
        }
        assert_relative_eq!(average_precision(&scores, &labels).unwrap().unwrap(), ap, max_relative = 1e-12);
    }

    #[test]
    fn curves() {
        let scores = [0.1, 0.4, 0.35, 0.8];
        let labels = [F, F, T, T];
        let pr = pr_curve(&scores, &labels).unwrap();
        let thresholds: Vec<f64> = pr.iter().map(|p| p.threshold).collect();
        assert_eq!(thresholds, [0.8, 0.4, 0.35, 0.1]);
        let precision: Vec<f64> = pr.iter().map(|p| p.precision).collect();
        let recall: Vec<f64> = pr.iter().map(|p| p.recall).collect();
        assert_eq!(precision, [1.0, 0.5, 2.0 / 3.0, 0.5]);
        assert_eq!(recall, [0.5, 0.5, 1.0, 1.0]);

        let roc = roc_curve(&scores, &labels).unwrap();
        let points: Vec<(f64, f64, f64)> = roc.iter().map(|p| (p.threshold, p.fpr, p.tpr)).collect();
        assert_eq!(
            points,
            [(f64::INFINITY, 0.0, 0.0), (0.8, 0.0, 0.5), (0.4, 0.5, 0.5), (0.35, 0.5, 1.0), (0.1, 1.0, 1.0)]
        );
        // The trapezoid area under the curve equals the Mann–Whitney AUC.
        let area: f64 = roc.windows(2).map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0).sum();
        assert_relative_eq!(area, roc_auc(&scores, &labels).unwrap().unwrap());
    }
}
