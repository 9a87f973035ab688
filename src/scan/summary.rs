//! The metrics of a scan over its test period.

use serde::Serialize;

use super::SymbolScan;
use crate::alert::AlertInterval;
use crate::data::AnomalyPattern;
use crate::error::Result;
use crate::eval::{ConfusionMatrix, average_precision, event_report, events_from_labels, point_adjust, roc_auc};

/// Event recall for one labelled pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternRecall {
    /// Pattern name.
    pub pattern: &'static str,
    /// Labelled events in the test period.
    pub events: usize,
    /// Events with at least one alerted bar.
    pub detected: usize,
}

/// Test-period metrics. Every ratio is `None` (JSON `null`) when it is
/// undefined: unlabelled input, no positives, 0/0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// `true` when every symbol came with labels.
    pub labelled: bool,
    /// Bar-level precision at the threshold.
    pub precision: Option<f64>,
    /// Bar-level recall at the threshold.
    pub recall: Option<f64>,
    /// Bar-level F1 at the threshold.
    pub f1: Option<f64>,
    /// Average precision of the raw scores (threshold-free).
    pub pr_auc: Option<f64>,
    /// ROC-AUC of the raw scores (threshold-free).
    pub roc_auc: Option<f64>,
    /// Labelled events (maximal runs of anomalous bars) in the test period.
    pub events: Option<usize>,
    /// Events with at least one alerted bar.
    pub detected_events: Option<usize>,
    /// Point-adjusted F1 (inflated by design; reported beside F1, never instead).
    pub point_adjusted_f1: Option<f64>,
    /// Mean bars from an event's start to its first alerted bar (detected events).
    pub mean_delay_bars: Option<f64>,
    /// Alert intervals raised in the test period.
    pub alerts: usize,
    /// Alert intervals that overlap a labelled event.
    pub alerts_on_events: Option<usize>,
    /// Alerts a later stage explained (ordinary news behind a surge). They
    /// stay in `alerts`; their bars count as not flagged in every bar-level
    /// metric, so they are no false alarms (and find no event).
    pub explained_alerts: usize,
    /// Alerts a later stage escalated (anomalous text before them).
    pub escalated_alerts: usize,
    /// Bars in the test period.
    pub test_bars: usize,
    /// Test-period bars left out of the metrics (unknown label).
    pub excluded_bars: usize,
    /// Threshold in force.
    pub threshold: f64,
    /// Event recall per pattern (empty without pattern labels).
    pub per_pattern: Vec<PatternRecall>,
}

impl Summary {
    /// Computes the metrics of the test period. A bar inside an explained
    /// alert counts as not flagged.
    pub(crate) fn compute(symbols: &[SymbolScan], alerts: &[AlertInterval], threshold: f64) -> Result<Self> {
        let labelled = symbols.iter().all(|s| s.labels.is_some());
        let test_bars = symbols.iter().map(|s| s.scores.len() - s.test_start).sum();
        let excluded_bars = symbols
            .iter()
            .filter_map(|s| s.excluded_from_metrics.as_ref().map(|e| e[s.test_start..].iter().filter(|&&x| x).count()))
            .sum();
        let mut summary = Summary {
            labelled,
            precision: None,
            recall: None,
            f1: None,
            pr_auc: None,
            roc_auc: None,
            events: None,
            detected_events: None,
            point_adjusted_f1: None,
            mean_delay_bars: None,
            alerts: alerts.len(),
            alerts_on_events: None,
            explained_alerts: alerts.iter().filter(|a| a.is_explained()).count(),
            escalated_alerts: alerts.iter().filter(|a| a.is_escalated()).count(),
            test_bars,
            excluded_bars,
            threshold,
            per_pattern: Vec::new(),
        };
        if !labelled {
            return Ok(summary);
        }
        let (mut all_labels, mut all_pred, mut all_scores) = (Vec::new(), Vec::new(), Vec::new());
        let mut adjusted = Vec::new();
        let (mut events, mut detected, mut delays) = (0, 0, Vec::new());
        let mut per_pattern: Vec<PatternRecall> = Vec::new();
        let mut on_events = 0;
        for s in symbols {
            let labels = &s.labels.as_ref().expect("labelled")[s.test_start..];
            let scores = s.test_scores();
            let mut predicted = s.test_hits(threshold);
            let explained: Vec<&AlertInterval> =
                alerts.iter().filter(|a| a.is_explained() && *a.symbol == *s.symbol).collect();
            if !explained.is_empty() {
                for (i, hit) in predicted.iter_mut().enumerate() {
                    let t = s.timestamps[s.test_start + i];
                    *hit &= !explained.iter().any(|a| a.start <= t && t <= a.end);
                }
            }
            let evs = events_from_labels(labels);
            let report = event_report(&evs, &predicted)?;
            events += report.events;
            detected += report.detected;
            delays.extend(report.delays.iter().flatten().map(|&d| d as f64));
            if let Some(patterns) = &s.patterns {
                for (e, delay) in evs.iter().zip(&report.delays) {
                    let name = patterns[s.test_start + e.start].map_or("unknown", AnomalyPattern::name);
                    let entry = match per_pattern.iter_mut().find(|p| p.pattern == name) {
                        Some(p) => p,
                        None => {
                            per_pattern.push(PatternRecall { pattern: name, events: 0, detected: 0 });
                            per_pattern.last_mut().expect("just pushed")
                        }
                    };
                    entry.events += 1;
                    entry.detected += usize::from(delay.is_some());
                }
            }
            for a in alerts.iter().filter(|a| *a.symbol == *s.symbol) {
                let hit = evs.iter().any(|e| {
                    let (es, ee) = (s.timestamps[s.test_start + e.start], s.timestamps[s.test_start + e.end]);
                    a.start <= ee && es <= a.end
                });
                on_events += usize::from(hit);
            }
            // Point adjustment per symbol: an event never spans two symbols.
            // Bars with an unknown label take part in nothing below.
            let adjusted_here = point_adjust(labels, &predicted)?;
            let excluded = s.excluded_from_metrics.as_ref().map(|e| &e[s.test_start..]);
            let kept = |i: &usize| excluded.is_none_or(|e| !e[*i]);
            for i in (0..labels.len()).filter(kept) {
                adjusted.push(adjusted_here[i]);
                all_labels.push(labels[i]);
                all_pred.push(predicted[i]);
                all_scores.push(scores[i]);
            }
        }
        per_pattern.sort_by_key(|p| p.pattern);
        let cm = ConfusionMatrix::from_predictions(&all_labels, &all_pred)?;
        summary.precision = cm.precision();
        summary.recall = cm.recall();
        summary.f1 = cm.f1();
        summary.pr_auc = average_precision(&all_scores, &all_labels)?;
        summary.roc_auc = roc_auc(&all_scores, &all_labels)?;
        summary.events = Some(events);
        summary.detected_events = Some(detected);
        summary.point_adjusted_f1 = ConfusionMatrix::from_predictions(&all_labels, &adjusted)?.f1();
        summary.mean_delay_bars = (!delays.is_empty()).then(|| delays.iter().sum::<f64>() / delays.len() as f64);
        summary.alerts_on_events = Some(on_events);
        summary.per_pattern = per_pattern;
        Ok(summary)
    }
}
