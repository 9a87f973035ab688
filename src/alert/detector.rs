//! How a detector plugs into scans, calibration and alerts.
//!
//! Two shapes, one output ([`Scored`]):
//!
//! * a **streaming** detector scores each bar against what it saw before,
//!   then learns it ([`BarDetector::process`]); the rolling z-score, MAD and
//!   EWMA detectors are of this kind;
//! * a **batch** detector is fitted on a reference set and only the fitted
//!   type can score (`fit → fitted`): a [`BarDetectorFactory`] receives the
//!   training bars and returns the fitted detector, whose `process` scores
//!   without learning.
//!
//! [`crate::scan::scan_with`] takes any factory, so a new detector needs
//! only its own file to reach thresholds, calibration, alert intervals and
//! the JSON lines.

use super::Scored;
use crate::data::Bar;
use crate::error::Result;

// ANCHOR: bar_detector
/// A detector of one symbol's bars.
pub trait BarDetector {
    /// Scores `bar` (`None` while warming up), then, for a streaming
    /// detector, learns it. Errors name the offending value.
    fn process(&mut self, bar: &Bar) -> Result<Option<Scored>>;

    /// Called before the first bar of a new session (after a night, a
    /// weekend or a maintenance pause); the default does nothing.
    fn new_session(&mut self, _first_bar: &Bar) -> Result<()> {
        Ok(())
    }
}

/// Makes the detector of one symbol.
pub trait BarDetectorFactory {
    /// The detector it makes.
    type Detector: BarDetector;

    /// A detector for one symbol. `training` holds the symbol's bars of the
    /// training period: a batch detector is fitted on them (and only on
    /// them), a streaming detector may ignore them. It may be empty (a
    /// symbol whose bars all follow the cutoff, or a stream scan): a batch
    /// detector then returns an error that names itself.
    fn build(&self, training: &[Bar]) -> Result<Self::Detector>;

    /// Bars scored as `None` at the start (the warm-up), for reports.
    fn warm_up(&self) -> usize;

    /// A short description for reports, e.g. `ZScore, window 500 bars`.
    fn describe(&self) -> String;

    /// The threshold used when the training period is too short to fit a
    /// quantile, in this detector's score units (default: z = 4).
    fn fallback_threshold(&self) -> f64 {
        crate::scan::FALLBACK_THRESHOLD
    }
}
// ANCHOR_END: bar_detector

impl<D: BarDetector + ?Sized> BarDetector for Box<D> {
    fn process(&mut self, bar: &Bar) -> Result<Option<Scored>> {
        (**self).process(bar)
    }

    fn new_session(&mut self, first_bar: &Bar) -> Result<()> {
        (**self).new_session(first_bar)
    }
}
