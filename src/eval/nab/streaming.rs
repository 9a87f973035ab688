//! Scores of a streaming detector on a NAB series, row by row: each value
//! is scored against what came before it, then learned, so no row sees
//! itself or the future.

use crate::detect::UnivariateDetector;
use crate::error::Result;

/// The anomaly score of a deviation `z`: `|z| / (1 + |z|)`, in [0, 1) and
/// rising with `|z|` (NAB's threshold sweep depends on the order of the
/// scores only, so any rising map gives the same NAB score). 0 while the
/// detector warms up.
pub fn deviation_to_score(z: Option<f64>) -> f64 {
    z.map_or(0.0, |z| z.abs() / (1.0 + z.abs()))
}

/// The score of every value, in order, from a fresh `detector`.
pub fn streaming_scores<D: UnivariateDetector>(mut detector: D, values: &[f64]) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(values.len());
    for &x in values {
        out.push(deviation_to_score(detector.deviation(x)));
        detector.learn_one(x)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{RollingZScore, ScaleFloor};

    #[test]
    fn a_spike_scores_highest_and_a_later_value_never_changes_an_earlier_score() {
        let mut values: Vec<f64> = (0..50).map(|i| (i % 5) as f64).collect();
        values[30] = 40.0;
        let detector = || RollingZScore::new(10, ScaleFloor::new(0.0, 1e-9).unwrap()).unwrap();
        let scores = streaming_scores(detector(), &values).unwrap();
        let top = (0..scores.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
        assert_eq!(top, 30);
        assert!(scores[..10].iter().all(|&s| s == 0.0), "warming up");
        let mut changed = values.clone();
        changed[40] = -100.0;
        let again = streaming_scores(detector(), &changed).unwrap();
        assert_eq!(scores[..40], again[..40]);
    }
}
