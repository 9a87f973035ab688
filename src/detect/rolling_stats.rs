//! Mean and variance over a sliding window, O(1) per update.
//!
//! A ring buffer holds the window; the mean and the sum of squared
//! deviations (`m2`) are updated with the sliding form of Welford's
//! algorithm, which stays accurate when the values are large and their
//! spread tiny (prices near 60 000 moving by cents), unlike running sums
//! of `x` and `x²`.
//!
//! Two rules keep the variance within 1e-9 of its exact value, relatively,
//! at every step (about 1e-14 on most series), far from zero and through
//! spikes of thousands of σ; `tests/rolling_stats_numerics.rs` checks this
//! against an exact reference:
//!
//! - **Pivot.** Each lane stores `x - pivot` and keeps the mean as `pivot`
//!   plus the mean of the stored values, so a large offset (a price near
//!   1e9) never enters the rounding: only the spread does, and the drift
//!   since the pivot was set. The pivot is the first value; each exact
//!   recomputation moves it to the current mean and re-shifts the stored
//!   values.
//! - **Early recomputation.** The rounding in `m2` is relative to its
//!   largest recent value. When a spike of 5000σ leaves a 1000-value window,
//!   `m2` falls by a factor of about 25 000, and what was rounding while the
//!   spike was held becomes as large, relatively, next to what remains. So
//!   a lane whose `m2` falls below 1/1024 of its peak (sampled at each wrap
//!   of the buffer) is recomputed exactly at once, at most once per lane and
//!   window, which keeps the cost O(1) amortised.
//!
//! Besides, the remaining rounding drift is removed by an exact two-pass
//! recomputation every `RESYNC_WINDOWS` windows.
//!
//! One window can serve several streams that arrive together, such as the
//! price and the volume of a tick: `RollingStats<2>` keeps one ring buffer
//! of pairs and updates both *lanes* with the same instructions, which the
//! compiler can turn into two-lane vector arithmetic (SSE2 on x86-64).
//! `RollingStats` without a lane count is the one-stream case. Each lane's
//! results are those of a one-lane window fed the same values, bit for bit.

use crate::error::{Error, Result};

/// Number of full windows between exact recomputations.
const RESYNC_WINDOWS: usize = 32;

/// A lane is recomputed at once when its `m2` falls below this fraction of
/// the largest `m2` it had at a wrap since its last recomputation.
const DROP_FRACTION: f64 = 1.0 / 1024.0;

/// Rolling mean and population variance of the last `window` values of
/// `LANES` streams that share the window (one stream by default).
#[derive(Debug, Clone)]
pub struct RollingStats<const LANES: usize = 1> {
    /// The window's rows, each value less its lane's pivot.
    buffer: Box<[[f64; LANES]]>,
    head: usize,
    len: usize,
    lanes: Lanes<LANES>,
    inv_window: f64,
    /// Times the ring buffer wrapped since the last exact recomputation.
    wraps_since_resync: usize,
}

/// The running state of each lane, kept together so that the rare exact
/// recomputation can take it and hand it back whole, out of line.
#[derive(Debug, Clone, Copy)]
struct Lanes<const LANES: usize> {
    /// The value subtracted from each `x` before it is stored.
    pivot: [f64; LANES],
    /// The mean of the stored (shifted) values.
    shifted_mean: [f64; LANES],
    m2: [f64; LANES],
    /// The largest `m2` at a wrap since the lane was recomputed.
    m2_peak: [f64; LANES],
    /// `DROP_FRACTION · m2_peak`, or −∞ (no check) from an early
    /// recomputation to the next wrap.
    resync_below: [f64; LANES],
}

impl RollingStats {
    /// A window of `window ≥ 2` values of one stream. Allocates once, here.
    pub fn new(window: usize) -> Result<Self> {
        Self::with_lanes(window)
    }

    /// Mean of the values held (0 when empty).
    #[inline]
    pub fn mean(&self) -> f64 {
        self.means()[0]
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
            lanes: Lanes {
                pivot: [0.0; LANES],
                shifted_mean: [0.0; LANES],
                m2: [0.0; LANES],
                m2_peak: [0.0; LANES],
                resync_below: [f64::NEG_INFINITY; LANES],
            },
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
        std::array::from_fn(|lane| self.lanes.pivot[lane] + self.lanes.shifted_mean[lane])
    }

    /// Population variance of each lane (0 when empty).
    #[inline]
    pub fn variances(&self) -> [f64; LANES] {
        let variances = if self.is_full() {
            // The common case in a stream: multiply by a stored 1/window
            // instead of dividing.
            self.lanes.m2.map(|m2| m2 * self.inv_window)
        } else if self.len == 0 {
            [0.0; LANES]
        } else {
            self.lanes.m2.map(|m2| m2 / self.len as f64)
        };
        variances.map(|v| v.max(0.0))
    }

    // ANCHOR: push
    /// Adds one row (a value per lane), evicting the oldest once full. The
    /// caller guarantees that every value is finite (the detectors check).
    ///
    /// Each lane stores and updates `x - pivot`, never `x` itself, so the
    /// rounding scales with the spread of the window, not with the size of
    /// its values. When a lane's `m2` falls below `resync_below` (1/1024 of
    /// its peak), as when a spike leaves, the rounding left from the peak
    /// would be large next to what remains, so the lane is recomputed at
    /// once; the check is one comparison per lane, branch-free across lanes.
    #[inline(always)]
    pub fn push_lanes(&mut self, x: [f64; LANES]) {
        let window = self.buffer.len();
        let slot = &mut self.buffer[self.head];
        let s = &mut self.lanes;
        if self.len < window {
            // Warm-up: the ordinary Welford update, pivoted on the first row.
            if self.len == 0 {
                s.pivot = x;
            }
            self.len += 1;
            let n = self.len as f64;
            for lane in 0..LANES {
                let new = x[lane] - s.pivot[lane];
                let delta = new - s.shifted_mean[lane];
                s.shifted_mean[lane] += delta / n;
                s.m2[lane] += delta * (new - s.shifted_mean[lane]);
                slot[lane] = new;
            }
        } else {
            // Full: in each lane the shifted `new` replaces the oldest
            // shifted value, `old`.
            for lane in 0..LANES {
                let (new, old, mean) = (x[lane] - s.pivot[lane], slot[lane], s.shifted_mean[lane]);
                let new_mean = mean + (new - old) * self.inv_window;
                s.m2[lane] += (new - old) * ((new - new_mean) + (old - mean));
                s.shifted_mean[lane] = new_mean;
                slot[lane] = new;
            }
            // `m2 < resync_below` in some lane, from the sign bits of the
            // differences: one test, not a branch per lane. Never true while
            // the check is off, as `m2 - (−∞)` is +∞.
            let mut dropped = false;
            for lane in 0..LANES {
                dropped |= (s.m2[lane] - s.resync_below[lane]).is_sign_negative();
            }
            if dropped {
                // Full: the whole buffer is the window.
                *s = recompute(&mut self.buffer, *s, Recompute::DroppedLanes);
            }
        }
        self.head += 1;
        if self.head == window {
            // Checked once per window, not per value.
            self.head = 0;
            self.wraps_since_resync += 1;
            if self.wraps_since_resync >= RESYNC_WINDOWS {
                self.resync();
            } else {
                let s = &mut self.lanes;
                for lane in 0..LANES {
                    s.m2_peak[lane] = s.m2_peak[lane].max(s.m2[lane]);
                    s.resync_below[lane] = DROP_FRACTION * s.m2_peak[lane];
                }
            }
        }
    }
    // ANCHOR_END: push

    /// Recomputes means and `m2` exactly from the buffer (two passes per
    /// lane) and moves each pivot to its lane's mean, re-shifting the stored
    /// values. Rare (once per 32 windows); the work is done out of line, on
    /// the buffer and a copy of the lane state, so the optimiser can keep
    /// the running sums in registers.
    #[inline]
    pub fn resync(&mut self) {
        if self.len > 0 {
            self.lanes = recompute(&mut self.buffer[..self.len], self.lanes, Recompute::AllLanes);
        }
        self.wraps_since_resync = 0;
    }
}

/// Which lanes `recompute` recomputes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recompute {
    /// Every lane, moving its pivot to its mean (the periodic resync).
    AllLanes,
    /// The lanes whose `m2` fell below `resync_below`, pivots kept, their
    /// check turned off until the next wrap, so that this costs at most one
    /// window's work per lane and window.
    DroppedLanes,
}

/// The lane state recomputed exactly from `rows` (the values held, all
/// shifted by the pivots of `lanes`), for the lanes `which` selects.
#[cold]
#[inline(never)]
fn recompute<const LANES: usize>(rows: &mut [[f64; LANES]], mut lanes: Lanes<LANES>, which: Recompute) -> Lanes<LANES> {
    for lane in 0..LANES {
        if which == Recompute::AllLanes {
            let pivot = lanes.pivot[lane] + lanes.shifted_mean[lane];
            // The shift actually applied: exact when the mean is small next
            // to the pivot, as it is once the pivot has settled.
            let shift = pivot - lanes.pivot[lane];
            lanes.pivot[lane] = pivot;
            (lanes.shifted_mean[lane], lanes.m2[lane]) = exact_lane(rows, lane, shift);
            lanes.resync_below[lane] = DROP_FRACTION * lanes.m2[lane];
        } else if lanes.m2[lane] < lanes.resync_below[lane] {
            (lanes.shifted_mean[lane], lanes.m2[lane]) = exact_lane(rows, lane, 0.0);
            lanes.resync_below[lane] = f64::NEG_INFINITY;
        } else {
            continue;
        }
        lanes.m2_peak[lane] = lanes.m2[lane];
    }
    lanes
}

/// Subtracts `shift` from `lane` of every row of `rows` (non-empty; a zero
/// shift changes nothing) and returns the mean and the sum of squared
/// deviations of the result, by the corrected two-pass algorithm.
fn exact_lane<const LANES: usize>(rows: &mut [[f64; LANES]], lane: usize, shift: f64) -> (f64, f64) {
    let n = rows.len() as f64;
    let mut sum = 0.0;
    for row in rows.iter_mut() {
        row[lane] -= shift;
        sum += row[lane];
    }
    let mean = sum / n;
    let (residual, sum_sq) = rows.iter().fold((0.0, 0.0), |(residual, sum_sq), row| {
        let d = row[lane] - mean;
        (residual + d, sum_sq + d * d)
    });
    // `residual` is the rounding left in `mean`, tiny next to the spread;
    // adding it back corrects both results (Chan, Golub and LeVeque).
    let correction = residual / n;
    (mean + correction, (sum_sq - residual * correction).max(0.0))
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
