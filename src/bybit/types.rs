//! What Bybit v5's public market endpoints answer, as typed values with
//! exact decimals, and how each is read from the documented JSON: kline
//! rows, public trades, order-book snapshots, instrument filters and
//! tickers.
//!
//! Numbers arrive as decimal strings and stay [`Decimal`]: a price of
//! `"17055.5"` is 17055.5, not the nearest `f64`. Conversions to the
//! crate's other models ([`Bar`], [`TapeTrade`], [`Level`], [`Instrument`])
//! are explicit methods.

use std::hash::BuildHasher;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::data::Bar;
use crate::market::{Decimal, Instrument, L2Book, Level, MarketError, Stamps, TakerSide, TapeTrade};

/// A product line of Bybit v5 (the `category` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// Spot pairs.
    Spot,
    /// USDT and USDC perpetuals and futures.
    Linear,
    /// Coin-margined perpetuals and futures.
    Inverse,
}

impl Category {
    /// The value of the `category` parameter (`spot`, `linear`, `inverse`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spot => "spot",
            Self::Linear => "linear",
            Self::Inverse => "inverse",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The length of a kline (the `interval` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    /// 1 minute (`1`).
    Minute1,
    /// 3 minutes (`3`).
    Minute3,
    /// 5 minutes (`5`).
    Minute5,
    /// 15 minutes (`15`).
    Minute15,
    /// 30 minutes (`30`).
    Minute30,
    /// 1 hour (`60`).
    Hour1,
    /// 2 hours (`120`).
    Hour2,
    /// 4 hours (`240`).
    Hour4,
    /// 6 hours (`360`).
    Hour6,
    /// 12 hours (`720`).
    Hour12,
    /// 1 day (`D`).
    Day,
    /// 1 week (`W`).
    Week,
    /// 1 calendar month (`M`).
    Month,
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

impl Interval {
    /// Every interval, shortest first.
    pub const ALL: [Self; 13] = [
        Self::Minute1,
        Self::Minute3,
        Self::Minute5,
        Self::Minute15,
        Self::Minute30,
        Self::Hour1,
        Self::Hour2,
        Self::Hour4,
        Self::Hour6,
        Self::Hour12,
        Self::Day,
        Self::Week,
        Self::Month,
    ];

    /// The value of the `interval` parameter (`1` … `720`, `D`, `W`, `M`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minute1 => "1",
            Self::Minute3 => "3",
            Self::Minute5 => "5",
            Self::Minute15 => "15",
            Self::Minute30 => "30",
            Self::Hour1 => "60",
            Self::Hour2 => "120",
            Self::Hour4 => "240",
            Self::Hour6 => "360",
            Self::Hour12 => "720",
            Self::Day => "D",
            Self::Week => "W",
            Self::Month => "M",
        }
    }

    /// The interval whose parameter value is `code` (`"15"`, `"D"`, ...).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == code)
    }

    /// The length of one kline in milliseconds; a month counts as 31 days,
    /// the longest one (an upper bound, not every month's length).
    pub fn span_ms(self) -> i64 {
        match self {
            Self::Minute1 => MINUTE_MS,
            Self::Minute3 => 3 * MINUTE_MS,
            Self::Minute5 => 5 * MINUTE_MS,
            Self::Minute15 => 15 * MINUTE_MS,
            Self::Minute30 => 30 * MINUTE_MS,
            Self::Hour1 => 60 * MINUTE_MS,
            Self::Hour2 => 120 * MINUTE_MS,
            Self::Hour4 => 240 * MINUTE_MS,
            Self::Hour6 => 360 * MINUTE_MS,
            Self::Hour12 => 720 * MINUTE_MS,
            Self::Day => DAY_MS,
            Self::Week => 7 * DAY_MS,
            Self::Month => 31 * DAY_MS,
        }
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One kline (candle) exactly as Bybit sent it: `[startTime, open, high,
/// low, close, volume, turnover]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kline {
    /// Open time, milliseconds since the Unix epoch.
    pub start_ms: i64,
    /// First traded price.
    pub open: Decimal,
    /// Highest traded price.
    pub high: Decimal,
    /// Lowest traded price.
    pub low: Decimal,
    /// Last traded price.
    pub close: Decimal,
    /// Traded quantity, in the base coin (contracts for inverse).
    pub volume: Decimal,
    /// Traded value, in the quote coin.
    pub turnover: Decimal,
}

impl Kline {
    /// The open time.
    pub fn start(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.start_ms).unwrap_or_default()
    }

    /// The kline as a [`Bar`] (`f64` prices and the base volume), checked
    /// as every bar is.
    pub fn to_bar(&self) -> crate::Result<Bar> {
        Bar::new(
            self.start(),
            self.open.to_f64(),
            self.high.to_f64(),
            self.low.to_f64(),
            self.close.to_f64(),
            self.volume.to_f64(),
        )
    }

    /// Reads one row of `result.list`.
    fn from_row(row: &[String]) -> Result<Self, String> {
        const FIELDS: [&str; 7] = ["startTime", "open", "high", "low", "close", "volume", "turnover"];
        if row.len() < FIELDS.len() {
            return Err(format!("a kline row has {} fields, not 7: {row:?}", row.len()));
        }
        let number = |i: usize| decimal(FIELDS[i], &row[i]);
        Ok(Self {
            start_ms: millis("startTime", &row[0])?,
            open: number(1)?,
            high: number(2)?,
            low: number(3)?,
            close: number(4)?,
            volume: number(5)?,
            turnover: number(6)?,
        })
    }
}

/// One public trade of `recent-trade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicTrade {
    /// The execution id (a number for spot, a UUID for derivatives).
    pub exec_id: String,
    /// The symbol.
    pub symbol: String,
    /// The price.
    pub price: Decimal,
    /// The quantity.
    pub size: Decimal,
    /// The taker's side (Bybit's `side`).
    pub taker: TakerSide,
    /// Trade time, milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// `true` for a block trade.
    pub is_block_trade: bool,
}

impl PublicTrade {
    /// The trade on a tape of `instrument`: price in ticks, size in steps,
    /// time in µs; the id is `execId` when it is a number, otherwise its
    /// 64-bit foldhash (seed 0, as trade files are read). Errors name a
    /// price or size off the instrument's steps.
    pub fn to_tape_trade(&self, instrument: &Instrument) -> Result<TapeTrade, MarketError> {
        Ok(TapeTrade {
            time_us: self.time_ms.saturating_mul(1000),
            price: self.price.steps_of(instrument.tick_size(), "price")?,
            qty: self.size.steps_of(instrument.qty_step(), "qty")?,
            taker: self.taker,
            id: trade_id(&self.exec_id),
        })
    }

    fn from_wire(wire: WireTrade) -> Result<Self, String> {
        let taker = match wire.side.as_str() {
            "Buy" => TakerSide::Buy,
            "Sell" => TakerSide::Sell,
            other => return Err(format!("`side` = {other:?} is neither \"Buy\" nor \"Sell\"")),
        };
        Ok(Self {
            price: decimal("price", &wire.price)?,
            size: decimal("size", &wire.size)?,
            time_ms: millis("time", &wire.time)?,
            exec_id: wire.exec_id,
            symbol: wire.symbol,
            taker,
            is_block_trade: wire.is_block_trade,
        })
    }
}

/// A trade id as a number: the id itself when it is one, else its hash.
pub(crate) fn trade_id(exec_id: &str) -> u64 {
    exec_id.parse().unwrap_or_else(|_| foldhash::fast::FixedState::with_seed(0).hash_one(exec_id))
}

/// One price level of an order-book answer, exactly as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceLevel {
    /// The price.
    pub price: Decimal,
    /// The resting size.
    pub size: Decimal,
}

impl PriceLevel {
    /// The level in the instrument's ticks and steps.
    pub fn to_level(&self, instrument: &Instrument) -> Result<Level, MarketError> {
        Ok(Level {
            price: self.price.steps_of(instrument.tick_size(), "price")?,
            size: self.size.steps_of(instrument.qty_step(), "size")?,
        })
    }
}

/// An order-book snapshot of `orderbook`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBookSnapshot {
    /// The symbol (`s`).
    pub symbol: String,
    /// Bids, best (highest) first (`b`).
    pub bids: Vec<PriceLevel>,
    /// Asks, best (lowest) first (`a`).
    pub asks: Vec<PriceLevel>,
    /// When the answer was made, ms since the Unix epoch (`ts`).
    pub time_ms: i64,
    /// The update id (`u`).
    pub update_id: u64,
    /// The cross sequence (`seq`), when sent.
    pub seq: Option<u64>,
    /// The matching engine's time of the book, ms (`cts`), when sent.
    pub matching_time_ms: Option<i64>,
}

impl OrderBookSnapshot {
    /// The bids in ticks and steps, best first.
    pub fn bid_levels(&self, instrument: &Instrument) -> Result<Vec<Level>, MarketError> {
        self.bids.iter().map(|l| l.to_level(instrument)).collect()
    }

    /// The asks in ticks and steps, best first.
    pub fn ask_levels(&self, instrument: &Instrument) -> Result<Vec<Level>, MarketError> {
        self.asks.iter().map(|l| l.to_level(instrument)).collect()
    }

    /// Replaces `book` with this snapshot (update id `u`, exchange time
    /// `cts`, else `ts`), received at `received_ms`. Errors on a level off
    /// the instrument's steps (the book is unchanged) or a crossed book.
    pub fn apply_to(&self, book: &mut L2Book, instrument: &Instrument, received_ms: i64) -> Result<(), MarketError> {
        let (bids, asks) = (self.bid_levels(instrument)?, self.ask_levels(instrument)?);
        let stamps = Stamps { exchange_ms: self.matching_time_ms.unwrap_or(self.time_ms), received_ms };
        book.apply_snapshot(self.update_id, &bids, &asks, stamps)
    }

    fn from_wire(wire: WireBook) -> Result<Self, String> {
        let side = |levels: &[[String; 2]], price: &'static str, size: &'static str| {
            levels
                .iter()
                .map(|[p, s]| Ok(PriceLevel { price: decimal(price, p)?, size: decimal(size, s)? }))
                .collect::<Result<Vec<_>, String>>()
        };
        Ok(Self {
            bids: side(&wire.b, "b.price", "b.size")?,
            asks: side(&wire.a, "a.price", "a.size")?,
            symbol: wire.s,
            time_ms: wire.ts,
            update_id: wire.u,
            seq: wire.seq,
            matching_time_ms: wire.cts,
        })
    }
}

/// An instrument's description and trading filters of `instruments-info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentInfo {
    /// The category it was listed under.
    pub category: Category,
    /// The symbol.
    pub symbol: String,
    /// The base coin (`BTC` of `BTCUSDT`).
    pub base_coin: String,
    /// The quote coin (`USDT` of `BTCUSDT`).
    pub quote_coin: String,
    /// `Trading`, `PreLaunch`, `Delivering`, `Closed`, ...
    pub status: String,
    /// `priceFilter.tickSize`.
    pub tick_size: Decimal,
    /// The quantity step: `lotSizeFilter.qtyStep` (derivatives), else
    /// `lotSizeFilter.basePrecision` (spot).
    pub qty_step: Decimal,
    /// `lotSizeFilter.minOrderQty`, when sent.
    pub min_order_qty: Option<Decimal>,
    /// `lotSizeFilter.maxOrderQty`, when sent.
    pub max_order_qty: Option<Decimal>,
}

impl InstrumentInfo {
    /// The [`Instrument`] with these steps; an error when a step is not
    /// positive.
    pub fn instrument(&self) -> Result<Instrument, MarketError> {
        Instrument::from_steps(&self.symbol, self.tick_size, self.qty_step)
    }

    fn from_wire(category: Category, wire: WireInstrument) -> Result<Self, String> {
        let lot = wire.lot_size_filter;
        let qty_step = match (&lot.qty_step, &lot.base_precision) {
            (Some(step), _) => decimal("lotSizeFilter.qtyStep", step)?,
            (None, Some(precision)) => decimal("lotSizeFilter.basePrecision", precision)?,
            (None, None) => {
                return Err(format!("{}: lotSizeFilter has neither qtyStep nor basePrecision", wire.symbol));
            }
        };
        let optional = |field, text: &Option<String>| text.as_deref().map(|t| decimal(field, t)).transpose();
        Ok(Self {
            category,
            tick_size: decimal("priceFilter.tickSize", &wire.price_filter.tick_size)?,
            qty_step,
            min_order_qty: optional("lotSizeFilter.minOrderQty", &lot.min_order_qty)?,
            max_order_qty: optional("lotSizeFilter.maxOrderQty", &lot.max_order_qty)?,
            symbol: wire.symbol,
            base_coin: wire.base_coin,
            quote_coin: wire.quote_coin,
            status: wire.status,
        })
    }
}

/// The 24-hour summary of one symbol (`tickers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticker {
    /// The symbol.
    pub symbol: String,
    /// The last traded price.
    pub last_price: Decimal,
    /// The best bid, when there is one.
    pub bid1_price: Option<Decimal>,
    /// The best ask, when there is one.
    pub ask1_price: Option<Decimal>,
    /// Volume over 24 hours, base coin.
    pub volume_24h: Decimal,
    /// Turnover over 24 hours, quote coin.
    pub turnover_24h: Decimal,
    /// The highest price over 24 hours.
    pub high_price_24h: Decimal,
    /// The lowest price over 24 hours.
    pub low_price_24h: Decimal,
    /// The price 24 hours ago.
    pub prev_price_24h: Decimal,
    /// The change over 24 hours as a fraction (`0.01` is +1 %).
    pub price_24h_pcnt: Decimal,
}

impl Ticker {
    fn from_wire(wire: WireTicker) -> Result<Self, String> {
        let optional = |field, text: &Option<String>| {
            text.as_deref().filter(|t| !t.is_empty()).map(|t| decimal(field, t)).transpose()
        };
        Ok(Self {
            last_price: decimal("lastPrice", &wire.last_price)?,
            bid1_price: optional("bid1Price", &wire.bid1_price)?,
            ask1_price: optional("ask1Price", &wire.ask1_price)?,
            volume_24h: decimal("volume24h", &wire.volume_24h)?,
            turnover_24h: decimal("turnover24h", &wire.turnover_24h)?,
            high_price_24h: decimal("highPrice24h", &wire.high_price_24h)?,
            low_price_24h: decimal("lowPrice24h", &wire.low_price_24h)?,
            prev_price_24h: decimal("prevPrice24h", &wire.prev_price_24h)?,
            price_24h_pcnt: decimal("price24hPcnt", &wire.price_24h_pcnt)?,
            symbol: wire.symbol,
        })
    }
}

/// A decimal field, or a problem naming the field and the value.
fn decimal(field: &'static str, text: &str) -> Result<Decimal, String> {
    Decimal::parse(field, text).map_err(|e| e.to_string())
}

/// A millisecond timestamp sent as a string.
fn millis(field: &'static str, text: &str) -> Result<i64, String> {
    text.parse().map_err(|_| format!("`{field}` = {text:?} is not a whole number of milliseconds"))
}

/// `result` as the wire type `T`.
fn wire<T: serde::de::DeserializeOwned>(result: Value) -> Result<T, String> {
    serde_json::from_value(result).map_err(|e| format!("result: {e}"))
}

#[derive(Deserialize)]
struct WireList<T> {
    list: Vec<T>,
    #[serde(rename = "nextPageCursor", default)]
    next_page_cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTrade {
    exec_id: String,
    symbol: String,
    price: String,
    size: String,
    side: String,
    time: String,
    #[serde(default)]
    is_block_trade: bool,
}

#[derive(Deserialize)]
struct WireBook {
    s: String,
    a: Vec<[String; 2]>,
    b: Vec<[String; 2]>,
    ts: i64,
    u: u64,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    cts: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireInstrument {
    symbol: String,
    #[serde(default)]
    base_coin: String,
    #[serde(default)]
    quote_coin: String,
    #[serde(default)]
    status: String,
    lot_size_filter: WireLotSize,
    price_filter: WirePriceFilter,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireLotSize {
    base_precision: Option<String>,
    qty_step: Option<String>,
    min_order_qty: Option<String>,
    max_order_qty: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePriceFilter {
    tick_size: String,
}

#[derive(Deserialize)]
struct WireTicker {
    symbol: String,
    #[serde(rename = "lastPrice")]
    last_price: String,
    #[serde(rename = "bid1Price", default)]
    bid1_price: Option<String>,
    #[serde(rename = "ask1Price", default)]
    ask1_price: Option<String>,
    #[serde(rename = "volume24h")]
    volume_24h: String,
    #[serde(rename = "turnover24h")]
    turnover_24h: String,
    #[serde(rename = "highPrice24h")]
    high_price_24h: String,
    #[serde(rename = "lowPrice24h")]
    low_price_24h: String,
    #[serde(rename = "prevPrice24h")]
    prev_price_24h: String,
    #[serde(rename = "price24hPcnt")]
    price_24h_pcnt: String,
}

/// `result` of `kline`: the rows as sent (newest first).
pub(crate) fn decode_klines(result: Value) -> Result<Vec<Kline>, String> {
    let list: WireList<Vec<String>> = wire(result)?;
    list.list.iter().map(|row| Kline::from_row(row)).collect()
}

/// `result` of `recent-trade`: the trades as sent (newest first).
pub(crate) fn decode_trades(result: Value) -> Result<Vec<PublicTrade>, String> {
    let list: WireList<WireTrade> = wire(result)?;
    list.list.into_iter().map(PublicTrade::from_wire).collect()
}

/// `result` of `orderbook`.
pub(crate) fn decode_book(result: Value) -> Result<OrderBookSnapshot, String> {
    OrderBookSnapshot::from_wire(wire(result)?)
}

/// `result` of `instruments-info`: one page and the cursor of the next
/// (`None` on the last page).
pub(crate) fn decode_instruments(
    category: Category,
    result: Value,
) -> Result<(Vec<InstrumentInfo>, Option<String>), String> {
    let list: WireList<WireInstrument> = wire(result)?;
    let cursor = list.next_page_cursor.filter(|c| !c.is_empty());
    let infos = list.list.into_iter().map(|w| InstrumentInfo::from_wire(category, w)).collect::<Result<_, _>>()?;
    Ok((infos, cursor))
}

/// `result` of `tickers`.
pub(crate) fn decode_tickers(result: Value) -> Result<Vec<Ticker>, String> {
    let list: WireList<WireTicker> = wire(result)?;
    list.list.into_iter().map(Ticker::from_wire).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn intervals_round_trip_and_have_lengths() {
        for interval in Interval::ALL {
            assert_eq!(Interval::from_code(interval.as_str()), Some(interval));
        }
        assert_eq!(Interval::Hour4.span_ms(), 4 * 3_600_000);
        assert_eq!(Interval::Month.span_ms(), 31 * 86_400_000);
        assert_eq!(Interval::from_code("2"), None);
    }

    #[test]
    fn kline_rows_keep_exact_decimals_and_name_a_bad_field() {
        let rows = json!({"symbol": "BTCUSDT", "category": "spot", "list": [
            ["1670608800000", "17071", "17073", "17027", "17055.5", "268611", "15.74462667"]]});
        let kline = decode_klines(rows).unwrap()[0];
        assert_eq!((kline.start_ms, kline.close.to_string()), (1_670_608_800_000, "17055.5".to_string()));
        assert_eq!(kline.start().to_rfc3339(), "2022-12-09T18:00:00+00:00");
        let bar = kline.to_bar().unwrap();
        assert_eq!((bar.high, bar.close, bar.volume), (17073.0, 17055.5, 268_611.0));
        let bad = json!({"list": [["1670608800000", "17071", "17073", "17027", "17O55", "1", "1"]]});
        let problem = decode_klines(bad).unwrap_err();
        assert!(problem.contains("`close`") && problem.contains("17O55"), "{problem}");
    }

    #[test]
    fn trade_ids_are_numbers_or_hashes() {
        assert_eq!(trade_id("2100000000007764263"), 2_100_000_000_007_764_263);
        let uuid = "3d8f1d1c-7c8e-5a0f-9d3b-6b2f0e3a1c55";
        assert_eq!(trade_id(uuid), foldhash::fast::FixedState::with_seed(0).hash_one(uuid));
    }

    #[test]
    fn an_empty_best_bid_is_none_in_a_ticker() {
        let ticker = json!({"list": [{"symbol": "XUSDT", "lastPrice": "1.5", "bid1Price": "", "ask1Price": "1.6",
            "volume24h": "10", "turnover24h": "15", "highPrice24h": "1.7", "lowPrice24h": "1.4",
            "prevPrice24h": "1.45", "price24hPcnt": "-0.0345", "usdIndexPrice": "1.5"}]});
        let t = &decode_tickers(ticker).unwrap()[0];
        assert_eq!((t.bid1_price, t.ask1_price.map(|d| d.to_string())), (None, Some("1.6".into())));
        assert_eq!(t.price_24h_pcnt.to_string(), "-0.0345");
    }
}
