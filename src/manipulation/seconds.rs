//! One second of trades summed up, and running sums over the last few
//! hundred seconds: the detector's only state that grows with the window,
//! fixed at construction (no allocation per trade or per second).

/// What one second of one symbol's tape held. Sizes are in the
/// instrument's quantity steps, prices in ticks: integers, so running sums
/// add and subtract exactly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecondStats {
    /// Prints.
    pub trades: u32,
    /// Volume.
    pub volume: i64,
    /// Volume of taker buys.
    pub buy_volume: i64,
    /// Sum of squared print sizes (the variance of net flow under random sides).
    pub squared: i128,
    /// Equal-size opposite-side prints at one price within milliseconds.
    pub matched_pairs: u32,
    /// Volume of those pairs (both prints).
    pub matched_volume: i64,
    /// Price of the last print at or before the end of this second, in
    /// ticks (carried over from earlier seconds; 0 before the first trade).
    pub close: i64,
    /// Largest taker order that ended in this second, in steps.
    pub largest_order: i64,
}

impl SecondStats {
    /// Net taker volume: buys − sells.
    pub fn net_volume(&self) -> i64 {
        2 * self.buy_volume - self.volume
    }
}

/// Sums of [`SecondStats`] over a window (the additive fields).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowSums {
    /// Prints.
    pub trades: u64,
    /// Volume.
    pub volume: i64,
    /// Taker-buy volume.
    pub buy_volume: i64,
    /// Summed squared sizes.
    pub squared: i128,
    /// Matched opposite-side pairs.
    pub matched_pairs: u64,
    /// Their volume.
    pub matched_volume: i64,
}

impl WindowSums {
    fn add(&mut self, s: &SecondStats, sign: i64) {
        self.trades = self.trades.wrapping_add_signed(sign * i64::from(s.trades));
        self.volume += sign * s.volume;
        self.buy_volume += sign * s.buy_volume;
        self.squared += i128::from(sign) * s.squared;
        self.matched_pairs = self.matched_pairs.wrapping_add_signed(sign * i64::from(s.matched_pairs));
        self.matched_volume += sign * s.matched_volume;
    }

    /// Net taker volume: buys − sells.
    pub fn net_volume(&self) -> i64 {
        2 * self.buy_volume - self.volume
    }
}

/// The last `capacity` seconds and running sums over each of a few window
/// lengths ending at the newest second.
#[derive(Debug, Clone)]
pub struct SecondRing {
    ring: Box<[SecondStats]>,
    /// Seconds pushed so far.
    pushed: u64,
    windows: Vec<(usize, WindowSums)>,
}

impl SecondRing {
    /// A ring for windows of the given lengths in seconds (each ≥ 1).
    pub fn new(windows: &[usize]) -> Self {
        let longest = windows.iter().copied().max().unwrap_or(1).max(1);
        Self {
            ring: vec![SecondStats::default(); longest + 1].into_boxed_slice(),
            pushed: 0,
            windows: windows.iter().map(|&w| (w.max(1), WindowSums::default())).collect(),
        }
    }

    /// Adds the newest second; the oldest leaves every window it falls out of.
    pub fn push(&mut self, second: SecondStats) {
        let n = self.ring.len() as u64;
        for (length, sums) in &mut self.windows {
            sums.add(&second, 1);
            if self.pushed >= *length as u64 {
                let leaving = self.ring[((self.pushed - *length as u64) % n) as usize];
                sums.add(&leaving, -1);
            }
        }
        self.ring[(self.pushed % n) as usize] = second;
        self.pushed += 1;
    }

    /// Sums over the window with index `i` (in the order given to [`Self::new`]).
    pub fn sums(&self, i: usize) -> &WindowSums {
        &self.windows[i].1
    }

    /// The newest second's close and the close just before the window `i`
    /// began (`None` until enough seconds were pushed or before any trade).
    pub fn closes(&self, i: usize) -> Option<(i64, i64)> {
        let length = self.windows[i].0 as u64;
        if self.pushed <= length {
            return None;
        }
        let n = self.ring.len() as u64;
        let now = self.ring[((self.pushed - 1) % n) as usize].close;
        let then = self.ring[((self.pushed - 1 - length) % n) as usize].close;
        (now > 0 && then > 0).then_some((now, then))
    }

    /// The newest second, if any.
    pub fn newest(&self) -> Option<&SecondStats> {
        (self.pushed > 0).then(|| &self.ring[((self.pushed - 1) % self.ring.len() as u64) as usize])
    }

    /// Forgets everything (after a gap longer than every window).
    pub fn clear(&mut self) {
        self.ring.fill(SecondStats::default());
        self.pushed = 0;
        for (_, sums) in &mut self.windows {
            *sums = WindowSums::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_sums_equal_sums_recomputed_from_scratch() {
        let mut ring = SecondRing::new(&[3, 5]);
        let second = |i: i64| SecondStats {
            trades: (i % 4) as u32,
            volume: 10 * i,
            buy_volume: 3 * i,
            squared: i128::from(i * i),
            close: 100 + i,
            ..Default::default()
        };
        for i in 1..=12 {
            ring.push(second(i));
            for (w, length) in [(0, 3), (1, 5)] {
                let from = (i - length + 1).max(1);
                let volume: i64 = (from..=i).map(|j| second(j).volume).sum();
                let trades: u64 = (from..=i).map(|j| second(j).trades as u64).sum();
                assert_eq!((ring.sums(w).volume, ring.sums(w).trades), (volume, trades), "second {i}, window {length}");
            }
        }
        assert_eq!(ring.closes(0), Some((112, 109)), "close now and just before the 3-second window");
        assert_eq!(ring.sums(0).net_volume(), 2 * 3 * (10 + 11 + 12) - 10 * (10 + 11 + 12));
        ring.clear();
        assert_eq!((ring.sums(1).volume, ring.closes(0), ring.newest()), (0, None, None));
    }
}
