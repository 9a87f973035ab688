//! The polars export (feature `parquet`): the DataFrame holds every bar and
//! label, and Parquet reads back to the same frame.
//! Run with `cargo test --features parquet --test parquet_export`.

use llm_anomaly::simulate::{SimConfig, SimulatedMarket};
use polars::prelude::{ParquetReader, SerReader};

#[test]
fn dataframe_and_parquet_agree() {
    let config = SimConfig { seed: 3, days: 10, microstructure: false, ..SimConfig::default() };
    let m = SimulatedMarket::generate(&config).unwrap();
    let df = m.bars_frame().unwrap();
    assert_eq!(df.height(), 5 * 10 * 390);
    assert_eq!(df.width(), 9);
    let labelled = df.column("label").unwrap().bool().unwrap().sum().unwrap() as usize;
    let expected: usize = m.symbols().map(|s| m.bar_labels(s).iter().filter(|&&x| x).count()).sum();
    assert_eq!(labelled, expected);

    let dir = std::env::temp_dir().join(format!("llm_anomaly_parquet_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let parquet = dir.join("bars.parquet");
    m.write_bars_parquet(&parquet).unwrap();
    let back = ParquetReader::new(std::fs::File::open(&parquet).unwrap()).finish().unwrap();
    assert!(back.equals_missing(&df));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unwritable_path_is_an_error_naming_the_file() {
    let config = SimConfig { seed: 3, days: 1, microstructure: false, ..SimConfig::default() };
    let m = SimulatedMarket::generate(&config).unwrap();
    let e = m.write_bars_parquet("/nonexistent-dir/bars.parquet").unwrap_err();
    assert!(e.to_string().contains("/nonexistent-dir/bars.parquet"), "{e}");
}
