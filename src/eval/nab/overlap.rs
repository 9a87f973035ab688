//! Orion's overlap-segment F1 on NAB's windows (the measure Orion's
//! benchmark reports for AER and the other pipelines).
//!
//! Ground truth is NAB's labelled windows. A detector's flagged rows are
//! joined into intervals (runs of consecutive flagged rows). A window that
//! some interval overlaps is a true positive, a window no interval
//! overlaps a false negative, and an interval that overlaps no window a
//! false positive. Counts are summed over a subset's series before F1 is
//! taken.

use super::corpus::NabWindow;
use crate::eval::events::events_from_labels;

/// Orion's NAB subsets: its short name and the NAB category.
pub const OVERLAP_SUBSETS: [(&str, &str); 5] = [
    ("Art", "artificialWithAnomaly"),
    ("AdEx", "realAdExchange"),
    ("AWS", "realAWSCloudwatch"),
    ("Traf", "realTraffic"),
    ("Tweets", "realTweets"),
];

/// Windows found and missed, and intervals that found nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OverlapCounts {
    /// Windows overlapped by at least one interval.
    pub true_positives: usize,
    /// Intervals that overlap no window.
    pub false_positives: usize,
    /// Windows no interval overlaps.
    pub false_negatives: usize,
}

impl std::ops::Add for OverlapCounts {
    type Output = Self;

    /// The sum of two counts (series of one subset).
    fn add(self, other: Self) -> Self {
        Self {
            true_positives: self.true_positives + other.true_positives,
            false_positives: self.false_positives + other.false_positives,
            false_negatives: self.false_negatives + other.false_negatives,
        }
    }
}

impl OverlapCounts {
    /// `2·TP / (2·TP + FP + FN)`; `None` when all three are zero.
    pub fn f1(&self) -> Option<f64> {
        let denominator = 2 * self.true_positives + self.false_positives + self.false_negatives;
        (denominator > 0).then(|| 2.0 * self.true_positives as f64 / denominator as f64)
    }
}

/// The runs of consecutive flagged rows, as inclusive `(first, last)` rows.
pub fn scores_to_intervals(flagged: &[bool]) -> Vec<(usize, usize)> {
    events_from_labels(flagged).into_iter().map(|e| (e.start, e.end)).collect()
}

// ANCHOR: overlap
/// The overlap counts of one series.
pub fn overlap_counts(windows: &[NabWindow], intervals: &[(usize, usize)]) -> OverlapCounts {
    let overlaps = |w: &NabWindow, &(first, last): &(usize, usize)| first <= w.end_row && w.start_row <= last;
    let found = windows.iter().filter(|w| intervals.iter().any(|i| overlaps(w, i))).count();
    OverlapCounts {
        true_positives: found,
        false_negatives: windows.len() - found,
        false_positives: intervals.iter().filter(|i| !windows.iter().any(|w| overlaps(w, i))).count(),
    }
}
// ANCHOR_END: overlap

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_flags_become_intervals() {
        let flags = [false, true, true, false, true, false, false, true];
        assert_eq!(scores_to_intervals(&flags), vec![(1, 2), (4, 4), (7, 7)]);
        assert!(scores_to_intervals(&[false; 3]).is_empty());
    }

    #[test]
    fn hand_counted_overlaps() {
        let windows = [NabWindow { start_row: 10, end_row: 20 }, NabWindow { start_row: 40, end_row: 50 }];
        // One interval touches the first window's last row, one is far from both,
        // two overlap nothing else; the second window is missed.
        let intervals = [(20, 22), (30, 31), (60, 61)];
        let counts = overlap_counts(&windows, &intervals);
        assert_eq!(counts, OverlapCounts { true_positives: 1, false_positives: 2, false_negatives: 1 });
        assert_eq!(counts.f1(), Some(2.0 / 5.0));
        assert_eq!(OverlapCounts::default().f1(), None);
    }
}
