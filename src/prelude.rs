//! The names most programs need: `use llm_anomaly::prelude::*;`.

pub use crate::alert::{
    BarDetector, BarDetectorFactory, Calibrator, ConfidenceLevel, Evidence, Scored, ScoredEvent, Source,
};
pub use crate::data::{
    AnomalyClass, AnomalyLabel, AnomalyPattern, Bar, BarCsv, BarSeries, NewsItem, Side, SocialMentions, Trade,
};
pub use crate::detect::threshold::{FixedThreshold, QuantileThreshold, StreamingQuantile, Threshold};
pub use crate::detect::{
    AlertInterval, AlertRule, AnomalyType, Detection, EwmaZScore, Feature, IntervalMerger, MultiSymbolMonitor,
    PairDetector, Paired, PriceVolumeConfig, PriceVolumeDetector, PriceVolumeScore, RollingMad, RollingZScore,
    RollingZScorePair, ScaleFloor, UnivariateDetector,
};
pub use crate::error::{Error, Result};
pub use crate::simulate::{SimConfig, SimulatedMarket};
