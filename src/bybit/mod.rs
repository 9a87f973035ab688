//! Bybit v5's public market data over REST and WebSocket (feature `http`): klines over
//! any time range, recent trades, order-book snapshots, instrument filters
//! and tickers, read with exact decimals and turned into the crate's own
//! models ([`Bar`](crate::data::Bar), [`TapeTrade`](crate::market::TapeTrade),
//! [`L2Book`](crate::market::L2Book) levels, [`Instrument`](crate::market::Instrument)).
//!
//! * [`types`]: categories, intervals and what each endpoint answers;
//! * [`rest`]: the client, its configuration, pagination and retries;
//! * [`rate_limit`]: the client-side token bucket and the pause until the
//!   exchange's limit resets;
//! * [`stream`]: the public WebSocket, kept alive across disconnects, with
//!   nothing passed on twice and every unrecoverable gap reported;
//! * [`archive`]: the public trade archive (a day of trades per file),
//!   downloaded once into a local cache;
//! * [`replay`]: a local server that replays trade tapes as the public
//!   stream sends them, for offline monitors and tests;
//! * [`stream_message`]: the topics and what the WebSocket sends;
//! * [`stream_memory`]: what the stream remembers to drop repeats;
//! * [`error`]: what can go wrong, naming the endpoint, and whether it was
//!   retried.
//!
//! Public endpoints need no API key, and this client reads none.
//!
//! ```no_run
//! use llm_anomaly::bybit::{BybitClient, BybitConfig, Category, Interval};
//!
//! let client = BybitClient::new(BybitConfig::mainnet())?;
//! let btc = client.instrument(Category::Spot, "BTCUSDT")?;
//! let day = client.klines(Category::Spot, "BTCUSDT", Interval::Minute1, 1_700_000_000_000, 1_700_086_399_999)?;
//! let tape = client.tape_trades(Category::Spot, &btc, 60)?;
//! println!("{} bars, {} trades", day.len(), tape.len());
//! # Ok::<(), llm_anomaly::bybit::BybitError>(())
//! ```

pub mod archive;
pub mod error;
pub mod rate_limit;
pub mod replay;
pub mod rest;
pub mod stream;
pub mod stream_memory;
pub mod stream_message;
pub mod types;

pub use crate::llm::{Jitter, RetryPolicy};
pub use archive::{ARCHIVE_URL, TradeArchive};
pub use error::{BybitError, RET_CODE_TOO_MANY_VISITS};
pub use rate_limit::RateLimiter;
pub use replay::{REPLAY_BACKLOG, REPLAY_SPEEDS, ReplayClock, ReplayServer};
pub use rest::{BybitClient, BybitConfig, KLINE_PAGE_LIMIT, MAINNET_URL, TESTNET_URL};
pub use stream::{BybitStream, StreamConfig, StreamEvent, TOPICS_PER_REQUEST, public_stream_url};
pub use stream_memory::{BookSync, KlineWatermark, SeenTrades};
pub use stream_message::{BookKind, StreamKline, StreamMessage, Topic};
pub use types::{Category, InstrumentInfo, Interval, Kline, OrderBookSnapshot, PriceLevel, PublicTrade, Ticker};
