//! One alert model for every modality.
//!
//! Whatever a detector reads (bars, text, order books, a language model's
//! verdict), it produces the same [`Scored`] observation: a raw score
//! (higher = more anomalous, never clamped), the [`AnomalyType`] it reports
//! when alerted and typed [`Evidence`]. From there the path is shared:
//!
//! 1. a threshold from [`crate::detect::threshold`] decides which
//!    observations are hits ([`Scored::kind_at`]);
//! 2. [`IntervalMerger`] merges hits into [`AlertInterval`]s, whose JSON
//!    line is the same for every example;
//! 3. a [`Calibrator`] fitted on a reference period turns raw scores into
//!    probabilities, so scores of different detectors become comparable;
//! 4. a later stage can mark an alert [`Explained`] (ordinary news behind
//!    a surge) or [`Escalated`] (a pump call before a run-up); it is kept,
//!    never deleted.
//!
//! [`ScoredEvent`] is one observation placed in time with its probability,
//! for lists of scored items (headlines, posts). The explanation of an
//! event or alert is formatted only when displayed, so none of this
//! allocates per observation.

pub mod action;
pub mod calibrate;
pub mod confidence;
pub mod detector;
pub mod event;
pub mod evidence;
pub mod interval;
pub mod kind;
pub mod source;

pub use action::Action;
pub use calibrate::Calibrator;
pub use confidence::{ConfidenceLevel, confidence};
pub use detector::{BarDetector, BarDetectorFactory};
pub use event::{Explanation, Scored, ScoredEvent};
pub use evidence::{BARS_ONLY_CONFIDENCE, BarIndicators, Evidence, NearKind, NearText, TradeFlowIndicators};
pub use interval::{AlertInterval, ContextNote, Escalated, Explained, IntervalMerger};
pub use kind::{AnomalyType, KindSet};
pub use source::Source;
