//! News that explains a surge, or makes it worse: the contextual anomaly of
//! the taxonomy, as a stage after the price/volume scan.
//!
//! For every alert of a [`ScanReport`], the symbol's headlines published in
//! a window before the alert's peak are scored by a fitted
//! [`NewsAnomalyDetector`]:
//!
//! * a headline the text detector **flags** clearly (a pump call, a fake
//!   insider tip; action [`NewsContextConfig::escalate_from`] or higher,
//!   by default elevated monitoring: a text probability of 0.99) makes the
//!   alert more serious: it is marked [`Escalated`];
//! * otherwise an **ordinary** headline (not flagged: earnings, a rating
//!   change, a deal) marks it [`Explained`], with the headline as evidence;
//! * a headline flagged only weakly, and nothing else, leaves the alert as
//!   it was (counted as `unclear`): news in a style the detector was not
//!   fitted on lands there, and it should neither hide nor raise an alert;
//! * without news the alert is left as it was.
//!
//! Nothing is deleted: an explained alert stays in the list and in the JSON
//! (`"explained": true`); the summary counts its bars as not flagged, so it
//! is not a false alarm, and it can no longer find an event either (which is
//! why example 01 reports that no labelled event was lost).
//!
//! The window (see [`news_window`]) runs from [`NewsContextConfig::lookback`]
//! before the alert's first bar, or from the bar before it when that is
//! earlier (the previous session's close: news of the night or the weekend
//! counts for the open), to the end of the peak bar. News after the peak
//! cannot explain the rise. Market-wide headlines (no symbol) explain
//! nothing on their own: a symbol's surge on a macro day is still the
//! symbol's.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::bert::{BertEmbedder, EmbedderOptions};
use super::detector::TextDetectorConfig;
use super::embedder::Embedder;
use super::error::TextError;
use super::news_detector::{NewsAnomalyDetector, NewsReference, NewsVerdict};
use crate::alert::{Action, AlertInterval, ContextNote, Evidence, Source};
use crate::data::NewsItem;
use crate::models::{MINILM, ModelCache, ModelFiles};
use crate::scan::ScanReport;

/// The corpus seed of the reference [`project_news_detector`] is fitted on
/// (example 02's default too).
pub const REFERENCE_SEED: u64 = 42;

/// Headlines per fit-half family in that reference.
pub const REFERENCE_PER_FAMILY: usize = 30;

/// The news detector of example 01's context stage: all-MiniLM-L6-v2 from
/// the model cache ([`ModelCache::discover`] with `model_dir`), fitted on
/// the corpus's fit-half families ([`NewsReference::from_corpus`] with
/// [`REFERENCE_SEED`] and [`REFERENCE_PER_FAMILY`]) with the default
/// [`TextDetectorConfig`]. A missing model is
/// [`crate::models::ModelError::NotInstalled`], whose message names the
/// command that installs it.
pub fn project_news_detector(
    model_dir: Option<&std::path::Path>,
) -> Result<NewsAnomalyDetector<BertEmbedder>, TextError> {
    news_detector(model_dir, &NewsReference::from_corpus(REFERENCE_SEED, REFERENCE_PER_FAMILY))
}

/// The fewest normal reference texts [`news_detector`] fits on. Seven in
/// ten are fitted and three calibrate: with fewer, the envelope in 384
/// dimensions is mostly shrinkage and the threshold rests on a few dozen
/// scores (measured: 43 headlines of one simulated month, pump calls
/// among them, flagged nothing).
pub const MIN_REFERENCE_TEXTS: usize = 300;

/// Like [`project_news_detector`], fitted on `reference` instead (see
/// [`NewsReference::with_normal_texts_of`] for a reference of your own),
/// which must hold at least [`MIN_REFERENCE_TEXTS`] normal texts.
pub fn news_detector(
    model_dir: Option<&std::path::Path>,
    reference: &NewsReference,
) -> Result<NewsAnomalyDetector<BertEmbedder>, TextError> {
    if reference.normal.len() < MIN_REFERENCE_TEXTS {
        return Err(TextError::TooFew {
            what: "normal reference headlines",
            have: reference.normal.len(),
            need: MIN_REFERENCE_TEXTS,
        });
    }
    let files = ModelFiles::open(&ModelCache::discover(model_dir).resolve(MINILM.id)?)?;
    let embedder = BertEmbedder::load(&files, &EmbedderOptions::default())?;
    NewsAnomalyDetector::fit(embedder, reference, TextDetectorConfig::default())
}

/// The default [`NewsContextConfig::lookback`], in minutes.
pub const DEFAULT_LOOKBACK_MINUTES: i64 = 60;

/// Settings of the news context stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewsContextConfig {
    /// How long before an alert's first bar a headline still counts.
    pub lookback: Duration,
    /// The lowest action of a flagged headline that escalates an alert.
    pub escalate_from: Action,
}

impl NewsContextConfig {
    /// A lookback of `minutes`, the other settings by default.
    pub fn with_lookback_minutes(minutes: i64) -> Self {
        Self { lookback: Duration::minutes(minutes), ..Self::default() }
    }
}

impl Default for NewsContextConfig {
    /// A lookback of [`DEFAULT_LOOKBACK_MINUTES`]; escalation from
    /// [`Action::ElevatedMonitoring`].
    fn default() -> Self {
        Self { lookback: Duration::minutes(DEFAULT_LOOKBACK_MINUTES), escalate_from: Action::ElevatedMonitoring }
    }
}

/// What the stage did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewsContextReport {
    /// The lookback used, in minutes.
    pub lookback_minutes: i64,
    /// Headlines given.
    pub news_items: usize,
    /// Headlines given without a symbol (market-wide; they explain nothing).
    pub market_wide: usize,
    /// Headlines that fell in some alert's window and were scored.
    pub headlines_scored: usize,
    /// Of those, flagged by the text detector.
    pub headlines_flagged: usize,
    /// Alerts with at least one headline in their window.
    pub alerts_with_news: usize,
    /// Alerts marked explained.
    pub explained: usize,
    /// Alerts marked escalated.
    pub escalated: usize,
    /// Alerts whose only news was flagged weakly (left as they were).
    pub unclear: usize,
}

/// The time window whose headlines may explain `alert`: from `lookback`
/// before its first bar (or from `previous_bar`, the bar before it, when
/// that is earlier) to `peak_end`, the end of its peak bar (exclusive).
pub fn news_window(
    alert: &AlertInterval,
    previous_bar: Option<DateTime<Utc>>,
    peak_end: DateTime<Utc>,
    lookback: Duration,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = alert.start - lookback;
    (previous_bar.map_or(from, |p| p.min(from)), peak_end)
}

// ANCHOR: apply
/// Scores the news in every alert's window, marks the alerts explained or
/// escalated, and recomputes the report's summary.
///
/// `news` need not be sorted. Headline symbols are matched to alert symbols
/// exactly, after trimming and ignoring ASCII case (`acme` is `ACME`).
pub fn apply_news_context<E: Embedder>(
    detector: &NewsAnomalyDetector<E>,
    report: &mut ScanReport,
    news: &[NewsItem],
    config: &NewsContextConfig,
) -> Result<NewsContextReport, TextError> {
    if config.lookback < Duration::zero() {
        return Err(TextError::InvalidParameter {
            name: "lookback",
            value: format!("{} min", config.lookback.num_minutes()),
            reason: "must be zero or more",
        });
    }
    let mut out = NewsContextReport {
        lookback_minutes: config.lookback.num_minutes(),
        news_items: news.len(),
        market_wide: news.iter().filter(|n| n.symbol.is_none()).count(),
        ..NewsContextReport::default()
    };
    // Each symbol's headlines in time order, so a window is two binary searches.
    let mut by_symbol: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in news.iter().enumerate() {
        if let Some(symbol) = &n.symbol {
            by_symbol.entry(symbol_key(symbol)).or_default().push(i);
        }
    }
    for indices in by_symbol.values_mut() {
        indices.sort_by_key(|&i| (news[i].timestamp, i));
    }
    // Which headlines lie in which alert's window.
    let windows: Vec<&[usize]> = report
        .alerts
        .iter()
        .map(|alert| {
            let Some(indices) = by_symbol.get(&symbol_key(&alert.symbol)) else { return &[][..] };
            let peak_end = report.next_bar(&alert.symbol, alert.peak_at).unwrap_or_else(|| {
                alert.peak_at + report.bar_spacing(&alert.symbol).unwrap_or_else(|| Duration::minutes(1))
            });
            let previous = report.previous_bar(&alert.symbol, alert.start);
            let (from, to) = news_window(alert, previous, peak_end, config.lookback);
            let first = indices.partition_point(|&i| news[i].timestamp < from);
            let end = indices.partition_point(|&i| news[i].timestamp < to);
            &indices[first..end.max(first)]
        })
        .collect();
    let mut wanted: Vec<usize> = windows.iter().flat_map(|w| w.iter().copied()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let texts: Vec<&str> = wanted.iter().map(|&i| news[i].headline.as_str()).collect();
    let verdicts = if texts.is_empty() { Vec::new() } else { detector.analyze_batch(&texts)? };
    out.headlines_scored = verdicts.len();
    out.headlines_flagged = verdicts.iter().filter(|v| v.anomalous).count();
    let verdict_of = |i: usize| &verdicts[wanted.binary_search(&i).expect("scored above")];
    for (alert, window) in report.alerts.iter_mut().zip(&windows) {
        if window.is_empty() {
            continue;
        }
        out.alerts_with_news += 1;
        let clear = |i: &usize| verdict_of(*i).anomalous && verdict_of(*i).action >= config.escalate_from;
        let by_score = |a: &usize, b: &usize| verdict_of(*a).scored.score.total_cmp(&verdict_of(*b).scored.score);
        // The latest ordinary headline before the peak.
        let by_time = |i: &&usize| (news[**i].timestamp, **i);
        let note = |i: usize| {
            let v = verdict_of(i);
            ContextNote {
                source: Source::Text,
                reason: reason(alert, &news[i], v),
                evidence: evidence(alert, &news[i], v),
            }
        };
        if let Some(i) = window.iter().copied().filter(clear).max_by(by_score) {
            let escalated = note(i);
            alert.mark_escalated(escalated);
            out.escalated += 1;
        } else if let Some(&i) = window.iter().filter(|i| !verdict_of(**i).anomalous).max_by_key(by_time) {
            let explained = note(i);
            alert.mark_explained(explained);
            out.explained += 1;
        } else {
            out.unclear += 1;
        }
    }
    report.recompute_summary()?;
    Ok(out)
}
// ANCHOR_END: apply

/// Symbols compare after trimming, ignoring ASCII case.
fn symbol_key(symbol: &str) -> String {
    symbol.trim().to_ascii_uppercase()
}

fn minutes_before_peak(alert: &AlertInterval, item: &NewsItem) -> i64 {
    (alert.peak_at - item.timestamp).num_minutes().max(0)
}

fn reason(alert: &AlertInterval, item: &NewsItem, v: &NewsVerdict) -> String {
    let minutes = minutes_before_peak(alert, item);
    if v.anomalous {
        format!(
            "{} text {minutes} min before the peak (text probability {:.3}, {}): \"{}\"",
            v.kind(),
            v.probability,
            v.action,
            item.headline
        )
    } else {
        format!(
            "ordinary news {minutes} min before the peak (text probability {:.3}): \"{}\"",
            v.probability, item.headline
        )
    }
}

fn evidence(alert: &AlertInterval, item: &NewsItem, v: &NewsVerdict) -> Evidence {
    Evidence::News {
        headline: item.headline.clone(),
        published: item.timestamp,
        minutes_before_peak: minutes_before_peak(alert, item),
        kind: v.kind(),
        text_score: v.scored.score,
        text_probability: v.probability,
        text: Box::new(v.scored.evidence.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AnomalyType, IntervalMerger, Scored};
    use chrono::TimeZone;

    fn alert_at(start: DateTime<Utc>) -> AlertInterval {
        let mut m = IntervalMerger::new(Source::Bars, "ACME", 0);
        let hit = Scored::new(9.0, AnomalyType::VolumeSurge, Evidence::price_volume(1.0, 9.0));
        m.push(start, &hit, 4.0);
        m.finish().expect("one hit")
    }

    #[test]
    fn the_window_reaches_back_to_the_previous_session() {
        let monday_open = Utc.with_ymd_and_hms(2025, 1, 13, 14, 30, 0).unwrap();
        let friday_close = Utc.with_ymd_and_hms(2025, 1, 10, 20, 59, 0).unwrap();
        let alert = alert_at(monday_open);
        let end = monday_open + Duration::minutes(1);
        let lookback = Duration::minutes(60);
        assert_eq!(news_window(&alert, Some(friday_close), end, lookback), (friday_close, end));
        // Mid-session, the bar before is a minute earlier: the lookback rules.
        let before = monday_open - Duration::minutes(1);
        assert_eq!(news_window(&alert, Some(before), end, lookback), (monday_open - lookback, end));
        assert_eq!(news_window(&alert, None, end, lookback), (monday_open - lookback, end));
    }

    #[test]
    fn a_reference_of_a_few_headlines_is_refused_before_any_model_is_loaded() {
        let reference = NewsReference { normal: vec!["Acme Corp raises its dividend".into(); 43], typed: Vec::new() };
        let e = news_detector(Some(std::path::Path::new("/nonexistent")), &reference).unwrap_err().to_string();
        assert!(e.contains("has 43 texts, at least 300"), "{e}");
    }

    #[test]
    fn symbols_match_without_case_or_padding() {
        assert_eq!(symbol_key(" acme "), symbol_key("ACME"));
        assert_ne!(symbol_key("ACMEX"), symbol_key("ACME"));
    }
}
