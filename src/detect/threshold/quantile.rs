//! A threshold fitted once as an empirical quantile of scores, and the
//! quantile itself.

use super::Threshold;
use crate::error::{Error, Result};

/// A threshold fitted once as an empirical quantile of a set of scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileThreshold {
    value: f64,
    quantile: f64,
}

impl QuantileThreshold {
    /// The `(1 − contamination)` empirical quantile of `train_scores`.
    ///
    /// `contamination` is the share of points expected to be anomalous, in
    /// `(0, 0.5]`. The quantile uses linear interpolation between order
    /// statistics, like numpy's default (`method="linear"`).
    ///
    /// Errors: empty scores, a NaN or infinite score (naming its index), or
    /// `contamination` outside `(0, 0.5]`.
    pub fn contamination(train_scores: &[f64], contamination: f64) -> Result<Self> {
        if !(contamination > 0.0 && contamination <= 0.5) {
            return Err(Error::param("contamination", contamination, "must be in (0, 0.5]"));
        }
        let quantile = 1.0 - contamination;
        Ok(Self { value: empirical_quantile(train_scores, quantile)?, quantile })
    }

    /// The `(1 − fpr)` empirical quantile of `normal_scores`, scores of points
    /// known to be normal, so that a fraction `fpr` of them lies above it.
    ///
    /// `fpr` must be in `(0, 1)`. The false-positive rate realised on new data
    /// is only an estimate of `fpr`: it holds only as far as the new normal
    /// scores follow the same distribution as `normal_scores`, and the
    /// estimate is noisy when few normal scores lie above the threshold.
    ///
    /// Errors: empty scores, a NaN or infinite score (naming its index), or
    /// `fpr` outside `(0, 1)`.
    pub fn target_false_positive_rate(normal_scores: &[f64], fpr: f64) -> Result<Self> {
        if !(fpr > 0.0 && fpr < 1.0) {
            return Err(Error::param("fpr", fpr, "must be in (0, 1)"));
        }
        let quantile = 1.0 - fpr;
        Ok(Self { value: empirical_quantile(normal_scores, quantile)?, quantile })
    }

    /// The fitted threshold.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The quantile level the threshold was fitted at (`1 − contamination`
    /// or `1 − fpr`).
    pub fn quantile(&self) -> f64 {
        self.quantile
    }
}

impl Threshold for QuantileThreshold {
    fn value(&self) -> Option<f64> {
        Some(self.value)
    }
}

/// The `q`-quantile of `values` with linear interpolation between order
/// statistics (numpy's default, `method="linear"`): with the values sorted as
/// `x[0] ≤ … ≤ x[n−1]` and `h = (n − 1)·q`, the result is
/// `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`.
///
/// Errors: empty `values`, a NaN or infinite value (naming its index), or `q`
/// outside `[0, 1]`.
pub fn empirical_quantile(values: &[f64], q: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&q) {
        return Err(Error::param("q", q, "must be in [0, 1]"));
    }
    if values.is_empty() {
        return Err(Error::Empty { what: "scores" });
    }
    check_finite_scores(values)?;
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(sorted_quantile(&sorted, q))
}

/// Errors on the first NaN or infinite score.
fn check_finite_scores(values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(Error::InvalidValue {
            field: "score",
            row,
            value: values[row].to_string(),
            reason: "a quantile needs finite scores (NaN or infinite given)",
        }),
        None => Ok(()),
    }
}

/// Linear-interpolation quantile of sorted, finite, non-empty values.
pub(super) fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    lerp(sorted[lo], sorted[hi], h - lo as f64)
}

/// `a + t·(b − a)`, computed from the nearer end as numpy does, so that the
/// result is exact at `t = 0` and `t = 1`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 { b - d * (1.0 - t) } else { a + d * t }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn quantile_matches_numpy_linear() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        // np.quantile(np.arange(1, 11), q)
        assert_relative_eq!(empirical_quantile(&v, 0.9).unwrap(), 9.1, max_relative = 1e-12);
        assert_relative_eq!(empirical_quantile(&v, 0.5).unwrap(), 5.5);
        assert_relative_eq!(empirical_quantile(&v, 0.25).unwrap(), 3.25);
        assert_eq!(empirical_quantile(&v, 0.0).unwrap(), 1.0);
        assert_eq!(empirical_quantile(&v, 1.0).unwrap(), 10.0);
        // Order of the input does not matter.
        let shuffled = [7.0, 3.0, 10.0, 1.0, 5.0, 9.0, 2.0, 8.0, 4.0, 6.0];
        assert_relative_eq!(empirical_quantile(&shuffled, 0.9).unwrap(), 9.1, max_relative = 1e-12);
        assert_eq!(empirical_quantile(&[4.0], 0.3).unwrap(), 4.0);
    }

    #[test]
    fn quantile_threshold_from_contamination_and_fpr() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let t = QuantileThreshold::contamination(&v, 0.1).unwrap();
        assert_relative_eq!(t.value(), 9.1, max_relative = 1e-12);
        assert_relative_eq!(t.quantile(), 0.9);
        assert!(t.is_anomalous(10.0));
        assert!(!t.is_anomalous(9.0));
        let t = QuantileThreshold::target_false_positive_rate(&v, 0.75).unwrap();
        assert_relative_eq!(Threshold::value(&t).unwrap(), 3.25);
        assert_relative_eq!(t.quantile(), 0.25);
    }

    #[test]
    fn quantile_threshold_errors() {
        let v = [1.0, 2.0, f64::NAN, 4.0];
        match QuantileThreshold::contamination(&v, 0.1) {
            Err(Error::InvalidValue { field: "score", row: 2, .. }) => {}
            other => panic!("expected a NaN error at row 2, got {other:?}"),
        }
        assert!(matches!(QuantileThreshold::contamination(&[], 0.1), Err(Error::Empty { .. })));
        for c in [0.0, 0.51, -0.1, f64::NAN] {
            assert!(matches!(
                QuantileThreshold::contamination(&[1.0, 2.0], c),
                Err(Error::InvalidParameter { name: "contamination", .. })
            ));
        }
        assert!(QuantileThreshold::contamination(&[1.0, 2.0], 0.5).is_ok());
        for f in [0.0, 1.0, f64::NAN] {
            assert!(matches!(
                QuantileThreshold::target_false_positive_rate(&[1.0], f),
                Err(Error::InvalidParameter { name: "fpr", .. })
            ));
        }
    }
}
