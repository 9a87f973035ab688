//! Nothing to import: this crate exists for its targets, the criterion
//! benchmarks (`streaming.rs`, `csv_load.rs`, `minilm.rs`) and the parsers' property
//! tests (`fuzz_parsers.rs`). Run them with `cargo xtask bench` and
//! `cargo xtask fuzz`.
