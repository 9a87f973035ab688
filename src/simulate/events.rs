//! Planning where news and anomalies go on a symbol's timeline.

use super::rng::SimRng;

/// An event the simulator plays into the bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum EventKind {
    /// Earnings headline with a price jump and a volume surge: labelled NORMAL.
    Earnings { beat: bool },
    /// Dividend, guidance, management headline with a small reaction: normal.
    Routine,
    /// One bar with a huge volume.
    LargePrint,
    /// A price jump that reverts on the next bar.
    PriceSpike { up: bool },
    /// A volume surge without news.
    VolumeSurgeNoNews,
    /// Accumulation, run-up, dump (phase lengths in bars).
    PumpAndDump { accumulate: usize, pump: usize },
    /// Fast fall, then recovery (fall length in bars).
    FlashCrash { fall: usize },
    /// Round trips between colluding accounts.
    WashTrading,
    /// Large orders away from the touch, placed and cancelled.
    Spoofing,
    /// An unsourced takeover claim; the market ignores it.
    FakeInsider,
}

/// An event at bar `start` lasting `len` bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlannedEvent {
    pub kind: EventKind,
    pub start: usize,
    pub len: usize,
}

impl PlannedEvent {
    pub fn end(&self) -> usize {
        self.start + self.len - 1
    }
}

/// Bars kept free at the start so detectors can warm up.
const WARM_UP_BARS: usize = 150;
/// Minimum distance between two events, in bars.
const SPACING: usize = 60;

/// Places events for one symbol over `n` bars. `scale` multiplies the
/// number of events (1.0 = the default density for 20 days of 390 bars).
pub(crate) fn plan(rng: &mut SimRng, n: usize, scale: f64) -> Vec<PlannedEvent> {
    let count = |base: f64| ((base * scale).round() as usize).max(usize::from(scale > 0.0));
    let mut wanted: Vec<EventKind> = Vec::new();
    let mut push = |k: EventKind, c: usize| wanted.extend(std::iter::repeat_n(k, c));
    push(EventKind::PumpAndDump { accumulate: 0, pump: 0 }, count(1.0));
    push(EventKind::FlashCrash { fall: 0 }, count(1.0));
    push(EventKind::WashTrading, count(1.0));
    push(EventKind::Spoofing, count(1.0));
    push(EventKind::Earnings { beat: true }, count(2.0));
    push(EventKind::VolumeSurgeNoNews, count(2.0));
    push(EventKind::LargePrint, count(2.0));
    push(EventKind::PriceSpike { up: true }, count(2.0));
    push(EventKind::Routine, count(3.0));
    push(EventKind::FakeInsider, count(1.0));

    let mut placed: Vec<PlannedEvent> = Vec::new();
    for kind in wanted {
        let (kind, len) = realise(rng, kind);
        if n < WARM_UP_BARS + len + SPACING {
            continue;
        }
        for _ in 0..200 {
            let start = rng.int(WARM_UP_BARS, n - len - SPACING);
            let clash = placed.iter().any(|e| start < e.end() + SPACING && e.start < start + len + SPACING);
            if !clash {
                placed.push(PlannedEvent { kind, start, len });
                break;
            }
        }
    }
    placed.sort_by_key(|e| e.start);
    placed
}

/// Draws the random parameters and length of an event.
fn realise(rng: &mut SimRng, kind: EventKind) -> (EventKind, usize) {
    match kind {
        EventKind::Earnings { .. } => (EventKind::Earnings { beat: rng.chance(0.6) }, 30),
        EventKind::Routine => (EventKind::Routine, 8),
        EventKind::LargePrint => (EventKind::LargePrint, 1),
        EventKind::PriceSpike { .. } => (EventKind::PriceSpike { up: rng.chance(0.5) }, 2),
        EventKind::VolumeSurgeNoNews => (EventKind::VolumeSurgeNoNews, rng.int(5, 15)),
        EventKind::PumpAndDump { .. } => {
            let accumulate = rng.int(40, 80);
            let pump = rng.int(10, 20);
            let dump = rng.int(10, 20);
            (EventKind::PumpAndDump { accumulate, pump }, accumulate + pump + dump)
        }
        EventKind::FlashCrash { .. } => {
            let fall = rng.int(3, 5);
            (EventKind::FlashCrash { fall }, fall + rng.int(10, 20))
        }
        EventKind::WashTrading => (EventKind::WashTrading, rng.int(30, 60)),
        EventKind::Spoofing => (EventKind::Spoofing, rng.int(15, 30)),
        EventKind::FakeInsider => (EventKind::FakeInsider, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_do_not_overlap_and_respect_warm_up() {
        let mut rng = SimRng::new(3, 0);
        let events = plan(&mut rng, 7800, 1.0);
        assert!(events.len() >= 15, "{}", events.len());
        assert!(events[0].start >= WARM_UP_BARS);
        for w in events.windows(2) {
            assert!(w[0].end() + SPACING <= w[1].start, "{w:?}");
        }
    }
}
