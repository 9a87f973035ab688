//! The Bybit v5 REST client against a local server (127.0.0.1, port 0)
//! that answers in the documented formats: kline pagination over 2 500
//! one-minute bars, recent trades, an order-book snapshot, spot and linear
//! instrument filters, tickers; and the faults: `retCode` errors, 429 with
//! a reset time, 5xx, cut-short JSON, a connection dropped mid-body, a
//! timeout, and the client-side rate limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use llm_anomaly::bybit::{
    BybitClient, BybitConfig, BybitError, Category, Interval, Jitter, KLINE_PAGE_LIMIT, RetryPolicy,
};
use llm_anomaly::market::{InstrumentRegistry, L2Book, Level, Side, TakerSide};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: HashMap<String, String>,
    at: Instant,
}

impl Seen {
    fn param(&self, name: &str) -> &str {
        self.query.get(name).map_or("", String::as_str)
    }
}

/// What the server answers to one request.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    /// 200 with the v5 envelope around `result`.
    fn ok(result: Value) -> Self {
        let body = json!({"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": now_ms()});
        Self::raw(200, body.to_string())
    }

    /// 200 with a non-zero `retCode`.
    fn ret_code(code: i64, message: &str) -> Self {
        let body = json!({"retCode": code, "retMsg": message, "result": {}, "retExtInfo": {}, "time": now_ms()});
        Self::raw(200, body.to_string())
    }

    fn raw(status: u16, body: String) -> Self {
        Self { status, headers: Vec::new(), body, delay: Duration::ZERO }
    }

    fn header(mut self, name: &'static str, value: impl ToString) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    fn after(self, delay: Duration) -> Self {
        Self { delay, ..self }
    }
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

struct Shared {
    script: Box<Script>,
    seen: Mutex<Vec<Seen>>,
}

/// An axum server playing a script: request number `n` (from 0) and what
/// it asked → the reply.
struct Server {
    base_url: String,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared { script: Box::new(script), seen: Mutex::new(Vec::new()) });
        let router = Router::new().fallback(answer).with_state(shared.clone());
        runtime.spawn(async move { axum::serve(listener, router).await });
        Self { base_url: format!("http://127.0.0.1:{port}"), shared, _runtime: runtime }
    }

    fn seen(&self) -> MutexGuard<'_, Vec<Seen>> {
        self.shared.seen.lock().unwrap()
    }

    fn count(&self) -> usize {
        self.seen().len()
    }
}

async fn answer(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let seen = Seen { path: uri.path().to_string(), query, at: Instant::now() };
    let reply = {
        let mut all = shared.seen.lock().unwrap();
        let reply = (shared.script)(all.len(), &seen);
        all.push(seen);
        reply
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = Response::builder().status(reply.status).header("content-type", "application/json");
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(reply.body)).unwrap()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A config with short retries and a rate limit out of the way.
fn config(base_url: &str, max_retries: u32) -> BybitConfig {
    BybitConfig {
        retry: fast_retries(max_retries),
        timeout: Duration::from_secs(3),
        requests_per_second: 1000.0,
        burst: 100,
        ..BybitConfig::at(base_url)
    }
}

fn client(server: &Server, max_retries: u32) -> BybitClient {
    BybitClient::new(config(&server.base_url, max_retries)).unwrap().with_jitter(Jitter::seeded(7))
}

fn tickers_result() -> Value {
    json!({"category": "spot", "list": [{"symbol": "BTCUSDT", "bid1Price": "16641.24", "bid1Size": "0.03",
        "ask1Price": "16641.25", "ask1Size": "1.2", "lastPrice": "16641.25", "prevPrice24h": "16850.01",
        "price24hPcnt": "-0.0124", "highPrice24h": "16900.5", "lowPrice24h": "16500", "turnover24h": "131456781.42",
        "volume24h": "7901.123456", "usdIndexPrice": "16640.1"}]})
}

// --- klines ------------------------------------------------------------

const MINUTE: i64 = 60_000;
const FIRST_BAR_MS: i64 = 1_670_000_040_000;
const BARS: i64 = 2_500;

/// Half of `n` as Bybit writes it: "17055" or "17055.5".
fn half(n: i64) -> String {
    if n % 2 == 0 { format!("{}", n / 2) } else { format!("{}.5", n / 2) }
}

/// Minute `i`: opens at 17000 + i/2, closes half a unit higher.
fn kline_row(i: i64) -> Value {
    let (open, close) = (34_000 + i, 34_001 + i);
    json!([
        (FIRST_BAR_MS + i * MINUTE).to_string(),
        half(open),
        half(close + 2),
        half(open - 2),
        half(close),
        "268611",
        "15.74462667"
    ])
}

/// Klines in `[start, end]` newest first, up to `limit`, plus one row past
/// `end` (a page overlaps the one before it by a row).
fn kline_page(seen: &Seen) -> Reply {
    let number = |name| seen.param(name).parse::<i64>().unwrap();
    let (start, end, limit) = (number("start"), number("end"), number("limit"));
    let list: Vec<Value> = (0..BARS)
        .rev()
        .filter(|i| {
            let t = FIRST_BAR_MS + i * MINUTE;
            t >= start && t < end + MINUTE
        })
        .take(limit as usize)
        .map(kline_row)
        .collect();
    Reply::ok(json!({"symbol": "BTCUSDT", "category": "spot", "list": list}))
}

#[test]
fn klines_are_paged_backwards_deduplicated_and_returned_oldest_first() {
    let server = Server::start(|_, seen| kline_page(seen));
    let end_ms = FIRST_BAR_MS + (BARS - 1) * MINUTE + MINUTE - 1;
    let klines = client(&server, 0).klines(Category::Spot, "BTCUSDT", Interval::Minute1, FIRST_BAR_MS, end_ms).unwrap();

    assert_eq!(klines.len(), BARS as usize);
    assert_eq!(klines[0].start_ms, FIRST_BAR_MS);
    assert!(klines.windows(2).all(|w| w[1].start_ms - w[0].start_ms == MINUTE), "oldest first, no duplicates");
    let k = klines[110];
    assert_eq!((k.open.to_string(), k.close.to_string()), ("17055".to_string(), "17055.5".to_string()));
    assert_eq!((k.volume.to_string(), k.turnover.to_string()), ("268611".to_string(), "15.74462667".to_string()));
    let bar = k.to_bar().unwrap();
    assert_eq!((bar.timestamp, bar.close, bar.high), (k.start(), 17055.5, 17056.5));

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "2 500 bars in pages of 1 000 overlapping by one row");
    let expected_ends = [end_ms, FIRST_BAR_MS + 1500 * MINUTE - 1, FIRST_BAR_MS + 501 * MINUTE - 1];
    for (request, end) in seen.iter().zip(expected_ends) {
        assert_eq!(request.path, "/v5/market/kline");
        assert_eq!(
            (request.param("category"), request.param("symbol"), request.param("interval")),
            ("spot", "BTCUSDT", "1")
        );
        assert_eq!(request.param("start"), FIRST_BAR_MS.to_string());
        assert_eq!(request.param("end"), end.to_string());
        assert_eq!(request.param("limit"), KLINE_PAGE_LIMIT.to_string());
    }
}

#[test]
fn a_range_before_the_listing_ends_on_a_page_with_nothing_older() {
    let server = Server::start(|_, seen| kline_page(seen));
    let start = FIRST_BAR_MS - 1000 * MINUTE;
    let end = FIRST_BAR_MS + 9 * MINUTE;
    let klines = client(&server, 0).klines(Category::Spot, "BTCUSDT", Interval::Minute1, start, end).unwrap();
    assert_eq!(klines.len(), 10);
    // Page 1 has the 10 bars; page 2 ends before the first bar and brings
    // only the overlapping row: nothing older, so the range is done.
    assert_eq!(server.count(), 2);
}

// --- trades, book, instruments, tickers --------------------------------

#[test]
fn recent_trades_become_a_tape_oldest_first_with_taker_sides() {
    let server = Server::start(|_, seen| {
        let list = if seen.param("category") == "spot" {
            json!([
                {"execId": "2100000000007764265", "symbol": "BTCUSDT", "price": "16618.50", "size": "0.00100",
                 "side": "Sell", "time": "1672052955760", "isBlockTrade": false},
                {"execId": "2100000000007764264", "symbol": "BTCUSDT", "price": "16618.49", "size": "0.00012",
                 "side": "Buy", "time": "1672052955758", "isBlockTrade": false},
                {"execId": "2100000000007764263", "symbol": "BTCUSDT", "price": "16618", "size": "0.5",
                 "side": "Buy", "time": "1672052955001", "isBlockTrade": true}
            ])
        } else {
            json!([{"execId": "3d8f1d1c-7c8e-5a0f-9d3b-6b2f0e3a1c55", "symbol": "BTCUSDT", "price": "16620.10",
                    "size": "0.015", "side": "Sell", "time": "1672052956000", "isBlockTrade": false,
                    "mP": "16620.5", "iP": "16619.9", "mIv": "", "iv": ""}])
        };
        Reply::ok(json!({"category": seen.param("category"), "list": list}))
    });
    let client = client(&server, 0);
    let trades = client.recent_trades(Category::Spot, "BTCUSDT", 3).unwrap();
    assert_eq!(trades.iter().map(|t| t.time_ms).collect::<Vec<_>>(), [1672052955001, 1672052955758, 1672052955760]);
    assert_eq!((trades[1].price.to_string(), trades[1].size.to_string()), ("16618.49".into(), "0.00012".into()));
    assert!(trades[0].is_block_trade);

    let btc = llm_anomaly::market::Instrument::new("BTCUSDT", "0.01", "0.000001").unwrap();
    let tape = client.tape_trades(Category::Spot, &btc, 3).unwrap();
    let summary: Vec<_> = tape.iter().map(|t| (t.time_us, t.price, t.qty, t.taker, t.id)).collect();
    assert_eq!(
        summary,
        [
            (1_672_052_955_001_000, 1_661_800, 500_000, TakerSide::Buy, 2_100_000_000_007_764_263),
            (1_672_052_955_758_000, 1_661_849, 120, TakerSide::Buy, 2_100_000_000_007_764_264),
            (1_672_052_955_760_000, 1_661_850, 1_000, TakerSide::Sell, 2_100_000_000_007_764_265),
        ]
    );
    let linear = llm_anomaly::market::Instrument::new("BTCUSDT", "0.10", "0.001").unwrap();
    let perp = client.tape_trades(Category::Linear, &linear, 1000).unwrap();
    assert_eq!((perp[0].price, perp[0].qty, perp[0].taker), (166_201, 15, TakerSide::Sell));
    assert_ne!(perp[0].id, 0, "a UUID execId is hashed");
    let seen = server.seen();
    assert_eq!((seen[0].path.as_str(), seen[0].param("limit")), ("/v5/market/recent-trade", "3"));
    assert_eq!((seen[2].param("category"), seen[2].param("limit")), ("linear", "1000"));
}

#[test]
fn an_orderbook_snapshot_becomes_levels_of_an_l2_book() {
    let server = Server::start(|_, _| {
        Reply::ok(json!({"s": "BTCUSDT",
            "a": [["16638.64", "0.008479"], ["16638.65", "0.1"], ["16640.00", "1.25"]],
            "b": [["16638.27", "0.305749"], ["16638.26", "0.02"], ["16637", "2"]],
            "ts": 1672765737733_i64, "u": 5277055, "seq": 7961638724_i64, "cts": 1672765737730_i64}))
    });
    let snapshot = client(&server, 0).orderbook(Category::Spot, "BTCUSDT", 50).unwrap();
    assert_eq!((snapshot.update_id, snapshot.seq, snapshot.time_ms), (5_277_055, Some(7_961_638_724), 1672765737733));
    assert_eq!(snapshot.bids[0].price.to_string(), "16638.27");

    let btc = llm_anomaly::market::Instrument::new("BTCUSDT", "0.01", "0.000001").unwrap();
    let mut registry = InstrumentRegistry::new();
    let mut book = L2Book::new(registry.register(btc.clone()), "BTCUSDT");
    snapshot.apply_to(&mut book, &btc, 1672765737800).unwrap();
    assert_eq!(book.best_bid(), Some(Level { price: 1_663_827, size: 305_749 }));
    assert_eq!(book.best_ask(), Some(Level { price: 1_663_864, size: 8_479 }));
    assert_eq!(book.spread_ticks(), Some(37));
    assert_eq!(book.update_id(), 5_277_055);
    assert_eq!((book.stamps().exchange_ms, book.stamps().received_ms), (1672765737730, 1672765737800));
    let asks: Vec<i64> = book.levels(Side::Ask).map(|l| l.price).collect();
    assert_eq!(asks, [1_663_864, 1_663_865, 1_664_000]);
    assert_eq!(snapshot.bid_levels(&btc).unwrap()[2], Level { price: 1_663_700, size: 2_000_000 });
    let seen = server.seen();
    assert_eq!((seen[0].path.as_str(), seen[0].param("limit")), ("/v5/market/orderbook", "50"));
}

#[test]
fn instrument_filters_give_spot_and_linear_steps() {
    let server = Server::start(|_, seen| match (seen.param("category"), seen.param("cursor")) {
        ("spot", _) => Reply::ok(json!({"category": "spot", "list": [{"symbol": "BTCUSDT", "baseCoin": "BTC",
            "quoteCoin": "USDT", "innovation": "0", "status": "Trading", "marginTrading": "both",
            "lotSizeFilter": {"basePrecision": "0.000001", "quotePrecision": "0.00000001",
                "minOrderQty": "0.000048", "maxOrderQty": "71.73956243", "minOrderAmt": "1", "maxOrderAmt": "2000000"},
            "priceFilter": {"tickSize": "0.01"}}], "nextPageCursor": ""})),
        ("linear", "") => Reply::ok(json!({"category": "linear", "list": [{"symbol": "BTCUSDT",
            "contractType": "LinearPerpetual", "status": "Trading", "baseCoin": "BTC", "quoteCoin": "USDT",
            "priceScale": "2", "priceFilter": {"minPrice": "0.10", "maxPrice": "199999.80", "tickSize": "0.10"},
            "lotSizeFilter": {"maxOrderQty": "1190.000", "minOrderQty": "0.001", "qtyStep": "0.001",
                "postOnlyMaxOrderQty": "1190.000", "maxMktOrderQty": "500.000", "minNotionalValue": "5"}}],
            "nextPageCursor": "page2"})),
        ("linear", "page2") => Reply::ok(json!({"category": "linear", "list": [{"symbol": "ETHUSDT",
            "status": "Trading", "baseCoin": "ETH", "quoteCoin": "USDT",
            "priceFilter": {"tickSize": "0.01"}, "lotSizeFilter": {"qtyStep": "0.01"}}], "nextPageCursor": ""})),
        _ => Reply::ret_code(10001, "params error"),
    });
    let client = client(&server, 0);
    let spot = client.instrument(Category::Spot, "BTCUSDT").unwrap();
    assert_eq!((spot.tick_size().to_string(), spot.qty_step().to_string()), ("0.01".into(), "0.000001".into()));
    assert_eq!((spot.price_ticks("16618.49"), spot.qty_steps("0.00012")), (Ok(1_661_849), Ok(120)));
    let info = &client.instruments_info(Category::Spot, Some("BTCUSDT")).unwrap()[0];
    assert_eq!((info.base_coin.as_str(), info.status.as_str()), ("BTC", "Trading"));
    assert_eq!(info.max_order_qty.map(|d| d.to_string()), Some("71.73956243".into()));

    let linear = client.instrument(Category::Linear, "BTCUSDT").unwrap();
    assert_eq!((linear.tick_size().to_string(), linear.qty_step().to_string()), ("0.10".into(), "0.001".into()));
    assert_eq!((linear.price_ticks("65432.1"), linear.qty_steps("0.015")), (Ok(654_321), Ok(15)));
    let all = client.instruments_info(Category::Linear, None).unwrap();
    assert_eq!(all.iter().map(|i| i.symbol.as_str()).collect::<Vec<_>>(), ["BTCUSDT", "ETHUSDT"], "both pages");
    assert_eq!(server.seen().last().unwrap().param("cursor"), "page2");
    let missing = client.instrument(Category::Linear, "SOLUSDT").unwrap_err();
    assert!(matches!(missing, BybitError::NotListed { .. }), "{missing}");
}

#[test]
fn tickers_keep_exact_decimals() {
    let server = Server::start(|_, _| Reply::ok(tickers_result()));
    let ticker = &client(&server, 0).tickers(Category::Spot, Some("BTCUSDT")).unwrap()[0];
    assert_eq!(ticker.last_price.to_string(), "16641.25");
    assert_eq!(ticker.bid1_price.map(|d| d.to_string()), Some("16641.24".into()));
    assert_eq!(
        (ticker.price_24h_pcnt.to_string(), ticker.volume_24h.to_string()),
        ("-0.0124".into(), "7901.123456".into())
    );
    assert_eq!(server.seen()[0].path, "/v5/market/tickers");
}

// --- faults --------------------------------------------------------------

#[test]
fn a_parameter_error_is_final_and_names_code_and_message() {
    let server = Server::start(|_, _| Reply::ret_code(10001, "params error: symbol invalid"));
    let error = client(&server, 3).klines(Category::Spot, "NOPE", Interval::Day, 0, 86_400_000).unwrap_err();
    match &error {
        BybitError::RetCode { endpoint, code, message } => {
            assert_eq!(
                (endpoint.as_str(), *code, message.as_str()),
                ("/v5/market/kline", 10001, "params error: symbol invalid")
            )
        }
        other => panic!("expected RetCode, got {other}"),
    }
    assert!(error.to_string().contains("10001"), "{error}");
    assert_eq!(server.count(), 1, "not retried");
}

#[test]
fn too_many_visits_is_retried() {
    let server =
        Server::start(
            |n, _| if n == 0 { Reply::ret_code(10006, "Too many visits!") } else { Reply::ok(tickers_result()) },
        );
    let tickers = client(&server, 3).tickers(Category::Spot, Some("BTCUSDT")).unwrap();
    assert_eq!(tickers.len(), 1);
    assert_eq!(server.count(), 2);
}

#[test]
fn a_429_waits_until_the_limit_resets() {
    let server = Server::start(|n, _| {
        if n == 0 {
            Reply::raw(429, "{}".into())
                .header("X-Bapi-Limit-Reset-Timestamp", now_ms() + 300)
                .header("X-Bapi-Limit", 120)
        } else {
            Reply::ok(tickers_result())
        }
    });
    let started = Instant::now();
    client(&server, 3).tickers(Category::Spot, None).unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(250), "retried after {waited:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let server = Server::start(|n, _| if n < 2 { Reply::raw(503, "busy".into()) } else { Reply::ok(tickers_result()) });
    client(&server, 3).tickers(Category::Spot, None).unwrap();
    assert_eq!(server.count(), 3);
}

#[test]
fn a_server_that_stays_down_exhausts_the_retries() {
    let server = Server::start(|_, _| Reply::raw(503, "<html>Service Unavailable</html>".into()));
    let error = client(&server, 2).tickers(Category::Spot, None).unwrap_err();
    match &error {
        BybitError::RetriesExhausted { attempts, last } => {
            assert_eq!(*attempts, 3);
            assert!(matches!(**last, BybitError::Http { status: 503, .. }), "{last}");
        }
        other => panic!("expected RetriesExhausted, got {other}"),
    }
    assert_eq!(server.count(), 3);
}

#[test]
fn other_client_errors_are_final() {
    let server = Server::start(|_, _| Reply::raw(404, "not found".into()));
    let error = client(&server, 3).tickers(Category::Spot, None).unwrap_err();
    assert!(
        matches!(&error, BybitError::Http { status: 404, body_excerpt, .. } if body_excerpt == "not found"),
        "{error}"
    );
    assert_eq!(server.count(), 1);
}

/// A kline answer cut 30 bytes before its end, as a dropped proxy leaves it.
fn truncated_body() -> String {
    let full = Reply::ok(json!({"list": [kline_row(0)], "padding": "x".repeat(400)})).body;
    full[..full.len() - 30].to_string()
}

#[test]
fn truncated_json_and_a_bad_number_are_bad_responses_not_retried() {
    let server = Server::start(|n, _| {
        if n == 0 {
            Reply::raw(200, truncated_body())
        } else {
            let mut row = kline_row(0);
            row[4] = json!("17O55.5");
            Reply::ok(json!({"symbol": "BTCUSDT", "category": "spot", "list": [row]}))
        }
    });
    let client = client(&server, 3);
    let error = client.kline_page(Category::Spot, "BTCUSDT", Interval::Minute1, 0, i64::MAX, 10).unwrap_err();
    match &error {
        BybitError::BadResponse { endpoint, excerpt, .. } => {
            assert_eq!(endpoint, "/v5/market/kline");
            assert!(excerpt.chars().count() <= 200 && truncated_body().starts_with(excerpt.as_str()), "{excerpt}");
        }
        other => panic!("expected BadResponse, got {other}"),
    }
    assert_eq!(server.count(), 1, "not retried");
    let error = client.kline_page(Category::Spot, "BTCUSDT", Interval::Minute1, 0, i64::MAX, 10).unwrap_err();
    assert!(
        matches!(&error, BybitError::BadResponse { problem, .. } if problem.contains("`close`") && problem.contains("17O55.5")),
        "{error}"
    );
    assert_eq!(server.count(), 2);
}

#[test]
fn a_connection_dropped_mid_body_is_retried() {
    let body =
        json!({"retCode": 0, "retMsg": "OK", "result": tickers_result(), "retExtInfo": {}, "time": 1}).to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(Mutex::new(0usize));
    let counted = connections.clone();
    runtime.spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let first = {
                let mut count = counted.lock().unwrap();
                *count += 1;
                *count == 1
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let sent = if first { &body[..body.len() / 2] } else { &body[..] };
                let _ = socket.write_all(format!("{head}{sent}").as_bytes()).await;
                let _ = socket.flush().await;
                // Dropping the socket closes it, half a body short on the first connection.
            });
        }
    });
    let server_url = format!("http://127.0.0.1:{port}");
    let client = BybitClient::new(config(&server_url, 2)).unwrap().with_jitter(Jitter::seeded(7));
    let tickers = client.tickers(Category::Spot, Some("BTCUSDT")).unwrap();
    assert_eq!(tickers[0].last_price.to_string(), "16641.25");
    assert_eq!(*connections.lock().unwrap(), 2, "one broken answer, one retry");
}

#[test]
fn a_server_slower_than_the_timeout_is_retried_then_reported() {
    let server = Server::start(|_, _| Reply::ok(tickers_result()).after(Duration::from_secs(3)));
    let config = BybitConfig { timeout: Duration::from_millis(200), ..config(&server.base_url, 1) };
    let client = BybitClient::new(config).unwrap().with_jitter(Jitter::seeded(7));
    let started = Instant::now();
    let error = client.tickers(Category::Spot, None).unwrap_err();
    match &error {
        BybitError::RetriesExhausted { attempts: 2, last } => {
            assert!(
                matches!(**last, BybitError::Timeout { after, .. } if after == Duration::from_millis(200)),
                "{last}"
            )
        }
        other => panic!("expected RetriesExhausted after 2 timeouts, got {other}"),
    }
    assert_eq!(server.count(), 2);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

// --- the client-side limit -----------------------------------------------

#[test]
fn no_requests_left_holds_the_next_request_until_the_reset() {
    let server = Server::start(|n, _| {
        let reply = Reply::ok(tickers_result()).header("X-Bapi-Limit", 120);
        if n == 0 {
            reply.header("X-Bapi-Limit-Status", 0).header("X-Bapi-Limit-Reset-Timestamp", now_ms() + 300)
        } else {
            reply.header("X-Bapi-Limit-Status", 119)
        }
    });
    let client = client(&server, 0);
    client.tickers(Category::Spot, None).unwrap();
    client.tickers(Category::Spot, None).unwrap();
    let seen = server.seen();
    let held = seen[1].at - seen[0].at;
    assert!(held >= Duration::from_millis(250), "the second request went after {held:?}");
}

#[test]
fn the_token_bucket_spaces_requests_at_the_configured_rate() {
    let server = Server::start(|_, _| Reply::ok(tickers_result()));
    let config = BybitConfig { requests_per_second: 20.0, burst: 1, ..config(&server.base_url, 0) };
    let client = BybitClient::new(config).unwrap();
    for _ in 0..5 {
        client.tickers(Category::Spot, None).unwrap();
    }
    let seen = server.seen();
    let span = seen[4].at - seen[0].at;
    assert!(span >= Duration::from_millis(190), "5 requests at 20/s with a burst of 1 took only {span:?}");
}

#[test]
fn a_bad_base_url_is_refused() {
    for url in ["ftp://api.bybit.com", "api.bybit.com", "https://api.bybit.com?x=1"] {
        let error = BybitClient::new(BybitConfig::at(url)).unwrap_err();
        assert!(matches!(error, BybitError::BadUrl { .. }), "{url}: {error}");
    }
    let error = BybitClient::new(BybitConfig { requests_per_second: 0.0, ..BybitConfig::mainnet() }).unwrap_err();
    assert!(matches!(error, BybitError::InvalidConfig { field: "requests_per_second", .. }), "{error}");
}

#[tokio::test]
async fn the_async_methods_run_on_the_callers_runtime() {
    let server = tokio::task::spawn_blocking(|| Server::start(|_, _| Reply::ok(tickers_result()))).await.unwrap();
    let client = BybitClient::new(config(&server.base_url, 0)).unwrap();
    let tickers = client.tickers_async(Category::Spot, Some("BTCUSDT")).await.unwrap();
    assert_eq!(tickers[0].symbol, "BTCUSDT");
    // Dropping the client here, inside a runtime, must not panic: its own
    // runtime was never started.
    drop(client);
    tokio::task::spawn_blocking(move || drop(server)).await.unwrap();
}
