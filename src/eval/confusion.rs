//! The confusion matrix and the point-wise metrics derived from it.
//!
//! Every ratio is `None` when its denominator is zero (no predicted
//! positives, no actual positives, ...): an undefined metric is reported as
//! undefined, never as a made-up 0 or 1.

use serde::Serialize;

use crate::error::{Error, Result};

/// Counts of true/false positives/negatives over a set of points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ConfusionMatrix {
    /// Anomalies that were flagged.
    pub tp: usize,
    /// Normal points that were flagged.
    pub fp: usize,
    /// Normal points that were not flagged.
    pub tn: usize,
    /// Anomalies that were missed.
    pub fn_: usize,
}

impl ConfusionMatrix {
    /// Counts `labels` (true = anomaly) against `predicted` (true = flagged).
    ///
    /// Errors with [`Error::LengthMismatch`] when the lengths differ. Empty
    /// inputs give an all-zero matrix.
    pub fn from_predictions(labels: &[bool], predicted: &[bool]) -> Result<Self> {
        check_lengths("labels", labels.len(), "predicted", predicted.len())?;
        let mut m = Self::default();
        for (&label, &flag) in labels.iter().zip(predicted) {
            m.record(label, flag);
        }
        Ok(m)
    }

    /// Counts `labels` against the predictions `score > threshold` (strictly
    /// greater, as [`Threshold`](crate::detect::threshold::Threshold) does).
    ///
    /// Errors on a length mismatch, a NaN score (naming its index) or a NaN
    /// threshold.
    pub fn from_scores(labels: &[bool], scores: &[f64], threshold: f64) -> Result<Self> {
        check_lengths("labels", labels.len(), "scores", scores.len())?;
        if threshold.is_nan() {
            return Err(Error::param("threshold", threshold, "must not be NaN"));
        }
        let mut m = Self::default();
        for (row, (&label, &score)) in labels.iter().zip(scores).enumerate() {
            if score.is_nan() {
                return Err(Error::InvalidValue {
                    field: "score",
                    row,
                    value: score.to_string(),
                    reason: "a NaN score cannot be compared with a threshold",
                });
            }
            m.record(label, score > threshold);
        }
        Ok(m)
    }

    /// Adds one point: its label and whether it was flagged.
    pub fn record(&mut self, label: bool, predicted: bool) {
        match (label, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }

    /// Total number of points.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// `tp / (tp + fp)`; `None` when nothing was flagged.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `tp / (tp + fn)` (the true-positive rate); `None` when there are no anomalies.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// The harmonic mean of precision and recall, `2·tp / (2·tp + fp + fn)`.
    ///
    /// `None` when precision or recall is undefined; `Some(0.0)` when both are
    /// defined and zero (`tp = 0`).
    pub fn f1(&self) -> Option<f64> {
        self.precision()?;
        self.recall()?;
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// `fp / (fp + tn)`; `None` when there are no normal points.
    pub fn false_positive_rate(&self) -> Option<f64> {
        ratio(self.fp, self.fp + self.tn)
    }

    /// `(tp + tn) / total`; `None` for an empty matrix.
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.tp + self.tn, self.total())
    }
}

/// `num / den`, `None` when `den` is zero.
fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// [`Error::LengthMismatch`] unless the two lengths agree.
pub(crate) fn check_lengths(left: &'static str, left_len: usize, right: &'static str, right_len: usize) -> Result<()> {
    if left_len == right_len { Ok(()) } else { Err(Error::LengthMismatch { left, left_len, right, right_len }) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const T: bool = true;
    const F: bool = false;

    #[test]
    fn eight_point_example() {
        // index:      0  1  2  3  4  5  6  7
        let labels = [T, T, T, F, F, F, F, F];
        let predicted = [T, T, F, T, F, F, F, F];
        let m = ConfusionMatrix::from_predictions(&labels, &predicted).unwrap();
        assert_eq!(m, ConfusionMatrix { tp: 2, fp: 1, tn: 4, fn_: 1 });
        assert_eq!(m.total(), 8);
        assert_relative_eq!(m.precision().unwrap(), 2.0 / 3.0);
        assert_relative_eq!(m.recall().unwrap(), 2.0 / 3.0);
        assert_relative_eq!(m.f1().unwrap(), 2.0 / 3.0);
        assert_relative_eq!(m.false_positive_rate().unwrap(), 0.2);
        assert_relative_eq!(m.accuracy().unwrap(), 0.75);
    }

    #[test]
    fn from_scores_is_strictly_greater() {
        let labels = [T, T, T, F, F, F, F, F];
        let scores = [0.9, 0.5, 0.2, 0.7, 0.5, 0.1, 0.3, 0.0];
        let m = ConfusionMatrix::from_scores(&labels, &scores, 0.5).unwrap();
        // Flagged: 0.9 (T) and 0.7 (F); both 0.5s sit on the threshold and are not flagged.
        assert_eq!(m, ConfusionMatrix { tp: 1, fp: 1, tn: 4, fn_: 2 });
        assert_relative_eq!(m.f1().unwrap(), 2.0 / 5.0);
    }

    #[test]
    fn undefined_ratios_are_none() {
        let m = ConfusionMatrix::default();
        assert_eq!(m.precision(), None);
        assert_eq!(m.recall(), None);
        assert_eq!(m.f1(), None);
        assert_eq!(m.false_positive_rate(), None);
        assert_eq!(m.accuracy(), None);
        // No anomalies, nothing flagged.
        let m = ConfusionMatrix { tp: 0, fp: 0, tn: 5, fn_: 0 };
        assert_eq!(m.precision(), None);
        assert_eq!(m.recall(), None);
        assert_eq!(m.f1(), None);
        assert_eq!(m.false_positive_rate(), Some(0.0));
        // Anomalies present, nothing flagged: recall 0, precision undefined.
        let m = ConfusionMatrix { tp: 0, fp: 0, tn: 5, fn_: 2 };
        assert_eq!(m.recall(), Some(0.0));
        assert_eq!(m.f1(), None);
        // Both defined and zero.
        let m = ConfusionMatrix { tp: 0, fp: 3, tn: 5, fn_: 2 };
        assert_eq!(m.precision(), Some(0.0));
        assert_eq!(m.recall(), Some(0.0));
        assert_eq!(m.f1(), Some(0.0));
    }

    #[test]
    fn errors() {
        match ConfusionMatrix::from_predictions(&[T, F], &[T]) {
            Err(Error::LengthMismatch { left_len: 2, right_len: 1, .. }) => {}
            other => panic!("expected a length mismatch, got {other:?}"),
        }
        match ConfusionMatrix::from_scores(&[T, F, T], &[0.1, 0.2, f64::NAN], 0.5) {
            Err(Error::InvalidValue { field: "score", row: 2, .. }) => {}
            other => panic!("expected a NaN error at row 2, got {other:?}"),
        }
        assert!(ConfusionMatrix::from_scores(&[T], &[0.1], f64::NAN).is_err());
    }
}
