//! [`NumericContext`]: what the market was doing when a headline appeared —
//! the numeric half of the [`FinancialAnomalyEncoder`](super::FinancialAnomalyEncoder)'s input.
//!
//! All four numbers look only backwards from the bar the headline falls in
//! (that bar included), so they are known the moment the headline is read.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::data::{BarSeries, NewsItem};

/// Bars looked back by default (20 one-minute bars: the last 20 minutes).
pub const DEFAULT_CONTEXT_BARS: usize = 20;

/// The names of [`NumericContext::features`], in order.
pub const NUMERIC_FEATURE_NAMES: [&str; 4] = ["return", "log_volume_ratio", "volatility", "news_count"];

/// The market around one headline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NumericContext {
    /// Log return from the close `bars` bars back to the close of the
    /// headline's bar.
    pub log_return: f64,
    /// `ln((v + 1) / (m + 1))`: the headline bar's volume `v` against the
    /// mean `m` of the `bars` bars before it (+1 so zero-volume bars are
    /// fine).
    pub log_volume_ratio: f64,
    /// Standard deviation of the one-bar log returns over the window.
    pub volatility: f64,
    /// Headlines about the same symbol in the window, this one included.
    pub news_count: usize,
}

impl NumericContext {
    /// The context of a headline about `series`' symbol at `at`, looking
    /// back `bars` bars; `None` when `at` is before the series, after its
    /// last bar by more than one bar's spacing, or fewer than `bars` bars
    /// precede it (the text is then scored alone).
    pub fn at(series: &BarSeries, news: &[NewsItem], at: DateTime<Utc>, bars: usize) -> Option<Self> {
        let all = series.bars();
        let bars = bars.max(2);
        // The bar the headline falls in: the last bar that opened at or before it.
        let i = all.partition_point(|b| b.timestamp <= at).checked_sub(1)?;
        if i < bars {
            return None;
        }
        if i + 1 == all.len() && all.len() >= 2 {
            let spacing = all[i].timestamp - all[i - 1].timestamp;
            if at - all[i].timestamp > spacing {
                return None;
            }
        }
        let window = &all[i - bars..=i];
        let returns: Vec<f64> = window
            .windows(2)
            .map(|w| if w[0].close > 0.0 && w[1].close > 0.0 { (w[1].close / w[0].close).ln() } else { 0.0 })
            .collect();
        let mean = returns.iter().sum::<f64>() / returns.len() as f64;
        let variance = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / returns.len() as f64;
        let before = &window[..bars];
        let mean_volume = before.iter().map(|b| b.volume).sum::<f64>() / bars as f64;
        let start = window[0].timestamp;
        let symbol = series.symbol();
        let news_count = news
            .iter()
            .filter(|n| n.symbol.as_deref() == Some(symbol) && n.timestamp >= start && n.timestamp <= at)
            .count();
        Some(Self {
            log_return: returns.iter().sum(),
            log_volume_ratio: ((all[i].volume + 1.0) / (mean_volume + 1.0)).ln(),
            volatility: variance.sqrt(),
            news_count,
        })
    }

    /// The four numbers, in the order of [`NUMERIC_FEATURE_NAMES`]
    /// (`news_count` as `ln(1 + count)`).
    pub fn features(&self) -> [f64; 4] {
        [self.log_return, self.log_volume_ratio, self.volatility, (self.news_count as f64).ln_1p()]
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::data::Bar;

    fn series(volumes: &[f64], closes: &[f64]) -> BarSeries {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 14, 30, 0).unwrap();
        let bars = volumes
            .iter()
            .zip(closes)
            .enumerate()
            .map(|(i, (&v, &c))| Bar::new(t0 + chrono::Duration::minutes(i as i64), c, c, c, c, v).unwrap())
            .collect();
        BarSeries::new("ACME", bars).unwrap()
    }

    #[test]
    fn a_volume_surge_and_a_jump_are_measured_from_the_bars_before() {
        let s = series(&[100.0, 100.0, 100.0, 100.0, 505.0], &[10.0, 10.0, 10.0, 10.0, 11.0]);
        let news = vec![NewsItem {
            timestamp: s.bars()[4].timestamp,
            symbol: Some("ACME".into()),
            headline: "ACME beats".into(),
            source: "wire".into(),
        }];
        let at = s.bars()[4].timestamp + chrono::Duration::seconds(30);
        let c = NumericContext::at(&s, &news, at, 4).unwrap();
        assert!((c.log_volume_ratio - (506.0f64 / 101.0).ln()).abs() < 1e-12);
        assert!((c.log_return - 1.1f64.ln()).abs() < 1e-12);
        assert_eq!(c.news_count, 1);
        // Returns 0, 0, 0, ln 1.1: population standard deviation.
        let r = 1.1f64.ln();
        let expected = ((3.0 * (r / 4.0).powi(2) + (r - r / 4.0).powi(2)) / 4.0).sqrt();
        assert!((c.volatility - expected).abs() < 1e-12);
    }

    #[test]
    fn too_little_history_or_a_time_outside_the_series_gives_none() {
        let s = series(&[1.0; 5], &[10.0; 5]);
        let first = s.bars()[0].timestamp;
        assert!(NumericContext::at(&s, &[], s.bars()[2].timestamp, 4).is_none());
        assert!(NumericContext::at(&s, &[], first - chrono::Duration::minutes(1), 2).is_none());
        assert!(NumericContext::at(&s, &[], first + chrono::Duration::hours(3), 2).is_none());
        // Zero volume everywhere is fine: a ratio of 1.
        let z = series(&[0.0; 5], &[10.0; 5]);
        assert_eq!(NumericContext::at(&z, &[], z.bars()[4].timestamp, 4).unwrap().log_volume_ratio, 0.0);
    }
}
