//! Event-level evaluation: anomalies as intervals, not isolated points.
//!
//! A market anomaly (a pump, a spoofing episode, a flash crash) usually spans
//! several consecutive points. What matters is whether each event was
//! detected at all, and how late: [`event_report`] gives the event recall and
//! the detection delay of every event.
//!
//! This module also implements the *point-adjust* protocol common in the
//! time-series anomaly detection literature ([`point_adjust`],
//! [`point_adjusted_f1`]). Point adjustment is known to inflate scores: Kim
//! et al., "Towards a Rigorous Evaluation of Time-series Anomaly Detection"
//! (AAAI 2022), show that under it even random scores can reach a high F1,
//! since one lucky hit inside a long event counts as detecting all of it.
//! The book therefore reports point-adjusted F1 **beside, never instead of**,
//! plain point-wise F1 ([`ConfusionMatrix::f1`]).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::eval::confusion::{ConfusionMatrix, check_lengths};

/// A labelled anomaly as a range of indices, `start..=end` (inclusive end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    /// Index of the first anomalous point.
    pub start: usize,
    /// Index of the last anomalous point (inclusive).
    pub end: usize,
}

impl Event {
    /// Number of points in the event, `end − start + 1` (0 if `end < start`,
    /// an event [`event_report`] refuses).
    pub fn points(&self) -> usize {
        (self.end + 1).saturating_sub(self.start)
    }

    /// `true` when `index` lies inside the event.
    pub fn contains(&self, index: usize) -> bool {
        (self.start..=self.end).contains(&index)
    }
}

/// The maximal runs of `true` in `labels`, in order.
pub fn events_from_labels(labels: &[bool]) -> Vec<Event> {
    let mut events = Vec::new();
    let mut start = None;
    for (i, &label) in labels.iter().enumerate() {
        match (label, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                events.push(Event { start: s, end: i - 1 });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        events.push(Event { start: s, end: labels.len() - 1 });
    }
    events
}

/// Event-level detection results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventReport {
    /// Number of events.
    pub events: usize,
    /// Events with at least one flagged point inside them.
    pub detected: usize,
    /// `detected / events`; `None` when there are no events.
    pub recall: Option<f64>,
    /// Per event: index of the first flagged point inside the event minus its
    /// start (0 = flagged on its first point); `None` when the event was missed.
    pub delays: Vec<Option<usize>>,
    /// Mean delay over the detected events; `None` when none was detected.
    pub mean_delay: Option<f64>,
}

/// Which `events` were detected by `predicted` (true = flagged), and how late.
///
/// Only flags inside an event count for it: a flag just before the event
/// starts is not an early detection, and a flag after it ends is not one
/// either. Errors with [`Error::InvalidValue`] (field `event`, `row` = the
/// event's position in `events`) when an event has `end < start` or ends
/// past the last prediction.
pub fn event_report(events: &[Event], predicted: &[bool]) -> Result<EventReport> {
    let mut delays = Vec::with_capacity(events.len());
    for (row, event) in events.iter().enumerate() {
        check_event(row, event, predicted.len())?;
        let delay = predicted[event.start..=event.end].iter().position(|&p| p);
        delays.push(delay);
    }
    let detected = delays.iter().flatten().count();
    let total_delay: usize = delays.iter().flatten().sum();
    Ok(EventReport {
        events: events.len(),
        detected,
        recall: (!events.is_empty()).then(|| detected as f64 / events.len() as f64),
        delays,
        mean_delay: (detected > 0).then(|| total_delay as f64 / detected as f64),
    })
}

fn check_event(row: usize, event: &Event, len: usize) -> Result<()> {
    let reason = if event.end < event.start {
        "an event must not end before it starts"
    } else if event.end >= len {
        "the event ends past the last prediction"
    } else {
        return Ok(());
    };
    Err(Error::InvalidValue {
        field: "event",
        row,
        value: format!("{}..={} (of {len} points)", event.start, event.end),
        reason,
    })
}

/// The point-adjust protocol: when any point of a labelled event is flagged,
/// every point of that event counts as flagged; flags outside events are
/// left unchanged.
///
/// Known to inflate scores (see the [module docs](self)): report it beside,
/// never instead of, plain F1. Errors on a length mismatch.
pub fn point_adjust(labels: &[bool], predicted: &[bool]) -> Result<Vec<bool>> {
    check_lengths("labels", labels.len(), "predicted", predicted.len())?;
    let mut adjusted = predicted.to_vec();
    for event in events_from_labels(labels) {
        let range = event.start..=event.end;
        if predicted[range.clone()].contains(&true) {
            adjusted[range].fill(true);
        }
    }
    Ok(adjusted)
}

/// F1 after [`point_adjust`]; `None` when precision or recall is undefined.
///
/// Known to inflate scores (see the [module docs](self)): report it beside,
/// never instead of, plain F1. Errors on a length mismatch.
pub fn point_adjusted_f1(labels: &[bool], predicted: &[bool]) -> Result<Option<f64>> {
    let adjusted = point_adjust(labels, predicted)?;
    Ok(ConfusionMatrix::from_predictions(labels, &adjusted)?.f1())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const T: bool = true;
    const F: bool = false;

    #[test]
    fn events_are_maximal_runs() {
        let labels = [T, T, F, F, T, F, T, T, T];
        assert_eq!(
            events_from_labels(&labels),
            [Event { start: 0, end: 1 }, Event { start: 4, end: 4 }, Event { start: 6, end: 8 }]
        );
        assert!(events_from_labels(&[F, F]).is_empty());
        assert!(events_from_labels(&[]).is_empty());
        let e = Event { start: 6, end: 8 };
        assert_eq!(e.points(), 3);
        assert!(e.contains(8) && !e.contains(5) && !e.contains(9));
    }

    #[test]
    fn report_with_delays() {
        // index:      0  1  2  3  4  5  6  7  8  9 10 11
        let labels = [F, T, T, T, F, F, T, T, F, T, T, T];
        let predicted = [T, F, F, T, F, F, T, F, T, F, F, F];
        let events = events_from_labels(&labels);
        let r = event_report(&events, &predicted).unwrap();
        // Event 1..=3 caught at 3 (delay 2); event 6..=7 at 6 (delay 0); 9..=11 missed.
        // The flags at 0 and 8 are outside every event and do not count.
        assert_eq!(r.events, 3);
        assert_eq!(r.detected, 2);
        assert_eq!(r.delays, [Some(2), Some(0), None]);
        assert_relative_eq!(r.recall.unwrap(), 2.0 / 3.0);
        assert_relative_eq!(r.mean_delay.unwrap(), 1.0);

        let none = event_report(&events, &[F; 12]).unwrap();
        assert_eq!(none.recall, Some(0.0));
        assert_eq!(none.mean_delay, None);
        let empty = event_report(&[], &predicted).unwrap();
        assert_eq!((empty.recall, empty.mean_delay), (None, None));
    }

    #[test]
    fn report_errors_on_bad_events() {
        let predicted = [F; 5];
        match event_report(&[Event { start: 0, end: 1 }, Event { start: 3, end: 5 }], &predicted) {
            Err(Error::InvalidValue { field: "event", row: 1, .. }) => {}
            other => panic!("expected an out-of-bounds error for event 1, got {other:?}"),
        }
        assert!(event_report(&[Event { start: 3, end: 2 }], &predicted).is_err());
    }

    #[test]
    fn point_adjust_turns_a_partial_hit_into_a_full_one() {
        // index:      0  1  2  3  4  5  6  7
        let labels = [F, T, T, T, T, F, T, T];
        let predicted = [T, F, F, T, F, F, F, F];
        let adjusted = point_adjust(&labels, &predicted).unwrap();
        assert_eq!(adjusted, [T, T, T, T, T, F, F, F]);
        // Plain: tp 1, fp 1, fn 5 → F1 = 2/8. Adjusted: tp 4, fp 1, fn 2 → F1 = 8/11.
        let plain = ConfusionMatrix::from_predictions(&labels, &predicted).unwrap().f1().unwrap();
        assert_relative_eq!(plain, 0.25);
        assert_relative_eq!(point_adjusted_f1(&labels, &predicted).unwrap().unwrap(), 8.0 / 11.0);
        assert!(point_adjust(&labels, &predicted[..3]).is_err());
        assert_eq!(point_adjusted_f1(&[F, F], &[F, F]).unwrap(), None);
    }
}
