//! Exercise of the Example 01 page: a time-of-day volume baseline.
//!
//! Volume has a strong intraday pattern (busy open and close, quiet midday).
//! A rolling window of the last hour mixes those regimes; comparing each bar
//! with the same minute of previous sessions removes the pattern.
//! `exercise` is the starting point shown in the book; `solution` is tested.
#![allow(dead_code, unused_variables)]

mod exercise {
    use llm_anomaly::data::Bar;

    // ANCHOR: exercise
    /// For each bar: its volume divided by the mean volume of the bars at
    /// the same time of day (UTC hour and minute) in the previous `days`
    /// sessions. `None` until `days` earlier sessions had a bar at that time.
    pub fn time_of_day_ratio(bars: &[Bar], days: usize) -> Vec<Option<f64>> {
        todo!("keep the last `days` volumes per minute of the day")
    }
    // ANCHOR_END: exercise
}

mod solution {
    // ANCHOR: solution
    use std::collections::{HashMap, VecDeque};

    use chrono::Timelike;
    use llm_anomaly::data::Bar;

    pub fn time_of_day_ratio(bars: &[Bar], days: usize) -> Vec<Option<f64>> {
        let mut history: HashMap<u32, VecDeque<f64>> = HashMap::new();
        bars.iter()
            .map(|bar| {
                let minute = bar.timestamp.hour() * 60 + bar.timestamp.minute();
                let past = history.entry(minute).or_default();
                let ratio = (past.len() == days && days > 0).then(|| {
                    let mean = past.iter().sum::<f64>() / days as f64;
                    if mean > 0.0 { bar.volume / mean } else { f64::INFINITY }
                });
                past.push_back(bar.volume);
                if past.len() > days {
                    past.pop_front();
                }
                ratio
            })
            .collect()
    }
    // ANCHOR_END: solution
}

use chrono::{Duration, TimeZone, Utc};
use llm_anomaly::data::{AnomalyPattern, Bar};
use llm_anomaly::simulate::{SimConfig, SimulatedMarket};

#[test]
fn ratio_by_hand() {
    let t0 = Utc.with_ymd_and_hms(2025, 1, 6, 14, 30, 0).unwrap();
    let mut bars = Vec::new();
    // Three sessions of two bars: volumes (100, 10), (300, 30), (400, 20).
    for (day, (a, b)) in [(100.0, 10.0), (300.0, 30.0), (400.0, 20.0)].into_iter().enumerate() {
        let open = t0 + Duration::days(day as i64);
        bars.push(Bar::new(open, 1.0, 1.0, 1.0, 1.0, a).unwrap());
        bars.push(Bar::new(open + Duration::minutes(1), 1.0, 1.0, 1.0, 1.0, b).unwrap());
    }
    let r = solution::time_of_day_ratio(&bars, 2);
    assert_eq!(&r[..4], &[None, None, None, None]);
    assert_eq!(r[4], Some(400.0 / 200.0));
    assert_eq!(r[5], Some(20.0 / 20.0));
}

#[test]
fn a_large_print_stands_out_against_its_time_of_day() {
    let market = SimulatedMarket::generate(&SimConfig { microstructure: false, ..SimConfig::default() }).unwrap();
    let print = market
        .labels
        .iter()
        .find(|l| {
            l.pattern == AnomalyPattern::LargePrint
                && l.start.date_naive() > market.config.first_day + Duration::days(7)
        })
        .unwrap();
    let series = market.series(&print.symbol).unwrap();
    let ratios = solution::time_of_day_ratio(series.bars(), 3);
    let i = series.bars().iter().position(|b| b.timestamp == print.start).unwrap();
    assert!(ratios[i].unwrap() > 8.0, "{:?}", ratios[i]);
    // Ordinary bars hover around 1 once the intraday pattern is removed.
    let ordinary: Vec<f64> = ratios.iter().flatten().copied().filter(|r| r.is_finite()).collect();
    let mut sorted = ordinary.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    assert!((0.7..1.3).contains(&median), "{median}");
}
