//! Merging consecutive hits into alert intervals.
//!
//! A pump lasts many bars; an analyst wants one alert for it, not forty.
//! Hits separated by at most `max_gap` normal observations are merged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AnomalyType, Detection};

/// One alert: a merged run of anomalous observations of one symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertInterval {
    /// The instrument.
    pub symbol: String,
    /// First anomalous observation.
    pub start: DateTime<Utc>,
    /// Last anomalous observation.
    pub end: DateTime<Utc>,
    /// Number of anomalous observations in the interval.
    pub hits: usize,
    /// Highest raw score in the interval.
    pub peak_score: f64,
    /// When the peak happened.
    pub peak_at: DateTime<Utc>,
    /// Type of the whole interval (see [`IntervalMerger`]).
    #[serde(rename = "type")]
    pub kind: AnomalyType,
    /// Confidence of the peak observation.
    pub confidence: f64,
    /// Threshold used at the peak.
    pub threshold: f64,
    /// Why: the peak's explanation.
    pub explanation: String,
}

#[derive(Debug, Clone)]
struct Open {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    hits: usize,
    peak: Detection,
    peak_at: DateTime<Utc>,
    saw_price: bool,
    saw_volume: bool,
    saw_both: bool,
}

/// Streaming merger for one symbol.
///
/// The interval's type: `ManipulationSuspected` if any observation had price
/// and volume unusual together; `PatternAnomaly` if price and volume were
/// unusual at different times; otherwise the single type seen.
#[derive(Debug, Clone)]
pub struct IntervalMerger {
    symbol: String,
    max_gap: usize,
    open: Option<Open>,
    gap: usize,
}

impl IntervalMerger {
    /// A merger that tolerates up to `max_gap` normal observations inside an interval.
    pub fn new(symbol: impl Into<String>, max_gap: usize) -> Self {
        Self { symbol: symbol.into(), max_gap, open: None, gap: 0 }
    }

    /// Feeds one observation; returns an interval when one has just closed.
    pub fn push(&mut self, timestamp: DateTime<Utc>, detection: &Detection) -> Option<AlertInterval> {
        if detection.is_anomaly() {
            self.gap = 0;
            let kind = detection.kind;
            match &mut self.open {
                Some(open) => {
                    open.end = timestamp;
                    open.hits += 1;
                    if detection.score > open.peak.score {
                        open.peak = *detection;
                        open.peak_at = timestamp;
                    }
                    open.saw_price |= kind == AnomalyType::PriceSpike;
                    open.saw_volume |= kind == AnomalyType::VolumeSurge;
                    open.saw_both |= kind == AnomalyType::ManipulationSuspected;
                }
                None => {
                    self.open = Some(Open {
                        start: timestamp,
                        end: timestamp,
                        hits: 1,
                        peak: *detection,
                        peak_at: timestamp,
                        saw_price: kind == AnomalyType::PriceSpike,
                        saw_volume: kind == AnomalyType::VolumeSurge,
                        saw_both: kind == AnomalyType::ManipulationSuspected,
                    })
                }
            }
            None
        } else if self.open.is_some() {
            self.gap += 1;
            if self.gap > self.max_gap { self.finish() } else { None }
        } else {
            None
        }
    }

    /// Closes and returns the open interval, if any (call at the end of data).
    pub fn finish(&mut self) -> Option<AlertInterval> {
        let open = self.open.take()?;
        self.gap = 0;
        let kind = if open.saw_both {
            AnomalyType::ManipulationSuspected
        } else if open.saw_price && open.saw_volume {
            AnomalyType::PatternAnomaly
        } else {
            open.peak.kind
        };
        let mut peak = open.peak;
        peak.kind = kind;
        Some(AlertInterval {
            symbol: self.symbol.clone(),
            start: open.start,
            end: open.end,
            hits: open.hits,
            peak_score: open.peak.score,
            peak_at: open.peak_at,
            kind,
            confidence: open.peak.confidence,
            threshold: open.peak.threshold,
            explanation: peak.explanation().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{AlertRule, PriceVolumeScore};
    use chrono::TimeZone;

    #[test]
    fn hits_within_the_gap_merge_and_types_combine() {
        let rule = AlertRule::uniform(3.0).unwrap();
        let t = |i: i64| Utc.timestamp_opt(60 * i, 0).unwrap();
        let d = |p: f64, v: f64| rule.classify(PriceVolumeScore { price_z: p, volume_z: v });
        let mut m = IntervalMerger::new("X", 1);
        let seq =
            [d(0.0, 5.0), d(0.0, 0.0), d(6.0, 0.0), d(0.0, 0.0), d(0.0, 0.0), d(0.0, 4.0), d(0.0, 0.0), d(0.0, 0.0)];
        let mut out = Vec::new();
        for (i, det) in seq.iter().enumerate() {
            out.extend(m.push(t(i as i64), det));
        }
        out.extend(m.finish());
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].start, out[0].end, out[0].hits), (t(0), t(2), 2));
        assert_eq!(out[0].kind, AnomalyType::PatternAnomaly);
        assert_eq!(out[0].peak_score, 6.0);
        assert_eq!(out[1].kind, AnomalyType::VolumeSurge);
        assert_eq!((out[1].start, out[1].end), (t(5), t(5)));
    }
}
