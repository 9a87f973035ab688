//! How each planned event changes returns and volume, bar by bar.

use super::events::{EventKind, PlannedEvent};
use super::rng::SimRng;

/// Per-bar modifiers of the baseline process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BarEffect {
    /// Added to the bar's log return.
    pub drift: f64,
    /// Multiplies the bar's volume.
    pub volume: f64,
    /// Multiplies the bar's return noise.
    pub noise: f64,
    /// Part of the volume that is wash trading (0..1).
    pub wash_share: f64,
    /// A spoofing order rests in the book at this bar's close.
    pub spoof: bool,
    /// Multiplies the social-mention rate.
    pub social: f64,
}

impl Default for BarEffect {
    fn default() -> Self {
        Self { drift: 0.0, volume: 1.0, noise: 1.0, wash_share: 0.0, spoof: false, social: 1.0 }
    }
}

/// Fills `effects` for one event. Magnitudes are in log-return units.
pub(crate) fn apply(rng: &mut SimRng, event: &PlannedEvent, effects: &mut [BarEffect]) {
    let s = event.start;
    let bars = &mut effects[s..s + event.len];
    match event.kind {
        EventKind::Earnings { beat } => {
            let jump = rng.range(0.02, 0.04) * if beat { 1.0 } else { -1.0 };
            let peak = rng.range(5.0, 8.0);
            for (j, b) in bars.iter_mut().enumerate() {
                b.volume *= 1.0 + (peak - 1.0) * libm::exp(-(j as f64) / 8.0);
                b.noise *= if j < 10 { 2.0 } else { 1.3 };
                b.social *= 3.0;
            }
            bars[0].drift += jump * 0.7;
            bars[1].drift += jump * 0.3;
        }
        EventKind::Routine => {
            let jump = rng.range(-0.004, 0.004);
            for (j, b) in bars.iter_mut().enumerate() {
                b.volume *= 1.0 + 0.8 * libm::exp(-(j as f64) / 3.0);
            }
            bars[0].drift += jump;
        }
        EventKind::LargePrint => bars[0].volume *= rng.range(15.0, 30.0),
        EventKind::PriceSpike { up } => {
            let jump = rng.range(0.008, 0.015) * if up { 1.0 } else { -1.0 };
            bars[0].drift += jump;
            bars[0].volume *= 1.5;
            bars[1].drift -= jump;
        }
        EventKind::VolumeSurgeNoNews => {
            let m = rng.range(4.0, 7.0);
            for b in bars.iter_mut() {
                b.volume *= m * rng.range(0.8, 1.2);
            }
        }
        EventKind::PumpAndDump { accumulate, pump } => {
            let dump = event.len - accumulate - pump;
            let creep = 0.0003;
            let run_up = rng.range(0.06, 0.12);
            for (j, b) in bars.iter_mut().enumerate() {
                b.social *= 12.0;
                if j < accumulate {
                    b.volume *= 1.8;
                    b.drift += creep;
                } else if j < accumulate + pump {
                    b.volume *= rng.range(6.0, 10.0);
                    b.drift += run_up / pump as f64;
                    b.noise *= 1.5;
                } else {
                    b.volume *= rng.range(5.0, 8.0);
                    b.drift -= (run_up + creep * accumulate as f64) / dump as f64;
                    b.noise *= 1.5;
                }
            }
        }
        EventKind::FlashCrash { fall } => {
            let depth = rng.range(0.04, 0.08);
            let recover = event.len - fall;
            for (j, b) in bars.iter_mut().enumerate() {
                if j < fall {
                    b.drift -= depth / fall as f64;
                    b.volume *= rng.range(8.0, 12.0);
                    b.noise *= 2.0;
                } else {
                    b.drift += 0.9 * depth / recover as f64;
                    b.volume *= 3.0;
                }
            }
        }
        EventKind::WashTrading => {
            let m = rng.range(2.5, 4.0);
            for b in bars.iter_mut() {
                b.volume *= m;
                b.noise *= 0.3;
                b.wash_share = 1.0 - 1.0 / m;
            }
        }
        EventKind::Spoofing => {
            for b in bars.iter_mut() {
                b.spoof = true;
                b.drift += 0.0002;
            }
        }
        EventKind::FakeInsider => {}
    }
}
