//! Exercise of the Rust implementation page: a rolling maximum in O(1)
//! amortised time with a monotonic deque, allocation-free after `new`.
#![allow(dead_code, unused_variables)]

mod exercise {
    // ANCHOR: exercise
    /// Maximum of the last `window` values pushed.
    pub struct RollingMax {
        // your fields: a ring buffer of (index, value) kept decreasing
    }

    impl RollingMax {
        /// Allocates once, for `window ≥ 1` values.
        pub fn new(window: usize) -> Self {
            todo!()
        }

        /// Adds `x` and returns the maximum of the last `window` values.
        pub fn push(&mut self, x: f64) -> f64 {
            todo!()
        }
    }
    // ANCHOR_END: exercise
}

mod solution {
    // ANCHOR: solution
    use std::collections::VecDeque;

    /// Maximum of the last `window` values pushed.
    pub struct RollingMax {
        window: usize,
        count: usize,
        // (position, value), values strictly decreasing from front to back.
        candidates: VecDeque<(usize, f64)>,
    }

    impl RollingMax {
        pub fn new(window: usize) -> Self {
            assert!(window >= 1, "window must be at least 1");
            Self { window, count: 0, candidates: VecDeque::with_capacity(window) }
        }

        pub fn push(&mut self, x: f64) -> f64 {
            // Drop the front first if this push moves it out of the window,
            // so the deque never holds more than `window` entries.
            while self.candidates.front().is_some_and(|&(i, _)| i + self.window <= self.count) {
                self.candidates.pop_front();
            }
            // A smaller value behind a larger, newer one can never be the max again.
            while self.candidates.back().is_some_and(|&(_, v)| v <= x) {
                self.candidates.pop_back();
            }
            self.candidates.push_back((self.count, x));
            self.count += 1;
            self.candidates.front().expect("x was just pushed").1
        }

        /// Room reserved for candidates (it never grows after `new`).
        pub fn capacity(&self) -> usize {
            self.candidates.capacity()
        }
    }
    // ANCHOR_END: solution
}

#[test]
fn matches_brute_force() {
    // Irregular values, then a falling stretch: the worst case for the deque,
    // where every value stays a candidate until it leaves the window.
    let mut data: Vec<f64> = (0..2000).map(|i| (((i * 7919) % 1013) as f64).sin()).collect();
    data.extend((0..500).map(|i| -(i as f64)));
    for window in [1, 2, 5, 64] {
        let mut m = solution::RollingMax::new(window);
        let capacity = m.capacity();
        for (i, &x) in data.iter().enumerate() {
            let lo = (i + 1).saturating_sub(window);
            let want = data[lo..=i].iter().copied().fold(f64::MIN, f64::max);
            assert_eq!(m.push(x), want, "window {window} at {i}");
        }
        assert_eq!(m.capacity(), capacity, "window {window}: the deque grew after `new`");
    }
}
