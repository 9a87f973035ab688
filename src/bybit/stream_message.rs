//! What Bybit v5's public WebSocket sends, read into typed messages with
//! exact decimals: `publicTrade.<symbol>`, `orderbook.<depth>.<symbol>`
//! (a snapshot, then deltas), `kline.<interval>.<symbol>`, and the answers
//! to `subscribe` and `ping`.
//!
//! The topic names the stream; [`Topic`] builds and reads it, so a caller
//! never formats one by hand.

use serde::Deserialize;
use serde_json::Value;

use super::types::{Interval, Kline, OrderBookSnapshot, PriceLevel, PublicTrade};
use crate::market::{Decimal, TakerSide};

/// One stream of the public WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Every trade of a symbol (`publicTrade.BTCUSDT`).
    Trades {
        /// The symbol.
        symbol: String,
    },
    /// The order book `depth` levels deep (`orderbook.50.BTCUSDT`).
    OrderBook {
        /// Levels per side: 1, 50 or 200 (spot also 1000; derivatives 500).
        depth: u16,
        /// The symbol.
        symbol: String,
    },
    /// Klines of one interval, updated as they form (`kline.1.BTCUSDT`).
    Kline {
        /// The kline length.
        interval: Interval,
        /// The symbol.
        symbol: String,
    },
}

impl Topic {
    /// `publicTrade.<symbol>`.
    pub fn trades(symbol: &str) -> Self {
        Self::Trades { symbol: symbol.to_string() }
    }

    /// `orderbook.<depth>.<symbol>`.
    pub fn order_book(depth: u16, symbol: &str) -> Self {
        Self::OrderBook { depth, symbol: symbol.to_string() }
    }

    /// `kline.<interval>.<symbol>`.
    pub fn kline(interval: Interval, symbol: &str) -> Self {
        Self::Kline { interval, symbol: symbol.to_string() }
    }

    /// The symbol the topic is about.
    pub fn symbol(&self) -> &str {
        match self {
            Self::Trades { symbol } | Self::OrderBook { symbol, .. } | Self::Kline { symbol, .. } => symbol,
        }
    }

    /// Reads a topic name as the exchange writes it; `None` for any other.
    pub fn parse(name: &str) -> Option<Self> {
        let mut parts = name.splitn(3, '.');
        match (parts.next()?, parts.next()?, parts.next()) {
            ("publicTrade", symbol, None) if !symbol.is_empty() => Some(Self::trades(symbol)),
            ("orderbook", depth, Some(symbol)) if !symbol.is_empty() => {
                Some(Self::order_book(depth.parse().ok()?, symbol))
            }
            ("kline", interval, Some(symbol)) if !symbol.is_empty() => {
                Some(Self::kline(Interval::from_code(interval)?, symbol))
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Trades { symbol } => write!(f, "publicTrade.{symbol}"),
            Self::OrderBook { depth, symbol } => write!(f, "orderbook.{depth}.{symbol}"),
            Self::Kline { interval, symbol } => write!(f, "kline.{interval}.{symbol}"),
        }
    }
}

/// Whether an order-book message replaces the book or changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookKind {
    /// The whole book: reset the local one.
    Snapshot,
    /// Changed levels only, size 0 deleting a level.
    Delta,
}

/// A kline as the stream sends it: still forming until `confirmed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamKline {
    /// The kline so far.
    pub kline: Kline,
    /// Its close time, ms (`end`).
    pub end_ms: i64,
    /// `true` once the interval is over and the kline is final (`confirm`).
    pub confirmed: bool,
}

/// One message of the public WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamMessage {
    /// Trades of a `publicTrade` topic, in the order sent.
    Trades {
        /// The topic.
        topic: Topic,
        /// The trades.
        trades: Vec<PublicTrade>,
    },
    /// A snapshot or delta of an `orderbook` topic (`time_ms` is `ts`,
    /// `matching_time_ms` is `cts`).
    Book {
        /// The topic.
        topic: Topic,
        /// Snapshot or delta.
        kind: BookKind,
        /// The levels sent, with update id and times.
        book: OrderBookSnapshot,
    },
    /// Klines of a `kline` topic.
    Klines {
        /// The topic.
        topic: Topic,
        /// The klines.
        klines: Vec<StreamKline>,
    },
    /// The answer to a heartbeat `ping`.
    Pong,
    /// The answer to `subscribe` or `unsubscribe`.
    OpAnswer {
        /// `subscribe` or `unsubscribe`.
        op: String,
        /// Whether the exchange accepted it.
        success: bool,
        /// The exchange's message (the reason, on failure).
        message: String,
        /// The request id sent with it.
        req_id: String,
    },
}

#[derive(Deserialize)]
struct Envelope {
    topic: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    ts: Option<i64>,
    cts: Option<i64>,
    #[serde(default)]
    data: Value,
    op: Option<String>,
    success: Option<bool>,
    ret_msg: Option<String>,
    req_id: Option<String>,
}

#[derive(Deserialize)]
struct WireStreamTrade {
    #[serde(rename = "T")]
    time: i64,
    s: String,
    #[serde(rename = "S")]
    side: String,
    v: String,
    p: String,
    i: String,
    #[serde(rename = "BT", default)]
    block_trade: bool,
}

#[derive(Deserialize)]
struct WireStreamBook {
    s: String,
    b: Vec<[String; 2]>,
    a: Vec<[String; 2]>,
    u: u64,
    seq: Option<u64>,
}

#[derive(Deserialize)]
struct WireStreamKline {
    start: i64,
    end: i64,
    open: String,
    close: String,
    high: String,
    low: String,
    volume: String,
    turnover: String,
    confirm: bool,
}

impl StreamMessage {
    /// Reads one text frame; the error says which field was wrong and why.
    pub fn parse(text: &str) -> Result<Self, String> {
        let envelope: Envelope = serde_json::from_str(text).map_err(|e| format!("not a JSON message: {e}"))?;
        if let Some(name) = &envelope.topic {
            let topic =
                Topic::parse(name).ok_or_else(|| format!("`topic` = {name:?} is not a topic this client reads"))?;
            return match &topic {
                Topic::Trades { .. } => Ok(Self::Trades { trades: trades(envelope.data)?, topic }),
                Topic::OrderBook { .. } => {
                    let kind = match envelope.kind.as_deref() {
                        Some("snapshot") => BookKind::Snapshot,
                        Some("delta") => BookKind::Delta,
                        other => return Err(format!("`type` = {other:?} is neither \"snapshot\" nor \"delta\"")),
                    };
                    let book = book(envelope.data, envelope.ts.unwrap_or(0), envelope.cts)?;
                    Ok(Self::Book { topic, kind, book })
                }
                Topic::Kline { .. } => Ok(Self::Klines { klines: klines(envelope.data)?, topic }),
            };
        }
        let message = envelope.ret_msg.unwrap_or_default();
        match envelope.op.as_deref() {
            Some("pong") => Ok(Self::Pong),
            Some("ping") if message == "pong" => Ok(Self::Pong),
            Some(op @ ("subscribe" | "unsubscribe")) => Ok(Self::OpAnswer {
                op: op.to_string(),
                success: envelope.success.unwrap_or(false),
                message,
                req_id: envelope.req_id.unwrap_or_default(),
            }),
            other => Err(format!("neither a topic nor an answer this client sent for (`op` = {other:?})")),
        }
    }
}

fn trades(data: Value) -> Result<Vec<PublicTrade>, String> {
    let wire: Vec<WireStreamTrade> = serde_json::from_value(data).map_err(|e| format!("publicTrade `data`: {e}"))?;
    wire.into_iter()
        .map(|t| {
            let taker = match t.side.as_str() {
                "Buy" => TakerSide::Buy,
                "Sell" => TakerSide::Sell,
                other => return Err(format!("`S` = {other:?} is neither \"Buy\" nor \"Sell\"")),
            };
            Ok(PublicTrade {
                exec_id: t.i,
                symbol: t.s,
                price: decimal("p", &t.p)?,
                size: decimal("v", &t.v)?,
                taker,
                time_ms: t.time,
                is_block_trade: t.block_trade,
            })
        })
        .collect()
}

fn book(data: Value, ts: i64, cts: Option<i64>) -> Result<OrderBookSnapshot, String> {
    let wire: WireStreamBook = serde_json::from_value(data).map_err(|e| format!("orderbook `data`: {e}"))?;
    let side = |levels: &[[String; 2]], price: &'static str, size: &'static str| {
        levels
            .iter()
            .map(|[p, s]| Ok(PriceLevel { price: decimal(price, p)?, size: decimal(size, s)? }))
            .collect::<Result<Vec<_>, String>>()
    };
    Ok(OrderBookSnapshot {
        bids: side(&wire.b, "b.price", "b.size")?,
        asks: side(&wire.a, "a.price", "a.size")?,
        symbol: wire.s,
        time_ms: ts,
        update_id: wire.u,
        seq: wire.seq,
        matching_time_ms: cts,
    })
}

fn klines(data: Value) -> Result<Vec<StreamKline>, String> {
    let wire: Vec<WireStreamKline> = serde_json::from_value(data).map_err(|e| format!("kline `data`: {e}"))?;
    wire.into_iter()
        .map(|k| {
            Ok(StreamKline {
                kline: Kline {
                    start_ms: k.start,
                    open: decimal("open", &k.open)?,
                    high: decimal("high", &k.high)?,
                    low: decimal("low", &k.low)?,
                    close: decimal("close", &k.close)?,
                    volume: decimal("volume", &k.volume)?,
                    turnover: decimal("turnover", &k.turnover)?,
                },
                end_ms: k.end,
                confirmed: k.confirm,
            })
        })
        .collect()
}

fn decimal(field: &'static str, text: &str) -> Result<Decimal, String> {
    Decimal::parse(field, text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_written_and_read_as_the_exchange_names_them() {
        for name in ["publicTrade.BTCUSDT", "orderbook.50.ETHUSDT", "kline.D.BTCUSDT", "kline.15.XYZBTC"] {
            assert_eq!(Topic::parse(name).unwrap().to_string(), name);
        }
        assert_eq!(Topic::parse("orderbook.50.BTCUSDT"), Some(Topic::order_book(50, "BTCUSDT")));
        for bad in ["tickers.BTCUSDT", "orderbook.x.BTCUSDT", "kline.7.BTCUSDT", "publicTrade.", "orderbook.50"] {
            assert_eq!(Topic::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_trade_message_keeps_exact_decimals_and_the_taker() {
        let text = r#"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[
            {"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick",
             "i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}"#;
        let StreamMessage::Trades { topic, trades } = StreamMessage::parse(text).unwrap() else { panic!() };
        assert_eq!(topic, Topic::trades("BTCUSDT"));
        assert_eq!((trades[0].price.to_string(), trades[0].size.to_string()), ("16578.50".into(), "0.001".into()));
        assert_eq!((trades[0].taker, trades[0].time_ms), (TakerSide::Buy, 1672304486865));
    }

    #[test]
    fn book_messages_say_snapshot_or_delta_and_keep_both_times() {
        let text = r#"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1671179923046,
            "data":{"s":"BTCUSDT","b":[],"a":[["17440.50","78.857"],["17442.00","0"]],"u":13079593,"seq":22520573300},
            "cts":1671179923040}"#;
        let StreamMessage::Book { kind, book, .. } = StreamMessage::parse(text).unwrap() else { panic!() };
        assert_eq!(
            (kind, book.update_id, book.time_ms, book.matching_time_ms),
            (BookKind::Delta, 13079593, 1671179923046, Some(1671179923040))
        );
        assert_eq!(book.asks[1].size.to_string(), "0");
    }

    #[test]
    fn answers_to_ping_and_subscribe_are_read_in_both_dialects() {
        let spot_pong = r#"{"success":true,"ret_msg":"pong","conn_id":"0970e817","op":"ping"}"#;
        let linear_pong = r#"{"req_id":"7","op":"pong","args":["1675418560633"],"conn_id":"cfcb4ocsvfriu23r3er0"}"#;
        assert_eq!(StreamMessage::parse(spot_pong), Ok(StreamMessage::Pong));
        assert_eq!(StreamMessage::parse(linear_pong), Ok(StreamMessage::Pong));
        let refused = r#"{"success":false,"ret_msg":"error:handler not found,topic:tickerz.X","conn_id":"c","req_id":"sub-1","op":"subscribe"}"#;
        let StreamMessage::OpAnswer { success, message, req_id, .. } = StreamMessage::parse(refused).unwrap() else {
            panic!()
        };
        assert_eq!((success, req_id.as_str()), (false, "sub-1"));
        assert!(message.contains("tickerz"));
    }

    #[test]
    fn a_bad_field_is_named() {
        let text = r#"{"topic":"kline.1.BTCUSDT","type":"snapshot","ts":1,"data":[{"start":0,"end":59999,
            "interval":"1","open":"1","close":"1,5","high":"2","low":"1","volume":"3","turnover":"4","confirm":true}]}"#;
        let problem = StreamMessage::parse(text).unwrap_err();
        assert!(problem.contains("close") && problem.contains("1,5"), "{problem}");
        assert!(StreamMessage::parse("{\"topic\":").unwrap_err().starts_with("not a JSON message"));
    }
}
