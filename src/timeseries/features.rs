//! From a series to the rows the encoder reads, without looking ahead.
//!
//! Every point becomes one row of a few numbers computed from the point and
//! the point before it, never a later one:
//!
//! * **bars** (OHLCV): the log of open, high, low and close over the
//!   previous close, and `ln(1 + volume)`; scale-free, so a model trained at
//!   100 dollars reads a stock at 3 000. After a pause of more than
//!   [`crate::scan::SESSION_GAP_FACTOR`] typical bar spacings (a night, a
//!   weekend, a maintenance window) the bar is measured from its own open,
//!   as the streaming detectors do, so an overnight gap is not a price jump;
//! * **values** (one number per point, as in NAB or a monitoring export):
//!   the value and its change from the previous point.
//!
//! A [`Normaliser`] fitted on the training points only (mean and standard
//! deviation per feature) turns the rows into the network's inputs. The
//! first point has no predecessor and no row; a window of `L` rows ending at
//! point `t` therefore needs `t ≥ L`.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::error::TimeSeriesError;
use crate::data::Bar;

/// Normalised inputs are clipped to ±`INPUT_CLIP` standard deviations, so a
/// value a million deviations out cannot overflow the network; the score of
/// such a point is still far above any threshold.
pub const INPUT_CLIP: f64 = 100.0;

/// What a row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// OHLCV bars: four log price ratios and the log volume.
    Ohlcv,
    /// One value per point: the value and its change.
    Value,
}

impl FeatureKind {
    /// Features per point.
    pub fn width(self) -> usize {
        match self {
            Self::Ohlcv => 5,
            Self::Value => 2,
        }
    }

    /// The features' names, in row order.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Self::Ohlcv => &["log_open", "log_high", "log_low", "log_close", "log_volume"],
            Self::Value => &["value", "change"],
        }
    }
}

/// The raw feature rows of a series: row `i` (for `i ≥ 1`) describes point `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFeatures {
    kind: FeatureKind,
    points: usize,
    /// `points × width` numbers; row 0 is zeros and never read.
    rows: Vec<f64>,
    /// For bars, the close before each point (NaN for point 0); empty for values.
    previous_close: Vec<f64>,
}

impl SeriesFeatures {
    // ANCHOR: from_bars
    /// Rows of OHLCV bars (already validated by [`Bar::new`]: finite,
    /// positive prices, non-negative volume).
    pub fn from_bars(bars: &[Bar]) -> Result<Self, TimeSeriesError> {
        let kind = FeatureKind::Ohlcv;
        let timestamps: Vec<_> = bars.iter().map(|b| b.timestamp).collect();
        let session_gap = crate::scan::session_gap(&timestamps);
        let mut rows = vec![0.0; bars.len() * kind.width()];
        let mut previous_close = vec![f64::NAN; bars.len()];
        for (i, pair) in bars.windows(2).enumerate() {
            let (previous, bar) = (&pair[0], &pair[1]);
            for (field, value) in [("close", previous.close), ("open", bar.open), ("volume", bar.volume)] {
                if !value.is_finite() {
                    return Err(TimeSeriesError::NotFinite { field, index: i + 1, value });
                }
            }
            let new_session = session_gap.is_some_and(|gap| bar.timestamp - previous.timestamp > gap);
            let base_price = if new_session { bar.open } else { previous.close };
            previous_close[i + 1] = base_price;
            let base = base_price.ln();
            let row = &mut rows[(i + 1) * 5..(i + 2) * 5];
            row[0] = bar.open.ln() - base;
            row[1] = bar.high.ln() - base;
            row[2] = bar.low.ln() - base;
            row[3] = bar.close.ln() - base;
            row[4] = bar.volume.ln_1p();
        }
        Ok(Self { kind, points: bars.len(), rows, previous_close })
    }
    // ANCHOR_END: from_bars

    /// Rows of a single-value series; a value that is not finite is an
    /// error naming its position.
    pub fn from_values(values: &[f64]) -> Result<Self, TimeSeriesError> {
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(TimeSeriesError::NotFinite { field: "value", index, value: values[index] });
        }
        let kind = FeatureKind::Value;
        let mut rows = vec![0.0; values.len() * 2];
        for (i, pair) in values.windows(2).enumerate() {
            rows[(i + 1) * 2] = pair[1];
            rows[(i + 1) * 2 + 1] = pair[1] - pair[0];
        }
        Ok(Self { kind, points: values.len(), rows, previous_close: Vec::new() })
    }

    /// What the rows describe.
    pub fn kind(&self) -> FeatureKind {
        self.kind
    }

    /// Points in the series (rows are `1..points`).
    pub fn points(&self) -> usize {
        self.points
    }

    /// For bars, the price point `i`'s prices are measured from: the close
    /// before it, or its own open after a session break (`1 ≤ i < points`).
    pub fn previous_close(&self, i: usize) -> Option<f64> {
        self.previous_close.get(i).copied()
    }

    /// The features of point `i` (`1 ≤ i < points`).
    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.kind.width();
        &self.rows[i * w..(i + 1) * w]
    }
}

/// Mean and standard deviation of each feature over the training points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normaliser {
    /// What the rows describe.
    pub kind: FeatureKind,
    /// Mean per feature.
    pub mean: Vec<f64>,
    /// Standard deviation per feature (1 where the feature was constant).
    pub scale: Vec<f64>,
}

impl Normaliser {
    /// Fits on the rows of `points` (point 0 has no row and is skipped).
    pub fn fit(features: &SeriesFeatures, points: Range<usize>) -> Result<Self, TimeSeriesError> {
        let start = points.start.max(1);
        let end = points.end.min(features.points());
        if end < start + 2 {
            return Err(TimeSeriesError::TooFew {
                what: "points to fit the normaliser on",
                have: end.saturating_sub(start),
                need: 2,
            });
        }
        let w = features.kind().width();
        let n = (end - start) as f64;
        let mut mean = vec![0.0; w];
        for i in start..end {
            for (m, x) in mean.iter_mut().zip(features.row(i)) {
                *m += x / n;
            }
        }
        let mut scale = vec![0.0; w];
        for i in start..end {
            for ((s, x), m) in scale.iter_mut().zip(features.row(i)).zip(&mean) {
                *s += (x - m).powi(2) / n;
            }
        }
        for (s, m) in scale.iter_mut().zip(&mean) {
            let sd = s.sqrt();
            // A feature that never moved in training: any movement later is
            // news, measured in units of the mean's magnitude (or 1).
            *s = if sd > 1e-9 * m.abs().max(1.0) { sd } else { m.abs().max(1.0) * 1e-3 };
        }
        Ok(Self { kind: features.kind(), mean, scale })
    }

    /// The network's inputs: every row standardised and clipped to
    /// ±[`INPUT_CLIP`].
    pub fn apply(&self, features: &SeriesFeatures) -> Result<NormalisedSeries, TimeSeriesError> {
        if features.kind() != self.kind {
            return Err(TimeSeriesError::WidthMismatch {
                what: "series",
                found: features.kind().width(),
                expected: self.kind.width(),
            });
        }
        let w = self.kind.width();
        let mut rows = vec![0f32; features.points() * w];
        for i in 1..features.points() {
            for (j, x) in features.row(i).iter().enumerate() {
                rows[i * w + j] = ((x - self.mean[j]) / self.scale[j]).clamp(-INPUT_CLIP, INPUT_CLIP) as f32;
            }
        }
        Ok(NormalisedSeries { width: w, points: features.points(), rows })
    }

    /// Back from a normalised feature `j` to its own units.
    pub fn denormalise(&self, j: usize, x: f32) -> f64 {
        f64::from(x) * self.scale[j] + self.mean[j]
    }
}

/// The network's inputs, one row per point, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalisedSeries {
    width: usize,
    points: usize,
    rows: Vec<f32>,
}

impl NormalisedSeries {
    /// Features per point.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Points in the series.
    pub fn points(&self) -> usize {
        self.points
    }

    /// Separate windows (`count × len × width` numbers) as one series, for
    /// [`crate::timeseries::train`]: window `i` ends at
    /// [`NormalisedSeries::window_end`]`(i, len)`.
    pub fn from_windows(windows: &[f32], width: usize) -> Self {
        let mut rows = vec![0f32; width];
        rows.extend_from_slice(windows);
        Self { width, points: rows.len() / width, rows }
    }

    /// Where window `i` of [`NormalisedSeries::from_windows`] ends.
    pub fn window_end(i: usize, len: usize) -> usize {
        (i + 1) * len
    }

    /// The first point a window of `len` rows can end at.
    pub fn first_end(len: usize) -> usize {
        len
    }

    /// The `len` rows ending at point `end` (inclusive), as one slice:
    /// points `end + 1 − len ..= end`.
    pub fn window(&self, end: usize, len: usize) -> &[f32] {
        debug_assert!(end >= len && end < self.points);
        &self.rows[(end + 1 - len) * self.width..(end + 1) * self.width]
    }
}
