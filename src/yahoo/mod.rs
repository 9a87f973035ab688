//! Yahoo Finance's chart API (v8, feature `http`): daily and intraday OHLCV
//! bars of a symbol, read as they come. A row the API sends with `null`
//! prices or volume (a halted minute, a holiday row, a provisional bar) is
//! reported with its time and fields, never turned into zeros.
//!
//! * [`chart`]: the answer's format and how it becomes bars;
//! * [`client`]: the HTTP client, its retries and its settings;
//! * [`error`]: what can go wrong, naming the URL, the field and the value.
//!
//! The API is not documented by Yahoo and asks for no key; it refuses
//! clients without a browser-like `User-Agent` and answers too many
//! requests with HTTP 429, which the client waits out and retries.
//!
//! ```no_run
//! use llm_anomaly::yahoo::{ChartInterval, ChartSpan, YahooClient, YahooConfig};
//!
//! let client = YahooClient::new(YahooConfig::default())?;
//! let chart = client.chart("^GSPC", ChartInterval::Day1, ChartSpan::Range("1y".into()))?;
//! println!("{} bars, {} rows with nulls", chart.bars.len(), chart.missing.len());
//! # Ok::<(), llm_anomaly::yahoo::YahooError>(())
//! ```

pub mod chart;
pub mod client;
pub mod error;

pub use chart::{Chart, ChartInterval, ChartSpan, MissingRow};
pub use client::{YAHOO_URL, YahooClient, YahooConfig};
pub use error::YahooError;
