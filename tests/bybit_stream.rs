//! The Bybit public WebSocket client against local servers on 127.0.0.1
//! that speak the documented v5 formats: a scripted WebSocket server
//! (trades, order-book snapshots and deltas, klines, dropped and silent
//! connections, a sequence gap, bad messages) and a REST server for the
//! backfill.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use llm_anomaly::bybit::{BybitConfig, BybitStream, Category, Interval, StreamConfig, StreamEvent, Topic};
use llm_anomaly::market::{Instrument, InstrumentRegistry, L2Book, Level, Stamps};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc::Receiver;
use tokio_tungstenite::tungstenite::Message;

/// One step of what the server does on a connection.
#[derive(Clone)]
enum Step {
    /// Sends a text frame.
    Send(String),
    /// Drops the TCP connection without a closing handshake.
    Drop,
    /// Waits until `count` messages from the client contain the text.
    WaitFor(&'static str, usize),
}

/// A WebSocket server that plays `scripts[n]` on its n-th connection and
/// then keeps the connection open, silent, recording what the client sends.
struct WsServer {
    url: String,
    heard: Arc<Mutex<Vec<Vec<String>>>>,
}

impl WsServer {
    async fn start(scripts: Vec<Vec<Step>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let heard: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let recorded = heard.clone();
        tokio::spawn(async move {
            for n in 0.. {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let script = scripts.get(n).cloned().unwrap_or_default();
                recorded.lock().unwrap().push(Vec::new());
                tokio::spawn(play(tcp, script, n, recorded.clone()));
            }
        });
        Self { url, heard }
    }

    fn heard(&self, connection: usize) -> Vec<String> {
        self.heard.lock().unwrap().get(connection).cloned().unwrap_or_default()
    }
}

async fn play(tcp: tokio::net::TcpStream, script: Vec<Step>, n: usize, heard: Arc<Mutex<Vec<Vec<String>>>>) {
    let Ok(socket) = tokio_tungstenite::accept_async(tcp).await else { return };
    let (mut sink, mut source) = socket.split();
    let listening = heard.clone();
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = source.next().await {
            if let Message::Text(text) = message {
                listening.lock().unwrap()[n].push(text.to_string());
            }
        }
    });
    for step in script {
        match step {
            Step::Send(text) => {
                if sink.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            Step::Drop => {
                reader.abort();
                return;
            }
            Step::WaitFor(text, count) => {
                while heard.lock().unwrap()[n].iter().filter(|m| m.contains(text)).count() < count {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }
    let _ = reader.await;
}

/// A REST server answering `recent-trade` and `kline` with fixed lists
/// (newest first, as Bybit sends them).
async fn rest_server(trades: Vec<Value>, klines: Vec<Value>) -> String {
    let ok = |result: Value| {
        axum::Json(json!({"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 1}))
    };
    let router = Router::new()
        .route(
            "/v5/market/recent-trade",
            get(move || {
                let trades = trades.clone();
                async move { ok(json!({"category": "spot", "list": trades})) }
            }),
        )
        .route(
            "/v5/market/kline",
            get(move || {
                let klines = klines.clone();
                async move { ok(json!({"category": "spot", "symbol": "BTCUSDT", "list": klines})) }
            }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

fn trades_message(trades: &[(u64, i64)]) -> String {
    let data: Vec<Value> = trades
        .iter()
        .map(|&(id, time)| {
            json!({"T": time, "s": "BTCUSDT", "S": if id % 2 == 0 { "Sell" } else { "Buy" }, "v": "0.001",
                "p": format!("{}.50", 16_000 + id), "L": "PlusTick", "i": id.to_string(), "BT": false})
        })
        .collect();
    json!({"topic": "publicTrade.BTCUSDT", "type": "snapshot", "ts": trades.last().map_or(0, |t| t.1), "data": data})
        .to_string()
}

fn rest_trades(trades: &[(u64, i64)]) -> Vec<Value> {
    trades
        .iter()
        .rev()
        .map(|&(id, time)| {
            json!({"execId": id.to_string(), "symbol": "BTCUSDT", "price": format!("{}.50", 16_000 + id),
                "size": "0.001", "side": if id % 2 == 0 { "Sell" } else { "Buy" }, "time": time.to_string(),
                "isBlockTrade": false})
        })
        .collect()
}

fn book_message(kind: &str, update_id: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> String {
    let side = |levels: &[(&str, &str)]| levels.iter().map(|(p, s)| json!([p, s])).collect::<Vec<_>>();
    json!({"topic": "orderbook.50.BTCUSDT", "type": kind, "ts": 1_700_000_000_000_i64 + update_id as i64,
        "data": {"s": "BTCUSDT", "b": side(bids), "a": side(asks), "u": update_id, "seq": 9_000 + update_id},
        "cts": 1_700_000_000_000_i64 + update_id as i64 - 2})
    .to_string()
}

fn kline_message(start_ms: i64, confirmed: bool) -> String {
    json!({"topic": "kline.1.BTCUSDT", "type": "snapshot", "ts": start_ms + 59_000, "data": [{
        "start": start_ms, "end": start_ms + 59_999, "interval": "1", "open": "16000", "close": "16010.5",
        "high": "16020", "low": "15990", "volume": "2.081", "turnover": "33300.1", "confirm": confirmed,
        "timestamp": start_ms + 59_000}]})
    .to_string()
}

fn rest_kline(start_ms: i64) -> Value {
    json!([start_ms.to_string(), "16000", "16020", "15990", "16010.5", "2.081", "33300.1"])
}

/// A configuration for tests: quick reconnects, pings every 50 ms.
fn config(url: &str, topics: Vec<Topic>) -> StreamConfig {
    let mut config = StreamConfig::at(url, Category::Spot, topics);
    config.ping_interval = Duration::from_millis(50);
    config.reconnect.base_delay = Duration::from_millis(10);
    config.reconnect.max_delay = Duration::from_millis(40);
    config
}

/// Events until `done` says so (including that one), or panics after 10 s.
async fn events_until(events: &mut Receiver<StreamEvent>, done: impl Fn(&StreamEvent) -> bool) -> Vec<StreamEvent> {
    let mut seen = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = events.recv().await {
            let last = done(&event);
            seen.push(event);
            if last {
                return;
            }
        }
    })
    .await;
    assert!(outcome.is_ok(), "timed out; events so far: {seen:#?}");
    seen
}

/// Every trade id passed on, in order, with whether it was backfilled.
fn trade_ids(events: &[StreamEvent]) -> Vec<(u64, bool)> {
    events
        .iter()
        .flat_map(|e| match e {
            StreamEvent::Trades { trades, backfilled, .. } => {
                trades.iter().map(|t| (t.exec_id.parse().unwrap(), *backfilled)).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

fn has_trade(event: &StreamEvent, id: &str) -> bool {
    matches!(event, StreamEvent::Trades { trades, .. } if trades.iter().any(|t| t.exec_id == id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_subscribes_pings_and_passes_trades_books_and_klines() {
    let server = WsServer::start(vec![vec![
        Step::Send(
            r#"{"success":true,"ret_msg":"subscribe","conn_id":"c1","req_id":"subscribe-1","op":"subscribe"}"#.into(),
        ),
        Step::Send(trades_message(&[(1, 1_000), (2, 1_200)])),
        Step::Send(book_message("snapshot", 10, &[("16000.00", "1.5")], &[("16000.10", "2")])),
        Step::Send(book_message("delta", 11, &[("16000.00", "0"), ("15999.90", "3")], &[])),
        Step::Send(kline_message(0, false)),
        Step::Send(kline_message(0, true)),
        Step::WaitFor("\"ping\"", 2),
        Step::Send(r#"{"success":true,"ret_msg":"pong","conn_id":"c1","op":"ping"}"#.into()),
        Step::Send(trades_message(&[(3, 1_500)])),
    ]])
    .await;
    let topics =
        vec![Topic::trades("BTCUSDT"), Topic::order_book(50, "BTCUSDT"), Topic::kline(Interval::Minute1, "BTCUSDT")];
    let (stream, mut events) = BybitStream::spawn(config(&server.url, topics)).unwrap();
    let seen = events_until(&mut events, |e| has_trade(e, "3")).await;

    assert_eq!(seen[0], StreamEvent::Connected { connection: 1 });
    assert_eq!(trade_ids(&seen), [(1, false), (2, false), (3, false)]);
    let books: Vec<u64> = seen
        .iter()
        .filter_map(|e| match e {
            StreamEvent::BookSnapshot { book, .. } | StreamEvent::BookDelta { book, .. } => Some(book.update_id),
            _ => None,
        })
        .collect();
    assert_eq!(books, [10, 11]);
    let klines: Vec<(i64, bool)> = seen
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Kline { kline, .. } => Some((kline.kline.start_ms, kline.confirmed)),
            _ => None,
        })
        .collect();
    assert_eq!(klines, [(0, false), (0, true)]);

    let subscribe: Value = serde_json::from_str(&server.heard(0)[0]).unwrap();
    assert_eq!(subscribe["op"], "subscribe");
    assert_eq!(subscribe["args"], json!(["publicTrade.BTCUSDT", "orderbook.50.BTCUSDT", "kline.1.BTCUSDT"]));
    assert!(server.heard(0).iter().filter(|m| m.contains("\"op\":\"ping\"")).count() >= 2);

    stream.stop();
    let rest = events_until(&mut events, |e| matches!(e, StreamEvent::Stopped { .. })).await;
    assert_eq!(rest.last(), Some(&StreamEvent::Stopped { reason: "stopped".into() }));
    assert!(events.recv().await.is_none(), "the channel closes after Stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_reconnected_resubscribed_and_backfilled_without_repeats() {
    let first: Vec<(u64, i64)> = (1..=5).map(|i| (i, i as i64 * 1_000)).collect();
    let server = WsServer::start(vec![
        vec![Step::Send(trades_message(&first)), Step::Drop],
        vec![Step::Send(trades_message(&[(7, 7_000), (8, 8_000)])), Step::Send(trades_message(&[(9, 9_000)]))],
    ])
    .await;
    let rest: Vec<(u64, i64)> = (3..=7).map(|i| (i, i as i64 * 1_000)).collect();
    let rest_url = rest_server(rest_trades(&rest), Vec::new()).await;
    let mut config = config(&server.url, vec![Topic::trades("BTCUSDT")]);
    config.backfill = Some(BybitConfig::at(rest_url));
    let (_stream, mut events) = BybitStream::spawn(config).unwrap();
    let seen = events_until(&mut events, |e| has_trade(e, "9")).await;

    assert_eq!(
        trade_ids(&seen),
        [(1, false), (2, false), (3, false), (4, false), (5, false), (6, true), (7, true), (8, false), (9, false)],
        "{seen:#?}"
    );
    assert!(matches!(&seen[2], StreamEvent::Disconnected { connection: 1, .. }), "{seen:#?}");
    assert_eq!(seen[3], StreamEvent::Connected { connection: 2 });
    assert!(!seen.iter().any(|e| matches!(e, StreamEvent::Gap { .. })), "the backfill reached back: no gap");
    assert!(server.heard(1)[0].contains("\"subscribe\"") && server.heard(1)[0].contains("publicTrade.BTCUSDT"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_the_rest_api_cannot_fill_is_reported_with_its_range() {
    let server = WsServer::start(vec![
        vec![Step::Send(trades_message(&[(1, 1_000), (2, 2_000)])), Step::Drop],
        vec![Step::Send(trades_message(&[(9, 9_000)]))],
    ])
    .await;
    let rest_url = rest_server(rest_trades(&[(6, 6_000), (7, 7_000), (8, 8_000)]), Vec::new()).await;
    let mut config = config(&server.url, vec![Topic::trades("BTCUSDT")]);
    config.backfill = Some(BybitConfig::at(rest_url));
    config.backfill_trades = 3;
    let (_stream, mut events) = BybitStream::spawn(config).unwrap();
    let seen = events_until(&mut events, |e| has_trade(e, "9")).await;

    let gaps: Vec<&StreamEvent> = seen.iter().filter(|e| matches!(e, StreamEvent::Gap { .. })).collect();
    assert_eq!(gaps.len(), 1, "{seen:#?}");
    let StreamEvent::Gap { topic, from_ms, to_ms, reason } = gaps[0] else { unreachable!() };
    assert_eq!((topic, *from_ms, *to_ms), (&Topic::trades("BTCUSDT"), 2_000, 6_000));
    assert!(reason.contains("last 3 trades"), "{reason}");
    assert_eq!(trade_ids(&seen), [(1, false), (2, false), (6, true), (7, true), (8, true), (9, false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_backfill_every_disconnect_is_a_gap_up_to_the_reconnect() {
    let server = WsServer::start(vec![
        vec![Step::Send(trades_message(&[(1, 1_000)])), Step::Drop],
        vec![Step::Send(trades_message(&[(2, 2_000)]))],
    ])
    .await;
    let before = chrono::Utc::now().timestamp_millis();
    let (_stream, mut events) = BybitStream::spawn(config(&server.url, vec![Topic::trades("BTCUSDT")])).unwrap();
    let seen = events_until(&mut events, |e| has_trade(e, "2")).await;
    let gap = seen.iter().find_map(|e| match e {
        StreamEvent::Gap { from_ms, to_ms, reason, .. } => Some((*from_ms, *to_ms, reason.clone())),
        _ => None,
    });
    let (from_ms, to_ms, reason) = gap.expect("a gap event");
    assert_eq!(from_ms, 1_000);
    assert!(to_ms >= before && reason.contains("no REST backfill"), "{to_ms} {reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_book_sequence_gap_asks_for_a_fresh_snapshot_and_drops_deltas_until_it_comes() {
    let server = WsServer::start(vec![vec![
        Step::Send(book_message("snapshot", 10, &[("16000.00", "1.5"), ("15999.90", "1")], &[("16000.10", "2")])),
        Step::Send(book_message("delta", 11, &[("16000.00", "2.5")], &[])),
        Step::Send(book_message("delta", 13, &[("16000.00", "9")], &[])),
        Step::Send(book_message("delta", 14, &[("16000.00", "8")], &[])),
        Step::WaitFor("\"unsubscribe\"", 1),
        Step::WaitFor("\"subscribe\"", 2),
        Step::Send(book_message("snapshot", 20, &[("16000.00", "4"), ("15999.90", "1")], &[("16000.20", "1")])),
        Step::Send(book_message("delta", 21, &[("16000.00", "0")], &[("16000.10", "0.5")])),
    ]])
    .await;
    let (_stream, mut events) =
        BybitStream::spawn(config(&server.url, vec![Topic::order_book(50, "BTCUSDT")])).unwrap();
    let seen =
        events_until(&mut events, |e| matches!(e, StreamEvent::BookDelta { book, .. } if book.update_id == 21)).await;

    let btc = Instrument::new("BTCUSDT", "0.10", "0.001").unwrap();
    let mut registry = InstrumentRegistry::new();
    let mut book = L2Book::new(registry.register(btc.clone()), "BTCUSDT");
    let mut passed = Vec::new();
    for event in &seen {
        match event {
            StreamEvent::BookSnapshot { book: update, received_ms, .. } => {
                update.apply_to(&mut book, &btc, *received_ms).unwrap();
                passed.push(update.update_id);
            }
            StreamEvent::BookDelta { book: update, received_ms, .. } => {
                let stamps = Stamps { exchange_ms: update.matching_time_ms.unwrap(), received_ms: *received_ms };
                let (bids, asks) = (update.bid_levels(&btc).unwrap(), update.ask_levels(&btc).unwrap());
                book.apply_delta(update.update_id, &bids, &asks, stamps).unwrap();
                passed.push(update.update_id);
            }
            StreamEvent::BookResync { expected, got, .. } => assert_eq!((*expected, *got), (12, 13)),
            _ => {}
        }
    }
    assert_eq!(passed, [10, 11, 20, 21], "13 and 14 are never passed on");
    assert_eq!(book.best_bid(), Some(Level { price: 159_999, size: 1_000 }));
    assert_eq!(book.best_ask(), Some(Level { price: 160_001, size: 500 }));
    let heard = server.heard(0);
    let resubscribe: Vec<&String> = heard.iter().filter(|m| m.contains("subscribe")).collect();
    assert_eq!(resubscribe.len(), 3, "subscribe, unsubscribe, subscribe: {heard:?}");
    assert!(resubscribe[1].contains("\"unsubscribe\"") && resubscribe[1].contains("orderbook.50.BTCUSDT"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn klines_are_not_repeated_across_a_reconnect_and_missed_final_ones_are_backfilled() {
    let minute = 60_000;
    let into_minute = chrono::Utc::now().timestamp_millis() % minute;
    if into_minute > 50_000 {
        // Not across a minute's end: the forming kline must stay forming.
        tokio::time::sleep(Duration::from_millis((minute - into_minute + 100) as u64)).await;
    }
    let this_minute = chrono::Utc::now().timestamp_millis() / minute * minute;
    let t0 = this_minute - 5 * minute;
    let server = WsServer::start(vec![
        vec![Step::Send(kline_message(t0, true)), Step::Send(kline_message(t0 + minute, false)), Step::Drop],
        vec![
            Step::Send(kline_message(t0, true)),
            Step::Send(kline_message(t0 + 4 * minute, true)),
            Step::Send(kline_message(this_minute, false)),
        ],
    ])
    .await;
    let rest: Vec<Value> = (0..=5).rev().map(|i| rest_kline(t0 + i * minute)).collect();
    let rest_url = rest_server(Vec::new(), rest).await;
    let mut config = config(&server.url, vec![Topic::kline(Interval::Minute1, "BTCUSDT")]);
    config.backfill = Some(BybitConfig::at(rest_url));
    let (_stream, mut events) = BybitStream::spawn(config).unwrap();
    let seen = events_until(
        &mut events,
        |e| matches!(e, StreamEvent::Kline { kline, .. } if kline.kline.start_ms == this_minute),
    )
    .await;

    let finals: Vec<(i64, bool)> = seen
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Kline { kline, backfilled, .. } if kline.confirmed => {
                Some(((kline.kline.start_ms - t0) / minute, *backfilled))
            }
            _ => None,
        })
        .collect();
    assert_eq!(finals, [(0, false), (1, true), (2, true), (3, true), (4, true)], "{seen:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_replaced() {
    let server = WsServer::start(vec![
        vec![Step::Send(trades_message(&[(1, 1_000)]))],
        vec![Step::Send(trades_message(&[(2, 2_000)]))],
    ])
    .await;
    let mut config = config(&server.url, vec![Topic::trades("BTCUSDT")]);
    config.stale_after = Duration::from_millis(300);
    let (_stream, mut events) = BybitStream::spawn(config).unwrap();
    let seen = events_until(&mut events, |e| has_trade(e, "2")).await;
    let reason = seen.iter().find_map(|e| match e {
        StreamEvent::Disconnected { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert!(reason.is_some_and(|r| r.contains("nothing received")), "{seen:#?}");
    assert_eq!(trade_ids(&seen), [(1, false), (2, false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_and_refused_subscriptions_are_reported_and_the_stream_goes_on() {
    let server = WsServer::start(vec![vec![
        Step::Send("{\"topic\":\"publicTrade.BTCUSDT\",\"data\":[{\"T\":1".into()),
        Step::Send(
            r#"{"success":false,"ret_msg":"error:handler not found,topic:tickerz.BTCUSDT","conn_id":"c","req_id":"subscribe-1","op":"subscribe"}"#
                .into(),
        ),
        Step::Send(trades_message(&[(1, 1_000)]).replace("\"Buy\"", "\"Up\"")),
        Step::Send(trades_message(&[(3, 3_000)])),
    ]])
    .await;
    let (_stream, mut events) = BybitStream::spawn(config(&server.url, vec![Topic::trades("BTCUSDT")])).unwrap();
    let seen = events_until(&mut events, |e| has_trade(e, "3")).await;
    let problems: Vec<String> = seen
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Unreadable { problem, .. } => Some(problem.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(problems.len(), 2, "{seen:#?}");
    assert!(problems[0].starts_with("not a JSON message"), "{}", problems[0]);
    assert!(problems[1].contains("\"Up\""), "{}", problems[1]);
    assert!(seen.iter().any(|e| matches!(e, StreamEvent::Rejected { req_id, message } if req_id == "subscribe-1" && message.contains("tickerz"))));
    assert_eq!(trade_ids(&seen), [(3, false)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_connections_ends_the_stream_after_the_retries() {
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let mut config = config(&format!("ws://127.0.0.1:{port}"), vec![Topic::trades("BTCUSDT")]);
    config.reconnect.max_retries = 2;
    let (_stream, mut events) = BybitStream::spawn(config).unwrap();
    let seen = events_until(&mut events, |e| matches!(e, StreamEvent::Stopped { .. })).await;
    let attempts: Vec<u32> = seen
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ConnectFailed { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2]);
    let StreamEvent::Stopped { reason } = seen.last().unwrap() else { unreachable!() };
    assert!(reason.starts_with("gave up after 3 failed connects") && reason.contains(&port.to_string()), "{reason}");
}

#[tokio::test]
async fn spawn_refuses_a_bad_url_and_no_topics() {
    let error =
        BybitStream::spawn(StreamConfig::at("https://stream.bybit.com", Category::Spot, vec![Topic::trades("X")]))
            .unwrap_err();
    assert!(error.to_string().contains("ws://"), "{error}");
    let error = BybitStream::spawn(StreamConfig::at("ws://127.0.0.1:1", Category::Spot, vec![])).unwrap_err();
    assert!(error.to_string().contains("topics"), "{error}");
}

#[test]
fn spawn_outside_a_runtime_is_an_error_not_a_panic() {
    let error =
        BybitStream::spawn(StreamConfig::at("ws://127.0.0.1:1", Category::Spot, vec![Topic::trades("X")])).unwrap_err();
    assert!(error.to_string().contains("tokio runtime"), "{error}");
}
