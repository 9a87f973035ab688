//! The simulated bars as a polars `DataFrame` and as Parquet (feature
//! `parquet`). The columns are those of the CSV export
//! ([`SimulatedMarket::write_bars_csv`]), with the timestamp as a UTC
//! datetime in milliseconds. Parquet bytes are not stable across polars
//! versions (compression metadata), so compare Parquet files by content.

use std::path::Path;

use polars::prelude::*;

use super::SimulatedMarket;

/// Why a frame could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// polars refused the frame or the file.
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
    /// The output file could not be created.
    #[error("cannot create {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl SimulatedMarket {
    /// All bars as a polars `DataFrame` (timestamp as UTC datetime in ms).
    pub fn bars_frame(&self) -> Result<DataFrame, FrameError> {
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

    /// Writes all bars as Parquet (via polars).
    pub fn write_bars_parquet(&self, path: impl AsRef<Path>) -> Result<(), FrameError> {
        let path = path.as_ref();
        let mut frame = self.bars_frame()?;
        let file = std::fs::File::create(path)
            .map_err(|source| FrameError::Io { path: path.display().to_string(), source })?;
        ParquetWriter::new(file).finish(&mut frame)?;
        Ok(())
    }
}
