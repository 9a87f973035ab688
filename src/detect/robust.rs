//! Rolling median and MAD: a z-score that one wild value cannot drag.
//!
//! `deviation(x) = (x − median) / max(1.4826 · MAD, floor)`, where MAD is
//! the median absolute deviation over the window; 1.4826 makes it match σ
//! for normal data. A sorted copy of the window is kept next to the ring
//! buffer: an update is a binary search plus a `memmove` (O(W), tiny
//! constant, no allocation), and the MAD walks outwards from the median
//! (O(W)). For W ≤ a few hundred this is fast; for very long windows prefer
//! [`crate::detect::RollingZScore`] or [`crate::detect::EwmaZScore`].

use super::{ScaleFloor, UnivariateDetector, check_learn_value};
use crate::error::{Error, Result};

/// σ-consistency factor of the MAD for normal data.
pub const MAD_TO_SIGMA: f64 = 1.482_602_218_505_602;

/// Rolling median/MAD detector.
#[derive(Debug, Clone)]
pub struct RollingMad {
    ring: Box<[f64]>,
    sorted: Vec<f64>,
    head: usize,
    floor: ScaleFloor,
}

impl RollingMad {
    /// A detector over the last `window ≥ 3` values.
    pub fn new(window: usize, floor: ScaleFloor) -> Result<Self> {
        if window < 3 {
            return Err(Error::param("window", window, "must be at least 3"));
        }
        Ok(Self { ring: vec![0.0; window].into_boxed_slice(), sorted: Vec::with_capacity(window), head: 0, floor })
    }

    /// Median of the window (None while empty).
    pub fn median(&self) -> Option<f64> {
        median_of_sorted(&self.sorted)
    }

    /// Median absolute deviation of the window (None while empty).
    pub fn mad(&self) -> Option<f64> {
        let m = self.median()?;
        Some(mad_of_sorted(&self.sorted, m))
    }
}

fn median_of_sorted(s: &[f64]) -> Option<f64> {
    let n = s.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(s[n / 2]),
        _ => Some(0.5 * (s[n / 2 - 1] + s[n / 2])),
    }
}

/// Median of |s[i] − m| for sorted `s`, by merging the two sorted runs of
/// distances that go left and right from `m`.
fn mad_of_sorted(s: &[f64], m: f64) -> f64 {
    let n = s.len();
    let split = s.partition_point(|&v| v < m);
    let (mut left, mut right) = (split, split); // left: next index is left-1
    let want_hi = n / 2; // 0-based rank of the upper middle
    let mut prev = 0.0;
    for rank in 0..=want_hi {
        let dl = if left > 0 { m - s[left - 1] } else { f64::INFINITY };
        let dr = if right < n { s[right] - m } else { f64::INFINITY };
        let d = if dl <= dr {
            left -= 1;
            dl
        } else {
            right += 1;
            dr
        };
        if rank == want_hi {
            return if n % 2 == 1 { d } else { 0.5 * (prev + d) };
        }
        prev = d;
    }
    unreachable!("the loop returns at rank n/2")
}

impl UnivariateDetector for RollingMad {
    fn deviation(&self, x: f64) -> Option<f64> {
        if self.sorted.len() < self.ring.len() || !x.is_finite() {
            return None;
        }
        let m = self.median()?;
        let scale = self.floor.apply(MAD_TO_SIGMA * mad_of_sorted(&self.sorted, m), m);
        Some((x - m) / scale)
    }

    fn learn_one(&mut self, x: f64) -> Result<()> {
        check_learn_value(x)?;
        if self.sorted.len() == self.ring.len() {
            let old = self.ring[self.head];
            let at = self.sorted.partition_point(|&v| v < old);
            self.sorted.remove(at);
        }
        let at = self.sorted.partition_point(|&v| v < x);
        self.sorted.insert(at, x);
        self.ring[self.head] = x;
        self.head = (self.head + 1) % self.ring.len();
        Ok(())
    }

    fn is_warm(&self) -> bool {
        self.sorted.len() == self.ring.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn median_and_mad_by_hand() {
        let mut d = RollingMad::new(5, ScaleFloor::new(0.0, 1e-12).unwrap()).unwrap();
        for x in [1.0, 2.0, 3.0, 4.0, 100.0] {
            d.learn_one(x).unwrap();
        }
        // median 3; |dev| = 2,1,0,1,97 -> MAD 1
        assert_eq!(d.median(), Some(3.0));
        assert_eq!(d.mad(), Some(1.0));
        assert_relative_eq!(d.deviation(6.0).unwrap(), 3.0 / MAD_TO_SIGMA);
        // slide: drop 1, add 5 -> 2,3,4,5,100: median 4, |dev| 2,1,0,1,96 -> MAD 1
        d.learn_one(5.0).unwrap();
        assert_eq!(d.median(), Some(4.0));
        assert_eq!(d.mad(), Some(1.0));
    }

    #[test]
    fn even_window_mad_matches_brute_force() {
        let data: Vec<f64> = (0..200).map(|i| ((i * 37) % 23) as f64 - 7.5).collect();
        let mut d = RollingMad::new(6, ScaleFloor::new(0.0, 1e-12).unwrap()).unwrap();
        for (i, &x) in data.iter().enumerate() {
            d.learn_one(x).unwrap();
            if i >= 5 {
                let mut w: Vec<f64> = data[i - 5..=i].to_vec();
                w.sort_by(f64::total_cmp);
                let m = 0.5 * (w[2] + w[3]);
                let mut dev: Vec<f64> = w.iter().map(|v| (v - m).abs()).collect();
                dev.sort_by(f64::total_cmp);
                assert_eq!(d.median(), Some(m));
                assert_eq!(d.mad(), Some(0.5 * (dev[2] + dev[3])), "at {i}");
            }
        }
    }

    #[test]
    fn one_outlier_does_not_move_the_scale() {
        let floor = ScaleFloor::new(0.0, 1e-12).unwrap();
        let mut d = RollingMad::new(21, floor).unwrap();
        for i in 0..20 {
            d.learn_one(100.0 + (i % 5) as f64).unwrap();
        }
        d.learn_one(10_000.0).unwrap();
        let z = d.deviation(110.0).unwrap();
        assert!(z > 4.0, "robust scale should ignore the 10 000 print, got {z}");
    }
}
