//! What a score rests on, typed per source, so a reader (or a later stage)
//! can check it instead of trusting a number.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::AnomalyType;

/// The evidence behind a score. Open-ended: the text, model and order-book
/// chapters add variants, so match it with a wildcard arm. In JSON it is an
/// object with one key, the variant's name:
/// `{"price_volume": {"price_z": -32.6, "volume_z": 7.3}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Evidence {
    /// The z-scores of a bar's price move and volume.
    PriceVolume {
        /// Signed deviation of the price move.
        price_z: f64,
        /// Signed deviation of the volume (positive = more than usual).
        volume_z: f64,
    },
    /// One named feature and its signed deviation (a detector of your own).
    Feature {
        /// What was measured, e.g. `range_z`.
        name: Cow<'static, str>,
        /// Its value.
        value: f64,
    },
}

impl Evidence {
    /// Price/volume evidence.
    pub fn price_volume(price_z: f64, volume_z: f64) -> Self {
        Self::PriceVolume { price_z, volume_z }
    }

    /// Evidence of one named feature; `name` is usually a literal, which is
    /// not copied.
    pub fn feature(name: impl Into<Cow<'static, str>>, value: f64) -> Self {
        Self::Feature { name: name.into(), value }
    }

    /// Writes why an event of `kind` with `score` against `threshold` was
    /// (or was not) raised.
    pub fn explain(
        &self,
        kind: AnomalyType,
        score: f64,
        threshold: f64,
        f: &mut std::fmt::Formatter<'_>,
    ) -> std::fmt::Result {
        let t = threshold;
        match self {
            Self::PriceVolume { price_z: p, volume_z: v } => match kind {
                AnomalyType::Normal => write!(f, "no anomaly: price z {p:+.2}, volume z {v:+.2} (threshold {t:.2})"),
                AnomalyType::VolumeSurge => {
                    write!(f, "volume surge: volume z {v:+.2} > {t:.2}, price z {p:+.2} ordinary")
                }
                AnomalyType::PriceSpike => {
                    write!(f, "price spike: price z {p:+.2} beyond ±{t:.2}, volume z {v:+.2} ordinary")
                }
                AnomalyType::ManipulationSuspected => {
                    write!(f, "price and volume unusual together: price z {p:+.2}, volume z {v:+.2} (threshold {t:.2})")
                }
                AnomalyType::PatternAnomaly => write!(
                    f,
                    "multi-bar pattern: price and volume unusual at different times (peak price z {p:+.2}, volume z {v:+.2})"
                ),
                other => write!(f, "{other}: price z {p:+.2}, volume z {v:+.2} (score {score:.2}, threshold {t:.2})"),
            },
            Self::Feature { name, value } => {
                if kind.is_anomaly() {
                    write!(f, "{kind}: {name} {value:+.2}, score {score:.2} > {t:.2}")
                } else {
                    write!(f, "no anomaly: {name} {value:+.2}, score {score:.2} (threshold {t:.2})")
                }
            }
        }
    }
}
