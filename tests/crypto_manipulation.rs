//! The crypto manipulation detector on labelled simulated tapes and on
//! hand-built ones: known episodes found in time, normal trading not
//! flagged, bad input refused with a message that names it.

use llm_anomaly::alert::{AlertInterval, AnomalyType, Evidence};
use llm_anomaly::manipulation::{
    CryptoManipulationDetector, Episode, FitSplit, ManipulationConfig, SymbolRun, evaluate, scan_tape, surge_z,
};
use llm_anomaly::market::{Instrument, TakerSide, TapeTrade, TradeTape};
use llm_anomaly::simulate::crypto::{CryptoSimConfig, SimulatedCrypto};

const US: i64 = 1_000_000;

/// SOLUSDT of the default market, two days, many episodes.
fn sol(episodes_per_day: f64) -> SimulatedCrypto {
    let symbols = vec![CryptoSimConfig::default().symbols[2].clone()];
    SimulatedCrypto::generate(&CryptoSimConfig { symbols, days: 2, episodes_per_day, ..Default::default() }).unwrap()
}

fn overlaps(alert: &AlertInterval, episode: &Episode) -> bool {
    (alert.start.timestamp() - 1) * US <= episode.end_us && episode.start_us <= alert.end.timestamp() * US
}

#[test]
fn every_simulated_episode_of_the_second_day_is_found_and_pumps_within_a_minute() {
    let market = sol(6.0);
    let scan = scan_tape(&market.tapes[0], FitSplit::Hours(24), ManipulationConfig::default()).unwrap();
    let episodes: Vec<Episode> = market
        .labels
        .iter()
        .filter(|l| l.start_us >= scan.cut_us)
        .map(|l| Episode { kind: l.kind, start_us: l.start_us, end_us: l.end_us })
        .collect();
    assert!(episodes.len() >= 5, "{} episodes on day two", episodes.len());
    for episode in &episodes {
        let first =
            scan.alerts.iter().filter(|a| a.kind == episode.kind && overlaps(a, episode)).map(|a| a.start).min();
        let first = first.unwrap_or_else(|| panic!("{} at {} µs not found", episode.kind, episode.start_us));
        let delay = first.timestamp() - episode.start_us / US;
        if episode.kind == AnomalyType::PumpAndDump {
            assert!(delay <= 60, "a pump caught {delay} s after its start");
        }
    }
    let false_alarms: Vec<&AlertInterval> =
        scan.alerts.iter().filter(|a| !episodes.iter().any(|e| e.kind == a.kind && overlaps(a, e))).collect();
    assert!(false_alarms.len() <= 1, "{false_alarms:#?}");
    let runs = [SymbolRun { scores: &scan.scores, alerts: &scan.alerts, episodes: &episodes }];
    let reports = evaluate(&runs, 1.0).unwrap();
    let pumps = reports.iter().find(|r| r.kind == AnomalyType::PumpAndDump).unwrap();
    assert_eq!(pumps.event_recall, Some(1.0));
    assert!(pumps.pr_auc.unwrap() > 0.05, "{pumps:?}");
}

#[test]
fn a_clean_market_raises_no_pump_crash_or_wash_alert() {
    let market = sol(0.0);
    assert!(market.labels.is_empty());
    let scan = scan_tape(&market.tapes[0], FitSplit::Default, ManipulationConfig::default()).unwrap();
    let kinds: Vec<AnomalyType> = scan.alerts.iter().map(|a| a.kind).collect();
    assert!(
        !kinds
            .iter()
            .any(|k| matches!(k, AnomalyType::PumpAndDump | AnomalyType::FlashCrash | AnomalyType::WashTrading)),
        "{:#?}",
        scan.alerts
    );
    assert!(scan.scores.len() as i64 >= (scan.last_us - scan.cut_us) / US, "every second scored, quiet ones too");
}

/// A quiet tape: one 1-lot print every 2 s, sides alternating, price
/// wandering one tick up and down around 1000 ticks.
fn quiet(seconds: i64) -> Vec<TapeTrade> {
    (0..seconds / 2)
        .map(|i| TapeTrade {
            time_us: 2 * i * US + 123,
            price: 1000 + (i % 3),
            qty: 1 + (i % 4),
            taker: if i % 2 == 0 { TakerSide::Buy } else { TakerSide::Sell },
            id: i as u64,
        })
        .collect()
}

fn instrument() -> Instrument {
    Instrument::new("TESTUSDT", "0.01", "1").unwrap()
}

#[test]
fn a_planted_buy_burst_with_a_run_up_is_a_pump_and_planted_self_trades_are_wash() {
    let history = TradeTape::new(instrument(), quiet(6 * 3600)).unwrap();
    let mut detector = CryptoManipulationDetector::fit(&history, ManipulationConfig::default()).unwrap();
    let t0 = 6 * 3600 * US;
    // Thirty seconds of ten taker buys a second, each a tick higher.
    let mut burst = Vec::new();
    for k in 0..300 {
        burst.push(TapeTrade {
            time_us: t0 + k * 100_000,
            price: 1002 + k,
            qty: 3,
            taker: TakerSide::Buy,
            id: 10_000 + k as u64,
        });
    }
    let verdict = detector.analyze_window(&burst).unwrap();
    assert!(verdict.is_manipulation_suspected);
    assert_eq!(verdict.manipulation_type, AnomalyType::PumpAndDump);
    assert!(verdict.confidence > 0.5);
    let Some(Evidence::TradeFlow(x)) = verdict.indicators else { panic!("{:?}", verdict.indicators) };
    assert!(x.buy_share > 0.95 && x.return_pct > 5.0 && x.flow_z > 4.0, "{x:?}");
    let first = verdict.alerts.iter().find(|a| a.kind == AnomalyType::PumpAndDump).unwrap();
    assert!(first.start.timestamp() - t0 / US <= 10, "raised within 10 s: {}", first.start);

    // Ten minutes later, at the old price again: self-trades, a pair every
    // 2 s, one lot each side within 2 ms, and no other flow.
    let t1 = t0 + 900 * US;
    let mut wash = Vec::new();
    for k in 0..300i64 {
        let at = t1 + k * 2 * US;
        wash.push(TapeTrade { time_us: at, price: 1001, qty: 7, taker: TakerSide::Buy, id: 20_000 + 2 * k as u64 });
        wash.push(TapeTrade {
            time_us: at + 2_000,
            price: 1001,
            qty: 7,
            taker: TakerSide::Sell,
            id: 20_001 + 2 * k as u64,
        });
    }
    let verdict = detector.analyze_window(&wash).unwrap();
    let alert = verdict.alerts.iter().find(|a| a.kind == AnomalyType::WashTrading).expect("wash trading");
    let Evidence::TradeFlow(x) = &alert.evidence else { panic!() };
    assert!(x.matched_pairs >= 100 && x.matched_volume_share > 0.99, "{x:?}");
    assert!(alert.explanation().to_string().contains("matched opposite-side prints"));
    assert_eq!(alert.source.name(), "trades");
}

#[test]
fn bad_input_is_refused_naming_it() {
    let history = TradeTape::new(instrument(), quiet(3 * 3600)).unwrap();
    let mut detector = CryptoManipulationDetector::fit(&history, ManipulationConfig::default()).unwrap();
    let late = TapeTrade { time_us: 5, price: 1000, qty: 1, taker: TakerSide::Buy, id: 77 };
    let e = detector.push(&late).unwrap_err().to_string();
    assert!(e.contains("time_us") && e.contains("trade id 77") && e.contains("time order"), "{e}");

    let short = TradeTape::new(instrument(), quiet(600)).unwrap();
    let e = scan_tape(&short, FitSplit::Default, ManipulationConfig::default()).unwrap_err().to_string();
    assert!(e.contains("TESTUSDT") && e.contains("at least an hour"), "{e}");

    let bad = ManipulationConfig { windows_s: [60, 20], ..Default::default() };
    let e = CryptoManipulationDetector::fit(&history, bad).unwrap_err().to_string();
    assert!(e.contains("windows_s"), "{e}");
    let bad = ManipulationConfig { flow_weight: f64::NAN, ..Default::default() };
    assert!(CryptoManipulationDetector::fit(&history, bad).unwrap_err().to_string().contains("flow_weight"));
}

#[test]
fn poisson_surprise_is_zero_at_the_mean_and_exact_elsewhere() {
    assert_eq!(surge_z(4.0, 4.0), 0.0);
    assert!((surge_z(9.625, 0.625) - 2.0 * (10f64.sqrt() - 1.0)).abs() < 1e-12);
    assert!(surge_z(0.0, 5.0) < 0.0);
}

#[test]
fn evaluation_counts_delays_and_false_alarms_exactly() {
    use chrono::DateTime;
    let mut merger = llm_anomaly::alert::IntervalMerger::new(llm_anomaly::alert::Source::Trades, "X", 0);
    let hit = |s: f64| llm_anomaly::alert::Scored::new(s, AnomalyType::PumpAndDump, Evidence::feature("x", s));
    let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
    let mut alerts = Vec::new();
    // Alerts raised at the end of seconds 104 and 500: the first 5 s into an
    // episode starting at 100, the second outside any episode.
    for (second, score) in [(104, 9.0), (105, 1.0), (500, 9.0), (501, 1.0)] {
        alerts.extend(merger.push(at(second + 1), &hit(score), 6.0));
    }
    let episodes = [
        Episode { kind: AnomalyType::PumpAndDump, start_us: 100 * US, end_us: 200 * US - 1 },
        Episode { kind: AnomalyType::PumpAndDump, start_us: 900 * US, end_us: 950 * US - 1 },
    ];
    let runs = [SymbolRun { scores: &[], alerts: &alerts, episodes: &episodes }];
    let report = &evaluate(&runs, 2.0).unwrap()[0];
    assert_eq!((report.events, report.detected, report.false_alarms), (2, 1, 1));
    assert_eq!((report.mean_delay_s, report.max_delay_s, report.detected_within_60s), (Some(5.0), Some(5), 1));
    assert_eq!((report.event_recall, report.false_alarms_per_symbol_day), (Some(0.5), 0.5));
}

#[test]
fn a_pump_is_reported_as_firing_while_it_lasts_and_closes_with_the_same_start() {
    let history = TradeTape::new(instrument(), quiet(6 * 3600)).unwrap();
    let mut detector = CryptoManipulationDetector::fit(&history, ManipulationConfig::default()).unwrap();
    assert_eq!(detector.firing(), [None; 4], "quiet after the history");
    let t0 = 6 * 3600 * US;
    let mut opened = None;
    for k in 0..300 {
        let trade = TapeTrade {
            time_us: t0 + k * 100_000,
            price: 1002 + k,
            qty: 3,
            taker: TakerSide::Buy,
            id: 10_000 + k as u64,
        };
        detector.push(&trade).unwrap();
        if opened.is_none() {
            opened = detector.firing()[0];
        }
    }
    let (since, score) = opened.expect("the pump fires during the burst");
    assert!(since.timestamp() - t0 / US <= 10, "opened within 10 s: {since}");
    assert!(score >= ManipulationConfig::default().thresholds.pump_and_dump, "{score}");
    assert!(detector.take_alerts().iter().all(|a| a.kind != AnomalyType::PumpAndDump), "not closed yet");
    // Quiet for longer than the merge gap: the alert closes, from the same start.
    detector.advance_to(t0 + 120 * US).unwrap();
    assert_eq!(detector.firing()[0], None);
    let pump = detector.take_alerts().into_iter().find(|a| a.kind == AnomalyType::PumpAndDump).expect("closed");
    assert_eq!(pump.start, since);
}

/// One-minute bars from 2024-01-01: a quiet walk of ±0.05 % a bar, volume
/// around 100 with ±20 % wobble; `shock(k)` = (move, volume factor) of bar
/// k, a move beyond ±1 adding 0.2 % per unit to the bar's change.
fn minute_bars(n: usize, shock: impl Fn(usize) -> (f64, f64)) -> Vec<llm_anomaly::data::Bar> {
    let start = chrono::DateTime::from_timestamp(1_704_067_200, 0).unwrap();
    let mut price = 100.0;
    (0..n)
        .map(|k| {
            let wobble = ((k as u64).wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0 - 0.5;
            let (move_by, volume_by) = shock(k);
            let open = price;
            let shock = if move_by.abs() > 1.0 { 0.002 * move_by } else { 0.0 };
            price *= 1.0 + 0.001 * wobble + shock;
            let (high, low) = (open.max(price) * 1.0002, open.min(price) * 0.9998);
            let volume = 100.0 * (1.0 + 0.4 * wobble) * volume_by;
            llm_anomaly::data::Bar::new(start + chrono::TimeDelta::minutes(k as i64), open, high, low, price, volume)
                .unwrap()
        })
        .collect()
}

#[test]
fn bars_alone_find_a_pump_and_a_crash_and_say_their_confidence_is_lower() {
    use llm_anomaly::alert::BARS_ONLY_CONFIDENCE;
    use llm_anomaly::manipulation::{BarManipulationConfig, BarManipulationDetector};
    let quiet = |_: usize| (1.0, 1.0);
    let history = minute_bars(1440, quiet);
    let config = BarManipulationConfig::default();
    let mut detector = BarManipulationDetector::fit("TESTUSDT", &history, config.clone()).unwrap();
    assert_eq!(detector.bar_length(), chrono::TimeDelta::minutes(1));
    // A day of ordinary bars raises nothing.
    let day = minute_bars(2880, quiet);
    for bar in &day[1440..] {
        detector.push(bar).unwrap();
    }
    detector.flush_alerts();
    assert!(detector.take_alerts().is_empty(), "ordinary bars must not alert");

    // Three bars up 2 % each on ten times the volume, later three down.
    let shocked = minute_bars(4320, |k| match k {
        3000..=3002 => (10.0, 10.0),
        3600..=3602 => (-10.0, 10.0),
        _ => (1.0, 1.0),
    });
    for bar in &shocked[2880..] {
        detector.push(bar).unwrap();
    }
    detector.flush_alerts();
    let alerts = detector.take_alerts();
    let kinds: Vec<_> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AnomalyType::PumpAndDump, AnomalyType::FlashCrash], "{alerts:#?}");
    let pump = &alerts[0];
    // Timed at the close of the first bar of the burst.
    assert_eq!(pump.start, shocked[3000].timestamp + chrono::TimeDelta::minutes(1));
    assert_eq!(pump.source.name(), "bars");
    let plain = pump.peak_score / (pump.peak_score + pump.threshold);
    approx::assert_relative_eq!(pump.confidence(), BARS_ONLY_CONFIDENCE * plain, epsilon = 1e-12);
    assert!(pump.explanation().to_string().contains("from bars only"), "{}", pump.explanation());
    let Evidence::BarsOnly(x) = &pump.evidence else { panic!("{:?}", pump.evidence) };
    assert!(x.return_z > 5.0 && x.volume_z > 5.0, "{x:?}");
    // The JSON alert line carries the weighted confidence and the evidence,
    // which reads back as it was.
    let line: serde_json::Value = serde_json::to_value(pump).unwrap();
    approx::assert_relative_eq!(line["confidence"].as_f64().unwrap(), pump.confidence(), epsilon = 1e-12);
    let back: Evidence = serde_json::from_value(line["evidence"].clone()).unwrap();
    assert_eq!(back, pump.evidence);
    assert!(line["evidence"]["bars_only"]["return_z"].is_number(), "{line}");

    // Out of order, NaN and too short a history are refused, naming them.
    let e = detector.push(&shocked[10]).unwrap_err().to_string();
    assert!(e.contains("timestamp"), "{e}");
    let mut nan = shocked[4319];
    nan.timestamp += chrono::TimeDelta::minutes(5);
    nan.close = f64::NAN;
    assert!(detector.push(&nan).is_err());
    let e = BarManipulationDetector::fit("TESTUSDT", &history[..100], config).unwrap_err().to_string();
    assert!(e.contains("180"), "{e}");
}

#[test]
fn a_trade_in_a_second_already_scored_is_refused_as_late_and_resume_restarts_the_windows() {
    let history = TradeTape::new(instrument(), quiet(6 * 3600)).unwrap();
    let mut detector = CryptoManipulationDetector::fit(&history, ManipulationConfig::default()).unwrap();
    let t0 = 6 * 3600 * US;
    let trade = |time_us: i64, id: u64| TapeTrade { time_us, price: 1001, qty: 1, taker: TakerSide::Buy, id };
    detector.push(&trade(t0, 1)).unwrap();
    // A live monitor's timer closes the seconds up to t0 + 5 s ...
    detector.advance_to(t0 + 5 * US).unwrap();
    assert_eq!(detector.open_from_us(), Some(t0 + 5 * US));
    // ... and a trade of t0 + 2 s, later than the last one but in a scored
    // second, must not be added to the open one.
    let e = detector.push(&trade(t0 + 2 * US, 2)).unwrap_err().to_string();
    assert!(e.contains("late trade") && e.contains("trade id 2"), "{e}");
    detector.push(&trade(t0 + 5 * US + 10, 3)).unwrap();
    // After an outage, the windows restart where the feed does.
    detector.resume_at(t0 + 7_200 * US + 123);
    assert_eq!(detector.open_from_us(), Some(t0 + 7_200 * US));
    detector.push(&trade(t0 + 7_200 * US + 500, 4)).unwrap();
    assert_eq!(detector.firing(), [None; 4], "no alert from the outage itself");
}

#[test]
fn a_bar_alert_covers_its_whole_bar_and_its_delay_is_to_the_bar_close() {
    use chrono::DateTime;
    use llm_anomaly::manipulation::evaluate_with_unit;
    let mut merger = llm_anomaly::alert::IntervalMerger::new(llm_anomaly::alert::Source::Bars, "X", 0);
    let hit = |s: f64| llm_anomaly::alert::Scored::new(s, AnomalyType::PumpAndDump, Evidence::feature("x", s));
    // One alert, timed at the close (second 180) of the bar [120, 180).
    let mut alerts: Vec<_> =
        merger.push(DateTime::from_timestamp(180, 0).unwrap(), &hit(9.0), 5.0).into_iter().collect();
    alerts.extend(merger.finish());
    // An episode from second 130 to 150: inside that bar, over before its close.
    let episodes = [Episode { kind: AnomalyType::PumpAndDump, start_us: 130 * US, end_us: 150 * US }];
    let runs = [SymbolRun { scores: &[], alerts: &alerts, episodes: &episodes }];
    let bars = &evaluate_with_unit(&runs, 1.0, 60 * US).unwrap()[0];
    assert_eq!((bars.detected, bars.false_alarms, bars.max_delay_s), (1, 0, Some(50)), "found at the close, 50 s in");
    let seconds = &evaluate(&runs, 1.0).unwrap()[0];
    assert_eq!((seconds.detected, seconds.false_alarms), (0, 1), "read as one second, it would miss");
}
