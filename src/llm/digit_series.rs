//! A series written as digits for a language model, in the manner of
//! SigLLM: values scaled to small non-negative integers and joined by
//! commas (`"312,318,305,"`), so that a model trained on text can continue
//! the sequence.

use std::ops::Range;

use crate::timeseries::TimeSeriesError;

/// Where the fitted range's low end lands: values down to three ranges
/// below it stay at or above zero.
const LOW_AT: f64 = 300.0;
/// The fitted range spans this many integer steps (a step is 1 % of it).
const RANGE_STEPS: f64 = 100.0;
/// The largest integer written (three digits).
const HIGHEST: i64 = 999;

/// Maps values to integers `0..=999` with the minimum and maximum of a fit
/// range only (so it cannot see the future): the fit range's minimum
/// becomes 300 and its maximum 400, one step is 1 % of the range, and
/// values more than 3 ranges below the minimum or 5.99 ranges above the
/// maximum are clipped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DigitScaler {
    low: f64,
    range: f64,
}

impl DigitScaler {
    /// Fits the scaler on `values[fit]`. Errors name the first non-finite
    /// value, an empty fit range or one that ends past the series.
    pub fn fit(values: &[f64], fit: Range<usize>) -> Result<Self, TimeSeriesError> {
        if fit.end > values.len() {
            return Err(TimeSeriesError::InvalidParameter {
                name: "fit",
                value: format!("{}..{}", fit.start, fit.end),
                reason: "must end within the series",
            });
        }
        let end = fit.end;
        if fit.start >= end {
            return Err(TimeSeriesError::TooFew { what: "points in the fit range", have: 0, need: 1 });
        }
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for (index, &value) in values.iter().enumerate().take(end).skip(fit.start) {
            if !value.is_finite() {
                return Err(TimeSeriesError::NotFinite { field: "value", index, value });
            }
            low = low.min(value);
            high = high.max(value);
        }
        // A flat fit range: any change is measured against a tiny range.
        let range = (high - low).max(1e-9 * low.abs().max(1.0));
        Ok(Self { low, range })
    }

    // ANCHOR: scale
    /// The integer that stands for `value`.
    pub fn to_integer(&self, value: f64) -> i64 {
        let scaled = LOW_AT + RANGE_STEPS * (value - self.low) / self.range;
        (scaled.round() as i64).clamp(0, HIGHEST)
    }
    // ANCHOR_END: scale

    /// The value an integer stands for (the middle of its step).
    pub fn to_value(&self, integer: i64) -> f64 {
        self.low + (integer as f64 - LOW_AT) * self.range / RANGE_STEPS
    }

    /// The distance between two integers in fitted ranges (1.0 = the whole
    /// fit range).
    pub fn ranges_between(a: i64, b: i64) -> f64 {
        (a - b).abs() as f64 / RANGE_STEPS
    }
}

/// The text of one value in the sequence: its integer and a comma.
pub fn digit_token_text(integer: i64) -> String {
    format!("{integer},")
}

/// Reads the forecast from a model's continuation: the leading digits, up to
/// the first comma or any other character. `None` when it starts with no
/// digit or has more digits than any written value.
pub fn parse_forecast(continuation: &str) -> Option<i64> {
    let digits: String = continuation.trim_start().chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_range_maps_to_300_and_400_and_beyond_is_clipped() {
        let scaler = DigitScaler::fit(&[10.0, 20.0, 15.0, 1000.0], 0..3).unwrap();
        assert_eq!(scaler.to_integer(10.0), 300);
        assert_eq!(scaler.to_integer(20.0), 400);
        assert_eq!(scaler.to_integer(15.0), 350);
        assert_eq!(scaler.to_integer(1000.0), 999);
        assert_eq!(scaler.to_integer(-100.0), 0);
        assert!((scaler.to_value(350) - 15.0).abs() < 1e-12);
        assert_eq!(DigitScaler::ranges_between(350, 300), 0.5);
    }

    #[test]
    fn a_nan_in_the_fit_range_is_named() {
        let error = DigitScaler::fit(&[1.0, f64::NAN], 0..2).unwrap_err();
        assert!(error.to_string().contains("#1"), "{error}");
        assert!(DigitScaler::fit(&[1.0], 1..1).is_err());
        let past = DigitScaler::fit(&[1.0, 2.0], 0..5).unwrap_err().to_string();
        assert!(past.contains("0..5") && past.contains("within the series"), "{past}");
    }

    #[test]
    fn forecasts_are_read_up_to_the_comma() {
        assert_eq!(parse_forecast("312,318"), Some(312));
        assert_eq!(parse_forecast(" 7,"), Some(7));
        assert_eq!(parse_forecast("abc"), None);
        assert_eq!(parse_forecast("12345,"), None);
        assert_eq!(digit_token_text(305), "305,");
    }
}
