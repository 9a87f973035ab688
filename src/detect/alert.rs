//! From raw scores to alerts: the threshold policy lives here, not in the
//! detectors, so sensitivity can change without refitting anything.

use serde::{Deserialize, Serialize};

use super::PriceVolumeScore;
use crate::alert::{AnomalyType, Evidence, Scored, confidence};
use crate::error::{Result, positive_param};

/// Thresholds on the price and volume z-scores.
///
/// A bar is a price anomaly when `|price_z| > price`, a volume anomaly when
/// `volume_z > volume` (surges only: unusually *low* volume is not flagged).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlertRule {
    price: f64,
    volume: f64,
}

/// The verdict on one observation. Plain data: no allocation per tick; the
/// text of the explanation is produced only when displayed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// What kind of anomaly, or `Normal`.
    pub kind: AnomalyType,
    /// Raw score: the z-score of the driving feature (the one furthest past
    /// its threshold); with equal thresholds `max(|price_z|, volume_z⁺)`.
    /// Unbounded, higher = more anomalous.
    pub score: f64,
    /// `score / (score + threshold)`: 0.5 exactly at the threshold, → 1 far
    /// above it; strictly increasing in the score.
    pub confidence: f64,
    /// The threshold the score was compared with.
    pub threshold: f64,
    /// Signed price z-score.
    pub price_z: f64,
    /// Signed volume z-score.
    pub volume_z: f64,
}

impl AlertRule {
    /// Separate thresholds for price and volume (both finite and > 0).
    pub fn new(price: f64, volume: f64) -> Result<Self> {
        Ok(Self { price: positive_param("price", price)?, volume: positive_param("volume", volume)? })
    }

    /// The same threshold for both features.
    pub fn uniform(threshold: f64) -> Result<Self> {
        Self::new(threshold, threshold)
    }

    /// Price threshold.
    pub fn price(&self) -> f64 {
        self.price
    }

    /// Volume threshold.
    pub fn volume(&self) -> f64 {
        self.volume
    }

    // ANCHOR: classify
    /// Classifies a score. Allocation-free.
    #[inline]
    pub fn classify(&self, s: PriceVolumeScore) -> Detection {
        let price_hit = s.price_z.abs() > self.price;
        let volume_hit = s.volume_z > self.volume;
        let kind = match (price_hit, volume_hit) {
            (true, true) => AnomalyType::ManipulationSuspected,
            (false, true) => AnomalyType::VolumeSurge,
            (true, false) => AnomalyType::PriceSpike,
            (false, false) => AnomalyType::Normal,
        };
        // The driving feature is the one furthest past (or closest to) its
        // own threshold; with equal thresholds this is simply the larger z.
        // `|p| / tp >= v / tv` written without divisions (tp, tv > 0).
        let (score, threshold) = if s.price_z.abs() * self.volume >= s.volume_z.max(0.0) * self.price {
            (s.price_z.abs(), self.price)
        } else {
            (s.volume_z, self.volume)
        };
        Detection {
            kind,
            score,
            confidence: confidence(score, threshold),
            threshold,
            price_z: s.price_z,
            volume_z: s.volume_z,
        }
    }
    // ANCHOR_END: classify
}

impl Detection {
    /// `true` unless the kind is `Normal`.
    pub fn is_anomaly(&self) -> bool {
        self.kind.is_anomaly()
    }

    /// The score mapped to [0, 1) for display: `1 − exp(−score / 3)`;
    /// strictly increasing, so rankings (and PR-AUC) are unchanged.
    pub fn unit_score(&self) -> f64 {
        1.0 - libm::exp(-self.score / 3.0)
    }

    /// The z-scores as evidence of the alert model.
    pub fn evidence(&self) -> Evidence {
        Evidence::price_volume(self.price_z, self.volume_z)
    }

    /// This detection as a [`Scored`] observation of the alert model.
    pub fn scored(&self) -> Scored {
        Scored::new(self.score, self.kind, self.evidence())
    }

    /// A human-readable explanation (formatted lazily).
    pub fn explanation(&self) -> Explanation {
        Explanation { detection: *self }
    }
}

impl crate::alert::IntervalMerger {
    /// Feeds one detection of an [`AlertRule`], keeping its kind (decided
    /// with one threshold per feature).
    pub fn push_detection(
        &mut self,
        timestamp: chrono::DateTime<chrono::Utc>,
        detection: &Detection,
    ) -> Option<crate::alert::AlertInterval> {
        self.push_classified(timestamp, detection.kind, &detection.scored(), detection.threshold)
    }
}

/// Displays why a detection was (or was not) raised.
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    detection: Detection,
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.detection;
        d.evidence().explain(d.kind, d.score, d.threshold, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(price_z: f64, volume_z: f64) -> PriceVolumeScore {
        PriceVolumeScore { price_z, volume_z }
    }

    #[test]
    fn classification_table() {
        let r = AlertRule::uniform(3.0).unwrap();
        assert_eq!(r.classify(s(0.5, 0.5)).kind, AnomalyType::Normal);
        assert_eq!(r.classify(s(-4.0, 0.5)).kind, AnomalyType::PriceSpike);
        assert_eq!(r.classify(s(0.0, 4.0)).kind, AnomalyType::VolumeSurge);
        assert_eq!(r.classify(s(0.0, -9.0)).kind, AnomalyType::Normal, "low volume is not a surge");
        assert_eq!(r.classify(s(5.0, 5.0)).kind, AnomalyType::ManipulationSuspected);
    }

    #[test]
    fn confidence_is_one_half_at_the_threshold_and_monotonic() {
        let r = AlertRule::uniform(3.0).unwrap();
        approx::assert_relative_eq!(r.classify(s(3.0, 0.0)).confidence, 0.5);
        let c: Vec<f64> = [1.0, 3.0, 10.0, 100.0].iter().map(|&z| r.classify(s(z, 0.0)).confidence).collect();
        assert!(c.windows(2).all(|w| w[0] < w[1]), "{c:?}");
        assert!(r.classify(s(1e6, 0.0)).confidence < 1.0);
    }

    #[test]
    fn unequal_thresholds_keep_confidence_one_half_at_the_boundary() {
        let r = AlertRule::new(2.0, 10.0).unwrap();
        let d = r.classify(s(1.9, 9.0));
        assert_eq!(d.kind, AnomalyType::Normal);
        assert_eq!((d.score, d.threshold), (1.9, 2.0), "price is closer to its threshold (0.95 vs 0.9)");
        assert!(d.confidence < 0.5, "{}", d.confidence);
        let d = r.classify(s(2.0, 0.0));
        approx::assert_relative_eq!(d.confidence, 0.5);
    }

    #[test]
    fn explanation_names_the_driving_feature() {
        let r = AlertRule::uniform(3.0).unwrap();
        let text = r.classify(s(0.1, 12.0)).explanation().to_string();
        assert!(text.starts_with("volume surge") && text.contains("+12.00"), "{text}");
    }

    #[test]
    fn bad_thresholds_are_refused() {
        assert!(AlertRule::new(0.0, 3.0).unwrap_err().to_string().contains("`price`"));
        assert!(AlertRule::new(3.0, f64::NAN).unwrap_err().to_string().contains("`volume`"));
    }
}
