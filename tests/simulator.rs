//! The simulator is the ground truth of the whole book: these tests pin its
//! contract (determinism, every anomaly type present, context events
//! labelled normal, microstructure consistent with the labels).

use llm_anomaly::data::{AnomalyClass, AnomalyPattern};
use llm_anomaly::simulate::microstructure::WASH_ACCOUNTS;
use llm_anomaly::simulate::{SimConfig, SimulatedMarket};

fn small(seed: u64) -> SimConfig {
    SimConfig { seed, days: 10, ..SimConfig::default() }
}

fn csv_bytes(market: &SimulatedMarket, name: &str) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!("llm_anomaly_sim_{}_{name}.csv", std::process::id()));
    market.write_bars_csv(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bytes
}

#[test]
fn same_seed_gives_byte_identical_output_and_other_seeds_differ() {
    let a = SimulatedMarket::generate(&small(7)).unwrap();
    let b = SimulatedMarket::generate(&small(7)).unwrap();
    let c = SimulatedMarket::generate(&small(8)).unwrap();
    assert_eq!(a, b, "every output (bars, trades, books, news, social, labels) is identical");
    assert_eq!(csv_bytes(&a, "a"), csv_bytes(&b, "b"));
    assert_ne!(csv_bytes(&a, "a"), csv_bytes(&c, "c"));
    assert_eq!(serde_json::to_string(&a.news).unwrap(), serde_json::to_string(&b.news).unwrap());
    assert_eq!(a.trades.len(), b.trades.len());
}

#[test]
fn every_pattern_and_class_is_injected() {
    let m = SimulatedMarket::generate(&SimConfig::default()).unwrap();
    for p in AnomalyPattern::ALL {
        assert!(m.labels.iter().any(|l| l.pattern == p), "no {p:?} label");
    }
    for c in [AnomalyClass::Point, AnomalyClass::Contextual, AnomalyClass::Collective, AnomalyClass::Semantic] {
        assert!(m.labels.iter().any(|l| l.class() == c), "no {c:?} label");
    }
    assert_eq!(m.series.len(), 5);
    assert!(m.series.iter().all(|s| s.len() == 20 * 390));
}

#[test]
fn earnings_surges_are_context_events_not_anomalies() {
    let m = SimulatedMarket::generate(&SimConfig::default()).unwrap();
    assert!(!m.context_events.is_empty());
    for c in &m.context_events {
        assert!(c.explanation.starts_with("earnings"));
        // A headline about the symbol is published when the surge starts.
        assert!(m.news.iter().any(|n| n.symbol.as_deref() == Some(c.symbol.as_str()) && n.timestamp == c.start));
        // No label overlaps it: the surge is normal in its context.
        assert!(!m.labels.iter().any(|l| l.symbol == c.symbol && l.start <= c.end && c.start <= l.end));
        // And its volume really is a surge (compared with the bar before).
        let s = m.series(&c.symbol).unwrap();
        let i = s.bars().iter().position(|b| b.timestamp == c.start).unwrap();
        assert!(s.bars()[i].volume > 2.0 * s.bars()[i - 1].volume, "{c:?}");
    }
}

#[test]
fn volume_surges_without_news_have_no_headline_nearby() {
    let m = SimulatedMarket::generate(&SimConfig::default()).unwrap();
    for l in m.labels.iter().filter(|l| l.pattern == AnomalyPattern::VolumeSurgeNoNews) {
        let near = m.news.iter().any(|n| {
            n.symbol.as_deref() == Some(l.symbol.as_str()) && (n.timestamp - l.start).num_minutes().abs() < 30
        });
        assert!(!near, "{l:?}");
    }
}

#[test]
fn wash_trades_and_spoof_orders_sit_inside_their_labels() {
    let m = SimulatedMarket::generate(&small(42)).unwrap();
    let wash: Vec<_> =
        m.trades.iter().filter(|t| t.taker_account.is_some_and(|a| WASH_ACCOUNTS.contains(&a))).collect();
    assert!(!wash.is_empty());
    for t in wash {
        assert!(
            m.labels.iter().any(|l| l.pattern == AnomalyPattern::WashTrading
                && l.symbol == t.symbol
                && l.start <= t.timestamp
                && t.timestamp <= l.end + chrono::Duration::minutes(1)),
            "{t:?}"
        );
    }
    for book in &m.order_books {
        book.validate().unwrap();
        let biggest = book.bids.iter().map(|l| l.size).fold(0.0, f64::max);
        let typical = book.asks.iter().map(|l| l.size).sum::<f64>() / book.asks.len() as f64;
        if biggest > 8.0 * typical {
            assert!(
                m.labels.iter().any(|l| l.pattern == AnomalyPattern::Spoofing
                    && l.symbol == book.symbol
                    && l.start <= book.timestamp
                    && book.timestamp <= l.end + chrono::Duration::minutes(1)),
                "large resting bid outside a spoofing label: {}",
                book.timestamp
            );
        }
    }
}

#[test]
fn semantic_labels_point_at_their_headlines() {
    let m = SimulatedMarket::generate(&SimConfig::default()).unwrap();
    for l in m.labels.iter().filter(|l| l.class() == AnomalyClass::Semantic) {
        let item = m.news.iter().find(|n| n.timestamp == l.start && n.symbol.as_deref() == Some(l.symbol.as_str()));
        let text = &item.expect("headline at the label").headline;
        let spec = m.config.symbols.iter().find(|s| s.ticker == l.symbol).unwrap();
        let short = spec.name.split_whitespace().next().unwrap();
        // Written by the corpus families, about the simulated company.
        assert!(text.contains(&spec.ticker) || text.contains(short), "{text}");
        match l.pattern {
            AnomalyPattern::PumpSpam | AnomalyPattern::FakeInsider => {}
            _ => unreachable!(),
        }
    }
}

#[test]
fn csv_export_reads_back_through_the_loader() {
    let m = SimulatedMarket::generate(&SimConfig { microstructure: false, ..small(3) }).unwrap();
    let bars: usize = m.series.iter().map(|s| s.bars().len()).sum();
    assert_eq!(bars, 5 * 10 * 390);
    let expected: usize = m.symbols().map(|s| m.bar_labels(s).iter().filter(|&&x| x).count()).sum();

    let dir = std::env::temp_dir().join(format!("llm_anomaly_sim_csv_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("bars.csv");
    m.write_bars_csv(&csv).unwrap();
    let loaded = llm_anomaly::data::BarCsv::read_path(&csv).unwrap();
    assert!(loaded.problems.is_empty());
    assert!(loaded.has_labels);
    assert_eq!(loaded.rows.len(), bars);
    assert_eq!(loaded.rows.iter().filter(|r| r.label == Some(true)).count(), expected);

    // The news table reads back through the headline loader, item for item.
    let news = dir.join("news.csv");
    m.write_news_csv(&news).unwrap();
    let file = llm_anomaly::data::HeadlineFile::read(&news).unwrap();
    assert!(file.skipped.is_empty(), "{:?}", file.skipped);
    assert_eq!(file.rows.len(), m.news.len());
    for (row, item) in file.rows.iter().zip(&m.news) {
        assert_eq!((row.timestamp, &row.symbol, &row.text), (Some(item.timestamp), &item.symbol, &item.headline));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_configs_are_refused_with_the_parameter_name() {
    let e = SimulatedMarket::generate(&SimConfig { days: 0, ..SimConfig::default() }).unwrap_err();
    assert!(e.to_string().contains("`days`"), "{e}");
    let mut c = SimConfig::default();
    c.symbols[1].start_price = f64::NAN;
    let e = SimulatedMarket::generate(&c).unwrap_err();
    assert!(e.to_string().contains("`start_price`") && e.to_string().contains("BOLT"), "{e}");
}
