//! Two rolling z-scores over one shared window: the fast path for a price
//! feature and a volume feature that always arrive together.

use super::{PairDetector, RollingStats, ScaleFloor, check_learn_field};
use crate::error::Result;

/// Rolling z-scores of two features with one ring buffer of pairs.
///
/// The same numbers as two [`RollingZScore`](super::RollingZScore)s fed the
/// same pairs (a test checks this bit for bit), for less than the cost of
/// two: the buffer bookkeeping is done once, and the Welford update, the
/// square root and the division are written lane by lane so the compiler can
/// run both lanes with one vector instruction each.
#[derive(Debug, Clone)]
pub struct RollingZScorePair {
    stats: RollingStats<2>,
    floors: [ScaleFloor; 2],
}

impl RollingZScorePair {
    /// A detector with a window of `window ≥ 2` pairs and a scale floor per
    /// feature.
    pub fn new(window: usize, first_floor: ScaleFloor, second_floor: ScaleFloor) -> Result<Self> {
        Ok(Self { stats: RollingStats::with_lanes(window)?, floors: [first_floor, second_floor] })
    }

    /// The running statistics (lane 0: first feature, lane 1: second).
    pub fn stats(&self) -> &RollingStats<2> {
        &self.stats
    }
}

// ANCHOR: deviations
impl PairDetector for RollingZScorePair {
    #[inline(always)]
    fn deviations(&self, a: f64, b: f64) -> Option<(f64, f64)> {
        if !(self.stats.is_full() && a.is_finite() && b.is_finite()) {
            return None;
        }
        let ([mean_a, mean_b], [var_a, var_b]) = (self.stats.means(), self.stats.variances());
        // Lane by lane, so the compiler can pair the square roots and the
        // divisions into one vector instruction each.
        let sigma = [var_a.sqrt(), var_b.sqrt()];
        let scale = [self.floors[0].apply(sigma[0], mean_a), self.floors[1].apply(sigma[1], mean_b)];
        Some(((a - mean_a) / scale[0], (b - mean_b) / scale[1]))
    }

    #[inline(always)]
    fn learn_pair(&mut self, a: f64, b: f64) -> Result<()> {
        check_learn_field("first", a)?;
        check_learn_field("second", b)?;
        self.stats.push_lanes([a, b]);
        Ok(())
    }

    fn is_warm(&self) -> bool {
        self.stats.is_full()
    }
}
// ANCHOR_END: deviations

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Paired, RollingZScore};

    #[test]
    fn bit_identical_to_two_univariate_zscores() {
        let (fa, fb) = (ScaleFloor::new(1e-4, 1e-12).unwrap(), ScaleFloor::new(0.05, 1e-12).unwrap());
        let mut pair = RollingZScorePair::new(50, fa, fb).unwrap();
        let mut two =
            Paired { first: RollingZScore::new(50, fa).unwrap(), second: RollingZScore::new(50, fb).unwrap() };
        for i in 0..5000u64 {
            let a = 100.0 + ((i * 2_654_435_761) % 1000) as f64 * 0.01;
            let b = if i % 700 == 699 { 50_000.0 } else { 1000.0 + ((i * 7919) % 101) as f64 };
            let (x, y) = (pair.deviations(a, b), two.deviations(a, b));
            assert_eq!(
                x.map(|(p, v)| (p.to_bits(), v.to_bits())),
                y.map(|(p, v)| (p.to_bits(), v.to_bits())),
                "pair {i}"
            );
            assert_eq!(pair.is_warm(), two.is_warm());
            pair.learn_pair(a, b).unwrap();
            two.learn_pair(a, b).unwrap();
        }
    }

    #[test]
    fn a_refused_pair_changes_nothing() {
        let f = ScaleFloor::new(0.0, 1e-9).unwrap();
        let mut pair = RollingZScorePair::new(3, f, f).unwrap();
        for x in [1.0, 2.0, 4.0] {
            pair.learn_pair(x, x).unwrap();
        }
        let before = pair.deviations(3.0, 3.0);
        let e = pair.learn_pair(1.0, f64::NAN).unwrap_err().to_string();
        assert!(e.contains("`second`") && e.contains("NaN"), "{e}");
        assert!(pair.learn_pair(f64::INFINITY, 1.0).is_err());
        assert_eq!(pair.deviations(3.0, 3.0), before);
        assert_eq!(pair.deviations(f64::NAN, 3.0), None);
    }
}
