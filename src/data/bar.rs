//! OHLCV bars and validated bar series.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{check_increasing, check_price, check_size};
use crate::error::{Error, Result};

/// One OHLCV bar. `timestamp` is the bar's open time in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Open time of the bar (UTC).
    pub timestamp: DateTime<Utc>,
    /// First traded price.
    pub open: f64,
    /// Highest traded price.
    pub high: f64,
    /// Lowest traded price.
    pub low: f64,
    /// Last traded price.
    pub close: f64,
    /// Traded quantity (zero for a bar without trades).
    pub volume: f64,
}

impl Bar {
    /// Builds a bar and validates it (see [`Bar::validate`]).
    pub fn new(timestamp: DateTime<Utc>, open: f64, high: f64, low: f64, close: f64, volume: f64) -> Result<Self> {
        let bar = Self { timestamp, open, high, low, close, volume };
        bar.validate(0)?;
        Ok(bar)
    }

    /// Checks prices (finite, > 0), volume (finite, ≥ 0) and the OHLC
    /// ordering (`low ≤ open, close ≤ high`). `row` goes into the error.
    pub fn validate(&self, row: usize) -> Result<()> {
        check_price("open", row, self.open)?;
        check_price("high", row, self.high)?;
        check_price("low", row, self.low)?;
        check_price("close", row, self.close)?;
        check_size("volume", row, self.volume)?;
        if self.high < self.low {
            return Err(Error::InvalidValue {
                field: "high",
                row,
                value: format!("{} (low is {})", self.high, self.low),
                reason: "high must be >= low",
            });
        }
        for (field, v) in [("open", self.open), ("close", self.close)] {
            if v > self.high || v < self.low {
                return Err(Error::InvalidValue {
                    field,
                    row,
                    value: format!("{v} (low {}, high {})", self.low, self.high),
                    reason: "must lie between low and high",
                });
            }
        }
        Ok(())
    }
}

/// A validated, time-ordered series of bars of one symbol.
///
/// Invariants: not empty, every bar valid, timestamps strictly increasing.
/// Gaps (weekends, maintenance) are allowed: they are normal in market data.
/// It can be serialised but not deserialised directly: read the bars, then
/// call [`BarSeries::new`], so the invariants are checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarSeries {
    symbol: String,
    bars: Vec<Bar>,
}

impl BarSeries {
    /// Validates `bars` and wraps them. Use [`crate::data::repair`] first
    /// if the input may be unsorted or contain duplicates.
    pub fn new(symbol: impl Into<String>, bars: Vec<Bar>) -> Result<Self> {
        if bars.is_empty() {
            return Err(Error::Empty { what: "bars" });
        }
        for (row, bar) in bars.iter().enumerate() {
            bar.validate(row)?;
        }
        check_increasing(bars.iter().map(|b| b.timestamp))?;
        Ok(Self { symbol: symbol.into(), bars })
    }

    /// The symbol, e.g. `BTCUSDT`.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The bars, oldest first.
    pub fn bars(&self) -> &[Bar] {
        &self.bars
    }

    /// Number of bars (never zero).
    pub fn len(&self) -> usize {
        self.bars.len()
    }

    /// Always `false`: a series is never empty. Present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    /// Closing prices.
    pub fn closes(&self) -> Vec<f64> {
        self.bars.iter().map(|b| b.close).collect()
    }

    /// Volumes.
    pub fn volumes(&self) -> Vec<f64> {
        self.bars.iter().map(|b| b.volume).collect()
    }

    /// Timestamps.
    pub fn timestamps(&self) -> Vec<DateTime<Utc>> {
        self.bars.iter().map(|b| b.timestamp).collect()
    }

    /// Returns an error when a rolling window of `window` bars cannot fit.
    pub fn check_window(&self, window: usize) -> Result<()> {
        if window == 0 {
            return Err(Error::param("window", window, "must be at least 1"));
        }
        if window > self.bars.len() {
            return Err(Error::WindowTooLong { window, len: self.bars.len(), what: "bars" });
        }
        Ok(())
    }

    /// Gives back the bars.
    pub fn into_bars(self) -> Vec<Bar> {
        self.bars
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + 60 * min, 0).unwrap()
    }

    #[test]
    fn nan_close_is_refused_with_field_and_row() {
        let bars = vec![
            Bar { timestamp: t(0), open: 1.0, high: 1.0, low: 1.0, close: 1.0, volume: 1.0 },
            Bar { timestamp: t(1), open: 1.0, high: 1.0, low: 1.0, close: f64::NAN, volume: 1.0 },
        ];
        let msg = BarSeries::new("X", bars).unwrap_err().to_string();
        assert!(msg.contains("`close`") && msg.contains("row 1") && msg.contains("NaN"), "{msg}");
    }

    #[test]
    fn high_below_low_is_refused() {
        let err = Bar::new(t(0), 1.0, 0.9, 1.1, 1.0, 0.0).unwrap_err();
        assert!(err.to_string().contains("high must be >= low"), "{err}");
    }

    #[test]
    fn negative_volume_and_zero_price_are_refused() {
        assert!(Bar::new(t(0), 1.0, 1.0, 1.0, 1.0, -1.0).unwrap_err().to_string().contains("`volume`"));
        assert!(Bar::new(t(0), 0.0, 1.0, 0.0, 1.0, 1.0).unwrap_err().to_string().contains("> 0"));
    }

    #[test]
    fn unsorted_and_duplicate_timestamps_are_refused() {
        let bar = |m| Bar { timestamp: t(m), open: 1.0, high: 1.0, low: 1.0, close: 1.0, volume: 0.0 };
        let e = BarSeries::new("X", vec![bar(0), bar(2), bar(1)]).unwrap_err();
        assert!(matches!(e, Error::UnsortedTimestamps { row: 2, .. }), "{e}");
        let e = BarSeries::new("X", vec![bar(0), bar(1), bar(1)]).unwrap_err();
        assert!(matches!(e, Error::DuplicateTimestamp { row: 2, first_row: 1, .. }), "{e}");
        assert!(matches!(BarSeries::new("X", vec![]).unwrap_err(), Error::Empty { .. }));
    }

    #[test]
    fn window_longer_than_data_is_an_error() {
        let bar = |m| Bar { timestamp: t(m), open: 1.0, high: 1.0, low: 1.0, close: 1.0, volume: 0.0 };
        let s = BarSeries::new("X", vec![bar(0), bar(1), bar(5)]).unwrap();
        assert!(s.check_window(3).is_ok());
        assert!(matches!(s.check_window(4).unwrap_err(), Error::WindowTooLong { window: 4, len: 3, .. }));
    }
}
