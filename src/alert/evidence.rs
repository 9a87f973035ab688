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
    /// How far a text's embedding lies from ordinary (normal) texts.
    Text {
        /// The distance the score is (`mahalanobis`, `knn` or `centroid`).
        method: Cow<'static, str>,
        /// Mahalanobis distance with a shrunk covariance.
        mahalanobis: f64,
        /// Mean cosine distance to the nearest normal texts.
        knn: f64,
        /// Cosine distance to the normal texts' mean direction.
        centroid: f64,
        /// The most similar normal reference texts, most similar first.
        nearest_normal: Vec<NearText>,
        /// The labelled anomalous style the text is closest to, when flagged.
        resembles: Option<NearKind>,
    },
    /// A headline published before an alert, and what the text detector
    /// made of it: the evidence of a news context stage that explains or
    /// escalates the alert.
    News {
        /// The headline, as given.
        headline: String,
        /// When it was published.
        published: chrono::DateTime<chrono::Utc>,
        /// Minutes from publication to the alert's peak bar (≥ 0).
        minutes_before_peak: i64,
        /// What the text detector called it (`normal` unless flagged).
        #[serde(rename = "type")]
        kind: AnomalyType,
        /// The text detector's raw score.
        text_score: f64,
        /// Its calibrated probability among normal texts.
        text_probability: f64,
        /// The text detector's own evidence.
        text: Box<Evidence>,
    },
    /// How badly a network trained on ordinary windows reproduces the
    /// latest window (the time-series autoencoder).
    Window {
        /// What the score is: `reconstruction` (error) or `distance`
        /// (z-scored embedding distance to the normal windows).
        method: Cow<'static, str>,
        /// Mean squared reconstruction error of the scored steps, in squared
        /// standard deviations of the training data.
        reconstruction_error: f64,
        /// Distance of the window's embedding to the mean normal embedding,
        /// z-scored on the training windows.
        distance_z: f64,
        /// The feature reproduced worst at the newest step.
        worst_feature: Cow<'static, str>,
        /// Its squared error at that step.
        worst_feature_error: f64,
    },
    /// What a trade tape showed in the seconds before an alert (the crypto
    /// manipulation detector): the indicators behind each pattern's score.
    TradeFlow(TradeFlowIndicators),
    /// What bars alone showed (the manipulation detector when only OHLCV
    /// bars exist): no taker side, no trade count, no order sizes, so the
    /// alert's confidence is weighted down by [`BARS_ONLY_CONFIDENCE`].
    BarsOnly(BarIndicators),
    /// One named feature and its signed deviation (a detector of your own).
    Feature {
        /// What was measured, e.g. `range_z`.
        name: Cow<'static, str>,
        /// Its value.
        value: f64,
    },
}

/// The indicators of [`Evidence::TradeFlow`], all computed from public
/// trades (no account ids). `z` values are in standard deviations of what
/// the same measure does in ordinary trading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TradeFlowIndicators {
    /// Length of the window the indicators cover, seconds.
    pub window_s: u32,
    /// Trades in the window.
    pub trades: u32,
    /// Price change over the window, percent.
    pub return_pct: f64,
    /// The change in units of the window's usual volatility.
    pub return_z: f64,
    /// Net taker volume (buys − sells) over the square root of the summed
    /// squared sizes: about N(0, 1) when buyers and sellers take in turn.
    pub flow_z: f64,
    /// Share of the window's volume that taker buys took.
    pub buy_share: f64,
    /// Trade count against the usual rate (variance-stabilised Poisson z).
    pub surge_z: f64,
    /// Equal-size prints on opposite sides at one price within milliseconds.
    pub matched_pairs: u32,
    /// Their count against the chance rate (variance-stabilised Poisson z).
    pub matched_z: f64,
    /// Share of the window's volume in those pairs.
    pub matched_volume_share: f64,
    /// The largest taker order (prints of one side in one microsecond) in
    /// median order sizes.
    pub largest_order_multiple: f64,
    /// Its log size in robust standard deviations above the median.
    pub largest_order_z: f64,
}

/// The weight of an alert's confidence when its evidence is bars alone
/// ([`Evidence::BarsOnly`]): a price move with a volume surge is what a
/// pump looks like, but also what news looks like, and bars cannot show
/// the one-sided taker flow that tells them apart.
pub const BARS_ONLY_CONFIDENCE: f64 = 0.8;

/// The indicators of [`Evidence::BarsOnly`]. `z` values are in standard
/// deviations of what the same measure does in ordinary bars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BarIndicators {
    /// Bars the indicators cover (the latest and those before it).
    pub bars: u32,
    /// Close-to-close price change over them, percent.
    pub return_pct: f64,
    /// The change in units of the usual volatility over as many bars.
    pub return_z: f64,
    /// Their volume against the usual volume (mean z of the log volume,
    /// times the square root of the number of bars).
    pub volume_z: f64,
}

/// A reference text and its cosine similarity to the scored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearText {
    /// The reference text.
    pub text: String,
    /// Cosine similarity (1 = same direction).
    pub similarity: f64,
}

/// The anomaly style a flagged text is closest to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NearKind {
    /// The style.
    #[serde(rename = "type")]
    pub kind: AnomalyType,
    /// Cosine similarity to that style's examples (their mean direction).
    pub similarity: f64,
}

impl Evidence {
    /// How much an alert on this evidence is worth against one on the
    /// full data: 1, or [`BARS_ONLY_CONFIDENCE`] for bars alone.
    pub fn confidence_weight(&self) -> f64 {
        match self {
            Self::BarsOnly(_) => BARS_ONLY_CONFIDENCE,
            _ => 1.0,
        }
    }

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
            Self::Text { method, nearest_normal, resembles, .. } => {
                if kind.is_anomaly() {
                    write!(f, "{kind}: unlike ordinary news ({method} distance {score:.3} > {t:.3})")?;
                    if let Some(near) = resembles {
                        write!(f, ", closest to {} examples (cos {:.2})", near.kind, near.similarity)?;
                    }
                } else {
                    write!(f, "ordinary news ({method} distance {score:.3} <= {t:.3})")?;
                }
                match nearest_normal.first() {
                    Some(near) => write!(f, "; nearest normal: \"{}\" (cos {:.2})", short(&near.text), near.similarity),
                    None => Ok(()),
                }
            }
            Self::News { headline, minutes_before_peak, kind: text_kind, text_probability, .. } => {
                let what = if text_kind.is_anomaly() { text_kind.name() } else { "ordinary news" };
                write!(
                    f,
                    "{kind} (score {score:.2} > {t:.2}); {what} {minutes_before_peak} min before the peak: \"{}\" (text probability {text_probability:.3})",
                    short(headline)
                )
            }
            Self::Window { method, worst_feature, worst_feature_error: e, .. } => {
                if kind.is_anomaly() {
                    write!(
                        f,
                        "{kind}: the autoencoder does not reproduce this window ({method} {score:.3} > {t:.3}); worst at the newest step: {worst_feature} (squared error {e:.2})"
                    )
                } else {
                    write!(f, "ordinary window ({method} {score:.3} <= {t:.3})")
                }
            }
            Self::BarsOnly(x) => {
                let what = match kind {
                    AnomalyType::Normal => "ordinary bars",
                    other => other.name(),
                };
                let bars = if x.bars == 1 { "1 bar".to_string() } else { format!("{} bars", x.bars) };
                write!(
                    f,
                    "{what} from bars only (score {score:.2}, threshold {t:.2}): price {:+.2} % in {bars} (z {:+.1}), volume z {:+.1}; bars show no taker side, trade count or order sizes, so the confidence is weighted by {BARS_ONLY_CONFIDENCE}",
                    x.return_pct, x.return_z, x.volume_z
                )
            }
            Self::TradeFlow(x) => {
                let w = x.window_s;
                let what = match kind {
                    AnomalyType::Normal => "ordinary trading",
                    other => other.name(),
                };
                write!(f, "{what} (score {score:.2}, threshold {t:.2}): ")?;
                match kind {
                    AnomalyType::WashTrading => write!(
                        f,
                        "{} matched opposite-side prints in {w} s (z {:+.1}), {:.0} % of the volume, price {:+.2} %",
                        x.matched_pairs,
                        x.matched_z,
                        100.0 * x.matched_volume_share,
                        x.return_pct
                    ),
                    AnomalyType::WhaleMovement => write!(
                        f,
                        "one taker order of {:.0} median sizes (z {:+.1}), price {:+.2} % in {w} s",
                        x.largest_order_multiple, x.largest_order_z, x.return_pct
                    ),
                    _ => write!(
                        f,
                        "price {:+.2} % in {w} s (z {:+.1}), taker buys {:.0} % of volume (flow z {:+.1}), {} trades (surge z {:+.1})",
                        x.return_pct,
                        x.return_z,
                        100.0 * x.buy_share,
                        x.flow_z,
                        x.trades,
                        x.surge_z
                    ),
                }
            }
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

/// The first 60 characters of a text, with an ellipsis when cut.
fn short(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]).into(),
        None => text.into(),
    }
}
