//! Getting simulated data out: a polars `DataFrame`, CSV and Parquet.
//!
//! The bars table has one row per bar and symbol with the columns
//! `timestamp, symbol, open, high, low, close, volume, label, pattern`:
//! `label` is 1 inside a bar-visible anomaly and 0 elsewhere, `pattern` names
//! it (empty when normal). The CSV is exactly what
//! [`crate::data::BarCsv`] and the examples' `--input` read back.
//! CSV output is byte-stable for a seed; Parquet bytes are not (compression
//! metadata), so compare Parquet files by content.

use std::path::Path;

use polars::prelude::*;

use super::SimulatedMarket;
use crate::error::{Error, Result};

impl SimulatedMarket {
    /// All bars as a polars `DataFrame` (timestamp as UTC datetime in ms).
    pub fn bars_frame(&self) -> Result<DataFrame> {
        let mut symbol = Vec::new();
        let mut ts = Vec::new();
        let (mut open, mut high, mut low, mut close, mut volume) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut label = Vec::new();
        let mut pattern: Vec<Option<&'static str>> = Vec::new();
        for s in &self.series {
            let patterns = self.bar_patterns(s.symbol());
            for (b, p) in s.bars().iter().zip(patterns) {
                symbol.push(s.symbol().to_string());
                ts.push(b.timestamp.timestamp_millis());
                open.push(b.open);
                high.push(b.high);
                low.push(b.low);
                close.push(b.close);
                volume.push(b.volume);
                label.push(p.is_some());
                pattern.push(p.map(|p| p.name()));
            }
        }
        let height = ts.len();
        let timestamp = Column::new("timestamp".into(), ts)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, Some(polars::prelude::TimeZone::UTC)))?;
        let frame = DataFrame::new(
            height,
            vec![
                timestamp,
                Column::new("symbol".into(), symbol),
                Column::new("open".into(), open),
                Column::new("high".into(), high),
                Column::new("low".into(), low),
                Column::new("close".into(), close),
                Column::new("volume".into(), volume),
                Column::new("label".into(), label),
                Column::new("pattern".into(), pattern),
            ],
        )?;
        Ok(frame)
    }

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

    /// Writes all bars as Parquet (via polars).
    pub fn write_bars_parquet(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut frame = self.bars_frame()?;
        let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        ParquetWriter::new(file).finish(&mut frame)?;
        Ok(())
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
