//! A faithful port of the seed chapter's Rust `StatisticalAnomalyDetector`
//! and `CryptoAnomalyMonitor`, flaws included, for benchmarks:
//!
//! * `update` drops the oldest value with `Vec::remove(0)` (O(W) memmove);
//! * `detect` recomputes mean and variance from scratch (O(W) per call);
//! * σ < 1e-10 returns z = 0, so a spike after a flat history is "normal";
//! * the score is `|z| / 10` clamped at 1 (ties at the top);
//! * every call reads the clock and formats a `String` explanation;
//! * the monitor clones the symbol `String` on every tick.
//!
//! The library's replacement is [`crate::detect`]; see the book's
//! "Rust implementation" page for the measured difference.

#![allow(missing_docs)]

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnomalyResult {
    pub timestamp: i64,
    pub symbol: String,
    pub anomaly_score: f64,
    pub is_anomaly: bool,
    pub anomaly_type: AnomalyType,
    pub confidence: f64,
    pub explanation: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum AnomalyType {
    Normal,
    VolumeSurge,
    PriceSpike,
    PatternAnomaly,
    ManipulationSuspected,
    Unknown,
}

pub struct StatisticalAnomalyDetector {
    lookback_window: usize,
    volume_threshold: f64,
    price_threshold: f64,
    price_history: Vec<f64>,
    volume_history: Vec<f64>,
}

impl StatisticalAnomalyDetector {
    pub fn new(lookback_window: usize, volume_threshold: f64, price_threshold: f64) -> Self {
        Self {
            lookback_window,
            volume_threshold,
            price_threshold,
            price_history: Vec::with_capacity(lookback_window),
            volume_history: Vec::with_capacity(lookback_window),
        }
    }

    pub fn update(&mut self, price: f64, volume: f64) {
        self.price_history.push(price);
        self.volume_history.push(volume);
        if self.price_history.len() > self.lookback_window {
            self.price_history.remove(0);
            self.volume_history.remove(0);
        }
    }

    pub fn detect(&self, price: f64, volume: f64) -> AnomalyResult {
        let price_z = self.compute_z_score(price, &self.price_history);
        let volume_z = self.compute_z_score(volume, &self.volume_history);
        let mut anomaly_type = AnomalyType::Normal;
        let mut score: f64 = 0.0;
        if volume_z.abs() > self.volume_threshold {
            anomaly_type = AnomalyType::VolumeSurge;
            score = score.max(volume_z.abs() / 10.0);
        }
        if price_z.abs() > self.price_threshold {
            anomaly_type = if anomaly_type == AnomalyType::VolumeSurge {
                AnomalyType::ManipulationSuspected
            } else {
                AnomalyType::PriceSpike
            };
            score = score.max(price_z.abs() / 10.0);
        }
        score = score.min(1.0);
        AnomalyResult {
            timestamp: chrono::Utc::now().timestamp(),
            symbol: String::new(),
            anomaly_score: score,
            is_anomaly: anomaly_type != AnomalyType::Normal,
            anomaly_type,
            confidence: self.compute_confidence(price_z, volume_z),
            explanation: self.generate_explanation(price_z, volume_z, anomaly_type),
        }
    }

    fn compute_z_score(&self, value: f64, history: &[f64]) -> f64 {
        if history.len() < 2 {
            return 0.0;
        }
        let mean: f64 = history.iter().sum::<f64>() / history.len() as f64;
        let variance: f64 = history.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / history.len() as f64;
        let std = variance.sqrt();
        if std < 1e-10 {
            return 0.0;
        }
        (value - mean) / std
    }

    fn compute_confidence(&self, price_z: f64, volume_z: f64) -> f64 {
        let max_z = price_z.abs().max(volume_z.abs());
        1.0 - (-max_z * 0.5).exp()
    }

    fn generate_explanation(&self, price_z: f64, volume_z: f64, anomaly_type: AnomalyType) -> String {
        match anomaly_type {
            AnomalyType::Normal => "No anomaly detected".to_string(),
            AnomalyType::VolumeSurge => format!("Volume surge detected (z-score: {:.2})", volume_z),
            AnomalyType::PriceSpike => format!("Price spike detected (z-score: {:.2})", price_z),
            AnomalyType::ManipulationSuspected => format!(
                "Potential manipulation: both price (z={:.2}) and volume (z={:.2}) anomalous",
                price_z, volume_z
            ),
            _ => "Unknown anomaly pattern".to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MarketTick {
    pub symbol: String,
    pub timestamp: i64,
    pub price: f64,
    pub volume: f64,
    pub bid: f64,
    pub ask: f64,
}

pub struct CryptoAnomalyMonitor {
    detectors: HashMap<String, StatisticalAnomalyDetector>,
    lookback_window: usize,
    volume_threshold: f64,
    price_threshold: f64,
}

impl CryptoAnomalyMonitor {
    pub fn new(lookback_window: usize, volume_threshold: f64, price_threshold: f64) -> Self {
        Self { detectors: HashMap::new(), lookback_window, volume_threshold, price_threshold }
    }

    pub fn process_tick(&mut self, tick: &MarketTick) -> AnomalyResult {
        let detector = self.detectors.entry(tick.symbol.clone()).or_insert_with(|| {
            StatisticalAnomalyDetector::new(self.lookback_window, self.volume_threshold, self.price_threshold)
        });
        let mut result = detector.detect(tick.price, tick.volume);
        result.symbol = tick.symbol.clone();
        result.timestamp = tick.timestamp;
        detector.update(tick.price, tick.volume);
        result
    }

    pub fn get_active_symbols(&self) -> Vec<&String> {
        self.detectors.keys().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_passes_its_first_test() {
        let mut d = StatisticalAnomalyDetector::new(20, 3.0, 3.0);
        for i in 0..20 {
            d.update(100.0 + (i as f64) * 0.1, 1000.0);
        }
        assert!(!d.detect(101.0, 1050.0).is_anomaly);
    }

    #[test]
    fn the_seed_fails_its_own_volume_spike_test() {
        // Documented flaw: a flat history has sigma 0, which the seed maps to z = 0.
        let mut d = StatisticalAnomalyDetector::new(20, 3.0, 3.0);
        for _ in 0..20 {
            d.update(100.0, 1000.0);
        }
        let r = d.detect(100.0, 10_000.0);
        assert!(!r.is_anomaly, "if this starts passing, the port is no longer faithful");
    }
}
