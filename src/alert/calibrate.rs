//! From raw scores to probabilities that mean the same for every detector.
//!
//! A z-score of 5, a cosine distance of 0.4 and a model's log-odds of 2 are
//! not comparable; their ranks among the scores of a *reference period*
//! are. [`Calibrator`] is fitted on the reference scores and maps a raw
//! score to `P(reference score ≤ score)`, the empirical CDF, made strictly
//! increasing everywhere:
//!
//! * the reference scores are sorted and their distinct values `u₁ < … < uₘ`
//!   become knots with `F(uₖ) = #{scores ≤ uₖ} / (n + 1)`, so no score maps
//!   to exactly 0 or 1;
//! * between knots `F` is linear;
//! * above the largest knot the tail is exponential,
//!   `1 − F(s) = (1 − F(uₘ)) · exp(−(s − uₘ) / τ)`, with `τ` the mean excess
//!   of the top 10 % of the reference scores over the score just below them
//!   (about the 90th percentile; for an exponential tail that mean is an
//!   unbiased estimate of its scale);
//! * below the smallest knot, mirrored: `F(s) = F(u₁) · exp((s − u₁) / τ₀)`
//!   with `τ₀` the mean shortfall of the bottom 10 % under the score just
//!   above them.
//!
//! When the reference has no spread in a tail, that tail's scale is the
//! standard deviation of all reference scores, or 1 when every reference
//! score is equal. So two different scores never get the same probability
//! in exact arithmetic; in `f64` the upper tail rounds to 1 beyond about
//! `(37 − ln(n + 1)) τ` above the largest of the `n` reference scores
//! (28 τ for 9195 of them), which is why
//! [`Calibrator::survival`] (`1 − F`, exact in the tail) exists and why
//! ranking metrics use the raw score.
//!
//! It is a percentile against normal behaviour, not the probability that an
//! event is an anomaly: 0.999 means "higher than 99.9 % of the reference
//! period". Fit it on a period that is not the one it is judged on.

use serde::Serialize;

use crate::error::{Error, Result};

/// Share of the reference scores in each tail used to fit its scale.
pub const TAIL_SHARE: f64 = 0.1;

/// A strictly increasing map from raw scores to (0, 1), fitted on
/// reference scores. See the module documentation for the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibrator {
    knots: Vec<f64>,
    cdf: Vec<f64>,
    lower_scale: f64,
    upper_scale: f64,
    reference: usize,
}

impl Calibrator {
    /// Fits on `reference` scores (at least one, all finite; the error names
    /// the position and the value of the first bad one).
    pub fn fit(reference: &[f64]) -> Result<Self> {
        if reference.is_empty() {
            return Err(Error::Empty { what: "calibration reference scores" });
        }
        if let Some((row, x)) = reference.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(Error::InvalidValue {
                field: "reference score",
                row,
                value: x.to_string(),
                reason: "a calibrator can only be fitted on finite scores",
            });
        }
        let mut sorted = reference.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let denominator = (n + 1) as f64;
        let mut knots = Vec::new();
        let mut cdf = Vec::new();
        for (i, &x) in sorted.iter().enumerate() {
            if i + 1 == n || sorted[i + 1] != x {
                knots.push(x);
                cdf.push((i + 1) as f64 / denominator);
            }
        }
        let fallback = fallback_scale(&sorted);
        // The top k scores' mean excess over the score just below them: for
        // an exponential tail these k excesses are k independent draws of
        // the tail (memorylessness), so their mean estimates its scale
        // without bias. Mirrored for the bottom k.
        let tail = ((n as f64 * TAIL_SHARE).ceil() as usize).max(1);
        let (upper, lower) = if n > tail {
            let upper_cut = sorted[n - tail - 1];
            let lower_cut = sorted[tail];
            (
                sorted[n - tail..].iter().map(|x| x - upper_cut).sum::<f64>() / tail as f64,
                sorted[..tail].iter().map(|x| lower_cut - x).sum::<f64>() / tail as f64,
            )
        } else {
            (0.0, 0.0)
        };
        let pick = |s: f64| if s > 0.0 && s.is_finite() { s } else { fallback };
        Ok(Self { knots, cdf, lower_scale: pick(lower), upper_scale: pick(upper), reference: n })
    }

    // ANCHOR: probability
    /// `P(reference score ≤ score)`, strictly increasing, in (0, 1) (rounds
    /// to 1 far in the upper tail). NaN gives NaN.
    pub fn probability(&self, score: f64) -> f64 {
        let last = self.knots.len() - 1;
        if score > self.knots[last] { 1.0 - self.survival(score) } else { self.cdf_at_or_below(score) }
    }

    /// `1 − probability(score)`, computed without cancellation in the upper
    /// tail: how rare the score is in the reference period.
    pub fn survival(&self, score: f64) -> f64 {
        let last = self.knots.len() - 1;
        if score > self.knots[last] {
            (1.0 - self.cdf[last]) * libm::exp(-(score - self.knots[last]) / self.upper_scale)
        } else {
            1.0 - self.cdf_at_or_below(score)
        }
    }
    // ANCHOR_END: probability

    /// Number of reference scores it was fitted on.
    pub fn reference_len(&self) -> usize {
        self.reference
    }

    /// Scale of the exponential tail above the largest reference score.
    pub fn upper_scale(&self) -> f64 {
        self.upper_scale
    }

    fn cdf_at_or_below(&self, score: f64) -> f64 {
        if score.is_nan() {
            return f64::NAN;
        }
        if score < self.knots[0] {
            return self.cdf[0] * libm::exp((score - self.knots[0]) / self.lower_scale);
        }
        // knots[k - 1] <= score < knots[k], or score == the last knot.
        let k = self.knots.partition_point(|&u| u <= score);
        if k == self.knots.len() {
            return self.cdf[k - 1];
        }
        let (u0, u1) = (self.knots[k - 1], self.knots[k]);
        let (f0, f1) = (self.cdf[k - 1], self.cdf[k]);
        f0 + (f1 - f0) * (score - u0) / (u1 - u0)
    }
}

/// Standard deviation of the sorted scores, or 1 when they are all equal.
fn fallback_scale(sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let sd = (sorted.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
    if sd > 0.0 && sd.is_finite() { sd } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn knots_get_rank_over_n_plus_one_and_ties_collapse() {
        let c = Calibrator::fit(&[3.0, 1.0, 2.0, 2.0]).unwrap();
        assert_relative_eq!(c.probability(1.0), 1.0 / 5.0);
        assert_relative_eq!(c.probability(2.0), 3.0 / 5.0);
        assert_relative_eq!(c.probability(3.0), 4.0 / 5.0);
        assert_relative_eq!(c.probability(2.5), 0.7);
    }

    #[test]
    fn the_upper_tail_is_exponential_with_the_mean_excess_as_scale() {
        // n = 10: the top decile is the single largest score, 10, over 9.
        let reference: Vec<f64> = (1..=10).map(f64::from).collect();
        let c = Calibrator::fit(&reference).unwrap();
        assert_relative_eq!(c.upper_scale(), 1.0);
        assert_relative_eq!(c.survival(12.0), (1.0 / 11.0) * (-2.0f64).exp(), max_relative = 1e-12);
        // n = 20: the top two, 19 and 20, over 18: mean excess 1.5.
        let reference: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_relative_eq!(Calibrator::fit(&reference).unwrap().upper_scale(), 1.5);
        // Ties at the top: no spread there, so the standard deviation.
        let reference = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0];
        let c = Calibrator::fit(&reference).unwrap();
        let mean = 5.4;
        let sd = (reference.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 10.0).sqrt();
        assert_relative_eq!(c.upper_scale(), sd, max_relative = 1e-12);
    }

    #[test]
    fn the_scale_of_an_exponential_tail_is_recovered() {
        // Exponential quantiles with scale 2: the fitted tail scale is close to 2.
        let n = 10_000;
        let reference: Vec<f64> = (1..=n).map(|i| -2.0 * (1.0 - f64::from(i) / f64::from(n + 1)).ln()).collect();
        let scale = Calibrator::fit(&reference).unwrap().upper_scale();
        assert!((scale - 2.0).abs() < 0.05, "{scale}");
    }

    #[test]
    fn strictly_increasing_across_knots_and_both_tails() {
        let c = Calibrator::fit(&[0.5, 1.0, 1.0, 4.0, 9.0]).unwrap();
        let xs: Vec<f64> = (-100..=400).map(|i| f64::from(i) * 0.05).collect();
        let ps: Vec<f64> = xs.iter().map(|&x| c.probability(x)).collect();
        assert!(ps.windows(2).all(|w| w[0] < w[1]), "{ps:?}");
        assert!(ps.iter().all(|&p| p > 0.0 && p < 1.0));
        let far: Vec<f64> = [50.0, 100.0, 200.0].iter().map(|&x| c.survival(x)).collect();
        assert!(far.windows(2).all(|w| w[0] > w[1] && w[1] > 0.0), "{far:?}");
    }

    #[test]
    fn constant_reference_scores_still_give_a_strict_map() {
        let c = Calibrator::fit(&[0.0; 50]).unwrap();
        assert!(c.probability(-0.1) < c.probability(0.0));
        assert!(c.probability(0.0) < c.probability(0.1));
        assert_relative_eq!(c.probability(0.0), 50.0 / 51.0);
    }

    #[test]
    fn bad_reference_scores_are_refused_by_position() {
        assert!(Calibrator::fit(&[]).unwrap_err().to_string().contains("calibration reference"));
        let e = Calibrator::fit(&[1.0, f64::NAN]).unwrap_err().to_string();
        assert!(e.contains("row 1") && e.contains("NaN"), "{e}");
    }
}
