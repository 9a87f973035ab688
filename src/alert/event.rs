//! The one scored event every detector produces, whatever it reads.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AnomalyType, Evidence, Source, confidence};

/// What a detector returns for one observation: a raw score, the kind it
/// reports if the score is alerted, and the evidence. No allocation for the
/// price/volume and feature evidence of this chapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// Raw score: higher = more anomalous, never clamped, never NaN.
    pub score: f64,
    /// The kind an alert on this observation carries (for price/volume
    /// evidence it is recomputed from the z-scores at the threshold, see
    /// [`Scored::kind_at`]).
    pub kind: AnomalyType,
    /// What the score rests on.
    pub evidence: Evidence,
}

impl Scored {
    /// A score whose kind is `kind` when alerted.
    pub fn new(score: f64, kind: AnomalyType, evidence: Evidence) -> Self {
        Self { score, kind, evidence }
    }

    // ANCHOR: kind_at
    /// The kind at `threshold`: [`AnomalyType::Normal`] unless
    /// `score > threshold`. For price/volume evidence the z-scores decide:
    /// price only → `price_spike`, volume surge only → `volume_surge`,
    /// both → `manipulation_suspected` (low volume is never a surge).
    #[inline]
    pub fn kind_at(&self, threshold: f64) -> AnomalyType {
        if self.score.is_nan() || self.score <= threshold {
            return AnomalyType::Normal;
        }
        match self.evidence {
            Evidence::PriceVolume { price_z, volume_z } => match (price_z.abs() > threshold, volume_z > threshold) {
                (true, true) => AnomalyType::ManipulationSuspected,
                (false, true) => AnomalyType::VolumeSurge,
                (true, false) => AnomalyType::PriceSpike,
                (false, false) => self.kind,
            },
            _ => self.kind,
        }
    }
    // ANCHOR_END: kind_at
}

/// A scored observation placed in time, for one symbol (or none: a
/// market-wide headline), from one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredEvent {
    /// The modality that produced it.
    pub source: Source,
    /// The instrument, when there is one. Shared, so events of one symbol
    /// do not copy its name.
    pub symbol: Option<Arc<str>>,
    /// When it happened (the first observation of an interval).
    pub start: DateTime<Utc>,
    /// The last observation (equal to `start` for a single observation).
    pub end: DateTime<Utc>,
    /// Raw score, higher = more anomalous.
    pub score: f64,
    /// Calibrated probability (see [`super::Calibrator`]), when a calibrator
    /// was fitted.
    pub probability: Option<f64>,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// The kind at that threshold.
    #[serde(rename = "type")]
    pub kind: AnomalyType,
    /// What the score rests on.
    pub evidence: Evidence,
}

impl ScoredEvent {
    /// The event of one observation at `at`, classified at `threshold`.
    pub fn at(
        source: Source,
        symbol: Option<Arc<str>>,
        at: DateTime<Utc>,
        scored: Scored,
        threshold: f64,
        probability: Option<f64>,
    ) -> Self {
        let kind = scored.kind_at(threshold);
        Self {
            source,
            symbol,
            start: at,
            end: at,
            score: scored.score,
            probability,
            threshold,
            kind,
            evidence: scored.evidence,
        }
    }

    /// `true` unless the kind is `Normal`.
    pub fn is_anomaly(&self) -> bool {
        self.kind.is_anomaly()
    }

    /// `score / (score + threshold)`, see [`confidence()`], times the
    /// evidence's [`Evidence::confidence_weight`].
    pub fn confidence(&self) -> f64 {
        self.evidence.confidence_weight() * confidence(self.score, self.threshold)
    }

    /// Why it was (or was not) raised, formatted only when displayed.
    pub fn explanation(&self) -> Explanation<'_> {
        Explanation { kind: self.kind, score: self.score, threshold: self.threshold, evidence: &self.evidence }
    }
}

/// Displays why an event was (or was not) raised.
#[derive(Debug, Clone, Copy)]
pub struct Explanation<'a> {
    /// The kind explained.
    pub kind: AnomalyType,
    /// The raw score.
    pub score: f64,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// The evidence.
    pub evidence: &'a Evidence,
}

impl std::fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.evidence.explain(self.kind, self.score, self.threshold, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_volume_kinds_follow_the_z_scores_at_the_threshold() {
        let s = |p: f64, v: f64| Scored::new(p.abs().max(v), AnomalyType::PriceSpike, Evidence::price_volume(p, v));
        assert_eq!(s(0.5, 0.5).kind_at(3.0), AnomalyType::Normal);
        assert_eq!(s(-4.0, 0.5).kind_at(3.0), AnomalyType::PriceSpike);
        assert_eq!(s(0.0, 4.0).kind_at(3.0), AnomalyType::VolumeSurge);
        assert_eq!(s(0.0, -9.0).kind_at(3.0), AnomalyType::Normal, "low volume is not a surge");
        assert_eq!(s(5.0, 5.0).kind_at(3.0), AnomalyType::ManipulationSuspected);
        assert_eq!(s(5.0, 3.5).kind_at(4.0), AnomalyType::PriceSpike);
        assert_eq!(s(5.0, 3.5).kind_at(3.0), AnomalyType::ManipulationSuspected);
    }

    #[test]
    fn a_feature_score_carries_its_own_kind_above_the_threshold() {
        let s = Scored::new(6.0, AnomalyType::WhaleMovement, Evidence::feature("size_z", 6.0));
        assert_eq!(s.kind_at(5.0), AnomalyType::WhaleMovement);
        assert_eq!(s.kind_at(6.0), AnomalyType::Normal, "at the threshold is not above it");
        let e = ScoredEvent::at(Source::OrderBook, None, DateTime::UNIX_EPOCH, s, 5.0, None);
        assert_eq!(e.explanation().to_string(), "whale_movement: size_z +6.00, score 6.00 > 5.00");
    }
}
