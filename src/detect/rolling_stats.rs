//! Mean and variance over a sliding window, O(1) per update.
//!
//! A ring buffer holds the window; the mean and the sum of squared
//! deviations (`m2`) are updated with the sliding form of Welford's
//! algorithm, which stays accurate when the values are large and their
//! spread tiny (prices near 60 000 moving by cents), unlike running sums
//! of `x` and `x²`. Rounding drift is removed by an exact recomputation
//! every `RESYNC_WINDOWS` windows, which costs O(1) amortised.
//!
//! One window can serve several streams that arrive together, such as the
//! price and the volume of a tick: `RollingStats<2>` keeps one ring buffer
//! of pairs and updates both *lanes* with the same instructions, which the
//! compiler can turn into two-lane vector arithmetic (SSE2 on x86-64).
//! `RollingStats` without a lane count is the one-stream case.

use crate::error::{Error, Result};

/// Number of full windows between exact recomputations.
const RESYNC_WINDOWS: usize = 32;

/// Rolling mean and population variance of the last `window` values of
/// `LANES` streams that share the window (one stream by default).
#[derive(Debug, Clone)]
pub struct RollingStats<const LANES: usize = 1> {
    buffer: Box<[[f64; LANES]]>,
    head: usize,
    len: usize,
    mean: [f64; LANES],
    m2: [f64; LANES],
    inv_window: f64,
    /// Times the ring buffer wrapped since the last exact recomputation.
    wraps_since_resync: usize,
}

impl RollingStats {
    /// A window of `window ≥ 2` values of one stream. Allocates once, here.
    pub fn new(window: usize) -> Result<Self> {
        Self::with_lanes(window)
    }

    /// Mean of the values held (0 when empty).
    #[inline]
    pub fn mean(&self) -> f64 {
        self.mean[0]
    }

    /// Population variance (divides by the number of values, as the seed did).
    #[inline]
    pub fn variance(&self) -> f64 {
        self.variances()[0]
    }

    /// Population standard deviation.
    #[inline]
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Adds a value, evicting the oldest once full. The caller guarantees
    /// that `x` is finite (the detectors check it).
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        self.push_lanes([x]);
    }
}

impl<const LANES: usize> RollingStats<LANES> {
    /// A window of `window ≥ 2` rows of `LANES` values. Allocates once, here.
    pub fn with_lanes(window: usize) -> Result<Self> {
        if window < 2 {
            return Err(Error::param("window", window, "must be at least 2"));
        }
        Ok(Self {
            buffer: vec![[0.0; LANES]; window].into_boxed_slice(),
            head: 0,
            len: 0,
            mean: [0.0; LANES],
            m2: [0.0; LANES],
            inv_window: 1.0 / window as f64,
            wraps_since_resync: 0,
        })
    }

    /// Window length.
    pub fn window(&self) -> usize {
        self.buffer.len()
    }

    /// Number of rows held (≤ window).
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` before the first push.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `true` once the window is full.
    #[inline]
    pub fn is_full(&self) -> bool {
        self.len == self.buffer.len()
    }

    /// Mean of each lane (0 when empty).
    #[inline]
    pub fn means(&self) -> [f64; LANES] {
        self.mean
    }

    /// Population variance of each lane (0 when empty).
    #[inline]
    pub fn variances(&self) -> [f64; LANES] {
        let variances = if self.is_full() {
            // The common case in a stream: multiply by a stored 1/window
            // instead of dividing.
            self.m2.map(|m2| m2 * self.inv_window)
        } else if self.len == 0 {
            [0.0; LANES]
        } else {
            self.m2.map(|m2| m2 / self.len as f64)
        };
        variances.map(|v| v.max(0.0))
    }

    // ANCHOR: push
    /// Adds one row (a value per lane), evicting the oldest once full. The
    /// caller guarantees that every value is finite (the detectors check).
    #[inline(always)]
    #[expect(clippy::needless_range_loop, reason = "lanes index several parallel arrays")]
    pub fn push_lanes(&mut self, x: [f64; LANES]) {
        let window = self.buffer.len();
        let slot = &mut self.buffer[self.head];
        if self.len < window {
            // Warm-up: the ordinary Welford update.
            self.len += 1;
            let n = self.len as f64;
            for lane in 0..LANES {
                let delta = x[lane] - self.mean[lane];
                self.mean[lane] += delta / n;
                self.m2[lane] += delta * (x[lane] - self.mean[lane]);
            }
        } else {
            // Full: in each lane `new` replaces the oldest value, `old`.
            for lane in 0..LANES {
                let (new, old, mean) = (x[lane], slot[lane], self.mean[lane]);
                let new_mean = mean + (new - old) * self.inv_window;
                self.m2[lane] += (new - old) * ((new - new_mean) + (old - mean));
                self.mean[lane] = new_mean;
            }
        }
        *slot = x;
        self.head += 1;
        if self.head == window {
            // Checked once per window, not per value.
            self.head = 0;
            self.wraps_since_resync += 1;
            if self.wraps_since_resync >= RESYNC_WINDOWS {
                self.resync();
            }
        }
    }
    // ANCHOR_END: push

    /// Recomputes means and `m2` exactly from the buffer (two passes). Rare
    /// (once per 32 windows); the work is done out of line, borrowing only
    /// the buffer, so the optimiser can keep the running sums in registers.
    #[inline]
    pub fn resync(&mut self) {
        if self.len > 0 {
            (self.mean, self.m2) = exact_mean_m2(&self.buffer[..self.len]);
        }
        self.wraps_since_resync = 0;
    }
}

/// Mean and sum of squared deviations of each lane of `rows` (non-empty),
/// in two passes.
#[cold]
#[inline(never)]
fn exact_mean_m2<const LANES: usize>(rows: &[[f64; LANES]]) -> ([f64; LANES], [f64; LANES]) {
    let n = rows.len() as f64;
    let mean: [f64; LANES] = std::array::from_fn(|lane| rows.iter().map(|r| r[lane]).sum::<f64>() / n);
    let m2 = std::array::from_fn(|lane| rows.iter().map(|r| (r[lane] - mean[lane]).powi(2)).sum());
    (mean, m2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn exact(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let m = values.iter().sum::<f64>() / n;
        (m, values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n)
    }

    #[test]
    fn matches_a_two_pass_computation_on_every_step() {
        let data: Vec<f64> = (0..500).map(|i| ((i * 7919) % 1009) as f64 * 0.37 - 50.0).collect();
        let mut s = RollingStats::new(20).unwrap();
        for (i, &x) in data.iter().enumerate() {
            s.push(x);
            let lo = (i + 1).saturating_sub(20);
            let (m, v) = exact(&data[lo..=i]);
            assert_relative_eq!(s.mean(), m, epsilon = 1e-9);
            assert_relative_eq!(s.variance(), v, epsilon = 1e-8, max_relative = 1e-9);
        }
    }

    #[test]
    fn stays_accurate_for_large_values_with_a_tiny_spread() {
        // Naive sum/sum-of-squares loses every digit here.
        let mut s = RollingStats::new(100).unwrap();
        let data: Vec<f64> = (0..1_000_000).map(|i| 60_000.0 + ((i * 31) % 17) as f64 * 0.01).collect();
        for &x in &data {
            s.push(x);
        }
        let (m, v) = exact(&data[data.len() - 100..]);
        assert_relative_eq!(s.mean(), m, max_relative = 1e-12);
        assert_relative_eq!(s.variance(), v, max_relative = 1e-6);
    }

    #[test]
    fn each_lane_matches_its_own_one_lane_window() {
        let mut pair = RollingStats::<2>::with_lanes(7).unwrap();
        let (mut a, mut b) = (RollingStats::new(7).unwrap(), RollingStats::new(7).unwrap());
        for i in 0..1000 {
            let (x, y) = (((i * 7919) % 1009) as f64, 1e6 + ((i * 31) % 17) as f64 * 0.01);
            pair.push_lanes([x, y]);
            a.push(x);
            b.push(y);
            assert_eq!(pair.means(), [a.mean(), b.mean()]);
            assert_eq!(pair.variances(), [a.variance(), b.variance()]);
        }
    }

    #[test]
    fn window_below_two_is_refused() {
        assert!(RollingStats::new(1).unwrap_err().to_string().contains("`window`"));
    }
}
