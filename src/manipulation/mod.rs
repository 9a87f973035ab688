//! Crypto market manipulation on public trade tapes: pump-and-dump, flash
//! crashes, wash trading and whale orders, found without account ids.
//!
//! * [`bars`]: [`BarManipulationDetector`], the pump and crash scores when
//!   only OHLCV bars exist (lower confidence, said in each alert);
//! * [`detector`]: [`CryptoManipulationDetector`], fitted on a symbol's
//!   history, then streaming one trade at a time;
//! * [`evaluate`]: per-pattern PR-AUC, event recall, delay and false
//!   alarms per symbol-day on labelled episodes;
//! * [`scan`]: a whole tape, fitted on its first day and scored on the rest;
//! * [`seconds`]: per-second sums and running window sums;
//! * [`matched_prints`]: equal-size opposite-side prints within
//!   milliseconds, the public trace of wash trades;
//! * [`taker_orders`]: prints grouped into taker orders, and their size scale.

pub mod bars;
pub mod detector;
pub mod evaluate;
pub mod matched_prints;
pub mod scan;
pub mod seconds;
pub mod taker_orders;

pub use bars::{BarManipulationConfig, BarManipulationDetector, BarScores};
pub use detector::{
    CryptoManipulationDetector, ManipulationConfig, PATTERNS, SecondScores, Thresholds, WindowVerdict, surge_z,
};
pub use evaluate::{Episode, SymbolRun, TypeReport, any_pattern_scores, evaluate, evaluate_with_unit, is_true_alert};
pub use scan::{BarScan, FitSplit, TapeScan, scan_bars, scan_tape};
