//! Exercise of the example 03 page: matched prints by hand, checked
//! against the detector's own finder on a simulated wash episode.
#![allow(dead_code, unused_variables)]

use llm_anomaly::alert::AnomalyType;
use llm_anomaly::manipulation::matched_prints::MatchedPrints;
use llm_anomaly::market::TapeTrade;
use llm_anomaly::simulate::crypto::{CryptoSimConfig, SimulatedCrypto};

mod exercise {
    use llm_anomaly::market::TapeTrade;

    // ANCHOR: exercise
    /// How many pairs of prints in `trades` (in time order) look like a
    /// self-trade: the same size at the same price on opposite sides, at
    /// most `max_lag_us` apart. Each print belongs to at most one pair; a
    /// print pairs with the latest earlier unmatched print that fits.
    pub fn matched_pairs(trades: &[TapeTrade], max_lag_us: i64) -> usize {
        todo!("for each print, look back over the prints within max_lag_us")
    }
    // ANCHOR_END: exercise
}

mod solution {
    use llm_anomaly::market::TapeTrade;

    // ANCHOR: solution
    pub fn matched_pairs(trades: &[TapeTrade], max_lag_us: i64) -> usize {
        let mut used = vec![false; trades.len()];
        let mut pairs = 0;
        for i in 0..trades.len() {
            let t = &trades[i];
            let earlier = (0..i).rev().take_while(|&j| t.time_us - trades[j].time_us <= max_lag_us);
            let partner = earlier.filter(|&j| !used[j]).find(|&j| {
                let e = &trades[j];
                e.qty == t.qty && e.price == t.price && e.taker != t.taker
            });
            if let Some(j) = partner {
                used[j] = true;
                used[i] = true;
                pairs += 1;
            }
        }
        pairs
    }
    // ANCHOR_END: solution
}

#[test]
fn the_count_by_hand_agrees_with_the_detector_on_a_wash_episode() {
    let symbols = vec![CryptoSimConfig::default().symbols[2].clone()];
    let market =
        SimulatedCrypto::generate(&CryptoSimConfig { symbols, days: 1, episodes_per_day: 8.0, ..Default::default() })
            .unwrap();
    let wash = market.labels.iter().find(|l| l.kind == AnomalyType::WashTrading).expect("a wash episode");
    let trades: Vec<TapeTrade> =
        market.tapes[0].trades().iter().copied().filter(|t| wash.contains(t.time_us)).collect();
    let mut finder = MatchedPrints::new(10_000);
    let detector_count = trades.iter().filter(|t| finder.push(t)).count();
    let by_hand = solution::matched_pairs(&trades, 10_000);
    assert_eq!(by_hand, detector_count);
    let seconds = (wash.end_us - wash.start_us) / 1_000_000;
    assert!(by_hand as i64 > seconds / 10, "{by_hand} pairs in {seconds} s");
}
