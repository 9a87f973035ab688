//! One estimator over a price feature and a volume feature: the workhorse
//! of example 01 and of the multi-symbol monitor.

use serde::{Deserialize, Serialize};

use super::{EwmaZScore, Feature, PairDetector, Paired, RollingMad, RollingZScorePair, ScaleFloor, UnivariateDetector};
use crate::alert::{AnomalyType, BarDetector, Evidence, Scored};
use crate::data::Bar;
use crate::error::{Error, Result};

/// Raw score of one (price, volume) observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriceVolumeScore {
    /// Signed deviation of the price feature.
    pub price_z: f64,
    /// Signed deviation of the volume feature.
    pub volume_z: f64,
}

impl PriceVolumeScore {
    /// A score of zero (used for bars that could not be scored yet).
    pub const ZERO: Self = Self { price_z: 0.0, volume_z: 0.0 };

    /// `max(|price_z|, max(volume_z, 0))`: higher = more anomalous, never
    /// clamped. Low volume does not count as anomalous.
    #[inline]
    pub fn score(&self) -> f64 {
        self.price_z.abs().max(self.volume_z.max(0.0))
    }

    /// This score as a [`Scored`] observation of the alert model; its kind
    /// at a threshold follows the z-scores (see [`Scored::kind_at`]).
    #[inline]
    pub fn scored(&self) -> Scored {
        Scored::new(self.score(), AnomalyType::PriceSpike, Evidence::price_volume(self.price_z, self.volume_z))
    }
}

/// Window, features and scale floors of a [`PriceVolumeDetector`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriceVolumeConfig {
    /// Number of past observations the statistics cover (the EWMA span).
    pub window: usize,
    /// What the estimator sees of the price.
    pub price_feature: Feature,
    /// What the estimator sees of the volume.
    pub volume_feature: Feature,
    /// Scale floor of the price feature.
    pub price_floor: ScaleFloor,
    /// Scale floor of the volume feature.
    pub volume_floor: ScaleFloor,
}

impl PriceVolumeConfig {
    /// Raw price levels and raw volume, as in the seed chapter, with the
    /// low-variance rule: price scale ≥ 0.01 % of the mean price (about a
    /// tick), volume scale ≥ 5 % of the mean volume.
    pub fn seed_compatible(window: usize) -> Self {
        Self {
            window,
            price_feature: Feature::Level,
            volume_feature: Feature::Level,
            price_floor: ScaleFloor::new_unchecked(1e-4, 1e-12),
            volume_floor: ScaleFloor::new_unchecked(0.05, 1e-12),
        }
    }

    /// The defaults for OHLCV bars: log returns of the close and log volume.
    /// Floors: one basis point of return, 5 % of volume; they matter only
    /// for flat, illiquid stretches.
    pub fn for_bars(window: usize) -> Self {
        Self {
            window,
            price_feature: Feature::LogReturn,
            volume_feature: Feature::Log1p,
            price_floor: ScaleFloor::new_unchecked(0.0, 1e-4),
            volume_floor: ScaleFloor::new_unchecked(0.0, 0.05),
        }
    }
}

/// A price feature and a volume feature scored, then learned, together.
///
/// Usage is score first, then learn: [`PriceVolumeDetector::process`] does
/// both in that order. The estimator `P` is [`RollingZScorePair`] by
/// default (see [`Self::zscore`], [`Self::mad`], [`Self::ewma`]).
///
/// The estimator learns a pair of features only when both are defined. With
/// a log-return feature the first observation has none, so neither its price
/// nor its volume is learned; from the second on, both are.
#[derive(Debug, Clone)]
pub struct PriceVolumeDetector<P = RollingZScorePair> {
    estimator: P,
    price_feature: Feature,
    volume_feature: Feature,
    previous_price: Option<f64>,
    previous_volume: Option<f64>,
    seen: usize,
}

impl PriceVolumeDetector<RollingZScorePair> {
    /// Rolling z-scores over one shared window (O(1) per update).
    pub fn zscore(config: PriceVolumeConfig) -> Result<Self> {
        let estimator = RollingZScorePair::new(config.window, config.price_floor, config.volume_floor)?;
        Ok(Self::new(estimator, config))
    }
}

impl PriceVolumeDetector<Paired<RollingMad>> {
    /// Rolling median/MAD (robust; O(window) per update).
    pub fn mad(config: PriceVolumeConfig) -> Result<Self> {
        Ok(Self::from_parts(
            RollingMad::new(config.window, config.price_floor)?,
            RollingMad::new(config.window, config.volume_floor)?,
            config,
        ))
    }
}

impl PriceVolumeDetector<Paired<EwmaZScore>> {
    /// EWMA z-scores with span = `window`, scoring after `window` values.
    pub fn ewma(config: PriceVolumeConfig) -> Result<Self> {
        let span = config.window as f64;
        Ok(Self::from_parts(
            EwmaZScore::new(span, config.window, config.price_floor)?,
            EwmaZScore::new(span, config.window, config.volume_floor)?,
            config,
        ))
    }
}

impl<D: UnivariateDetector> PriceVolumeDetector<Paired<D>> {
    /// Assembles a detector from two univariate detectors. Only the features
    /// of `config` are used: window and floors are those the detectors were
    /// built with.
    pub fn from_parts(price: D, volume: D, config: PriceVolumeConfig) -> Self {
        Self::new(Paired { first: price, second: volume }, config)
    }
}

impl<P: PairDetector> PriceVolumeDetector<P> {
    /// A detector around `estimator`. Only the features of `config` are
    /// used: window and floors are those the estimator was built with.
    pub fn new(estimator: P, config: PriceVolumeConfig) -> Self {
        Self {
            estimator,
            price_feature: config.price_feature,
            volume_feature: config.volume_feature,
            previous_price: None,
            previous_volume: None,
            seen: 0,
        }
    }

    /// Number of observations accepted so far (by `process` or
    /// `learn_one`). The estimator itself learns an observation only once
    /// both features are defined: with log returns, not the very first one.
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// The estimator, for inspection.
    pub fn estimator(&self) -> &P {
        &self.estimator
    }

    /// `true` once the estimator can score.
    pub fn is_warm(&self) -> bool {
        self.estimator.is_warm()
    }

    /// Refuses a non-positive or non-finite price and a negative or
    /// non-finite volume. The error is built out of line (cold path).
    #[inline]
    fn check(&self, price: f64, volume: f64) -> Result<()> {
        // Comparisons are false for NaN; `<= MAX` excludes infinity.
        if price > 0.0 && price <= f64::MAX && (0.0..=f64::MAX).contains(&volume) {
            Ok(())
        } else {
            Err(invalid_input(self.seen, price, volume))
        }
    }

    /// The two features of an observation; `None` until both are defined
    /// (a log return needs a previous value). Errors when either is not
    /// finite: a log return of volume into or out of a zero-volume bar, or a
    /// price ratio so extreme that its logarithm overflows.
    #[inline]
    fn features(&self, price: f64, volume: f64) -> Result<Option<(f64, f64)>> {
        let p = self.price_feature.compute(price, self.previous_price);
        let v = self.volume_feature.compute(volume, self.previous_volume);
        match (p, v) {
            (Some(p), Some(v)) if p.is_finite() && v.is_finite() => Ok(Some((p, v))),
            (Some(p), _) if !p.is_finite() => Err(non_finite_feature("price", self.seen, price)),
            (_, Some(v)) if !v.is_finite() => Err(non_finite_feature("volume", self.seen, volume)),
            _ => Ok(None),
        }
    }

    /// Scores an observation against what was learned before it. `Ok(None)`
    /// during the warm-up. Does not change the state.
    ///
    /// Errors: a price that is not finite and > 0, a volume that is not
    /// finite and ≥ 0, or a feature that is not finite (see `process`).
    #[inline]
    pub fn score_one(&self, price: f64, volume: f64) -> Result<Option<PriceVolumeScore>> {
        self.check(price, volume)?;
        Ok(self.features(price, volume)?.and_then(|(p, v)| self.score_features(p, v)))
    }

    #[inline]
    fn score_features(&self, p: f64, v: f64) -> Option<PriceVolumeScore> {
        let (price_z, volume_z) = self.estimator.deviations(p, v)?;
        Some(PriceVolumeScore { price_z, volume_z })
    }

    /// Learns an observation.
    #[inline]
    pub fn learn_one(&mut self, price: f64, volume: f64) -> Result<()> {
        self.check(price, volume)?;
        let features = self.features(price, volume)?;
        self.learn_features(features, price, volume)
    }

    /// Learns checked inputs and their features (both or neither; nothing
    /// is learned by the estimator until both features are defined).
    #[inline]
    fn learn_features(&mut self, features: Option<(f64, f64)>, price: f64, volume: f64) -> Result<()> {
        if let Some((p, v)) = features {
            self.estimator.learn_pair(p, v)?;
        }
        self.previous_price = Some(price);
        self.previous_volume = Some(volume);
        self.seen += 1;
        Ok(())
    }

    /// Makes `price` the reference for the next log return. Call it at the
    /// start of a session with the bar's open, so the overnight gap is not
    /// mistaken for an intraday price spike (the return becomes open→close).
    pub fn set_reference_price(&mut self, price: f64) -> Result<()> {
        self.check(price, 0.0)?;
        self.previous_price = Some(price);
        Ok(())
    }

    // ANCHOR: process
    /// Scores, then learns: the same as [`Self::score_one`] followed by
    /// [`Self::learn_one`], with the inputs checked and the features
    /// computed once. On error nothing is learned.
    #[inline]
    pub fn process(&mut self, price: f64, volume: f64) -> Result<Option<PriceVolumeScore>> {
        self.check(price, volume)?;
        let features = self.features(price, volume)?;
        let score = features.and_then(|(p, v)| self.score_features(p, v));
        self.learn_features(features, price, volume)?;
        Ok(score)
    }
    // ANCHOR_END: process
}

/// Bars through the alert model: the close and volume are scored, then
/// learned; a new session measures the next return from the bar's open.
impl<P: PairDetector> BarDetector for PriceVolumeDetector<P> {
    #[inline]
    fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
        Ok(PriceVolumeDetector::process(self, bar.close, bar.volume)?.map(|s| s.scored()))
    }

    fn new_session(&mut self, first_bar: &Bar) -> Result<()> {
        self.set_reference_price(first_bar.open)
    }
}

/// The error for a refused (price, volume) pair, naming the first bad field.
#[cold]
#[inline(never)]
fn invalid_input(row: usize, price: f64, volume: f64) -> Error {
    if !(price.is_finite() && price > 0.0) {
        Error::InvalidValue {
            field: "price",
            row,
            value: price.to_string(),
            reason: "price must be a finite number > 0",
        }
    } else {
        Error::InvalidValue {
            field: "volume",
            row,
            value: volume.to_string(),
            reason: "volume must be a finite number >= 0",
        }
    }
}

/// The error for an input whose feature is not finite (log return after 0).
#[cold]
#[inline(never)]
fn non_finite_feature(field: &'static str, row: usize, value: f64) -> Error {
    Error::InvalidValue {
        field,
        row,
        value: value.to_string(),
        reason: "its feature is not finite, e.g. the log return of a zero volume",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{AlertRule, AnomalyType};

    fn seed_detector() -> (PriceVolumeDetector, AlertRule) {
        (
            PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(20)).unwrap(),
            AlertRule::new(3.0, 3.0).unwrap(),
        )
    }

    // ANCHOR: seed_tests
    // The three tests of the seed chapter, on our detector.
    #[test]
    fn seed_test_steady_data_is_not_flagged() {
        let (mut d, rule) = seed_detector();
        for i in 0..20 {
            d.learn_one(100.0 + i as f64 * 0.1, 1000.0).unwrap();
        }
        let det = rule.classify(d.score_one(101.0, 1050.0).unwrap().unwrap());
        assert!(!det.is_anomaly());
        assert_eq!(det.kind, AnomalyType::Normal);
    }

    #[test]
    fn seed_test_ten_times_volume_is_a_volume_surge() {
        let (mut d, rule) = seed_detector();
        for _ in 0..20 {
            d.learn_one(100.0, 1000.0).unwrap();
        }
        let det = rule.classify(d.score_one(100.0, 10_000.0).unwrap().unwrap());
        assert!(det.is_anomaly());
        assert_eq!(det.kind, AnomalyType::VolumeSurge);
    }

    #[test]
    fn seed_test_price_and_volume_together_is_manipulation_suspected() {
        let (mut d, rule) = seed_detector();
        for _ in 0..20 {
            d.learn_one(100.0, 1000.0).unwrap();
        }
        let det = rule.classify(d.score_one(150.0, 10_000.0).unwrap().unwrap());
        assert!(det.is_anomaly());
        assert_eq!(det.kind, AnomalyType::ManipulationSuspected);
    }
    // ANCHOR_END: seed_tests

    #[test]
    fn the_seed_rule_would_have_missed_the_flat_history_spike() {
        // With sigma = 0 the seed returned z = 0; our floor gives a real score.
        let (mut d, _) = seed_detector();
        for _ in 0..20 {
            d.learn_one(100.0, 1000.0).unwrap();
        }
        let s = d.score_one(100.0, 10_000.0).unwrap().unwrap();
        approx::assert_relative_eq!(s.volume_z, 9000.0 / (0.05 * 1000.0 + 1e-12));
    }

    #[test]
    fn warm_up_then_scores_and_bad_inputs_are_typed_errors() {
        let mut d = PriceVolumeDetector::zscore(PriceVolumeConfig::for_bars(5)).unwrap();
        let mut scored = 0;
        for i in 0..10 {
            if d.process(100.0 + (i % 3) as f64, 1000.0 + (i % 4) as f64 * 10.0).unwrap().is_some() {
                scored += 1;
            }
        }
        // log returns need one extra bar: 5 returns fill the window after bar 6.
        assert_eq!(scored, 4);
        let e = d.process(f64::NAN, 1.0).unwrap_err().to_string();
        assert!(e.contains("`price`") && e.contains("row 10") && e.contains("NaN"), "{e}");
        let e = d.process(1.0, -1.0).unwrap_err().to_string();
        assert!(e.contains("`volume`"), "{e}");
        assert_eq!(d.seen(), 10, "a refused observation is not learned");
    }

    #[test]
    fn with_log_returns_the_first_observation_is_accepted_but_not_learned() {
        let mut d = PriceVolumeDetector::zscore(PriceVolumeConfig::for_bars(5)).unwrap();
        d.process(100.0, 1000.0).unwrap();
        assert_eq!((d.seen(), d.estimator().stats().len()), (1, 0), "no return yet: nothing learned");
        d.process(101.0, 1200.0).unwrap();
        assert_eq!((d.seen(), d.estimator().stats().len()), (2, 1), "price and volume learned together");
    }

    #[test]
    fn a_feature_that_is_not_finite_is_a_typed_error_and_nothing_is_learned() {
        let config = PriceVolumeConfig { volume_feature: Feature::LogReturn, ..PriceVolumeConfig::for_bars(5) };
        let mut d = PriceVolumeDetector::zscore(config).unwrap();
        d.process(100.0, 5.0).unwrap();
        d.process(100.5, 7.0).unwrap();
        // ln(0 / 7) is −∞: a log return of volume cannot take a zero-volume bar.
        for e in [d.score_one(101.0, 0.0).unwrap_err(), d.process(101.0, 0.0).unwrap_err()] {
            let e = e.to_string();
            assert!(e.contains("`volume`") && e.contains("row 2: 0 ("), "{e}");
        }
        assert_eq!((d.seen(), d.estimator().stats().len()), (2, 1), "the refused bar is not learned");
    }

    #[test]
    fn all_three_estimators_flag_a_spike() {
        let cfg = PriceVolumeConfig::for_bars(30);
        let rule = AlertRule::uniform(4.0).unwrap();
        let mut z = PriceVolumeDetector::zscore(cfg).unwrap();
        let mut m = PriceVolumeDetector::mad(cfg).unwrap();
        let mut e = PriceVolumeDetector::ewma(cfg).unwrap();
        // Irregular (not periodic) noise: a periodic pattern has MAD = 0.
        let mut p = 100.0;
        for i in 0..60u64 {
            let u = ((i * 2_654_435_761) % 1000) as f64 / 1000.0 - 0.5;
            p *= 1.0 + 0.002 * u;
            let v = 1000.0 + 400.0 * u;
            z.learn_one(p, v).unwrap();
            m.learn_one(p, v).unwrap();
            e.learn_one(p, v).unwrap();
        }
        // Same price as the last bar (return 0), twenty times the volume.
        for s in [z.score_one(p, 20_000.0), m.score_one(p, 20_000.0), e.score_one(p, 20_000.0)] {
            assert_eq!(rule.classify(s.unwrap().unwrap()).kind, AnomalyType::VolumeSurge);
        }
    }
}
