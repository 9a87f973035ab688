//! The manipulation episodes the crypto simulator injects, and what each
//! does to the order flow second by second.
//!
//! Shapes follow what public tapes of real episodes show (GUIDE §8):
//!
//! * **pump-and-dump**: a taker-buy burst within seconds of the start (the
//!   "announcement"), a concave run-up to the peak within minutes, then a
//!   dump of sells back towards the start;
//! * **flash crash**: a sell sweep that takes the price down within
//!   seconds, then a slower recovery;
//! * **wash trading**: pairs of equal-size prints on opposite sides at the
//!   same price within milliseconds, with no effect on the price (visible
//!   without account ids);
//! * **whale movement**: one taker order hundreds of times the usual size,
//!   sweeping several levels at once.

use crate::alert::AnomalyType;

use super::super::rng::SimRng;

/// One planned episode of one symbol, in seconds from the start of the
/// simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Episode {
    pub kind: AnomalyType,
    /// First second.
    pub start: i64,
    /// Seconds of the first phase (run-up, fall; the whole episode for
    /// wash trading; 1 for a whale).
    pub first: i64,
    /// Seconds of the second phase (dump, recovery; 0 otherwise).
    pub second: i64,
    /// Log-price move of the first phase (the pump's gain, the crash's
    /// depth as a negative number; 0 otherwise).
    pub size: f64,
    /// Fraction of the move the second phase keeps (0: back to the start).
    pub keep: f64,
    /// Peak order-arrival multiple (pumps, crashes) or wash pairs per
    /// second (wash trading) or the order's size in median sizes (whales).
    pub intensity: f64,
}

impl Episode {
    /// Last second of the episode (inclusive).
    pub fn end(&self) -> i64 {
        self.start + self.first + self.second - 1
    }

    /// Draws an episode of `kind` starting at second `start`.
    pub fn draw(kind: AnomalyType, start: i64, rng: &mut SimRng) -> Self {
        let base = Self { kind, start, first: 1, second: 0, size: 0.0, keep: 0.0, intensity: 0.0 };
        match kind {
            AnomalyType::PumpAndDump => Self {
                first: rng.int(60, 300) as i64,
                second: rng.int(300, 1200) as i64,
                size: libm::log(1.0 + rng.range(0.03, 0.25)),
                keep: rng.range(0.0, 0.3),
                intensity: rng.range(10.0, 40.0),
                ..base
            },
            AnomalyType::FlashCrash => Self {
                first: rng.int(5, 30) as i64,
                second: rng.int(60, 600) as i64,
                size: libm::log(1.0 - rng.range(0.04, 0.12)),
                keep: rng.range(0.0, 0.3),
                intensity: rng.range(20.0, 50.0),
                ..base
            },
            AnomalyType::WashTrading => {
                Self { first: rng.int(600, 3600) as i64, intensity: rng.range(0.2, 1.0), ..base }
            }
            AnomalyType::WhaleMovement => Self { intensity: rng.range(300.0, 2000.0), ..base },
            _ => base,
        }
    }

    /// What the episode does at second `s` (inside it).
    pub fn effect_at(&self, s: i64) -> Effect {
        let mut effect = Effect::default();
        let t = s - self.start;
        match self.kind {
            AnomalyType::PumpAndDump | AnomalyType::FlashCrash => {
                let (buy, against) = if self.size > 0.0 { (0.9, 0.2) } else { (0.08, 0.65) };
                if t < self.first {
                    // Concave: most of the move early, as the burst hits.
                    let path = |t: f64| self.size * (1.0 - (1.0 - t / self.first as f64).powi(2));
                    effect.drift = path(t as f64 + 1.0) - path(t as f64);
                    effect.intensity = 1.0 + self.intensity * libm::exp(-1.5 * t as f64 / self.first as f64);
                    effect.buy_probability = Some(buy);
                    effect.qty_multiple = 1.5;
                } else {
                    let u = (t - self.first) as f64;
                    let n = self.second as f64;
                    let path = |u: f64| self.size * (self.keep + (1.0 - self.keep) * (1.0 - u / n).powi(2));
                    effect.drift = path(u + 1.0) - path(u);
                    effect.intensity = 1.0 + 0.3 * self.intensity * libm::exp(-2.0 * u / n);
                    effect.buy_probability = Some(against);
                    effect.qty_multiple = 1.3;
                }
            }
            AnomalyType::WashTrading => effect.wash_pairs = self.intensity,
            AnomalyType::WhaleMovement => effect.whale_multiple = self.intensity,
            _ => {}
        }
        effect
    }
}

/// What the episodes change in one second of order flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Effect {
    /// Added to the efficient log price over the second.
    pub drift: f64,
    /// Multiplies the arrival rate of taker orders.
    pub intensity: f64,
    /// Probability that a taker order buys, instead of the usual ~0.5.
    pub buy_probability: Option<f64>,
    /// Multiplies order sizes.
    pub qty_multiple: f64,
    /// Mean number of wash pairs this second.
    pub wash_pairs: f64,
    /// A whale order of this many median sizes this second (0: none).
    pub whale_multiple: f64,
}

impl Default for Effect {
    fn default() -> Self {
        Self {
            drift: 0.0,
            intensity: 1.0,
            buy_probability: None,
            qty_multiple: 1.0,
            wash_pairs: 0.0,
            whale_multiple: 0.0,
        }
    }
}

/// The kinds the simulator injects, in the order it cycles through them.
pub const INJECTED: [AnomalyType; 4] =
    [AnomalyType::PumpAndDump, AnomalyType::WashTrading, AnomalyType::WhaleMovement, AnomalyType::FlashCrash];

/// Plans `count` non-overlapping episodes in `total_seconds`: the timeline
/// is cut into equal slots, each episode takes a random slot and starts at
/// a random second of its first half (every episode fits in 1.5 hours).
pub(super) fn plan(count: usize, total_seconds: i64, rng: &mut SimRng) -> Vec<Episode> {
    const SLOT: i64 = 2 * 3600;
    let slots = (total_seconds / SLOT).max(0) as usize;
    let mut free: Vec<usize> = (0..slots).collect();
    let mut out = Vec::with_capacity(count.min(slots));
    let offset = rng.int(0, INJECTED.len() - 1);
    for i in 0..count.min(slots) {
        let slot = free.swap_remove(rng.int(0, free.len() - 1));
        let start = slot as i64 * SLOT + rng.int(0, (SLOT / 2) as usize) as i64;
        out.push(Episode::draw(INJECTED[(i + offset) % INJECTED.len()], start, rng));
    }
    out.sort_by_key(|e| e.start);
    out
}
