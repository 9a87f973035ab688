//! The P² running quantile: O(1) memory and time per value.

use super::quantile::sorted_quantile;
use crate::error::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::threshold::empirical_quantile;
    use approx::assert_relative_eq;

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
}
