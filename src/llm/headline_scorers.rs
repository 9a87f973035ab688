//! Language models as one part of the combined text score
//! ([`crate::text::HeadlineScorer`]): the local model's label likelihood,
//! and any backend's guided verdict (for servers, which give no
//! log-probabilities through every API).

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use super::backend::ChatBackend;
use super::label_likelihood::LabelLikelihoodScorer;
use super::prompt::MarketSnapshot;
use super::zero_shot::ZeroShotAnomalyDetector;
use crate::text::HeadlineScorer;

/// A progress bar on stderr for `n` headlines (hidden when stderr is not a terminal).
fn progress(n: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(n as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!("{what} {{bar:30}} {{pos}}/{{len}} headlines, {{eta}} left"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

impl HeadlineScorer for LabelLikelihoodScorer {
    fn describe(&self) -> String {
        format!("label likelihood log P(Yes) - log P(No) under {}", self.model().info().name)
    }

    fn score_headlines(&self, texts: &[&str]) -> Vec<Result<f64, String>> {
        let bar = progress(texts.len(), "language model");
        let out = texts
            .iter()
            .map(|t| {
                let score = self.score(t).map_err(|e| e.to_string());
                bar.inc(1);
                score
            })
            .collect();
        bar.finish_and_clear();
        out
    }
}

/// Consecutive backend failures after which [`VerdictScorer`] stops calling
/// it and marks the remaining headlines skipped (each failure already went
/// through the client's retries).
pub const BACKEND_DOWN_AFTER: usize = 3;

/// A backend's verdict `anomaly_score` as a headline score: an invalid
/// verdict or a backend that is down gives that headline an error, never a
/// made-up number.
pub struct VerdictScorer<B> {
    detector: Mutex<ZeroShotAnomalyDetector<B>>,
    description: String,
}

impl<B> std::fmt::Debug for VerdictScorer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerdictScorer").field("description", &self.description).finish_non_exhaustive()
    }
}

impl<B: ChatBackend> VerdictScorer<B> {
    /// Scores with zero-shot verdicts from `backend`.
    pub fn new(backend: B) -> Self {
        let description = format!("guided verdict anomaly_score from {}", backend.describe());
        Self { detector: Mutex::new(ZeroShotAnomalyDetector::new(backend)), description }
    }
}

impl<B: ChatBackend> HeadlineScorer for VerdictScorer<B> {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn score_headlines(&self, texts: &[&str]) -> Vec<Result<f64, String>> {
        let bar = progress(texts.len(), "language model");
        let mut detector = match self.detector.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut out = Vec::with_capacity(texts.len());
        let mut down: Option<String> = None;
        let mut consecutive = 0;
        for t in texts {
            if let Some(reason) = &down {
                out.push(Err(format!("skipped: {reason}")));
                continue;
            }
            let result = detector.analyze(&MarketSnapshot::headline(*t));
            bar.inc(1);
            out.push(match (result.answer, result.verdict) {
                (Err(backend), _) => {
                    consecutive += 1;
                    let error = backend;
                    if consecutive >= BACKEND_DOWN_AFTER {
                        down = Some(format!("the backend failed {consecutive} times in a row ({error})"));
                    }
                    Err(error)
                }
                (Ok(_), verdict) => {
                    consecutive = 0;
                    verdict.map(|v| v.anomaly_score).map_err(|invalid| format!("invalid verdict: {invalid}"))
                }
            });
        }
        bar.finish_and_clear();
        out
    }
}
