//! Prints grouped into taker orders: one market order that sweeps three
//! levels prints three trades of one side in the same microsecond. A whale
//! is one very large order, not many ordinary ones.

use crate::market::{TakerSide, TapeTrade};

/// Groups consecutive prints of one side and one microsecond.
#[derive(Debug, Clone, Default)]
pub struct TakerOrders {
    open: Option<(i64, TakerSide, i64)>,
}

impl TakerOrders {
    /// Takes the next print; returns the size of the order it closes (the
    /// previous one), if this print starts a new order.
    #[inline]
    pub fn push(&mut self, trade: &TapeTrade) -> Option<i64> {
        match &mut self.open {
            Some((time, side, qty)) if *time == trade.time_us && *side == trade.taker => {
                *qty += trade.qty;
                None
            }
            open => open.replace((trade.time_us, trade.taker, trade.qty)).map(|(_, _, qty)| qty),
        }
    }

    /// Closes the open order if it started before `before_us`; returns its size.
    pub fn close_before(&mut self, before_us: i64) -> Option<i64> {
        match self.open {
            Some((time, _, qty)) if time < before_us => {
                self.open = None;
                Some(qty)
            }
            _ => None,
        }
    }
}

/// Median and robust spread (1.4826 · MAD) of the log sizes of orders.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizeScale {
    /// Median log size (log of quantity steps).
    pub median: f64,
    /// Robust standard deviation of the log size (≥ 0.1).
    pub spread: f64,
}

impl SizeScale {
    /// Fitted on order sizes in steps; a neutral scale without orders.
    pub fn fit(sizes: &[i64]) -> Self {
        let mut logs: Vec<f64> = sizes.iter().map(|&q| libm::log(q.max(1) as f64)).collect();
        if logs.is_empty() {
            return Self { median: 0.0, spread: 1.0 };
        }
        let median = median(&mut logs);
        let mut deviations: Vec<f64> = logs.iter().map(|x| (x - median).abs()).collect();
        Self { median, spread: (1.4826 * self::median(&mut deviations)).max(0.1) }
    }

    /// The robust z of an order of `qty` steps.
    pub fn z(&self, qty: i64) -> f64 {
        (libm::log(qty.max(1) as f64) - self.median) / self.spread
    }

    /// `qty` in median order sizes.
    pub fn multiple(&self, qty: i64) -> f64 {
        qty.max(1) as f64 / libm::exp(self.median)
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { 0.5 * (values[n / 2 - 1] + values[n / 2]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_is_one_order_and_sizes_get_a_robust_scale() {
        let t = |time_us, qty, taker| TapeTrade { time_us, price: 1, qty, taker, id: 0 };
        let mut orders = TakerOrders::default();
        assert_eq!(orders.push(&t(1, 2, TakerSide::Buy)), None);
        assert_eq!(orders.push(&t(1, 3, TakerSide::Buy)), None, "same microsecond, same side");
        assert_eq!(orders.push(&t(1, 4, TakerSide::Sell)), Some(5), "the sweep of 2 + 3 closes");
        assert_eq!(orders.close_before(1), None);
        assert_eq!(orders.close_before(2), Some(4));
        let scale = SizeScale::fit(&[1, 10, 100, 1000, 10_000]);
        assert!((scale.median - libm::log(100.0)).abs() < 1e-12);
        assert!((scale.z(100) - 0.0).abs() < 1e-12);
        assert!((scale.spread - 1.4826 * libm::log(10.0)).abs() < 1e-9);
        assert!((scale.multiple(1000) - 10.0).abs() < 1e-9);
    }
}
