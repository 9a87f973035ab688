//! Merging consecutive hits of any detector into alert intervals.
//!
//! A pump lasts many bars and a spam campaign many posts; an analyst wants
//! one alert for it, not forty. Hits of one symbol and source separated by
//! at most `max_gap` normal observations are merged. The merger sees only
//! time, score and kind (through [`Scored`]), so every source uses it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{AnomalyType, Calibrator, ConfidenceLevel, Evidence, Explanation, KindSet, Scored, Source, confidence};

/// A later stage's finding about an alert: why it is explained (an
/// earnings headline behind a volume surge) or escalated (a pump call just
/// before a run-up). The alert is kept, marked, never deleted.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContextNote {
    /// The stage that made the finding.
    pub source: Source,
    /// In words, for the analyst.
    pub reason: String,
    /// What the finding rests on.
    pub evidence: Evidence,
}

/// Why a later stage considers an alert explained.
pub type Explained = ContextNote;

/// Why a later stage considers an alert more serious than its score says.
pub type Escalated = ContextNote;

/// One alert: a merged run of anomalous observations of one symbol from
/// one source.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertInterval {
    /// The modality that raised it.
    pub source: Source,
    /// The instrument.
    pub symbol: Arc<str>,
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
    /// Type of the whole interval (see [`KindSet::interval_kind`]).
    pub kind: AnomalyType,
    /// Threshold the peak was compared with.
    pub threshold: f64,
    /// Calibrated probability of the peak score, once calibrated.
    pub probability: Option<f64>,
    /// The peak's evidence.
    pub evidence: Evidence,
    /// Set by a later stage that explains the alert.
    pub explained: Option<Explained>,
    /// Set by a later stage that finds it more serious.
    pub escalated: Option<Escalated>,
}

impl AlertInterval {
    /// `peak_score / (peak_score + threshold)`: 0.5 at the threshold,
    /// times the evidence's [`Evidence::confidence_weight`] (lower for
    /// bars alone).
    pub fn confidence(&self) -> f64 {
        self.evidence.confidence_weight() * confidence(self.peak_score, self.threshold)
    }

    /// The confidence as a word.
    pub fn confidence_level(&self) -> ConfidenceLevel {
        ConfidenceLevel::of(self.confidence())
    }

    /// Sets the probability of the peak score from a calibrator fitted on
    /// a reference period.
    pub fn calibrate(&mut self, calibrator: &Calibrator) {
        self.probability = Some(calibrator.probability(self.peak_score));
    }

    /// Marks the alert explained by a later stage; it stays in every list.
    pub fn mark_explained(&mut self, explained: Explained) {
        self.explained = Some(explained);
    }

    /// `true` once a later stage explained it.
    pub fn is_explained(&self) -> bool {
        self.explained.is_some()
    }

    /// Marks the alert more serious, by a later stage.
    pub fn mark_escalated(&mut self, escalated: Escalated) {
        self.escalated = Some(escalated);
    }

    /// `true` once a later stage escalated it.
    pub fn is_escalated(&self) -> bool {
        self.escalated.is_some()
    }

    /// Why: the peak's evidence in words, formatted only when displayed.
    pub fn explanation(&self) -> Explanation<'_> {
        Explanation { kind: self.kind, score: self.peak_score, threshold: self.threshold, evidence: &self.evidence }
    }
}

/// The JSON alert line of GUIDE §8: `symbol, start, end, peak_at, hits,
/// source, type, peak_score, probability, confidence, confidence_level,
/// threshold, explained, explained_by, explanation, evidence`, then
/// `escalated, escalated_by`.
impl Serialize for AlertInterval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("AlertInterval", 18)?;
        s.serialize_field("symbol", &*self.symbol)?;
        s.serialize_field("start", &self.start)?;
        s.serialize_field("end", &self.end)?;
        s.serialize_field("peak_at", &self.peak_at)?;
        s.serialize_field("hits", &self.hits)?;
        s.serialize_field("source", &self.source)?;
        s.serialize_field("type", &self.kind)?;
        s.serialize_field("peak_score", &self.peak_score)?;
        s.serialize_field("probability", &self.probability)?;
        s.serialize_field("confidence", &self.confidence())?;
        s.serialize_field("confidence_level", &self.confidence_level())?;
        s.serialize_field("threshold", &self.threshold)?;
        s.serialize_field("explained", &self.is_explained())?;
        s.serialize_field("explained_by", &self.explained)?;
        s.serialize_field("explanation", &self.explanation().to_string())?;
        s.serialize_field("evidence", &self.evidence)?;
        s.serialize_field("escalated", &self.is_escalated())?;
        s.serialize_field("escalated_by", &self.escalated)?;
        s.end()
    }
}

/// What an alert line stores; the derived fields (`confidence`,
/// `confidence_level`, `explained`, `explanation`) are recomputed, so a line
/// read back cannot contradict itself.
#[derive(serde::Deserialize)]
struct StoredAlert {
    symbol: Arc<str>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    peak_at: DateTime<Utc>,
    hits: usize,
    source: Source,
    #[serde(rename = "type")]
    kind: AnomalyType,
    peak_score: f64,
    probability: Option<f64>,
    threshold: f64,
    explained_by: Option<Explained>,
    evidence: Evidence,
    /// Absent from lines written before escalation existed.
    #[serde(default)]
    escalated_by: Option<Escalated>,
}

/// Reads an alert line back (a later stage, e.g. fusion, reads what an
/// example wrote). Unknown fields are ignored.
impl<'de> serde::Deserialize<'de> for AlertInterval {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let a = StoredAlert::deserialize(deserializer)?;
        if a.end < a.start || a.peak_at < a.start || a.peak_at > a.end {
            return Err(serde::de::Error::custom(format!(
                "alert of {}: peak_at {} must lie in [start {}, end {}]",
                a.symbol, a.peak_at, a.start, a.end
            )));
        }
        Ok(Self {
            source: a.source,
            symbol: a.symbol,
            start: a.start,
            end: a.end,
            hits: a.hits,
            peak_score: a.peak_score,
            peak_at: a.peak_at,
            kind: a.kind,
            threshold: a.threshold,
            probability: a.probability,
            evidence: a.evidence,
            explained: a.explained_by,
            escalated: a.escalated_by,
        })
    }
}

#[derive(Debug, Clone)]
struct Open {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    hits: usize,
    peak: Scored,
    peak_at: DateTime<Utc>,
    peak_threshold: f64,
    seen: KindSet,
    first_score: f64,
}

/// Streaming merger for one symbol and source.
#[derive(Debug, Clone)]
pub struct IntervalMerger {
    source: Source,
    symbol: Arc<str>,
    max_gap: usize,
    open: Option<Open>,
    gap: usize,
}

impl IntervalMerger {
    /// A merger that tolerates up to `max_gap` normal observations inside an interval.
    pub fn new(source: Source, symbol: impl Into<Arc<str>>, max_gap: usize) -> Self {
        Self { source, symbol: symbol.into(), max_gap, open: None, gap: 0 }
    }

    /// Feeds one observation, classified at `threshold` (see
    /// [`Scored::kind_at`]); returns an interval when one has just closed.
    /// Allocation-free unless an interval closes, for evidence that owns no
    /// heap data (price/volume, a feature with a literal name); evidence
    /// that does is cloned at each new peak.
    pub fn push(&mut self, timestamp: DateTime<Utc>, scored: &Scored, threshold: f64) -> Option<AlertInterval> {
        self.push_classified(timestamp, scored.kind_at(threshold), scored, threshold)
    }

    /// Like [`Self::push`], with the kind already decided by the caller (a
    /// rule with one threshold per feature, such as
    /// [`crate::detect::AlertRule`]); `threshold` is the one the score was
    /// compared with.
    pub fn push_classified(
        &mut self,
        timestamp: DateTime<Utc>,
        kind: AnomalyType,
        scored: &Scored,
        threshold: f64,
    ) -> Option<AlertInterval> {
        if !kind.is_anomaly() {
            if self.open.is_some() {
                self.gap += 1;
                if self.gap > self.max_gap {
                    return self.finish();
                }
            }
            return None;
        }
        self.gap = 0;
        match &mut self.open {
            Some(open) => {
                open.end = timestamp;
                open.hits += 1;
                open.seen.insert(kind);
                if scored.score > open.peak.score {
                    open.peak.clone_from(scored);
                    open.peak.kind = kind;
                    open.peak_at = timestamp;
                    open.peak_threshold = threshold;
                }
            }
            None => {
                let mut seen = KindSet::default();
                seen.insert(kind);
                let mut peak = scored.clone();
                peak.kind = kind;
                self.open = Some(Open {
                    start: timestamp,
                    end: timestamp,
                    hits: 1,
                    peak,
                    peak_at: timestamp,
                    peak_threshold: threshold,
                    seen,
                    first_score: scored.score,
                });
            }
        }
        None
    }

    /// When the open interval began and the score that opened it (`None`
    /// while no interval is open): a live monitor reports an alert the
    /// moment it opens, long before it closes.
    pub fn open_since(&self) -> Option<(DateTime<Utc>, f64)> {
        self.open.as_ref().map(|open| (open.start, open.first_score))
    }

    /// Closes and returns the open interval, if any (call at the end of
    /// data and at breaks an interval must not span).
    pub fn finish(&mut self) -> Option<AlertInterval> {
        let open = self.open.take()?;
        self.gap = 0;
        Some(AlertInterval {
            source: self.source,
            symbol: Arc::clone(&self.symbol),
            start: open.start,
            end: open.end,
            hits: open.hits,
            peak_score: open.peak.score,
            peak_at: open.peak_at,
            kind: open.seen.interval_kind(open.peak.kind),
            threshold: open.peak_threshold,
            probability: None,
            evidence: open.peak.evidence,
            explained: None,
            escalated: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pv(p: f64, v: f64) -> Scored {
        Scored::new(p.abs().max(v), AnomalyType::PriceSpike, Evidence::price_volume(p, v))
    }

    #[test]
    fn hits_within_the_gap_merge_and_types_combine() {
        let t = |i: i64| Utc.timestamp_opt(60 * i, 0).unwrap();
        let mut m = IntervalMerger::new(Source::Bars, "X", 1);
        let seq = [pv(0.0, 5.0), pv(0.0, 0.0), pv(6.0, 0.0), pv(0.0, 0.0), pv(0.0, 0.0), pv(0.0, 4.0), pv(0.0, 0.0)];
        let mut out = Vec::new();
        for (i, s) in seq.iter().enumerate() {
            out.extend(m.push(t(i as i64), s, 3.0));
        }
        out.extend(m.finish());
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].start, out[0].end, out[0].hits), (t(0), t(2), 2));
        assert_eq!(out[0].kind, AnomalyType::PatternAnomaly);
        assert_eq!((out[0].peak_score, out[0].peak_at), (6.0, t(2)));
        assert_eq!(out[1].kind, AnomalyType::VolumeSurge);
        assert_eq!((out[1].start, out[1].end), (t(5), t(5)));
    }

    #[test]
    fn any_source_merges_and_an_explained_alert_is_kept() {
        let t = |i: i64| Utc.timestamp_opt(i, 0).unwrap();
        let spam = |x: f64| Scored::new(x, AnomalyType::PumpSpam, Evidence::feature("spam_cues", x));
        let mut m = IntervalMerger::new(Source::Text, "MOON", 0);
        assert!(m.push(t(0), &spam(0.9), 0.5).is_none());
        assert!(m.push(t(1), &spam(0.7), 0.5).is_none());
        let mut alert = m.push(t(2), &spam(0.1), 0.5).expect("closed by a normal item with max_gap 0");
        assert_eq!(
            (alert.source, alert.kind, alert.hits, alert.peak_score),
            (Source::Text, AnomalyType::PumpSpam, 2, 0.9)
        );
        alert.mark_explained(Explained {
            source: Source::Fusion,
            reason: "a listing announcement at the same minute".into(),
            evidence: Evidence::feature("news_match", 1.0),
        });
        let json = serde_json::to_value(&alert).unwrap();
        assert_eq!(json["explained"], true);
        assert_eq!(json["type"], "pump_spam");
        assert_eq!(json["source"], "text");
        assert_eq!(json["explained_by"]["source"], "fusion");
        assert_eq!(json["evidence"]["feature"]["name"], "spam_cues");
        // The line reads back to the same alert.
        let back: AlertInterval = serde_json::from_value(json).unwrap();
        assert_eq!(back, alert);
    }

    #[test]
    fn a_line_whose_peak_lies_outside_its_interval_is_refused() {
        let mut m = IntervalMerger::new(Source::Bars, "X", 0);
        m.push(DateTime::UNIX_EPOCH, &pv(12.0, 0.0), 4.0);
        let mut json = serde_json::to_value(m.finish().unwrap()).unwrap();
        json["peak_at"] = "1971-01-01T00:00:00Z".into();
        let e = serde_json::from_value::<AlertInterval>(json).unwrap_err().to_string();
        assert!(e.contains("peak_at 1971-01-01 00:00:00 UTC must lie in"), "{e}");
    }

    #[test]
    fn json_lines_carry_probability_and_confidence_level() {
        let mut m = IntervalMerger::new(Source::Bars, "X", 0);
        m.push(DateTime::UNIX_EPOCH, &pv(12.0, 0.0), 4.0);
        let mut alert = m.finish().unwrap();
        let json = serde_json::to_value(&alert).unwrap();
        assert!(json["probability"].is_null(), "not calibrated yet");
        assert_eq!((json["confidence"].as_f64(), json["confidence_level"].as_str()), (Some(0.75), Some("high")));
        alert.calibrate(&Calibrator::fit(&[1.0, 2.0, 3.0]).unwrap());
        let p = alert.probability.unwrap();
        assert!(p > 0.75 && p < 1.0, "{p}");
        assert_eq!(json["explanation"], "price spike: price z +12.00 beyond ±4.00, volume z +0.00 ordinary");
    }
}
