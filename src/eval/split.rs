//! Temporal train/test splits that cannot leak the future.
//!
//! A random split of a time series lets a model train on points that come
//! after the ones it is tested on. Here the split is a single cutoff in time:
//! every training timestamp is strictly before the cutoff and every test
//! timestamp is at or after it. Timestamps must be strictly increasing; an
//! unsorted or duplicated timestamp is an error, never silently repaired.

use std::ops::Range;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::error::{Error, Result};

/// A split of one series into a training part and a later test part.
///
/// Invariant: `timestamps[train]` < `cutoff` ≤ `timestamps[test]`, and
/// `train.end ≤ test.start` (the indices in between, if any, are the
/// embargo, see [`with_embargo`](Self::with_embargo)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemporalSplit {
    /// Every training timestamp is strictly before it; every test timestamp is at or after it.
    pub cutoff: DateTime<Utc>,
    /// Indices of the training points.
    pub train: Range<usize>,
    /// Indices of the test points.
    pub test: Range<usize>,
}

impl TemporalSplit {
    /// A cutoff at `fraction` of the way from `start` to `end`:
    /// `start + fraction·(end − start)`, rounded to the nearest nanosecond
    /// (microsecond for spans beyond about 292 years).
    ///
    /// Use it to derive one global cutoff for several symbols (pass it to
    /// [`split_at_time`]). Errors unless `start < end` and `fraction` is in `(0, 1)`.
    pub fn cutoff_for_fraction(start: DateTime<Utc>, end: DateTime<Utc>, fraction: f64) -> Result<DateTime<Utc>> {
        check_fraction("fraction", fraction)?;
        if start >= end {
            return Err(Error::param("end", end, format!("must be after start ({start})")));
        }
        let span = end - start;
        let offset = match span.num_nanoseconds() {
            Some(ns) => TimeDelta::nanoseconds((ns as f64 * fraction).round() as i64),
            None => {
                TimeDelta::microseconds((span.num_microseconds().unwrap_or(i64::MAX) as f64 * fraction).round() as i64)
            }
        };
        Ok(start + offset)
    }

    /// Drops the first `n` test points (the *embargo*).
    ///
    /// Features computed over a rolling window (a 20-bar z-score, a rolling
    /// volatility) at the first test points still include training points
    /// from before the cutoff, and a model fitted on the training part has
    /// seen those. Dropping the first `n` test points, with `n` at least the
    /// longest look-back window, keeps the two parts independent.
    ///
    /// The cutoff is unchanged. Errors when the embargo would leave no test point.
    pub fn with_embargo(mut self, n: usize) -> Result<Self> {
        if n >= self.test.len() {
            return Err(Error::param(
                "embargo",
                n,
                format!("leaves no test point (the test part has {})", self.test.len()),
            ));
        }
        self.test.start += n;
        Ok(self)
    }

    /// Indices dropped between the training and the test part (empty without an embargo).
    pub fn embargoed(&self) -> Range<usize> {
        self.train.end..self.test.start
    }
}

/// Splits strictly increasing `timestamps` into the first `train_fraction` of
/// the points (rounded down) for training and the rest for testing. The
/// cutoff is the first test timestamp.
///
/// Errors: empty input, unsorted ([`Error::UnsortedTimestamps`]) or
/// duplicate ([`Error::DuplicateTimestamp`]) timestamps naming the rows,
/// `train_fraction` outside `(0, 1)`, or a fraction that leaves either side
/// without a point.
pub fn temporal_split(timestamps: &[DateTime<Utc>], train_fraction: f64) -> Result<TemporalSplit> {
    check_fraction("train_fraction", train_fraction)?;
    check_strictly_increasing(timestamps)?;
    let n = timestamps.len();
    let n_train = ((n as f64 * train_fraction).floor() as usize).min(n);
    if n_train == 0 || n_train == n {
        return Err(Error::param(
            "train_fraction",
            train_fraction,
            format!(
                "gives {n_train} training and {} test points out of {n}; each side needs at least one",
                n - n_train
            ),
        ));
    }
    Ok(TemporalSplit { cutoff: timestamps[n_train], train: 0..n_train, test: n_train..n })
}

/// Splits strictly increasing `timestamps` at a given `cutoff`: training is
/// every point before it, test every point at or after it.
///
/// Use one cutoff for all the symbols of a study, so that no symbol's test
/// period overlaps another's training period (see
/// [`TemporalSplit::cutoff_for_fraction`]).
///
/// Errors: empty input, unsorted or duplicate timestamps (naming the rows),
/// or a cutoff that leaves either side without a point.
pub fn split_at_time(timestamps: &[DateTime<Utc>], cutoff: DateTime<Utc>) -> Result<TemporalSplit> {
    check_strictly_increasing(timestamps)?;
    let n = timestamps.len();
    let n_train = timestamps.partition_point(|&t| t < cutoff);
    if n_train == 0 || n_train == n {
        return Err(Error::param(
            "cutoff",
            cutoff,
            format!(
                "gives {n_train} training and {} test points out of {n}; each side needs at least one",
                n - n_train
            ),
        ));
    }
    Ok(TemporalSplit { cutoff, train: 0..n_train, test: n_train..n })
}

fn check_fraction(name: &'static str, fraction: f64) -> Result<()> {
    if fraction > 0.0 && fraction < 1.0 { Ok(()) } else { Err(Error::param(name, fraction, "must be in (0, 1)")) }
}

fn check_strictly_increasing(timestamps: &[DateTime<Utc>]) -> Result<()> {
    if timestamps.is_empty() {
        return Err(Error::Empty { what: "timestamps" });
    }
    for (i, pair) in timestamps.windows(2).enumerate() {
        let (previous, current) = (pair[0], pair[1]);
        if current == previous {
            return Err(Error::DuplicateTimestamp { row: i + 1, first_row: i, timestamp: current });
        }
        if current < previous {
            return Err(Error::UnsortedTimestamps { row: i + 1, previous_row: i, previous, current });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn minutes(ms: &[i64]) -> Vec<DateTime<Utc>> {
        let t0 = Utc.with_ymd_and_hms(2024, 3, 1, 14, 30, 0).unwrap();
        ms.iter().map(|&m| t0 + TimeDelta::minutes(m)).collect()
    }

    #[test]
    fn split_by_fraction() {
        let ts = minutes(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let s = temporal_split(&ts, 0.7).unwrap();
        assert_eq!(s.train, 0..7);
        assert_eq!(s.test, 7..10);
        assert_eq!(s.cutoff, ts[7]);
        assert!(ts[s.train.clone()].iter().all(|&t| t < s.cutoff));
        assert!(ts[s.test.clone()].iter().all(|&t| t >= s.cutoff));
        assert!(s.embargoed().is_empty());
        // Rounded down: 0.75 · 10 = 7.5 → 7.
        assert_eq!(temporal_split(&ts, 0.75).unwrap().train, 0..7);
        // Two points, one on each side.
        assert_eq!(temporal_split(&ts[..2], 0.5).unwrap().test, 1..2);
    }

    #[test]
    fn split_errors() {
        let ts = minutes(&[0, 1, 2]);
        for f in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(matches!(temporal_split(&ts, f), Err(Error::InvalidParameter { name: "train_fraction", .. })));
        }
        // 0.2 · 3 = 0.6 → no training point.
        assert!(temporal_split(&ts, 0.2).is_err());
        assert!(temporal_split(&ts[..1], 0.5).is_err());
        assert!(matches!(temporal_split(&[], 0.5), Err(Error::Empty { .. })));

        let unsorted = minutes(&[0, 1, 5, 3, 6]);
        match temporal_split(&unsorted, 0.5) {
            Err(Error::UnsortedTimestamps { row: 3, previous_row: 2, .. }) => {}
            other => panic!("expected unsorted timestamps at row 3, got {other:?}"),
        }
        let duplicate = minutes(&[0, 1, 1, 2]);
        match temporal_split(&duplicate, 0.5) {
            Err(Error::DuplicateTimestamp { row: 2, first_row: 1, .. }) => {}
            other => panic!("expected a duplicate timestamp at row 2, got {other:?}"),
        }
        assert!(matches!(split_at_time(&duplicate, duplicate[2]), Err(Error::DuplicateTimestamp { .. })));
    }

    #[test]
    fn split_at_a_global_cutoff() {
        let ts = minutes(&[0, 2, 4, 6, 8]);
        // A cutoff between points: 5 minutes.
        let cutoff = minutes(&[5])[0];
        let s = split_at_time(&ts, cutoff).unwrap();
        assert_eq!((s.train, s.test, s.cutoff), (0..3, 3..5, cutoff));
        // A cutoff on a point puts that point in the test part.
        let s = split_at_time(&ts, ts[1]).unwrap();
        assert_eq!((s.train, s.test), (0..1, 1..5));
        assert!(split_at_time(&ts, ts[0]).is_err());
        assert!(split_at_time(&ts, minutes(&[9])[0]).is_err());
    }

    #[test]
    fn cutoff_for_fraction_and_embargo() {
        let ends = minutes(&[0, 100]);
        let cutoff = TemporalSplit::cutoff_for_fraction(ends[0], ends[1], 0.7).unwrap();
        assert_eq!(cutoff, minutes(&[70])[0]);
        assert!(TemporalSplit::cutoff_for_fraction(ends[1], ends[0], 0.7).is_err());
        assert!(TemporalSplit::cutoff_for_fraction(ends[0], ends[1], 1.0).is_err());

        let ts = minutes(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let s = temporal_split(&ts, 0.6).unwrap().with_embargo(2).unwrap();
        assert_eq!((s.train.clone(), s.test.clone(), s.embargoed()), (0..6, 8..10, 6..8));
        assert_eq!(s.cutoff, ts[6]);
        assert!(temporal_split(&ts, 0.6).unwrap().with_embargo(4).is_err());
    }
}
