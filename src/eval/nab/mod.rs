//! The Numenta Anomaly Benchmark (NAB v1.1), scored exactly as NAB scores
//! it, and Orion's overlap-segment F1 on the same windows.
//!
//! * [`corpus`]: the 58 series and their labelled windows, read as NAB has
//!   them (repeated timestamps kept: one score per row);
//! * [`results`]: a detector's scores in NAB's results layout
//!   (`DIR/<detector>/<category>/<detector>_<name>.csv`);
//! * [`profile`]: the three cost profiles (standard, reward low FP, reward
//!   low FN);
//! * [`sweep`]: the weight NAB gives a detection at each row (the scaled
//!   sigmoid of its place in, or after, a window) and the probationary
//!   period;
//! * [`scoreboard`]: the best threshold per detector and profile over the
//!   whole corpus, and the normalised score (null detector 0, perfect 100);
//! * [`overlap`]: Orion's overlap-segment F1 per subset;
//! * [`streaming`]: a streaming detector's scores, row by row.

pub mod corpus;
pub mod error;
pub mod overlap;
pub mod profile;
pub mod results;
pub mod scoreboard;
pub mod streaming;
pub mod sweep;

pub use corpus::{NabCorpus, NabSeries, NabWindow};
pub use error::NabError;
pub use overlap::{OVERLAP_SUBSETS, OverlapCounts, overlap_counts, scores_to_intervals};
pub use profile::{CostProfile, PROFILES, REWARD_LOW_FN_RATE, REWARD_LOW_FP_RATE, STANDARD};
pub use results::{DetectorResults, read_results_dir};
pub use scoreboard::{NabScore, ThresholdScore, ThresholdSearch, corpus_score, corpus_score_with, scores_by_threshold};
pub use streaming::{deviation_to_score, streaming_scores};
pub use sweep::{SweepRow, probationary_length, scaled_sigmoid, sweep_rows};
