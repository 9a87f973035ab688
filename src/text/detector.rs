//! [`TextAnomalyDetector`]: how far a text's embedding lies from ordinary
//! news, by three distances, calibrated on normal texts it was not fitted on.
//!
//! Fitted on embeddings of **normal** texts only (the seed chapter's
//! design, done properly):
//! - **Mahalanobis**: distance from the mean in units of the spread in
//!   each direction, with a Ledoit–Wolf shrunk covariance
//!   ([`ShrunkCovariance`]) because 384 dimensions and a few hundred texts
//!   make the sample covariance singular;
//! - **kNN**: mean cosine distance to the `k` nearest fitted texts (a text
//!   unlike any single normal one is far even if it sits "inside" the cloud);
//! - **centroid**: cosine distance to the mean direction (the crudest).
//!
//! The raw score of the chosen method is turned into a probability by a
//! [`Calibrator`] fitted on a second set of normal texts (the calibration
//! split), never on the fitted ones: a fitted text is close to itself, so
//! its scores would be too low. The alert decision is the seed's
//! contamination rule (flag the `contamination` share of normal texts that
//! look most unusual), with the quantile taken on that same calibration
//! split: `score > threshold ⇔ probability above 1 − contamination`.

use std::fmt;
use std::str::FromStr;

use super::embedder::Embeddings;
use super::error::TextError;
use super::shrinkage::ShrunkCovariance;
use crate::alert::Calibrator;
use crate::detect::threshold::empirical_quantile;

/// Which distance is the detector's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextMethod {
    /// Mahalanobis distance with a shrunk covariance.
    Mahalanobis,
    /// Mean cosine distance to the `k` nearest normal texts.
    Knn,
    /// Cosine distance to the normal texts' mean direction.
    Centroid,
}

impl TextMethod {
    /// Every method, in the order the book's tables use.
    pub const ALL: [TextMethod; 3] = [TextMethod::Mahalanobis, TextMethod::Knn, TextMethod::Centroid];

    /// The method's name in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TextMethod::Mahalanobis => "mahalanobis",
            TextMethod::Knn => "knn",
            TextMethod::Centroid => "centroid",
        }
    }
}

impl fmt::Display for TextMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TextMethod {
    type Err = TextError;
    fn from_str(s: &str) -> Result<Self, TextError> {
        TextMethod::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| TextError::InvalidParameter {
            name: "method",
            value: s.to_string(),
            reason: "expected mahalanobis, knn or centroid",
        })
    }
}

/// Settings of a [`TextAnomalyDetector`].
#[derive(Debug, Clone, PartialEq)]
pub struct TextDetectorConfig {
    /// The distance used as the score (default Mahalanobis: the best of the
    /// three on held-out template families, see example 02).
    pub method: TextMethod,
    /// Neighbours averaged by the kNN distance (default 5).
    pub k: usize,
    /// Share of normal texts the decision flags (default 0.05, the seed's).
    pub contamination: f64,
}

impl Default for TextDetectorConfig {
    fn default() -> Self {
        Self { method: TextMethod::Mahalanobis, k: 5, contamination: 0.05 }
    }
}

/// The three distances of one text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextScores {
    /// Mahalanobis distance (shrunk covariance).
    pub mahalanobis: f64,
    /// Mean cosine distance to the `k` nearest fitted texts.
    pub knn: f64,
    /// Cosine distance to the mean direction.
    pub centroid: f64,
}

impl TextScores {
    /// The score of `method`.
    pub fn get(&self, method: TextMethod) -> f64 {
        match method {
            TextMethod::Mahalanobis => self.mahalanobis,
            TextMethod::Knn => self.knn,
            TextMethod::Centroid => self.centroid,
        }
    }
}

/// A fitted normal text close to a scored one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// Position of the text among the fitted texts.
    pub index: usize,
    /// Cosine similarity (1 = same direction).
    pub similarity: f64,
}

/// Which of `len` normal texts go to the calibration split: 3 in every 10
/// (positions 2, 5 and 8 of each ten), so both splits sample every part of
/// the list; the rest are fitted.
pub fn is_calibration_index(index: usize) -> bool {
    matches!(index % 10, 2 | 5 | 8)
}

/// A text detector fitted on normal texts; see the module documentation.
#[derive(Debug, Clone)]
pub struct TextAnomalyDetector {
    config: TextDetectorConfig,
    covariance: ShrunkCovariance,
    reference: Embeddings,
    centroid: Vec<f32>,
    calibrator: Calibrator,
    threshold: f64,
    baseline: f64,
}

impl TextAnomalyDetector {
    /// Fits on the embeddings of normal texts `fit` and calibrates on the
    /// embeddings of other normal texts `calibration` (at least 10).
    pub fn fit(fit: Embeddings, calibration: &Embeddings, config: TextDetectorConfig) -> Result<Self, TextError> {
        if config.k == 0 {
            return Err(TextError::InvalidParameter { name: "k", value: "0".into(), reason: "at least one neighbour" });
        }
        if !(config.contamination > 0.0 && config.contamination < 0.5) {
            return Err(TextError::InvalidParameter {
                name: "contamination",
                value: config.contamination.to_string(),
                reason: "a share of texts in (0, 0.5)",
            });
        }
        if fit.len() < config.k.max(2) {
            return Err(TextError::TooFew { what: "fitted normal texts", have: fit.len(), need: config.k.max(2) });
        }
        if calibration.len() < 10 {
            return Err(TextError::TooFew { what: "calibration normal texts", have: calibration.len(), need: 10 });
        }
        if calibration.dim() != fit.dim() {
            return Err(TextError::DimensionMismatch {
                what: "calibration embeddings",
                found: calibration.dim(),
                expected: fit.dim(),
            });
        }
        // ANCHOR: fit
        let covariance = ShrunkCovariance::ledoit_wolf(fit.rows())?;
        let centroid = unit(covariance.mean());
        let mut detector = Self {
            config,
            covariance,
            reference: fit,
            centroid,
            calibrator: Calibrator::fit(&[0.0])?,
            threshold: f64::INFINITY,
            baseline: 0.0,
        };
        let reference_scores: Vec<f64> =
            calibration.rows().map(|row| detector.score(row)).collect::<Result<_, TextError>>()?;
        detector.calibrator = Calibrator::fit(&reference_scores)?;
        detector.threshold = empirical_quantile(&reference_scores, 1.0 - detector.config.contamination)?;
        detector.baseline = empirical_quantile(&reference_scores, 0.5)?;
        // ANCHOR_END: fit
        Ok(detector)
    }

    /// The settings.
    pub fn config(&self) -> &TextDetectorConfig {
        &self.config
    }

    /// The three distances of the text whose embedding is `x`.
    pub fn scores(&self, x: &[f32]) -> Result<TextScores, TextError> {
        let mahalanobis = self.covariance.mahalanobis(x)?;
        Ok(TextScores { mahalanobis, knn: self.knn_distance(x), centroid: 1.0 - dot(x, &self.centroid) })
    }

    /// The raw score of the configured method (higher = more anomalous).
    pub fn score(&self, x: &[f32]) -> Result<f64, TextError> {
        match self.config.method {
            TextMethod::Mahalanobis => self.covariance.mahalanobis(x),
            TextMethod::Knn => self.check_dim(x).map(|()| self.knn_distance(x)),
            TextMethod::Centroid => self.check_dim(x).map(|()| 1.0 - dot(x, &self.centroid)),
        }
    }

    /// The calibrated probability of a raw score: how unusual it is among
    /// normal texts the detector was not fitted on.
    pub fn probability(&self, score: f64) -> f64 {
        self.calibrator.probability(score)
    }

    /// The raw score above which a text is flagged.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The median score of the calibration texts: what an ordinary text scores.
    pub fn baseline(&self) -> f64 {
        self.baseline
    }

    /// How clearly a score crossed the threshold, measured from the
    /// ordinary level: [`confidence`](crate::alert::confidence) of
    /// `score − baseline` against `threshold − baseline`, so 0.5 at the
    /// threshold, 0.6 at 1.5 times its distance from the median, 0.75 at 3
    /// times (distances never reach 0, so the plain ratio would say little).
    pub fn confidence(&self, score: f64) -> f64 {
        crate::alert::confidence(score - self.baseline, (self.threshold - self.baseline).max(f64::MIN_POSITIVE))
    }

    /// Whether a raw score is flagged.
    pub fn is_anomalous(&self, score: f64) -> bool {
        score > self.threshold
    }

    /// The calibrator (fitted on the calibration split).
    pub fn calibrator(&self) -> &Calibrator {
        &self.calibrator
    }

    /// The Ledoit–Wolf shrinkage weight of the covariance.
    pub fn shrinkage(&self) -> f64 {
        self.covariance.shrinkage()
    }

    /// How many normal texts were fitted.
    pub fn reference_len(&self) -> usize {
        self.reference.len()
    }

    /// The `n` fitted texts most similar to `x`, most similar first.
    pub fn nearest(&self, x: &[f32], n: usize) -> Vec<Neighbour> {
        let mut all: Vec<Neighbour> = self
            .reference
            .rows()
            .enumerate()
            .map(|(index, row)| Neighbour { index, similarity: dot(x, row) })
            .collect();
        let n = n.min(all.len());
        if n == 0 {
            return Vec::new();
        }
        all.select_nth_unstable_by(n - 1, |a, b| b.similarity.total_cmp(&a.similarity));
        all.truncate(n);
        all.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        all
    }

    fn check_dim(&self, x: &[f32]) -> Result<(), TextError> {
        if x.len() == self.reference.dim() {
            Ok(())
        } else {
            Err(TextError::DimensionMismatch { what: "scored vector", found: x.len(), expected: self.reference.dim() })
        }
    }

    // ANCHOR: knn
    /// Mean of the `k` smallest cosine distances to the fitted texts.
    fn knn_distance(&self, x: &[f32]) -> f64 {
        let k = self.config.k;
        let mut nearest = vec![f64::INFINITY; k];
        for row in self.reference.rows() {
            let distance = 1.0 - dot(x, row);
            if distance < nearest[k - 1] {
                let at = nearest.partition_point(|&d| d <= distance);
                nearest.insert(at, distance);
                nearest.pop();
            }
        }
        nearest.iter().sum::<f64>() / k as f64
    }
    // ANCHOR_END: knn
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
}

fn unit(v: &[f64]) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| if norm > 0.0 { (x / norm) as f32 } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Unit vectors at `angles` (radians) in a plane of 3 dimensions, with a small third component.
    fn circle(angles: &[f64]) -> Embeddings {
        let data = angles
            .iter()
            .enumerate()
            .flat_map(|(i, &a)| {
                let z = 0.05 * ((i % 3) as f64 - 1.0);
                let n = (1.0 + z * z).sqrt();
                [(a.cos() / n) as f32, (a.sin() / n) as f32, (z / n) as f32]
            })
            .collect();
        Embeddings::new(3, data, Vec::new())
    }

    fn fitted(method: TextMethod) -> TextAnomalyDetector {
        let fit = circle(&(0..40).map(|i| -0.3 + 0.6 * i as f64 / 39.0).collect::<Vec<_>>());
        let calibration = circle(&(0..20).map(|i| -0.28 + 0.56 * i as f64 / 19.0).collect::<Vec<_>>());
        TextAnomalyDetector::fit(fit, &calibration, TextDetectorConfig { method, k: 3, contamination: 0.05 }).unwrap()
    }

    #[test]
    fn a_far_direction_is_flagged_by_every_method_and_a_near_one_by_none() {
        for method in TextMethod::ALL {
            let detector = fitted(method);
            let near = detector.score(&[1.0, 0.0, 0.0]).unwrap();
            let far = detector.score(&[0.0, 1.0, 0.0]).unwrap();
            assert!(!detector.is_anomalous(near), "{method}: near {near} vs threshold {}", detector.threshold());
            assert!(detector.is_anomalous(far), "{method}: far {far} vs threshold {}", detector.threshold());
            assert!(detector.probability(far) > 0.99, "{method}");
            assert_relative_eq!(detector.confidence(detector.threshold()), 0.5, epsilon = 1e-12);
            assert!(detector.confidence(far) > 0.75 && detector.confidence(detector.baseline()) == 0.0, "{method}");
        }
    }

    #[test]
    fn knn_distance_is_the_mean_of_the_k_smallest_cosine_distances() {
        let fit = Embeddings::new(2, vec![1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.6, 0.8], Vec::new());
        let calibration = Embeddings::new(2, [0.8f32, 0.6].repeat(10), Vec::new());
        let config = TextDetectorConfig { method: TextMethod::Knn, k: 2, contamination: 0.1 };
        let detector = TextAnomalyDetector::fit(fit, &calibration, config).unwrap();
        // From (1, 0): distances 0, 1, 2, 0.4 -> the two smallest are 0 and 0.4.
        assert_relative_eq!(detector.score(&[1.0, 0.0]).unwrap(), 0.2, epsilon = 1e-7);
        let nearest = detector.nearest(&[1.0, 0.0], 2);
        assert_eq!(nearest.iter().map(|n| n.index).collect::<Vec<_>>(), vec![0, 3]);
    }

    #[test]
    fn the_calibration_split_takes_three_in_ten() {
        let calibration: Vec<usize> = (0..20).filter(|&i| is_calibration_index(i)).collect();
        assert_eq!(calibration, vec![2, 5, 8, 12, 15, 18]);
    }

    #[test]
    fn bad_settings_and_sizes_are_refused() {
        let fit = circle(&[0.0, 0.1, 0.2, 0.3, 0.4, 0.5]);
        let calibration = circle(&[0.05; 10]);
        let bad = |config| TextAnomalyDetector::fit(fit.clone(), &calibration, config).unwrap_err().to_string();
        assert!(bad(TextDetectorConfig { k: 0, ..Default::default() }).contains("`k`"));
        assert!(bad(TextDetectorConfig { contamination: 0.7, ..Default::default() }).contains("contamination"));
        assert!(bad(TextDetectorConfig { k: 9, ..Default::default() }).contains("fitted normal texts"));
        let few = circle(&[0.05; 3]);
        let message = TextAnomalyDetector::fit(fit.clone(), &few, TextDetectorConfig::default()).unwrap_err();
        assert!(message.to_string().contains("calibration normal texts"), "{message}");
        let detector = fitted(TextMethod::Knn);
        assert!(matches!(detector.score(&[1.0, 0.0]), Err(TextError::DimensionMismatch { .. })));
        assert_eq!("knn".parse::<TextMethod>().unwrap(), TextMethod::Knn);
        assert!("lof".parse::<TextMethod>().is_err());
    }
}
