//! Getting simulated data out as CSV (a polars `DataFrame` and Parquet are in
//! `simulate::frame`, behind the `parquet` feature).
//!
//! The bars table has one row per bar and symbol with the columns
//! `timestamp, symbol, open, high, low, close, volume, label, pattern`:
//! `label` is 1 inside a bar-visible anomaly and 0 elsewhere, `pattern` names
//! it (empty when normal). The CSV is exactly what
//! [`crate::data::BarCsv`] and the examples' `--input` read back.
//! The news table (`timestamp, symbol, headline, source`; `symbol` empty
//! for market-wide news) is what [`crate::data::HeadlineFile`] and example
//! 01's `--news` read back. CSV output is byte-stable for a seed.

use std::path::Path;

use super::SimulatedMarket;
use crate::error::{Error, Result};

impl SimulatedMarket {
    /// Writes all bars as CSV (RFC 3339 timestamps, label 0/1).
    pub fn write_bars_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
        let mut w = csv::Writer::from_path(path).map_err(io)?;
        w.write_record(["timestamp", "symbol", "open", "high", "low", "close", "volume", "label", "pattern"])
            .map_err(io)?;
        for s in &self.series {
            for (b, p) in s.bars().iter().zip(self.bar_patterns(s.symbol())) {
                w.write_record([
                    b.timestamp.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    s.symbol().to_string(),
                    b.open.to_string(),
                    b.high.to_string(),
                    b.low.to_string(),
                    b.close.to_string(),
                    b.volume.to_string(),
                    u8::from(p.is_some()).to_string(),
                    p.map_or(String::new(), |p| p.name().to_string()),
                ])
                .map_err(io)?;
            }
        }
        w.flush().map_err(|e| Error::io(path, e))
    }

    /// Writes the headlines as CSV: `timestamp, symbol, headline, source`.
    pub fn write_news_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
        let mut w = csv::Writer::from_path(path).map_err(io)?;
        w.write_record(["timestamp", "symbol", "headline", "source"]).map_err(io)?;
        for n in &self.news {
            w.write_record([
                n.timestamp.format("%Y-%m-%dT%H:%M:%SZ").to_string().as_str(),
                n.symbol.as_deref().unwrap_or(""),
                n.headline.as_str(),
                n.source.as_str(),
            ])
            .map_err(io)?;
        }
        w.flush().map_err(|e| Error::io(path, e))
    }

    /// Writes the labels as CSV: `symbol, class, pattern, start, end`.
    pub fn write_labels_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
        let mut w = csv::Writer::from_path(path).map_err(io)?;
        w.write_record(["symbol", "class", "pattern", "start", "end"]).map_err(io)?;
        for l in &self.labels {
            w.write_record([
                l.symbol.clone(),
                format!("{:?}", l.class()).to_lowercase(),
                l.pattern.name().to_string(),
                l.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                l.end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ])
            .map_err(io)?;
        }
        w.flush().map_err(|e| Error::io(path, e))
    }
}
