//! # llm_anomaly
//!
//! The companion library of the book *LLM Anomaly Detection in Financial Markets*.
//!
//! * [`data`]: market data types (bars, trades, order books, news, social
//!   mentions) that validate themselves, and a CSV loader for real files.
//! * [`simulate`]: a seeded market simulator with labelled anomalies of every
//!   type: the ground truth every chapter is measured against.
//! * [`alert`]: one alert model for every modality: scored observations,
//!   typed evidence, calibration, alert intervals and their JSON lines.
//! * [`detect`]: streaming detectors (rolling z-score, median/MAD, EWMA), the
//!   price/volume detector, the multi-symbol monitor, thresholds and alerts.
//! * [`market`]: the live-market data model: instruments, exact ticks,
//!   trade tapes and a level-2 book with update-id checks.
//! * `bybit` (feature `http`, on by default): a client of Bybit v5's public
//!   market REST endpoints (klines, trades, order book, instruments,
//!   tickers) with exact decimals, retries and a client-side rate limit;
//!   its public WebSocket, kept alive across disconnects; a local replay
//!   server of its trade stream; and its public trade archive, cached.
//! * `yahoo` (feature `http`): Yahoo Finance's chart API, daily and
//!   intraday bars, rows with `null`s reported rather than zeroed.
//! * [`manipulation`]: the crypto manipulation detector on public trade
//!   tapes (pump-and-dump, flash crash, wash trading, whale orders).
//! * [`eval`]: precision/recall/F1, PR-AUC, ROC-AUC, event-level recall,
//!   detection delay, point adjustment and leak-free temporal splits.
//! * `plot` (feature `figures`, on by default): figures (SVG/PNG) that render
//!   text without system fonts.
//! * [`models`]: where pretrained models live on disk (the Hugging Face hub
//!   layout) and the checks that tell a whole copy from a broken one.
//! * `text` (feature `text`, on by default): sentence embeddings in candle
//!   (MiniLM, FinBERT) and the text anomaly detector.
//! * `llm` (feature `text`): local GGUF chat models (SmolLM2) in candle, with
//!   the tokenizer rebuilt from the file, chat templates and label-likelihood
//!   scoring.
//! * `timeseries` (feature `neural`, in the defaults): the seed's
//!   transformer autoencoder of windows, trained in candle-nn, as a fitted
//!   detector of bars and single-value series.
//! * [`baseline`]: a faithful port of the seed chapter's detector, kept for
//!   benchmarks and comparisons only.
//!
//! Scores follow one rule everywhere: **higher means more anomalous**, and
//! thresholds live outside detectors.

#![warn(missing_docs)]

pub mod alert;
pub mod baseline;
#[cfg(feature = "http")]
mod blocking;
#[cfg(feature = "http")]
pub mod bybit;
pub mod data;
pub mod detect;
pub mod error;
pub mod eval;
#[cfg(feature = "text")]
pub mod llm;
pub mod manipulation;
pub mod market;
pub mod models;
#[cfg(feature = "figures")]
pub mod plot;
pub mod prelude;
pub mod scan;
pub mod simulate;
#[cfg(feature = "text")]
pub mod text;
#[cfg(feature = "neural")]
pub mod timeseries;
#[cfg(feature = "http")]
pub mod yahoo;

pub use error::{Error, Result};
