//! Time-series detectors that learn (feature `neural`, on by default): the
//! seed's transformer autoencoder of windows, trained in candle-nn.
//!
//! * [`SeriesFeatures`] and [`Normaliser`]: bars or single values become
//!   rows that read no later point, standardised on the training points;
//! * [`TimeSeriesAnomalyEncoder`]: input projection, learned positional
//!   encoding, transformer encoder, embedding and reconstruction heads;
//! * [`train`]: mini-batches, AdamW, a validation split from the end of the
//!   training period, early stopping, seeded;
//! * [`TimeSeriesAnomalyDetector`]: `fit → fitted`; scores by
//!   reconstruction error or embedding distance, thresholds and calibrates
//!   on the validation windows, saves and loads as safetensors;
//! * [`AutoencoderFactory`]: the fitted detector as a
//!   [`crate::alert::BarDetectorFactory`], so [`crate::scan::scan_with`]
//!   gives it thresholds, alert intervals and the JSON lines of example 01;
//! * [`seed_sample_data`]: the seed's synthetic OHLCV windows, for its test.

pub mod bar_factory;
pub mod detector;
pub mod encoder;
pub mod error;
pub mod features;
mod layers;
pub mod synthetic;
pub mod training;
pub mod weights_file;

pub use bar_factory::{AutoencoderBarDetector, AutoencoderFactory};
pub use detector::{
    EmbeddingReference, ErrorFocus, FittedTimeSeriesDetector, ScoreMethod, SeriesScores, TimeSeriesAnomalyDetector,
    TimeSeriesDetectorConfig,
};
pub use encoder::{EncoderConfig, TimeSeriesAnomalyEncoder, WindowOutputs};
pub use error::TimeSeriesError;
pub use features::{FeatureKind, INPUT_CLIP, NormalisedSeries, Normaliser, SeriesFeatures};
pub use synthetic::{SeedSample, SeedTestReport, run_seed_test, seed_sample_data};
pub use training::{TrainingConfig, TrainingReport, WindowSplit, train};
pub use weights_file::WEIGHTS_FORMAT;
