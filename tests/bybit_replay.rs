//! The replay server (bybit::ReplayServer) through the real stream client:
//! every trade of the replayed range arrives once, in order, with its
//! exact price, size, side and id; nothing outside the range is sent; the
//! feed runs at the asked speed; refused topics and bad settings are
//! reported.

use std::time::{Duration, Instant};

use llm_anomaly::bybit::{BybitStream, Category, ReplayServer, StreamConfig, StreamEvent, Topic};
use llm_anomaly::market::{Instrument, TakerSide, TapeTrade, TradeTape};
use tokio::sync::mpsc::Receiver;

/// `n` trades 10 ms apart from t = 1 s, prices wandering, every third one
/// a taker sell, two trades sharing each tenth millisecond.
fn tape(symbol: &str, n: usize) -> TradeTape {
    let instrument = Instrument::new(symbol, "0.01", "0.000001").unwrap();
    let trades = (0..n)
        .map(|k| TapeTrade {
            time_us: 1_000_000 + 10_000 * (k as i64 - (k % 10 == 1) as i64),
            price: 6_500_000 + (k as i64 * 7919) % 200 - 100,
            qty: 1 + (k as i64 * 104_729) % 50_000,
            taker: if k % 3 == 0 { TakerSide::Sell } else { TakerSide::Buy },
            id: 9_000_000_000 + k as u64,
        })
        .collect();
    TradeTape::new(instrument, trades).unwrap()
}

/// Trades received until `count` have arrived (or `within` passed).
async fn collect_within(
    events: &mut Receiver<StreamEvent>,
    instrument: &Instrument,
    count: usize,
    within: Duration,
) -> Vec<TapeTrade> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while got.len() < count {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(StreamEvent::Trades { trades, backfilled, .. })) => {
                assert!(!backfilled);
                got.extend(trades.iter().map(|t| t.to_tape_trade(instrument).unwrap()));
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    got
}

/// Trades received until `count` have arrived (or 10 s passed).
async fn collect(events: &mut Receiver<StreamEvent>, instrument: &Instrument, count: usize) -> Vec<TapeTrade> {
    collect_within(events, instrument, count, Duration::from_secs(10)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_trade_of_the_range_arrives_once_exactly_as_on_the_tape() {
    let tape = tape("BTCUSDT", 300);
    let (from, until) = (tape.trades()[50].time_us, tape.trades()[250].time_us);
    let server = ReplayServer::start(vec![tape.clone()], from, until, 50.0).await.unwrap();
    assert!(server.url().starts_with("ws://127.0.0.1:"));
    assert!(!server.clock().has_started(), "the feed waits for the first subscriber");
    let config = StreamConfig::at(server.url(), Category::Spot, vec![Topic::trades("BTCUSDT")]);
    let (stream, mut events) = BybitStream::spawn(config).unwrap();
    let got = collect(&mut events, tape.instrument(), 200).await;
    // Times are sent in ms, as Bybit does; these are whole ms already.
    let expected: Vec<TapeTrade> = tape.trades()[50..250].to_vec();
    assert_eq!(got, expected);
    // Nothing after `until`: the rest of the tape would take 0.04 s at 50x.
    let more = collect_within(&mut events, tape.instrument(), 1, Duration::from_millis(500)).await;
    assert!(more.is_empty(), "{} trades after the range", more.len());
    assert!(server.clock().has_started());
    assert!(server.clock().is_finished(), "every trade of the range was sent");
    stream.stop();
    stream.join().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_runs_at_the_asked_speed() {
    // 1 s of trades at 4x: about a quarter of a second.
    let tape = tape("ETHUSDT", 101);
    let (from, until) = (tape.trades()[0].time_us, tape.trades()[100].time_us + 1);
    let server = ReplayServer::start(vec![tape.clone()], from, until, 4.0).await.unwrap();
    let config = StreamConfig::at(server.url(), Category::Spot, vec![Topic::trades("ETHUSDT")]);
    let (stream, mut events) = BybitStream::spawn(config).unwrap();
    let started = Instant::now();
    let got = collect(&mut events, tape.instrument(), 101).await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(got.len(), 101);
    assert!((0.2..1.0).contains(&took), "1 s of feed at 4x took {took:.3} s of wall time");
    let feed = server.clock().now_us() - from;
    assert!(feed >= 1_000_000, "the clock must have passed the last trade: {feed} µs");
    stream.stop();
    stream.join().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_subscribed_symbols_are_sent_and_unknown_topics_refused() {
    let (btc, eth) = (tape("BTCUSDT", 100), tape("ETHUSDT", 100));
    let (from, until) = (0, 10_000_000);
    let server = ReplayServer::start(vec![btc.clone(), eth], from, until, 100.0).await.unwrap();
    let config = StreamConfig::at(server.url(), Category::Spot, vec![Topic::trades("BTCUSDT")]);
    let (stream, mut events) = BybitStream::spawn(config).unwrap();
    let got = collect(&mut events, btc.instrument(), 100).await;
    assert_eq!(got, btc.trades());
    stream.stop();
    stream.join().await;

    let config = StreamConfig::at(server.url(), Category::Spot, vec![Topic::trades("SOLUSDT")]);
    let (stream, mut events) = BybitStream::spawn(config).unwrap();
    let refused = loop {
        match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
            Ok(Some(StreamEvent::Rejected { message, .. })) => break message,
            Ok(Some(_)) => {}
            other => panic!("expected the subscription to be refused, got {other:?}"),
        }
    };
    assert!(refused.contains("publicTrade.SOLUSDT"), "{refused}");
    stream.stop();
    stream.join().await;
}

#[tokio::test]
async fn bad_settings_are_refused_naming_them() {
    let tape = tape("BTCUSDT", 10);
    for (speed, from, until, field) in [
        (0.0, 0, 1, "speed"),
        (f64::NAN, 0, 1, "speed"),
        (1e-9, 0, 1, "speed"),
        (1e9, 0, 1, "speed"),
        (1.0, 5, 5, "until_us"),
    ] {
        let e = ReplayServer::start(vec![tape.clone()], from, until, speed).await.unwrap_err().to_string();
        assert!(e.contains(field), "{e}");
    }
}
