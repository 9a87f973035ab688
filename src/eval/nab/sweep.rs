//! The weight NAB gives a detection at each row of a series (NAB's
//! `Sweeper.calcSweepScore`).
//!
//! Inside a window, a detection at relative position `p` (−1 at the left
//! edge, just below 0 at the right edge) is worth `tp · σ(p) / σ(−1)`,
//! where `σ(p) = 2 / (1 + e^{5p}) − 1` is NAB's scaled sigmoid: early
//! detections earn almost a full `tp`, late ones less. Outside, a detection
//! costs `fp · σ(d)` with `d` its distance past the previous window relative
//! to that window's width (close behind a window it costs little), or `−fp`
//! before the first window. The rows of the probationary period are not
//! scored at all.

use super::corpus::NabSeries;
use super::profile::CostProfile;

/// NAB's probationary share of a series.
const PROBATIONARY_SHARE: f64 = 0.15;
/// The probationary period never exceeds 15 % of 5000 rows.
const PROBATIONARY_CAP_ROWS: f64 = 5000.0;

/// One scored row: the detector's score, what detecting it is worth, and
/// the window it falls in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepRow {
    /// The detector's anomaly score at this row.
    pub anomaly_score: f64,
    /// What a detection here adds to the total (negative for a false positive).
    pub weight: f64,
    /// The window the row is in (an index into the series' windows), if any.
    pub window: Option<usize>,
}

/// The rows at the start of a series that NAB does not score:
/// `min(⌊0.15 · rows⌋, 750)`.
pub fn probationary_length(rows: usize) -> usize {
    (PROBATIONARY_SHARE * rows as f64).floor().min(PROBATIONARY_SHARE * PROBATIONARY_CAP_ROWS) as usize
}

/// NAB's scaled sigmoid: `2 / (1 + e^{5p}) − 1`, and −1 beyond `p > 3`.
pub fn scaled_sigmoid(position: f64) -> f64 {
    if position > 3.0 { -1.0 } else { 2.0 / (1.0 + (5.0 * position).exp()) - 1.0 }
}

/// The scored rows of `series` under `profile` for the detector scores
/// `scores` (one per row), the probationary rows left out. `scores` must
/// have one value per row ([`super::results`] checks that).
pub fn sweep_rows(series: &NabSeries, scores: &[f64], profile: &CostProfile) -> Vec<SweepRow> {
    let max_tp = scaled_sigmoid(-1.0);
    let probation = probationary_length(series.len());
    let mut windows = series.windows.iter().enumerate().peekable();
    let mut current: Option<(usize, usize, f64)> = None; // (window, right row, width)
    let mut previous: Option<(usize, f64)> = None; // (right row, width)
    let mut out = Vec::with_capacity(series.len().saturating_sub(probation));
    for (row, &anomaly_score) in scores.iter().enumerate() {
        if let Some(&(index, window)) = windows.peek()
            && window.start_row == row
        {
            current = Some((index, window.end_row, window.width() as f64));
            windows.next();
        }
        // ANCHOR: weights
        let (weight, window) = match (current, previous) {
            (Some((index, right, width)), _) => {
                let position = -((right as f64) - row as f64 + 1.0) / width;
                (scaled_sigmoid(position) * profile.tp / max_tp, Some(index))
            }
            (None, Some((right, width))) => {
                let distance = (right as f64 - row as f64).abs();
                let position = if width > 1.0 { distance / (width - 1.0) } else { f64::INFINITY };
                (scaled_sigmoid(position) * profile.fp, None)
            }
            (None, None) => (-profile.fp, None),
        };
        // ANCHOR_END: weights
        if row >= probation {
            out.push(SweepRow { anomaly_score, weight, window });
        }
        if let Some((_, right, width)) = current
            && row == right
        {
            previous = Some((right, width));
            current = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::nab::corpus::NabWindow;
    use crate::eval::nab::profile::STANDARD;

    fn series(rows: usize, windows: Vec<NabWindow>) -> NabSeries {
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        NabSeries {
            name: "test/series.csv".into(),
            timestamps: (0..rows).map(|i| start + chrono::Duration::minutes(5 * i as i64)).collect(),
            values: vec![0.0; rows],
            windows,
        }
    }

    #[test]
    fn the_probationary_period_is_15_percent_capped_at_750_rows() {
        assert_eq!(probationary_length(100), 15);
        assert_eq!(probationary_length(4032), 604);
        assert_eq!(probationary_length(22_695), 750);
        assert_eq!(probationary_length(6), 0);
    }

    #[test]
    fn the_scaled_sigmoid_matches_nab_at_hand_computed_points() {
        // 2/(1+e^-5) - 1 = tanh(2.5)
        assert!((scaled_sigmoid(-1.0) - 2.5f64.tanh()).abs() < 1e-15);
        assert_eq!(scaled_sigmoid(0.0), 0.0);
        assert!((scaled_sigmoid(1.0) + 2.5f64.tanh()).abs() < 1e-15);
        assert_eq!(scaled_sigmoid(3.5), -1.0);
    }

    #[test]
    fn weights_inside_after_and_before_windows() {
        // 20 rows, probation 3; one window over rows 10..=13 (width 4).
        let s = series(20, vec![NabWindow { start_row: 10, end_row: 13 }]);
        let rows = sweep_rows(&s, &[0.0; 20], &STANDARD);
        assert_eq!(rows.len(), 17, "rows 0..3 are probationary");
        let at = |row: usize| rows[row - 3];
        // Before the window: -fp.
        assert_eq!(at(5).weight, -0.11);
        assert_eq!(at(5).window, None);
        // Left edge: position -1, worth exactly tp.
        assert!((at(10).weight - 1.0).abs() < 1e-12);
        assert_eq!(at(10).window, Some(0));
        // Right edge: position -1/4.
        let right = scaled_sigmoid(-0.25) / scaled_sigmoid(-1.0);
        assert!((at(13).weight - right).abs() < 1e-12);
        // Two rows past the window: distance 2 / (width - 1) = 2/3.
        assert!((at(15).weight - 0.11 * scaled_sigmoid(2.0 / 3.0)).abs() < 1e-12);
        assert_eq!(at(15).window, None);
    }
}
