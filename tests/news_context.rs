//! The news context stage with the real MiniLM model: ordinary news before
//! a surge explains it, a pump call escalates it, news after the peak, of
//! another symbol or of the whole market does nothing, and on the default
//! simulator every earnings surge is explained without losing an event.

mod common;

use std::sync::OnceLock;

use chrono::{Duration, Timelike};
use llm_anomaly::alert::{AlertInterval, Evidence};
use llm_anomaly::data::NewsItem;
use llm_anomaly::scan::{ScanConfig, ScanInput, ScanReport, scan};
use llm_anomaly::simulate::{SimConfig, SimulatedMarket};
use llm_anomaly::text::{
    BertEmbedder, NewsAnomalyDetector, NewsContextConfig, apply_news_context, project_news_detector,
};

/// Example 01's detector (30 headlines per family: a smaller reference
/// calibrates too coarsely to tell a clear pump call from a weak one),
/// fitted once for both tests.
fn detector() -> Option<&'static NewsAnomalyDetector<BertEmbedder>> {
    static DETECTOR: OnceLock<Option<NewsAnomalyDetector<BertEmbedder>>> = OnceLock::new();
    DETECTOR.get_or_init(|| common::minilm_files().map(|_| project_news_detector(None).unwrap())).as_ref()
}

fn simulated() -> (SimulatedMarket, ScanReport) {
    let market = SimulatedMarket::generate(&SimConfig { microstructure: false, ..SimConfig::default() }).unwrap();
    let report = scan(&ScanInput::from_market(&market), &ScanConfig::default()).unwrap();
    (market, report)
}

fn item(alert: &AlertInterval, minutes_from_start: i64, symbol: Option<&str>, headline: &str) -> NewsItem {
    NewsItem {
        timestamp: alert.start + Duration::minutes(minutes_from_start),
        symbol: symbol.map(str::to_string),
        headline: headline.into(),
        source: "test".into(),
    }
}

#[test]
fn news_before_the_peak_explains_or_escalates_and_nothing_else_counts() {
    let Some(detector) = detector() else { return };
    let (_, mut report) = simulated();
    // Four single-bar alerts in mid-session (an opening alert's window reaches
    // back to the previous close) with no other alert of their symbol within
    // three hours, so that no headline below falls into another alert's window.
    let lonely = |a: &AlertInterval| {
        report
            .alerts
            .iter()
            .all(|b| std::ptr::eq(a, b) || *b.symbol != *a.symbol || (a.start - b.start).num_hours().abs() >= 3)
    };
    let chosen: Vec<usize> = (0..report.alerts.len())
        .filter(|&i| {
            report.alerts[i].start == report.alerts[i].peak_at
                && lonely(&report.alerts[i])
                && (15..20).contains(&report.alerts[i].start.hour())
        })
        .take(4)
        .collect();
    assert_eq!(chosen.len(), 4);
    let [a, b, c, d] = [0, 1, 2, 3].map(|k| report.alerts[chosen[k]].clone());
    let news = vec![
        item(
            &a,
            -10,
            Some(&a.symbol),
            "Acme Corp third-quarter profit beats estimates on strong demand; company raises full-year forecast",
        ),
        item(
            &b,
            -20,
            Some(&b.symbol.to_lowercase()),
            &format!("${} TO THE MOON 🚀🚀🚀 100x guaranteed, BUY NOW before it's too late!!!", b.symbol),
        ),
        // After the peak bar: cannot explain the rise.
        item(&c, 5, Some(&c.symbol), "Acme Corp announces $200 million share buyback"),
        // Another symbol's news, and market-wide news, explain nothing.
        item(&d, -5, Some(&format!("{}X", d.symbol)), "Acme Corp announces $200 million share buyback"),
        item(&d, -5, None, "Fed holds rates steady, signals patience on cuts"),
    ];
    let done = apply_news_context(detector, &mut report, &news, &NewsContextConfig::default()).unwrap();
    let find = |x: &AlertInterval| report.alerts.iter().find(|y| y.symbol == x.symbol && y.start == x.start).unwrap();
    let (a, b, c, d) = (find(&a), find(&b), find(&c), find(&d));
    assert!(a.is_explained() && !a.is_escalated(), "{:?}", a.escalated);
    let why = a.explained.as_ref().unwrap();
    assert!(why.reason.starts_with("ordinary news 10 min before the peak"), "{}", why.reason);
    assert!(matches!(&why.evidence, Evidence::News { minutes_before_peak: 10, .. }), "{:?}", why.evidence);
    assert!(b.is_escalated() && !b.is_explained(), "{done:?} {b:?}");
    assert!(b.escalated.as_ref().unwrap().reason.starts_with("pump_spam text 20 min"), "{:?}", b.escalated);
    for untouched in [c, d] {
        assert!(!untouched.is_explained() && !untouched.is_escalated(), "{untouched:?}");
    }
    assert_eq!(
        (done.explained, done.escalated, done.unclear, done.market_wide, done.headlines_scored),
        (1, 1, 0, 1, 2)
    );
    assert_eq!(report.summary.explained_alerts, 1);
    // The explained alert's line says so and reads back the same.
    let json = serde_json::to_value(a).unwrap();
    assert_eq!((json["explained"].as_bool(), json["escalated"].as_bool()), (Some(true), Some(false)));
    assert_eq!(json["explained_by"]["evidence"]["news"]["type"], "normal");
    assert_eq!(&serde_json::from_value::<AlertInterval>(json).unwrap(), a);
}

#[test]
fn on_the_simulator_every_earnings_surge_is_explained_and_no_event_is_lost() {
    let Some(detector) = detector() else { return };
    let (market, mut report) = simulated();
    let before = report.summary.clone();
    apply_news_context(detector, &mut report, &market.news, &NewsContextConfig::default()).unwrap();
    let after = &report.summary;
    let episodes: Vec<_> = market.context_events.iter().filter(|c| c.start >= report.cutoff).collect();
    let overlaps = |c: &llm_anomaly::simulate::ContextEvent, a: &AlertInterval| {
        *a.symbol == *c.symbol && a.start <= c.end && c.start <= a.end
    };
    let alerted: Vec<_> = episodes.iter().filter(|c| report.alerts.iter().any(|a| overlaps(c, a))).collect();
    assert!(alerted.len() >= 5, "{} earnings surges alerted", alerted.len());
    for c in &alerted {
        for a in report.alerts.iter().filter(|a| overlaps(c, a)) {
            assert!(a.is_explained(), "earnings surge of {} at {} not explained: {:?}", c.symbol, c.start, a.escalated);
        }
    }
    assert_eq!(after.detected_events, before.detected_events, "an explained alert swallowed a labelled event");
    assert_eq!(after.alerts, before.alerts, "alerts are kept");
    assert!(after.precision.unwrap() > before.precision.unwrap());
    assert!(after.escalated_alerts >= 1, "no pump call escalated its pump");
    let pump = |a: &&AlertInterval| {
        market.labels.iter().any(|l| {
            l.pattern == llm_anomaly::data::AnomalyPattern::PumpAndDump
                && *l.symbol == *a.symbol
                && l.start <= a.end
                && a.start <= l.end
        })
    };
    assert!(report.alerts.iter().filter(|a| a.is_escalated()).any(|a| pump(&a)));
}
