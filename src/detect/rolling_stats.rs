//! Mean and variance over a sliding window, O(1) per update.
//!
//! A ring buffer holds the window; the mean and the sum of squared
//! deviations (`m2`) are updated with the sliding form of Welford's
//! algorithm, which stays accurate when the values are large and their
//! spread tiny (prices near 60 000 moving by cents), unlike running sums
//! of `x` and `x²`. Rounding drift is removed by an exact recomputation
//! every `RESYNC_WINDOWS` windows, which costs O(1) amortised.

use crate::error::{Error, Result};

/// Number of full windows between exact recomputations.
const RESYNC_WINDOWS: usize = 32;

/// Rolling mean and population variance of the last `window` values.
#[derive(Debug, Clone)]
pub struct RollingStats {
    buffer: Box<[f64]>,
    head: usize,
    len: usize,
    mean: f64,
    m2: f64,
    inv_window: f64,
    since_resync: usize,
    resync_every: usize,
}

impl RollingStats {
    /// A window of `window ≥ 2` values. Allocates once, here.
    pub fn new(window: usize) -> Result<Self> {
        if window < 2 {
            return Err(Error::param("window", window, "must be at least 2"));
        }
        Ok(Self {
            buffer: vec![0.0; window].into_boxed_slice(),
            head: 0,
            len: 0,
            mean: 0.0,
            m2: 0.0,
            inv_window: 1.0 / window as f64,
            since_resync: 0,
            resync_every: window.saturating_mul(RESYNC_WINDOWS),
        })
    }

    /// Window length.
    pub fn window(&self) -> usize {
        self.buffer.len()
    }

    /// Number of values held (≤ window).
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

    /// Mean of the values held (0 when empty).
    #[inline]
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Population variance (divides by the number of values, as the seed did).
    #[inline]
    pub fn variance(&self) -> f64 {
        let variance = if self.is_full() {
            // The common case in a stream: a multiplication, not a division.
            self.m2 * self.inv_window
        } else if self.len == 0 {
            0.0
        } else {
            self.m2 / self.len as f64
        };
        variance.max(0.0)
    }

    /// Population standard deviation.
    #[inline]
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    // ANCHOR: push
    /// Adds a value, evicting the oldest once full. The caller guarantees
    /// that `x` is finite (the detectors check it).
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        let window = self.buffer.len();
        let slot = &mut self.buffer[self.head];
        if self.len < window {
            self.len += 1;
            let delta = x - self.mean;
            self.mean += delta / self.len as f64;
            self.m2 += delta * (x - self.mean);
        } else {
            let old = *slot;
            let new_mean = self.mean + (x - old) * self.inv_window;
            self.m2 += (x - old) * ((x - new_mean) + (old - self.mean));
            self.mean = new_mean;
            self.since_resync += 1;
        }
        *slot = x;
        self.head += 1;
        if self.head == window {
            self.head = 0;
        }
        if self.since_resync >= self.resync_every {
            self.resync();
        }
    }
    // ANCHOR_END: push

    /// Recomputes mean and `m2` exactly from the buffer (two passes).
    /// Rare (once per 32 windows), so kept out of line.
    #[cold]
    #[inline(never)]
    pub fn resync(&mut self) {
        if self.len == 0 {
            return;
        }
        let values = &self.buffer[..self.len];
        let n = self.len as f64;
        let mean = values.iter().sum::<f64>() / n;
        self.m2 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        self.mean = mean;
        self.since_resync = 0;
    }
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
    fn window_below_two_is_refused() {
        assert!(RollingStats::new(1).unwrap_err().to_string().contains("`window`"));
    }
}
