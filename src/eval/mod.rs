//! Evaluation: how good is a detector, measured without fooling ourselves.
//!
//! * [`confusion`]: the confusion matrix and precision, recall, F1,
//!   false-positive rate and accuracy at one threshold;
//! * [`ranking`]: threshold-free metrics, average precision (PR-AUC) and
//!   ROC-AUC, equal to scikit-learn's, and the curves behind them;
//! * [`events`]: anomalies as intervals, event recall, detection delay and
//!   the (score-inflating, reported only alongside plain F1) point-adjust
//!   protocol;
//! * [`split`]: temporal train/test splits that cannot leak the future;
//! * [`nab`]: the Numenta Anomaly Benchmark scored exactly as NAB scores it,
//!   and Orion's overlap-segment F1.
//!
//! Conventions: higher scores are more anomalous; labels are `&[bool]` with
//! `true` = anomaly; a NaN score is an error naming its index; a ratio with a
//! zero denominator is `None`, never a made-up number.

pub mod confusion;
pub mod events;
pub mod nab;
pub mod ranking;
pub mod split;

pub use confusion::ConfusionMatrix;
pub use events::{Event, EventReport, event_report, events_from_labels, point_adjust, point_adjusted_f1};
pub use ranking::{PrPoint, RocPoint, average_precision, pr_curve, roc_auc, roc_curve};
pub use split::{TemporalSplit, split_at_time, temporal_split};
