//! A client of Bybit v5's public WebSocket that survives the network:
//! it subscribes, sends the heartbeat `ping`, notices a silent or dropped
//! connection, reconnects with backoff and subscribes again, and tells the
//! consumer each time.
//!
//! Across a reconnect nothing reaches the consumer twice (trades by their
//! id, klines by their start) and nothing is lost without a word: trades
//! missed while disconnected are fetched from `recent-trade` (which keeps
//! only the last 60 spot or 1000 derivative trades), klines from `kline`,
//! and whatever the REST API cannot give back is reported as a
//! [`StreamEvent::Gap`] with its time range. An order-book delta that skips
//! an update id is never passed on: the topic is subscribed again, which
//! makes the exchange send a fresh snapshot.
//!
//! ```no_run
//! use llm_anomaly::bybit::{BybitStream, Category, StreamConfig, StreamEvent, Topic};
//!
//! # async fn watch() -> Result<(), llm_anomaly::bybit::BybitError> {
//! let config = StreamConfig::mainnet(Category::Spot, vec![Topic::trades("BTCUSDT")]);
//! let (stream, mut events) = BybitStream::spawn(config)?;
//! while let Some(event) = events.recv().await {
//!     match event {
//!         StreamEvent::Trades { trades, .. } => println!("{} trades", trades.len()),
//!         StreamEvent::Gap { from_ms, to_ms, .. } => println!("missed {from_ms}..{to_ms}"),
//!         other => println!("{other:?}"),
//!     }
//! }
//! stream.join().await;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::error::BybitError;
use super::rest::{BybitClient, BybitConfig};
use super::stream_memory::{BookSync, KlineWatermark, SeenTrades};
use super::stream_message::{BookKind, StreamKline, StreamMessage, Topic};
use super::types::{Category, OrderBookSnapshot, PublicTrade};
use crate::llm::{Jitter, RetryPolicy};

/// The most topics Bybit takes in one `subscribe` request.
pub const TOPICS_PER_REQUEST: usize = 10;

/// The public stream of `category` on mainnet or testnet, e.g.
/// `wss://stream.bybit.com/v5/public/spot`.
pub fn public_stream_url(category: Category, testnet: bool) -> String {
    let host = if testnet { "stream-testnet.bybit.com" } else { "stream.bybit.com" };
    format!("wss://{host}/v5/public/{category}")
}

/// Where to connect, what to subscribe to and how to keep it alive.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// The WebSocket URL (`ws://` or `wss://`).
    pub url: String,
    /// The category the topics belong to (for the REST backfill).
    pub category: Category,
    /// The topics, subscribed on every connection.
    pub topics: Vec<Topic>,
    /// How often the heartbeat `ping` is sent (Bybit asks for 20 s).
    pub ping_interval: Duration,
    /// A connection that sends nothing (not even a pong) for this long is
    /// taken as dead and replaced (30 s).
    pub stale_after: Duration,
    /// The longest connecting and the WebSocket handshake may take (10 s).
    pub connect_timeout: Duration,
    /// The waits between reconnects; `max_retries` is how many connects
    /// in a row may fail before the stream gives up.
    pub reconnect: RetryPolicy,
    /// The REST API that fills what a disconnect missed; `None` reports
    /// every disconnect as a gap.
    pub backfill: Option<BybitConfig>,
    /// Trades asked from `recent-trade` after a reconnect (spot allows 60,
    /// derivatives 1000).
    pub backfill_trades: usize,
    /// Trade ids remembered per symbol to drop repeats (10 000).
    pub remembered_trades: usize,
    /// Events the consumer may fall behind by before the stream waits for it.
    pub channel_capacity: usize,
}

impl StreamConfig {
    /// Defaults against the stream at `url`, with no backfill.
    pub fn at(url: impl Into<String>, category: Category, topics: Vec<Topic>) -> Self {
        Self {
            url: url.into(),
            category,
            topics,
            ping_interval: Duration::from_secs(20),
            stale_after: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            reconnect: RetryPolicy {
                max_retries: 10,
                base_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                max_retry_after: Duration::from_secs(60),
            },
            backfill: None,
            backfill_trades: if category == Category::Spot { 60 } else { 1000 },
            remembered_trades: 10_000,
            channel_capacity: 4096,
        }
    }

    /// Bybit's mainnet stream of `category`, backfilled from the mainnet API.
    pub fn mainnet(category: Category, topics: Vec<Topic>) -> Self {
        Self {
            backfill: Some(BybitConfig::mainnet()),
            ..Self::at(public_stream_url(category, false), category, topics)
        }
    }

    /// Bybit's testnet stream of `category`, backfilled from the testnet API.
    pub fn testnet(category: Category, topics: Vec<Topic>) -> Self {
        Self { backfill: Some(BybitConfig::testnet()), ..Self::at(public_stream_url(category, true), category, topics) }
    }
}

/// What the stream tells its consumer, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Connection number `connection` (1 for the first) is open and the
    /// topics were asked for.
    Connected {
        /// 1 for the first connection, 2 after the first reconnect, ...
        connection: u32,
    },
    /// The connection was lost; a reconnect follows.
    Disconnected {
        /// Which connection.
        connection: u32,
        /// Why (the server closed it, a read failed, it went silent).
        reason: String,
    },
    /// A connect attempt failed; the next one follows after `retry_in`.
    ConnectFailed {
        /// Failed attempts in a row so far.
        attempt: u32,
        /// Why.
        reason: String,
        /// The wait before the next attempt.
        retry_in: Duration,
    },
    /// New trades of `symbol`, each passed on once.
    Trades {
        /// The symbol.
        symbol: String,
        /// The trades, in the order the exchange sent them.
        trades: Vec<PublicTrade>,
        /// `true` when fetched over REST after a reconnect.
        backfilled: bool,
    },
    /// A full order book: replace the local one.
    BookSnapshot {
        /// The order-book topic.
        topic: Topic,
        /// The levels, update id and times.
        book: OrderBookSnapshot,
        /// When it was received, ms since the Unix epoch.
        received_ms: i64,
    },
    /// The next update of an order book (update id one after the last).
    BookDelta {
        /// The order-book topic.
        topic: Topic,
        /// The changed levels (size 0: deleted).
        book: OrderBookSnapshot,
        /// When it was received, ms since the Unix epoch.
        received_ms: i64,
    },
    /// A delta skipped an update id: the local book is out of date and a
    /// fresh snapshot was asked for; deltas are dropped until it comes.
    BookResync {
        /// The order-book topic.
        topic: Topic,
        /// The update id that was due.
        expected: u64,
        /// The one that came.
        got: u64,
    },
    /// A kline, forming or final, each final one passed on once.
    Kline {
        /// The kline topic.
        topic: Topic,
        /// The kline.
        kline: StreamKline,
        /// `true` when fetched over REST after a reconnect.
        backfilled: bool,
    },
    /// Data of `topic` in `[from_ms, to_ms]` may be missing and could not
    /// be fetched again.
    Gap {
        /// The topic.
        topic: Topic,
        /// The newest data passed on before the gap, ms.
        from_ms: i64,
        /// The oldest data after it (or the reconnect time), ms.
        to_ms: i64,
        /// Why it could not be filled.
        reason: String,
    },
    /// The exchange refused a subscription.
    Rejected {
        /// The request id of the refused request.
        req_id: String,
        /// The exchange's reason.
        message: String,
    },
    /// A message that could not be read (the stream goes on).
    Unreadable {
        /// What was wrong, naming the field.
        problem: String,
        /// The message's first 200 characters.
        excerpt: String,
    },
    /// The last event: stopped by [`BybitStream::stop`] or after too many
    /// failed connects.
    Stopped {
        /// Why.
        reason: String,
    },
}

/// A running stream; its events arrive on the receiver [`BybitStream::spawn`] returned.
#[derive(Debug)]
pub struct BybitStream {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl BybitStream {
    /// Starts the stream on the current tokio runtime (with time and I/O
    /// enabled). Errors on a URL that is not `ws://` or `wss://`, no
    /// topics, a bad backfill configuration, or no runtime.
    pub fn spawn(config: StreamConfig) -> Result<(Self, mpsc::Receiver<StreamEvent>), BybitError> {
        if !(config.url.starts_with("ws://") || config.url.starts_with("wss://")) {
            return Err(BybitError::InvalidRequest {
                parameter: "url",
                value: config.url.clone(),
                reason: "a WebSocket URL starts with ws:// or wss://".into(),
            });
        }
        if config.topics.is_empty() {
            return Err(BybitError::InvalidRequest {
                parameter: "topics",
                value: "[]".into(),
                reason: "subscribe to at least one topic".into(),
            });
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| BybitError::Runtime { message: format!("BybitStream::spawn needs a tokio runtime: {e}") })?;
        let backfill = config.backfill.clone().map(BybitClient::new).transpose()?;
        let (events, receiver) = mpsc::channel(config.channel_capacity.max(1));
        let (stop, stop_seen) = watch::channel(false);
        let runner = Runner {
            config,
            backfill,
            events,
            stop: stop_seen,
            trades: HashMap::new(),
            klines: HashMap::new(),
            books: HashMap::new(),
            jitter: Jitter::from_clock(),
            requests: 0,
        };
        let task = runtime.spawn(runner.run());
        Ok((Self { stop, task }, receiver))
    }

    /// Asks the stream to close its connection and end with
    /// [`StreamEvent::Stopped`].
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Waits until the stream has ended.
    pub async fn join(self) {
        let _ = self.task.await;
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a connection ended.
enum Ended {
    /// Asked to stop, or nobody listens any more.
    Stop,
    /// Lost; `delivered` says whether it carried data (a healthy one).
    Dropped { reason: String, delivered: bool },
}

struct Runner {
    config: StreamConfig,
    backfill: Option<BybitClient>,
    events: mpsc::Sender<StreamEvent>,
    stop: watch::Receiver<bool>,
    trades: HashMap<String, SeenTrades>,
    klines: HashMap<Topic, KlineWatermark>,
    books: HashMap<Topic, BookSync>,
    jitter: Jitter,
    requests: u64,
}

impl Runner {
    async fn run(mut self) {
        let mut connection = 0u32;
        let mut failures = 0u32;
        loop {
            if self.should_stop() {
                return self.emit_stopped("stopped").await;
            }
            let attempt = tokio::time::timeout(
                self.config.connect_timeout,
                tokio_tungstenite::connect_async(self.config.url.as_str()),
            )
            .await;
            let reason = match attempt {
                Ok(Ok((socket, _))) => {
                    connection += 1;
                    match self.connection(socket, connection).await {
                        Ended::Stop => return self.emit_stopped("stopped").await,
                        Ended::Dropped { reason, delivered } => {
                            if delivered {
                                failures = 0;
                            }
                            self.emit(StreamEvent::Disconnected { connection, reason }).await;
                            None
                        }
                    }
                }
                Ok(Err(e)) => Some(format!("connecting to {}: {e}", self.config.url)),
                Err(_) => {
                    Some(format!("connecting to {} took over {:?}", self.config.url, self.config.connect_timeout))
                }
            };
            if let Some(reason) = &reason {
                failures += 1;
                if failures > self.config.reconnect.max_retries {
                    return self
                        .emit_stopped(&format!("gave up after {failures} failed connects; last: {reason}"))
                        .await;
                }
            }
            let wait = self
                .config
                .reconnect
                .delay(failures, None, &mut self.jitter)
                .unwrap_or(self.config.reconnect.max_delay);
            if let Some(reason) = reason {
                self.emit(StreamEvent::ConnectFailed { attempt: failures, reason, retry_in: wait }).await;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.stop.changed() => {}
            }
        }
    }

    /// Subscribes, backfills after a reconnect, then reads until the
    /// connection ends.
    async fn connection(&mut self, socket: Socket, connection: u32) -> Ended {
        let (mut sink, mut source) = socket.split();
        let names: Vec<String> = self.config.topics.iter().map(Topic::to_string).collect();
        for chunk in names.chunks(TOPICS_PER_REQUEST) {
            if let Err(reason) = self.send_op(&mut sink, "subscribe", chunk).await {
                return Ended::Dropped { reason, delivered: false };
            }
        }
        for topic in self.config.topics.iter().filter(|t| matches!(t, Topic::OrderBook { .. })) {
            self.books.insert(topic.clone(), BookSync::AwaitingSnapshot);
        }
        self.emit(StreamEvent::Connected { connection }).await;
        if connection > 1 {
            self.fill_what_was_missed(now_ms()).await;
        }
        self.read(&mut sink, &mut source).await
    }

    async fn read(&mut self, sink: &mut SplitSink<Socket, Message>, source: &mut SplitStream<Socket>) -> Ended {
        let mut delivered = false;
        let mut ping = tokio::time::interval_at(Instant::now() + self.config.ping_interval, self.config.ping_interval);
        let mut last_heard = Instant::now();
        loop {
            if self.events.is_closed() {
                return Ended::Stop;
            }
            tokio::select! {
                _ = self.stop.changed() => {
                    let _ = sink.send(Message::Close(None)).await;
                    return Ended::Stop;
                }
                _ = ping.tick() => {
                    let req_id = self.next_req_id("ping");
                    let ping = json!({"op": "ping", "req_id": req_id}).to_string();
                    if let Err(e) = sink.send(Message::text(ping)).await {
                        return Ended::Dropped { reason: format!("sending ping: {e}"), delivered };
                    }
                }
                _ = tokio::time::sleep_until(last_heard + self.config.stale_after) => {
                    let reason = format!("nothing received for {:?}", self.config.stale_after);
                    return Ended::Dropped { reason, delivered };
                }
                frame = source.next() => {
                    last_heard = Instant::now();
                    match frame {
                        None => return Ended::Dropped { reason: "the connection ended".into(), delivered },
                        Some(Err(e)) => return Ended::Dropped { reason: e.to_string(), delivered },
                        Some(Ok(Message::Close(frame))) => {
                            let reason = frame.map_or("closed by the server".into(), |f| format!("closed by the server: {} {}", f.code, f.reason));
                            return Ended::Dropped { reason, delivered };
                        }
                        Some(Ok(Message::Text(text))) => {
                            delivered = true;
                            if let Some(topic) = self.on_text(text.as_str(), now_ms()).await {
                                let name = [topic.to_string()];
                                for op in ["unsubscribe", "subscribe"] {
                                    if let Err(reason) = self.send_op(sink, op, &name).await {
                                        return Ended::Dropped { reason, delivered };
                                    }
                                }
                            }
                        }
                        Some(Ok(_)) => {}
                    }
                }
            }
        }
    }

    /// Passes one message on; returns an order-book topic that needs a
    /// fresh snapshot.
    async fn on_text(&mut self, text: &str, received_ms: i64) -> Option<Topic> {
        let message = match StreamMessage::parse(text) {
            Ok(message) => message,
            Err(problem) => {
                self.emit(StreamEvent::Unreadable { problem, excerpt: text.chars().take(200).collect() }).await;
                return None;
            }
        };
        match message {
            StreamMessage::Trades { topic, trades } => self.pass_trades(topic.symbol(), trades, false).await,
            StreamMessage::Book { topic, kind, book } => return self.pass_book(topic, kind, book, received_ms).await,
            StreamMessage::Klines { topic, klines } => {
                for kline in klines {
                    self.pass_kline(&topic, kline, false).await;
                }
            }
            StreamMessage::OpAnswer { success: false, message, req_id, .. } => {
                self.emit(StreamEvent::Rejected { req_id, message }).await
            }
            StreamMessage::OpAnswer { .. } | StreamMessage::Pong => {}
        }
        None
    }

    async fn pass_trades(&mut self, symbol: &str, trades: Vec<PublicTrade>, backfilled: bool) {
        let capacity = self.config.remembered_trades;
        let seen = self.trades.entry(symbol.to_string()).or_insert_with(|| SeenTrades::new(capacity));
        let fresh: Vec<PublicTrade> = trades.into_iter().filter(|t| seen.first_time(&t.exec_id, t.time_ms)).collect();
        if !fresh.is_empty() {
            self.emit(StreamEvent::Trades { symbol: symbol.to_string(), trades: fresh, backfilled }).await;
        }
    }

    async fn pass_book(
        &mut self,
        topic: Topic,
        kind: BookKind,
        book: OrderBookSnapshot,
        received_ms: i64,
    ) -> Option<Topic> {
        let sync = self.books.entry(topic.clone()).or_insert(BookSync::AwaitingSnapshot);
        match (kind, *sync) {
            (BookKind::Snapshot, _) => {
                *sync = BookSync::InStep(book.update_id);
                self.emit(StreamEvent::BookSnapshot { topic, book, received_ms }).await;
            }
            (BookKind::Delta, BookSync::AwaitingSnapshot) => {}
            (BookKind::Delta, BookSync::InStep(last)) if book.update_id == last + 1 => {
                *sync = BookSync::InStep(book.update_id);
                self.emit(StreamEvent::BookDelta { topic, book, received_ms }).await;
            }
            (BookKind::Delta, BookSync::InStep(last)) => {
                *sync = BookSync::AwaitingSnapshot;
                self.emit(StreamEvent::BookResync { topic: topic.clone(), expected: last + 1, got: book.update_id })
                    .await;
                return Some(topic);
            }
        }
        None
    }

    async fn pass_kline(&mut self, topic: &Topic, kline: StreamKline, backfilled: bool) {
        let mark = self.klines.entry(topic.clone()).or_default();
        if !mark.is_new(kline.kline.start_ms) {
            return;
        }
        if kline.confirmed {
            mark.passed_final(kline.kline.start_ms);
        }
        self.emit(StreamEvent::Kline { topic: topic.clone(), kline, backfilled }).await;
    }

    /// After a reconnect: fetches the trades and final klines the
    /// disconnect missed, and reports what cannot be fetched as gaps.
    async fn fill_what_was_missed(&mut self, now_ms: i64) {
        for topic in self.config.topics.clone() {
            match &topic {
                Topic::Trades { symbol } => self.fill_trades(&topic, symbol, now_ms).await,
                Topic::Kline { interval, symbol } => {
                    let Some(newest) = self.klines.get(&topic).and_then(|m| m.newest_final_start_ms()) else {
                        continue;
                    };
                    let span = interval.span_ms();
                    let from_ms = newest + span;
                    if from_ms + span > now_ms {
                        continue;
                    }
                    let Some(client) = &self.backfill else {
                        self.gap(topic.clone(), from_ms, now_ms, "no REST backfill configured".into()).await;
                        continue;
                    };
                    match client.klines_async(self.config.category, symbol, *interval, from_ms, now_ms).await {
                        Ok(klines) => {
                            for kline in klines.into_iter().filter(|k| k.start_ms + span <= now_ms) {
                                let end_ms = kline.start_ms + span - 1;
                                self.pass_kline(&topic, StreamKline { kline, end_ms, confirmed: true }, true).await;
                            }
                        }
                        Err(e) => self.gap(topic.clone(), from_ms, now_ms, format!("kline backfill failed: {e}")).await,
                    }
                }
                Topic::OrderBook { .. } => {}
            }
        }
    }

    async fn fill_trades(&mut self, topic: &Topic, symbol: &str, now_ms: i64) {
        let Some(since_ms) = self.trades.get(symbol).and_then(SeenTrades::newest_ms) else {
            return;
        };
        let Some(client) = &self.backfill else {
            return self.gap(topic.clone(), since_ms, now_ms, "no REST backfill configured".into()).await;
        };
        let limit = self.config.backfill_trades;
        match client.recent_trades_async(self.config.category, symbol, limit).await {
            Ok(trades) => {
                let oldest_ms = trades.first().map(|t| t.time_ms);
                if trades.len() >= limit
                    && let Some(oldest_ms) = oldest_ms.filter(|&t| t > since_ms)
                {
                    let reason = format!("recent-trade keeps only the last {limit} trades");
                    self.gap(topic.clone(), since_ms, oldest_ms, reason).await;
                }
                let missed = trades.into_iter().filter(|t| t.time_ms >= since_ms).collect();
                self.pass_trades(symbol, missed, true).await;
            }
            Err(e) => self.gap(topic.clone(), since_ms, now_ms, format!("trade backfill failed: {e}")).await,
        }
    }

    async fn gap(&mut self, topic: Topic, from_ms: i64, to_ms: i64, reason: String) {
        self.emit(StreamEvent::Gap { topic, from_ms, to_ms, reason }).await;
    }

    async fn send_op(
        &mut self,
        sink: &mut SplitSink<Socket, Message>,
        op: &str,
        topics: &[String],
    ) -> Result<(), String> {
        let req_id = self.next_req_id(op);
        let request = json!({"op": op, "req_id": req_id, "args": topics}).to_string();
        sink.send(Message::text(request)).await.map_err(|e| format!("sending {op}: {e}"))
    }

    fn next_req_id(&mut self, op: &str) -> String {
        self.requests += 1;
        format!("{op}-{}", self.requests)
    }

    fn should_stop(&self) -> bool {
        *self.stop.borrow() || self.stop.has_changed().is_err() || self.events.is_closed()
    }

    async fn emit(&self, event: StreamEvent) {
        let _ = self.events.send(event).await;
    }

    async fn emit_stopped(&self, reason: &str) {
        self.emit(StreamEvent::Stopped { reason: reason.to_string() }).await;
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
