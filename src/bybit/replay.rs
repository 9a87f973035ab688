//! A local stand-in for Bybit's public trade stream: it replays trade
//! tapes as `publicTrade.<symbol>` messages in the exact v5 format, on
//! 127.0.0.1, faster than real time if asked. A monitor written against
//! [`BybitStream`](super::BybitStream) runs on it unchanged, offline, with
//! the tape's labels to check it against.
//!
//! The feed starts when the first client subscribes and runs on its own
//! clock ([`ReplayClock`]), as an exchange does: a client that connects
//! late, or falls too far behind and is dropped, misses what was sent in
//! the meantime. The server answers `subscribe`, `unsubscribe` and `ping`
//! as Bybit does, and refuses topics it does not serve.
//!
//! ```no_run
//! use llm_anomaly::bybit::{BybitStream, Category, ReplayServer, StreamConfig, Topic};
//! # async fn replay(tape: llm_anomaly::market::TradeTape) -> Result<(), llm_anomaly::bybit::BybitError> {
//! let (from, last) = tape.span_us();
//! let server = ReplayServer::start(vec![tape], from, last + 1, 20.0).await?;
//! let config = StreamConfig::at(server.url(), Category::Spot, vec![Topic::trades("BTCUSDT")]);
//! let (_stream, mut events) = BybitStream::spawn(config)?;
//! while let Some(event) = events.recv().await {
//!     println!("{event:?} at feed time {} µs", server.clock().now_us());
//! }
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, broadcast};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::error::BybitError;
use super::stream_message::Topic;
use crate::market::{TakerSide, TradeTape};

/// The replay speeds accepted: from a thousandth of real time to 100 000
/// times faster.
pub const REPLAY_SPEEDS: std::ops::RangeInclusive<f64> = 0.001..=100_000.0;

/// Messages a client may fall behind by before the server drops it.
pub const REPLAY_BACKLOG: usize = 65_536;

/// The replay's clock: feed time runs `speed` times faster than the wall
/// clock from the moment the first client subscribed, starting at
/// `from_us`. Cheap to copy and share.
#[derive(Debug, Clone)]
pub struct ReplayClock {
    started: Arc<OnceLock<Instant>>,
    finished: Arc<AtomicBool>,
    from_us: i64,
    speed: f64,
}

impl ReplayClock {
    fn new(from_us: i64, speed: f64) -> Self {
        Self { started: Arc::new(OnceLock::new()), finished: Arc::new(AtomicBool::new(false)), from_us, speed }
    }

    /// `true` once every trade of the range was sent (a client may still
    /// be reading the last ones).
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// The feed time now, µs since the Unix epoch (`from_us` until the
    /// feed has started).
    pub fn now_us(&self) -> i64 {
        match self.started.get() {
            Some(start) => self.from_us.saturating_add((start.elapsed().as_secs_f64() * self.speed * 1e6) as i64),
            None => self.from_us,
        }
    }

    /// `true` once the first client has subscribed.
    pub fn has_started(&self) -> bool {
        self.started.get().is_some()
    }

    /// Feed time per wall-clock time.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The wall-clock instant at which the feed reaches `time_us`.
    fn instant_of(&self, start: Instant, time_us: i64) -> Instant {
        let wall = (time_us - self.from_us).max(0) as f64 / 1e6 / self.speed;
        start + Duration::from_secs_f64(wall)
    }
}

/// A running replay; dropping it stops the server.
#[derive(Debug)]
pub struct ReplayServer {
    addr: SocketAddr,
    clock: ReplayClock,
    server: tokio::task::JoinHandle<()>,
    broadcaster: tokio::task::JoinHandle<()>,
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.server.abort();
        self.broadcaster.abort();
    }
}

impl ReplayServer {
    /// Listens on 127.0.0.1 (a free port) and, once a client subscribes,
    /// sends every trade of `tapes` timed in `[from_us, until_us)` at
    /// `speed` times real time (1.0: real time). Errors on a speed outside
    /// [`REPLAY_SPEEDS`], an empty range, or a port that cannot be opened.
    pub async fn start(tapes: Vec<TradeTape>, from_us: i64, until_us: i64, speed: f64) -> Result<Self, BybitError> {
        if !REPLAY_SPEEDS.contains(&speed) {
            return Err(BybitError::InvalidRequest {
                parameter: "speed",
                value: speed.to_string(),
                reason: format!("the replay speed must be in {REPLAY_SPEEDS:?} (1: real time)"),
            });
        }
        if until_us <= from_us {
            return Err(BybitError::InvalidRequest {
                parameter: "until_us",
                value: format!("{until_us} (from_us {from_us})"),
                reason: "the replay must end after it starts".into(),
            });
        }
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| BybitError::Runtime { message: format!("replay server: cannot listen on 127.0.0.1: {e}") })?;
        let addr = listener
            .local_addr()
            .map_err(|e| BybitError::Runtime { message: format!("replay server: no local address: {e}") })?;
        let clock = ReplayClock::new(from_us, speed);
        let symbols: Arc<HashSet<String>> =
            Arc::new(tapes.iter().map(|t| t.instrument().symbol().to_string()).collect());
        let (feed, _) = broadcast::channel::<Arc<Frame>>(REPLAY_BACKLOG);
        let subscribed = Arc::new(Notify::new());
        let server = tokio::spawn(serve(listener, feed.clone(), Arc::clone(&subscribed), symbols));
        let broadcaster = tokio::spawn(broadcast_tapes(tapes, from_us, until_us, clock.clone(), feed, subscribed));
        Ok(Self { addr, clock, server, broadcaster })
    }

    /// The stream's URL, `ws://127.0.0.1:PORT/v5/public/spot`.
    pub fn url(&self) -> String {
        format!("ws://{}/v5/public/spot", self.addr)
    }

    /// The replay's clock.
    pub fn clock(&self) -> ReplayClock {
        self.clock.clone()
    }
}

/// One `publicTrade` message of one symbol.
#[derive(Debug)]
struct Frame {
    topic: String,
    text: String,
}

async fn serve(
    listener: TcpListener,
    feed: broadcast::Sender<Arc<Frame>>,
    subscribed: Arc<Notify>,
    symbols: Arc<HashSet<String>>,
) {
    let mut connections = 0u64;
    while let Ok((tcp, _)) = listener.accept().await {
        connections += 1;
        let (feed, subscribed, symbols) = (feed.subscribe(), Arc::clone(&subscribed), Arc::clone(&symbols));
        tokio::spawn(connection(tcp, connections, feed, subscribed, symbols));
    }
}

/// One client: answers its requests and forwards the frames of its topics.
async fn connection(
    tcp: TcpStream,
    id: u64,
    mut feed: broadcast::Receiver<Arc<Frame>>,
    subscribed: Arc<Notify>,
    symbols: Arc<HashSet<String>>,
) {
    let Ok(socket) = tokio_tungstenite::accept_async(tcp).await else { return };
    let (mut sink, mut source) = socket.split();
    let conn_id = format!("replay-{id}");
    let mut topics: HashSet<String> = HashSet::new();
    loop {
        tokio::select! {
            message = source.next() => {
                let Some(Ok(message)) = message else { return };
                let Message::Text(text) = message else { continue };
                let Some(answer) = answer(&text, &conn_id, &mut topics, &symbols) else { continue };
                if !topics.is_empty() {
                    subscribed.notify_one();
                }
                if sink.send(Message::text(answer.to_string())).await.is_err() {
                    return;
                }
            }
            frame = feed.recv() => match frame {
                Ok(frame) if topics.contains(&frame.topic) => {
                    if sink.send(Message::text(frame.text.clone())).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // Too slow: dropped, as an exchange drops a client that does not read.
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => {
                    let _ = sink.close().await;
                    return;
                }
            }
        }
    }
}

/// Bybit's answer to a client request (`None` for what it ignores).
fn answer(text: &str, conn_id: &str, topics: &mut HashSet<String>, symbols: &HashSet<String>) -> Option<Value> {
    let request: Value = serde_json::from_str(text).ok()?;
    let op = request["op"].as_str()?.to_string();
    let req_id = request["req_id"].as_str().unwrap_or_default().to_string();
    match op.as_str() {
        "ping" => Some(json!({"success": true, "ret_msg": "pong", "conn_id": conn_id, "req_id": req_id, "op": "ping"})),
        "subscribe" | "unsubscribe" => {
            let args: Vec<String> = request["args"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let served = |name: &String| matches!(Topic::parse(name), Some(Topic::Trades { symbol }) if symbols.contains(&symbol));
            if let Some(refused) = args.iter().find(|name| !served(name)) {
                let message = format!("error:handler not found,topic:{refused}");
                return Some(
                    json!({"success": false, "ret_msg": message, "conn_id": conn_id, "req_id": req_id, "op": op}),
                );
            }
            for name in args {
                if op == "subscribe" {
                    topics.insert(name);
                } else {
                    topics.remove(&name);
                }
            }
            Some(json!({"success": true, "ret_msg": "", "conn_id": conn_id, "req_id": req_id, "op": op}))
        }
        _ => None,
    }
}

/// Waits for the first subscription, then sends the trades of every tape
/// in time order, each when the feed clock reaches it; trades of one
/// symbol in the same millisecond go in one message. Spot messages carry
/// no `L` (tick direction): Bybit sends it on derivatives only.
async fn broadcast_tapes(
    tapes: Vec<TradeTape>,
    from_us: i64,
    until_us: i64,
    clock: ReplayClock,
    feed: broadcast::Sender<Arc<Frame>>,
    subscribed: Arc<Notify>,
) {
    subscribed.notified().await;
    let start = *clock.started.get_or_init(Instant::now);
    let mut cursors: Vec<usize> = tapes.iter().map(|t| t.trades().partition_point(|x| x.time_us < from_us)).collect();
    loop {
        // The tape whose next trade comes first.
        let next = (0..tapes.len())
            .filter(|&k| cursors[k] < tapes[k].len() && tapes[k].trades()[cursors[k]].time_us < until_us)
            .min_by_key(|&k| tapes[k].trades()[cursors[k]].time_us);
        let Some(k) = next else {
            clock.finished.store(true, Ordering::Release);
            return;
        };
        let tape = &tapes[k];
        let ms = tape.trades()[cursors[k]].time_us.div_euclid(1000);
        tokio::time::sleep_until(clock.instant_of(start, ms * 1000)).await;
        let instrument = tape.instrument();
        let mut data = Vec::new();
        while cursors[k] < tape.len() {
            let trade = &tape.trades()[cursors[k]];
            if trade.time_us.div_euclid(1000) != ms || trade.time_us >= until_us {
                break;
            }
            data.push(json!({
                "T": ms,
                "s": instrument.symbol(),
                "S": if trade.taker == TakerSide::Buy { "Buy" } else { "Sell" },
                "v": instrument.qty_step().times(trade.qty).to_string(),
                "p": instrument.tick_size().times(trade.price).to_string(),
                "i": trade.id.to_string(),
                "BT": false,
            }));
            cursors[k] += 1;
        }
        let topic = format!("publicTrade.{}", instrument.symbol());
        let text = json!({"topic": topic, "type": "snapshot", "ts": ms, "data": data}).to_string();
        // No receiver yet is fine: the feed runs whether anyone listens or not.
        let _ = feed.send(Arc::new(Frame { topic, text }));
    }
}
