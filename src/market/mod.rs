//! The data model of live markets: instruments with their tick size and
//! quantity step, exchange decimals turned into integer steps exactly, and
//! a level-2 order book kept from snapshots and deltas with update-id
//! checks (Bybit v5's public order-book stream).
//!
//! * [`decimal`]: `"65432.10"` → whole ticks, without `f64`;
//! * [`instrument`]: an instrument's steps and the small id the hot path
//!   carries instead of its symbol;
//! * [`l2_book`]: the book, which refuses a missed update or a crossed
//!   book and says it needs a fresh snapshot;
//! * [`tape`]: one instrument's trades with ticks, steps, taker side and id;
//! * [`tape_file`]: trade files as exchanges publish them (plain CSV,
//!   Binance aggTrades, Bybit public trading), recognised without flags;
//! * [`trade_bars`]: trades → time or volume bars for the bar detectors;
//! * [`error`]: what can go wrong, naming the field and the value.

pub mod decimal;
pub mod error;
pub mod instrument;
pub mod l2_book;
pub mod tape;
pub mod tape_file;
pub mod trade_bars;

pub use decimal::Decimal;
pub use error::MarketError;
pub use instrument::{Instrument, InstrumentId, InstrumentRegistry};
pub use l2_book::{BookStatus, L2Book, Level, Side, Stamps};
pub use tape::{TakerSide, TapeTrade, TradeTape};
pub use tape_file::{LoadedTape, TapeFile, TapeFileError, TapeFileReport, TapeFormat};
pub use trade_bars::{BarAggregator, BarRule, TradeBar};
