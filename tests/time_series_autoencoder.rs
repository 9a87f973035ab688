//! The time-series autoencoder: it sees no future, finds what it should,
//! repeats itself, survives a round trip through safetensors, and refuses
//! bad input by name. Networks here are small so the tests run in seconds.

use llm_anomaly::simulate::rng::SimRng;
use llm_anomaly::timeseries::*;

/// A small network and a short training, for tests.
fn small(seed: u64, max_epochs: usize) -> TimeSeriesDetectorConfig {
    TimeSeriesDetectorConfig {
        encoder: EncoderConfig {
            d_model: 16,
            heads: 2,
            layers: 1,
            seq_length: 16,
            feedforward: 32,
            ..EncoderConfig::default()
        },
        training: TrainingConfig { seed, max_epochs, progress: false, ..TrainingConfig::default() },
        ..TimeSeriesDetectorConfig::default()
    }
}

/// A daily cycle with noise: 48 points per period.
fn cycle(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = SimRng::new(seed, 1);
    (0..n).map(|i| 10.0 + 3.0 * (i as f64 * std::f64::consts::TAU / 48.0).sin() + 0.3 * rng.normal()).collect()
}

fn unwrap(scores: &SeriesScores) -> Vec<f64> {
    scores.scores.iter().map(|s| s.unwrap_or(f64::NAN)).collect()
}

// ANCHOR: no_future
#[test]
fn a_later_value_never_changes_an_earlier_score() {
    let values = cycle(400, 3);
    let fitted = TimeSeriesAnomalyDetector::new(small(1, 3)).fit_values(&values, 0..250).unwrap();
    let before = unwrap(&fitted.score_values(&values).unwrap());
    let mut changed = values.clone();
    changed[320] += 1_000.0;
    let after = unwrap(&fitted.score_values(&changed).unwrap());
    // Bit for bit: every score before point 320 reads only points before it.
    for t in 16..320 {
        assert_eq!(before[t].to_bits(), after[t].to_bits(), "score at {t} moved");
    }
    assert!(after[320] > before[320] * 10.0, "the changed point itself scores higher");
    assert!(before[..16].iter().all(|s| s.is_nan()), "no score before the first full window");
}
// ANCHOR_END: no_future

#[test]
fn a_spike_after_training_is_found_and_ordinary_points_are_not() {
    let mut values = cycle(700, 5);
    values[600] += 4.0; // about 13 noise deviations
    let fitted = TimeSeriesAnomalyDetector::new(small(2, 25)).fit_values(&values, 0..450).unwrap();
    let scores = unwrap(&fitted.score_values(&values).unwrap());
    let threshold = fitted.threshold();
    assert!(scores[600] > threshold, "spike {} <= threshold {threshold}", scores[600]);
    let ordinary: Vec<f64> = (460..590).map(|t| scores[t]).collect();
    let flagged = ordinary.iter().filter(|&&s| s > threshold).count();
    assert!(flagged <= 6, "{flagged} of {} ordinary points flagged", ordinary.len());
    let top = ordinary.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(scores[600] > 3.0 * top, "spike {} not far above the ordinary maximum {top}", scores[600]);
}

#[test]
fn the_same_seed_trains_the_same_network_and_another_seed_does_not() {
    let values = cycle(300, 7);
    let fit = |seed| {
        let f = TimeSeriesAnomalyDetector::new(small(seed, 2)).fit_values(&values, 0..250).unwrap();
        unwrap(&f.score_values(&values).unwrap())
    };
    let (a, b, c) = (fit(11), fit(11), fit(12));
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    assert!(a.iter().zip(&c).any(|(x, y)| x.is_finite() && x != y));
}

#[test]
fn a_saved_detector_loads_and_scores_the_same() {
    let values = cycle(300, 9);
    let fitted = TimeSeriesAnomalyDetector::new(small(3, 2)).fit_values(&values, 0..250).unwrap();
    let path = std::env::temp_dir().join(format!("llm_anomaly_ts_{}.safetensors", std::process::id()));
    fitted.save(&path).unwrap();
    let loaded = FittedTimeSeriesDetector::load(&path).unwrap();
    assert_eq!(loaded.threshold(), fitted.threshold());
    assert_eq!(loaded.encoder().tensors().len(), fitted.encoder().tensors().len());
    assert!(loaded.encoder().tensors().contains_key("transformer.layers.0.self_attn.in_proj_weight"));
    let (a, b) = (fitted.score_values(&values).unwrap(), loaded.score_values(&values).unwrap());
    assert_eq!(
        unwrap(&a).iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        unwrap(&b).iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    // A file that is not a detector is refused with its path.
    std::fs::write(&path, b"not a safetensors file").unwrap();
    let error = FittedTimeSeriesDetector::load(&path).unwrap_err().to_string();
    assert!(error.contains(&*path.to_string_lossy()), "{error}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn bad_input_is_refused_by_name() {
    let mut values = cycle(300, 1);
    values[123] = f64::NAN;
    let detector = TimeSeriesAnomalyDetector::new(small(1, 1));
    match detector.fit_values(&values, 0..250) {
        Err(TimeSeriesError::NotFinite { field: "value", index: 123, .. }) => {}
        other => panic!("expected NotFinite at 123, got {other:?}"),
    }
    let short = cycle(40, 1);
    assert!(matches!(detector.fit_values(&short, 0..40), Err(TimeSeriesError::TooFew { .. })));
    let bad = TimeSeriesDetectorConfig {
        encoder: EncoderConfig { d_model: 10, heads: 4, ..EncoderConfig::default() },
        ..small(1, 1)
    };
    match TimeSeriesAnomalyDetector::new(bad).fit_values(&cycle(300, 1), 0..250) {
        Err(TimeSeriesError::InvalidParameter { name: "heads", .. }) => {}
        other => panic!("expected heads refused, got {other:?}"),
    }
    let fitted = detector.fit_values(&cycle(300, 1), 0..250).unwrap();
    let bars_shaped = SeriesFeatures::from_bars(&[]).unwrap();
    assert!(matches!(fitted.score(&bars_shaped), Err(TimeSeriesError::WidthMismatch { .. })));
}

#[test]
fn the_split_keeps_validation_last_and_purges_the_overlap() {
    let ends: Vec<usize> = (10..110).collect();
    let split = WindowSplit::chronological(&ends, 10, 0.2).unwrap();
    assert_eq!(split.validation, (90..110).collect::<Vec<_>>());
    // Windows ending at 81..=89 share points with the one ending at 90.
    assert_eq!(split.train, (10..81).collect::<Vec<_>>());
    assert_eq!(split.purged, 9);
}

#[test]
fn a_random_network_has_the_seeds_shapes() {
    // Shapes only: an untrained network is no detector.
    let encoder = TimeSeriesAnomalyEncoder::new(EncoderConfig::default(), 1).unwrap();
    // input 5→64, 64 positions, 2 layers, embedding 64→64, head 64→5.
    let layer = 3 * 64 * 64 + 3 * 64 + 64 * 64 + 64 + 64 * 256 + 256 + 256 * 64 + 64 + 4 * 64;
    assert_eq!(encoder.parameter_count(), 5 * 64 + 64 + 60 * 64 + 2 * layer + 64 * 64 + 64 + 64 * 5 + 5);
    let out = encoder.evaluate(&vec![0.5f32; 3 * 60 * 5]).unwrap();
    assert_eq!((out.step_errors.len(), out.last_step.len(), out.embeddings.len()), (3 * 60, 3 * 5, 3 * 64));
}

// ANCHOR: seed_test
#[test]
fn the_seeds_synthetic_test_flags_every_spiked_window() {
    let sample = seed_sample_data(100, 60, 0.1, 42);
    assert_eq!(sample.anomalous.iter().filter(|&&a| a).count(), 10);
    let training = TrainingConfig { max_epochs: 20, progress: false, ..TrainingConfig::default() };
    let report = run_seed_test(&sample, EncoderConfig::default(), &training).unwrap();
    assert_eq!(report.recall, 1.0, "{report:?}");
    // At the 95th percentile of 70 training scores, about 4 normal windows pass too.
    assert!(report.precision >= 0.6, "precision {}", report.precision);
}
// ANCHOR_END: seed_test
