//! How well the manipulation detector does, per pattern, on labelled
//! episodes: PR-AUC of the per-second scores, event recall, detection delay
//! and false alarms per symbol-day.

use serde::Serialize;

use super::detector::{PATTERNS, SecondScores, Thresholds};
use crate::alert::{AlertInterval, AnomalyType};
use crate::error::Result;
use crate::eval::average_precision;

/// A labelled episode of one symbol.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    /// What it is.
    pub kind: AnomalyType,
    /// First microsecond.
    pub start_us: i64,
    /// Last microsecond (inclusive).
    pub end_us: i64,
}

/// One symbol's evaluated period: its second scores, its alerts and its
/// labelled episodes.
#[derive(Debug, Clone, Copy)]
pub struct SymbolRun<'a> {
    /// Every scored second of the period.
    pub scores: &'a [SecondScores],
    /// The alerts raised in it.
    pub alerts: &'a [AlertInterval],
    /// The episodes labelled in it.
    pub episodes: &'a [Episode],
}

/// The quality of one pattern's alerts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeReport {
    /// The pattern.
    #[serde(rename = "type")]
    pub kind: AnomalyType,
    /// Labelled episodes.
    pub events: usize,
    /// Episodes overlapped by an alert of this type.
    pub detected: usize,
    /// `detected / events` (null without episodes).
    pub event_recall: Option<f64>,
    /// Mean seconds from an episode's start to its first alert (null when
    /// none was detected).
    pub mean_delay_s: Option<f64>,
    /// The longest of those delays.
    pub max_delay_s: Option<i64>,
    /// Episodes whose first alert came within 60 s of their start.
    pub detected_within_60s: usize,
    /// Alerts of this type that overlap no episode of this type.
    pub false_alarms: usize,
    /// `false_alarms / symbol_days`.
    pub false_alarms_per_symbol_day: f64,
    /// Average precision of the per-second scores against the seconds
    /// inside episodes of this type (null without any).
    pub pr_auc: Option<f64>,
}

/// Evaluates every pattern over `runs`, which together cover `symbol_days`
/// symbol-days. An alert covers the seconds `[start − 1 s, end]` (its time
/// is the end of the second that raised it).
pub fn evaluate(runs: &[SymbolRun<'_>], symbol_days: f64) -> Result<Vec<TypeReport>> {
    evaluate_with_unit(runs, symbol_days, 1_000_000)
}

/// [`evaluate`] for alerts whose time is the end of a step of `unit_us`
/// (a bar's length for the bars-only detector): an alert covers
/// `[start − unit, end]`.
pub fn evaluate_with_unit(runs: &[SymbolRun<'_>], symbol_days: f64, unit_us: i64) -> Result<Vec<TypeReport>> {
    let mut reports = Vec::with_capacity(PATTERNS.len());
    for (k, &kind) in PATTERNS.iter().enumerate() {
        let mut scores = Vec::new();
        let mut labels = Vec::new();
        let (mut events, mut detected, mut within, mut false_alarms) = (0, 0, 0, 0);
        let mut delays = Vec::new();
        for run in runs {
            let episodes: Vec<&Episode> = run.episodes.iter().filter(|e| e.kind == kind).collect();
            let alerts: Vec<(i64, i64)> = run
                .alerts
                .iter()
                .filter(|a| a.kind == kind)
                .map(|a| (a.start.timestamp_micros() - unit_us, a.end.timestamp_micros() - 1))
                .collect();
            for s in run.scores {
                let (from, to) = (s.second * 1_000_000, s.second * 1_000_000 + 999_999);
                scores.push(s.scores[k]);
                labels.push(episodes.iter().any(|e| e.start_us <= to && from <= e.end_us));
            }
            for e in &episodes {
                events += 1;
                let first =
                    alerts.iter().filter(|&&(from, to)| from <= e.end_us && e.start_us <= to).map(|a| a.0).min();
                if let Some(from) = first {
                    detected += 1;
                    let delay = ((from + unit_us - e.start_us) as f64 / 1e6).max(0.0).round() as i64;
                    within += usize::from(delay <= 60);
                    delays.push(delay);
                }
            }
            false_alarms += alerts
                .iter()
                .filter(|&&(from, to)| !episodes.iter().any(|e| from <= e.end_us && e.start_us <= to))
                .count();
        }
        let mean_delay_s = (!delays.is_empty()).then(|| delays.iter().sum::<i64>() as f64 / delays.len() as f64);
        reports.push(TypeReport {
            kind,
            events,
            detected,
            event_recall: (events > 0).then(|| detected as f64 / events as f64),
            mean_delay_s,
            max_delay_s: delays.iter().copied().max(),
            detected_within_60s: within,
            false_alarms,
            false_alarms_per_symbol_day: false_alarms as f64 / symbol_days,
            pr_auc: if labels.iter().any(|&l| l) { average_precision(&scores, &labels)? } else { None },
        });
    }
    Ok(reports)
}

/// The detector as a whole, second by second, for threshold-free metrics
/// (PR-AUC, ROC-AUC): each second's score is the largest of the four
/// pattern scores divided by their thresholds, and its label says whether
/// it overlaps any episode. Returns `(scores, labels)`, one per second.
pub fn any_pattern_scores(runs: &[SymbolRun<'_>], thresholds: &Thresholds) -> (Vec<f64>, Vec<bool>) {
    let thresholds = thresholds.as_array();
    let mut scores = Vec::new();
    let mut labels = Vec::new();
    for run in runs {
        for s in run.scores {
            scores.push((0..4).map(|k| s.scores[k] / thresholds[k]).fold(f64::NEG_INFINITY, f64::max));
            let (from, to) = (s.second * 1_000_000, s.second * 1_000_000 + 999_999);
            labels.push(run.episodes.iter().any(|e| e.start_us <= to && from <= e.end_us));
        }
    }
    (scores, labels)
}

/// `true` when `alert` overlaps an episode of its own type; an alert's
/// time is the end of the second that raised it, so it covers
/// `[start − 1 s, end]`.
pub fn is_true_alert(alert: &AlertInterval, episodes: &[Episode]) -> bool {
    let (from, to) = ((alert.start.timestamp() - 1) * 1_000_000, alert.end.timestamp() * 1_000_000 - 1);
    episodes.iter().any(|e| e.kind == alert.kind && from <= e.end_us && e.start_us <= to)
}
