//! NAB's scoreboard: every threshold's total over the corpus (NAB's
//! `Sweeper.calcScoreByThreshold`), the threshold per detector and profile,
//! and the normalised score (`100 · (S − S_null) / (S_perfect − S_null)`,
//! with `S_perfect = tp · W` and `S_null = −fn · W` for the `W` labelled
//! windows).
//!
//! NAB's published scores choose the threshold by a local hill climb from
//! 0.5 (its optimiser's `twiddle`), not by trying every threshold: for
//! Numenta HTM under the low-FP profile it stops at 63.12 while the best
//! threshold gives 63.21. [`ThresholdSearch::NabHillClimb`] reproduces
//! NAB's numbers; [`ThresholdSearch::Exhaustive`] finds the true best.
//!
//! A detection is a row whose anomaly score is at or above the threshold.
//! Each window counts once, with the best weight among its detected rows
//! (or `−fn` when none is detected); every detection outside a window adds
//! its (negative) weight.

use super::corpus::NabCorpus;
use super::profile::CostProfile;
use super::sweep::{SweepRow, sweep_rows};

/// NAB starts its sweep above every score in [0, 1]: nothing detected.
const NOTHING_DETECTED: f64 = 1.1;

/// The corpus total at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdScore {
    /// Rows scoring at or above this are detections.
    pub threshold: f64,
    /// The raw total.
    pub score: f64,
}

/// How the threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdSearch {
    /// NAB's `twiddle`: start at 0.5 with step 0.1; step up, else down;
    /// double the step after an improvement, halve it otherwise; stop when
    /// the step is below 1e-5. What NAB's published scores use.
    NabHillClimb,
    /// Every distinct score as a threshold; the best total (ties: the
    /// highest threshold). Never below [`ThresholdSearch::NabHillClimb`].
    Exhaustive,
}

/// NAB's hill climb: where it starts.
const HILL_CLIMB_START: f64 = 0.5;
/// Its first step.
const HILL_CLIMB_STEP: f64 = 0.1;
/// It stops when the step falls below this.
const HILL_CLIMB_TOLERANCE: f64 = 0.00001;

/// A detector's NAB score under one profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NabScore {
    /// The profile.
    pub profile: CostProfile,
    /// The best threshold over the corpus.
    pub threshold: f64,
    /// The raw total at that threshold.
    pub raw: f64,
    /// `100 · (raw − S_null) / (S_perfect − S_null)`: null detector 0, perfect 100.
    pub normalized: f64,
}

/// The total at every distinct threshold, from "nothing detected" down to
/// "everything detected". `rows` are the scored rows of the whole corpus,
/// each window named by a corpus-wide index.
pub fn scores_by_threshold(rows: &[SweepRow], profile: &CostProfile) -> Vec<ThresholdScore> {
    let windows = rows.iter().filter_map(|r| r.window).max().map_or(0, |w| w + 1);
    // Only windows with scorable rows count as missed (NAB initialises them from the rows).
    let mut best: Vec<Option<f64>> = vec![None; windows];
    for w in rows.iter().filter_map(|r| r.window) {
        best[w] = Some(-profile.fn_weight);
    }
    let mut total: f64 = best.iter().flatten().sum();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| rows[b].anomaly_score.total_cmp(&rows[a].anomaly_score));
    let mut out = Vec::new();
    let mut threshold = NOTHING_DETECTED;
    for i in order {
        let row = &rows[i];
        if row.anomaly_score != threshold {
            out.push(ThresholdScore { threshold, score: total });
            threshold = row.anomaly_score;
        }
        match row.window {
            Some(w) => {
                let old = best[w].expect("initialised above");
                if row.weight > old {
                    total += row.weight - old;
                    best[w] = Some(row.weight);
                }
            }
            None => total += row.weight,
        }
    }
    out.push(ThresholdScore { threshold, score: total });
    out
}

/// The detector's NAB score under `profile`, its threshold chosen as NAB
/// does ([`ThresholdSearch::NabHillClimb`]): `scores[i]` holds one anomaly
/// score per row of `corpus.series[i]`.
pub fn corpus_score(corpus: &NabCorpus, scores: &[Vec<f64>], profile: &CostProfile) -> NabScore {
    corpus_score_with(corpus, scores, profile, ThresholdSearch::NabHillClimb)
}

/// [`corpus_score`] with the threshold chosen by `search`.
pub fn corpus_score_with(
    corpus: &NabCorpus,
    scores: &[Vec<f64>],
    profile: &CostProfile,
    search: ThresholdSearch,
) -> NabScore {
    let mut rows = Vec::new();
    let mut first_window = 0;
    for (series, scores) in corpus.series.iter().zip(scores) {
        let in_corpus = |row: SweepRow| SweepRow { window: row.window.map(|w| first_window + w), ..row };
        rows.extend(sweep_rows(series, scores, profile).into_iter().map(in_corpus));
        first_window += series.windows.len();
    }
    let by_threshold = scores_by_threshold(&rows, profile);
    let best = match search {
        ThresholdSearch::Exhaustive => {
            by_threshold.iter().fold(by_threshold[0], |best, s| if s.score > best.score { *s } else { best })
        }
        ThresholdSearch::NabHillClimb => hill_climb(&by_threshold),
    };
    let windows = corpus.window_count() as f64;
    let (perfect, null) = (profile.tp * windows, -profile.fn_weight * windows);
    NabScore {
        profile: *profile,
        threshold: best.threshold,
        raw: best.score,
        normalized: 100.0 * (best.score - null) / (perfect - null),
    }
}

/// The total at threshold `t`: the detections are the rows scored `≥ t`.
fn total_at(by_threshold: &[ThresholdScore], t: f64) -> f64 {
    by_threshold.iter().rev().find(|s| s.threshold >= t).unwrap_or(&by_threshold[0]).score
}

/// NAB's `twiddle` over the totals (see [`ThresholdSearch::NabHillClimb`]).
fn hill_climb(by_threshold: &[ThresholdScore]) -> ThresholdScore {
    let (mut x, mut step) = (HILL_CLIMB_START, HILL_CLIMB_STEP);
    let mut best = total_at(by_threshold, x);
    while step > HILL_CLIMB_TOLERANCE {
        x += step;
        let up = total_at(by_threshold, x);
        if up > best {
            best = up;
            step *= 2.0;
            continue;
        }
        x -= 2.0 * step;
        let down = total_at(by_threshold, x);
        if down > best {
            best = down;
            step *= 2.0;
        } else {
            x += step;
            step *= 0.5;
        }
    }
    ThresholdScore { threshold: x, score: best }
}
