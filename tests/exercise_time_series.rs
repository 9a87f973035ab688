//! Exercise of the Time-series embedding page: which of the seed's two
//! scores, reconstruction error or embedding distance, ranks a spike first?
#![allow(dead_code, unused_variables)]

use llm_anomaly::simulate::rng::SimRng;
use llm_anomaly::timeseries::*;

mod exercise {
    use llm_anomaly::timeseries::*;
    // ANCHOR: exercise
    /// Fits `config` with score `method` on the first `fit` points of
    /// `values` and returns the rank (0 = highest score) of point `at` among
    /// all scored points after `fit`.
    pub fn rank_after_fit(
        values: &[f64],
        fit: usize,
        at: usize,
        config: TimeSeriesDetectorConfig,
        method: ScoreMethod,
    ) -> Result<usize, TimeSeriesError> {
        todo!("fit, score, count the later points that score higher than `at`")
    }
    // ANCHOR_END: exercise
}

mod solution {
    use llm_anomaly::timeseries::*;
    // ANCHOR: solution
    pub fn rank_after_fit(
        values: &[f64],
        fit: usize,
        at: usize,
        config: TimeSeriesDetectorConfig,
        method: ScoreMethod,
    ) -> Result<usize, TimeSeriesError> {
        let detector = TimeSeriesAnomalyDetector::new(TimeSeriesDetectorConfig { method, ..config });
        let scores = detector.fit_values(values, 0..fit)?.score_values(values)?.scores;
        let target = scores[at].expect("the point ends a full window");
        Ok(scores[fit..].iter().flatten().filter(|&&s| s > target).count())
    }
    // ANCHOR_END: solution
}

fn small() -> TimeSeriesDetectorConfig {
    TimeSeriesDetectorConfig {
        encoder: EncoderConfig {
            d_model: 16,
            heads: 2,
            layers: 1,
            seq_length: 16,
            feedforward: 32,
            ..EncoderConfig::default()
        },
        training: TrainingConfig { seed: 4, max_epochs: 25, progress: false, ..TrainingConfig::default() },
        ..TimeSeriesDetectorConfig::default()
    }
}

#[test]
fn reconstruction_ranks_the_spike_near_the_top_and_distance_far_below() {
    let mut rng = SimRng::new(8, 1);
    let mut values: Vec<f64> =
        (0..700).map(|i| 10.0 + 3.0 * (i as f64 * std::f64::consts::TAU / 48.0).sin() + 0.3 * rng.normal()).collect();
    values[600] += 4.0;
    let reconstruction = solution::rank_after_fit(&values, 450, 600, small(), ScoreMethod::Reconstruction).unwrap();
    let distance = solution::rank_after_fit(&values, 450, 600, small(), ScoreMethod::Distance).unwrap();
    eprintln!("rank of the spike: reconstruction {reconstruction}, distance {distance}");
    // The spike and the step back after it (a second unusual change) lead.
    assert!(reconstruction <= 1, "reconstruction rank {reconstruction}");
    // Mean pooling over 16 steps dilutes one point: measured rank 83.
    assert!(distance > 10, "distance rank {distance}");
}
