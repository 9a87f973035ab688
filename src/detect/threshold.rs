//! Thresholds: the decision that turns a score into an alert.
//!
//! Detectors only produce scores (higher = more anomalous); where the line is
//! drawn is a separate, explicit choice made here:
//!
//! * [`FixedThreshold`]: a number chosen by hand;
//! * [`QuantileThreshold`]: fitted once from scores, either from a target
//!   contamination (the share of points expected to be anomalous) or from a
//!   target false-positive rate on scores known to be normal;
//! * [`StreamingQuantileThreshold`]: a running quantile of the scores seen so
//!   far, estimated with the P² algorithm ([`StreamingQuantile`]) in O(1)
//!   memory and time per score.
//!
//! Every threshold flags a score when it is **strictly greater** than the
//! threshold value, the same rule as
//! [`ConfusionMatrix::from_scores`](crate::eval::ConfusionMatrix::from_scores).

use crate::error::{Error, Result, finite_param};

/// A rule that decides whether a score is anomalous.
pub trait Threshold {
    /// The current threshold, or `None` while it is not yet known (for
    /// example a streaming threshold that has not seen enough scores).
    fn value(&self) -> Option<f64>;

    /// `true` when `score` is strictly greater than the threshold.
    ///
    /// Always `false` while [`value`](Threshold::value) is `None`, and for a
    /// NaN score (a NaN is never greater than anything).
    fn is_anomalous(&self, score: f64) -> bool {
        self.value().is_some_and(|t| score > t)
    }
}

/// A threshold fixed by hand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedThreshold {
    value: f64,
}

impl FixedThreshold {
    /// A fixed threshold; `value` must be finite.
    pub fn new(value: f64) -> Result<Self> {
        Ok(Self { value: finite_param("threshold", value)? })
    }
}

impl Threshold for FixedThreshold {
    fn value(&self) -> Option<f64> {
        Some(self.value)
    }
}

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
fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
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

/// A running estimate of the `q`-quantile of a stream: the P² algorithm of
/// Jain & Chlamtac (1985), "The P² algorithm for dynamic calculation of
/// quantiles and histograms without storing observations", CACM 28(10).
///
/// Five markers track the minimum, the `q/2`, `q` and `(1+q)/2` quantiles and
/// the maximum; their heights are adjusted with a piecewise-parabolic
/// formula as values arrive. Memory and time per update are O(1) and nothing
/// is allocated. The estimate is exact (numpy's linear quantile) for the
/// first five values, then approximate.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamingQuantile {
    q: f64,
    count: usize,
    /// Marker heights (the first `count` values while `count < 5`).
    heights: [f64; 5],
    /// Actual marker positions (1-based ranks).
    positions: [f64; 5],
    /// Desired marker positions.
    desired: [f64; 5],
    /// Increments of the desired positions per observation.
    increments: [f64; 5],
}

impl StreamingQuantile {
    /// A running estimator of the `q`-quantile, `q` in `(0, 1)`.
    pub fn new(q: f64) -> Result<Self> {
        if !(q > 0.0 && q < 1.0) {
            return Err(Error::param("q", q, "must be in (0, 1)"));
        }
        Ok(Self {
            q,
            count: 0,
            heights: [0.0; 5],
            positions: [1.0, 2.0, 3.0, 4.0, 5.0],
            desired: [1.0, 1.0 + 2.0 * q, 1.0 + 4.0 * q, 3.0 + 2.0 * q, 5.0],
            increments: [0.0, q / 2.0, q, (1.0 + q) / 2.0, 1.0],
        })
    }

    /// The quantile level `q` being estimated.
    pub fn quantile(&self) -> f64 {
        self.q
    }

    /// Number of values seen so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The current estimate; `None` before the first value.
    pub fn estimate(&self) -> Option<f64> {
        match self.count {
            0 => None,
            n if n <= 5 => {
                let mut first = self.heights;
                let first = &mut first[..n];
                first.sort_unstable_by(f64::total_cmp);
                Some(sorted_quantile(first, self.q))
            }
            _ => Some(self.heights[2]),
        }
    }

    /// Adds one value.
    ///
    /// A NaN or infinite value is refused with [`Error::InvalidValue`], whose
    /// `row` is the value's position in the stream; the estimator is left
    /// unchanged.
    pub fn update(&mut self, x: f64) -> Result<()> {
        if !x.is_finite() {
            return Err(Error::InvalidValue {
                field: "score",
                row: self.count,
                value: x.to_string(),
                reason: "a streaming quantile needs finite values (NaN or infinite given)",
            });
        }
        if self.count < 5 {
            self.heights[self.count] = x;
            self.count += 1;
            if self.count == 5 {
                self.heights.sort_unstable_by(f64::total_cmp);
            }
            return Ok(());
        }
        self.count += 1;

        // Find the cell k with heights[k] <= x < heights[k + 1], extending the
        // extreme markers when x falls outside them.
        let h = &mut self.heights;
        let k = if x < h[0] {
            h[0] = x;
            0
        } else if x >= h[4] {
            h[4] = x;
            3
        } else {
            // h[0] <= x < h[4]: the last marker among 1..=3 not above x.
            (1..4).take_while(|&i| h[i] <= x).last().unwrap_or(0)
        };
        for p in &mut self.positions[k + 1..] {
            *p += 1.0;
        }
        for (d, inc) in self.desired.iter_mut().zip(self.increments) {
            *d += inc;
        }

        // Adjust the three middle markers if they drifted from their desired positions.
        for i in 1..4 {
            let n = self.positions;
            let drift = self.desired[i] - n[i];
            if (drift >= 1.0 && n[i + 1] - n[i] > 1.0) || (drift <= -1.0 && n[i - 1] - n[i] < -1.0) {
                let d = drift.signum();
                let parabolic = self.parabolic(i, d);
                let h = &mut self.heights;
                h[i] = if h[i - 1] < parabolic && parabolic < h[i + 1] {
                    parabolic
                } else {
                    let j = if d > 0.0 { i + 1 } else { i - 1 };
                    h[i] + d * (h[j] - h[i]) / (n[j] - n[i])
                };
                self.positions[i] += d;
            }
        }
        Ok(())
    }

    /// The piecewise-parabolic (P²) prediction for marker `i` moved by `d = ±1`.
    fn parabolic(&self, i: usize, d: f64) -> f64 {
        let (h, n) = (&self.heights, &self.positions);
        h[i] + d / (n[i + 1] - n[i - 1])
            * ((n[i] - n[i - 1] + d) * (h[i + 1] - h[i]) / (n[i + 1] - n[i])
                + (n[i + 1] - n[i] - d) * (h[i] - h[i - 1]) / (n[i] - n[i - 1]))
    }
}

/// A threshold that follows a running quantile of the scores seen so far.
///
/// Its value is `None` (nothing is flagged) until `min_count` scores were
/// seen. Use it **score first, update after**: decide on the current score
/// with the threshold as it was *before* that score, then add the score.
/// Adding the score first would let an outlier raise the very bar it is
/// measured against. [`check_then_update`](Self::check_then_update) does both
/// in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamingQuantileThreshold {
    quantile: StreamingQuantile,
    min_count: usize,
}

impl StreamingQuantileThreshold {
    /// A threshold at the running `q`-quantile, `q` in `(0, 1)`, active once
    /// `min_count` scores were seen (at least 1).
    pub fn new(q: f64, min_count: usize) -> Result<Self> {
        if min_count == 0 {
            return Err(Error::param("min_count", min_count, "must be at least 1"));
        }
        Ok(Self { quantile: StreamingQuantile::new(q)?, min_count })
    }

    /// Adds a score to the running quantile (see the type's docs for the order).
    pub fn update(&mut self, score: f64) -> Result<()> {
        self.quantile.update(score)
    }

    /// Decides on `score` with the current threshold, then adds it: the
    /// score-then-update order. Errors (and changes nothing) on a NaN or
    /// infinite score.
    pub fn check_then_update(&mut self, score: f64) -> Result<bool> {
        let anomalous = self.is_anomalous(score);
        self.quantile.update(score)?;
        Ok(anomalous)
    }

    /// Number of scores seen.
    pub fn count(&self) -> usize {
        self.quantile.count()
    }

    /// Scores needed before the threshold is active.
    pub fn min_count(&self) -> usize {
        self.min_count
    }

    /// The underlying running quantile.
    pub fn quantile(&self) -> &StreamingQuantile {
        &self.quantile
    }
}

impl Threshold for StreamingQuantileThreshold {
    fn value(&self) -> Option<f64> {
        if self.quantile.count() < self.min_count { None } else { self.quantile.estimate() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn fixed_threshold_is_strict_and_finite() {
        let t = FixedThreshold::new(2.0).unwrap();
        assert_eq!(t.value(), Some(2.0));
        assert!(!t.is_anomalous(2.0));
        assert!(t.is_anomalous(2.000_001));
        assert!(!t.is_anomalous(f64::NAN));
        assert!(FixedThreshold::new(f64::NAN).is_err());
        assert!(FixedThreshold::new(f64::INFINITY).is_err());
    }

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

    #[test]
    fn p2_is_exact_for_up_to_five_values() {
        let mut p = StreamingQuantile::new(0.9).unwrap();
        assert_eq!(p.estimate(), None);
        let values = [5.0, 1.0, 4.0, 2.0, 3.0];
        for (k, &x) in values.iter().enumerate() {
            p.update(x).unwrap();
            assert_eq!(p.count(), k + 1);
            let exact = empirical_quantile(&values[..=k], 0.9).unwrap();
            assert_relative_eq!(p.estimate().unwrap(), exact, max_relative = 1e-12);
        }
        // Five values 1..=5: h = 4 * 0.9 = 3.6, 4 + 0.6 = 4.6.
        assert_relative_eq!(p.estimate().unwrap(), 4.6, max_relative = 1e-12);
        let mut m = StreamingQuantile::new(0.5).unwrap();
        m.update(3.0).unwrap();
        m.update(1.0).unwrap();
        assert_relative_eq!(m.estimate().unwrap(), 2.0);
    }

    fn check_p2(values: &[f64], q: f64) {
        let mut p = StreamingQuantile::new(q).unwrap();
        for &x in values {
            p.update(x).unwrap();
        }
        let exact = empirical_quantile(values, q).unwrap();
        let est = p.estimate().unwrap();
        assert!((est - exact).abs() <= 0.01 * exact.abs(), "q = {q}: P² {est} vs exact {exact}");
    }

    #[test]
    fn p2_within_one_percent_on_ten_thousand_values() {
        let modular: Vec<f64> = (1..=10_000u64).map(|i| ((i * 7919) % 10_007) as f64).collect();
        let mut state: u64 = 12_345;
        let lcg: Vec<f64> = (0..10_000)
            .map(|_| {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                // A skewed, positive sample: the square of a uniform on [1, 2).
                let u = 1.0 + (state >> 11) as f64 / (1u64 << 53) as f64;
                u * u
            })
            .collect();
        for q in [0.5, 0.9, 0.95, 0.99] {
            check_p2(&modular, q);
            check_p2(&lcg, q);
        }
    }

    #[test]
    fn p2_rejects_non_finite_values() {
        let mut p = StreamingQuantile::new(0.5).unwrap();
        p.update(1.0).unwrap();
        match p.update(f64::NAN) {
            Err(Error::InvalidValue { row: 1, value, .. }) => assert_eq!(value, "NaN"),
            other => panic!("expected a NaN error, got {other:?}"),
        }
        assert_eq!(p.count(), 1);
        for q in [0.0, 1.0, f64::NAN] {
            assert!(StreamingQuantile::new(q).is_err());
        }
    }

    #[test]
    fn streaming_threshold_waits_for_min_count_and_scores_before_updating() {
        let mut t = StreamingQuantileThreshold::new(0.5, 3).unwrap();
        assert_eq!(t.value(), None);
        assert!(!t.check_then_update(100.0).unwrap());
        assert!(!t.check_then_update(1.0).unwrap());
        assert_eq!(t.value(), None);
        assert!(!t.check_then_update(2.0).unwrap());
        // Now active: median of {100, 1, 2} = 2.
        assert_eq!(t.value(), Some(2.0));
        // 50 is judged against 2 (the threshold before it), not against the
        // median after adding it.
        assert!(t.check_then_update(50.0).unwrap());
        assert_relative_eq!(t.value().unwrap(), 26.0);
        assert_eq!(t.count(), 4);
        assert!(t.check_then_update(f64::NAN).is_err());
        assert_eq!(t.count(), 4);
        assert!(StreamingQuantileThreshold::new(0.5, 0).is_err());
    }
}
