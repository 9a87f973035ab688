//! NAB scoring: exact values on a hand-computed series, typed errors on bad
//! files, and the published scores of two detectors reproduced from their
//! raw outputs to 1e-6 in all three profiles (when the NAB corpus is at
//! `../shared/datasets/nab`).

use std::path::{Path, PathBuf};

use llm_anomaly::eval::nab::{
    NabCorpus, NabError, NabSeries, NabWindow, PROFILES, STANDARD, ThresholdSearch, corpus_score, corpus_score_with,
    read_results_dir, scaled_sigmoid, scores_by_threshold, sweep_rows,
};

fn series(rows: usize, windows: Vec<NabWindow>) -> NabSeries {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    NabSeries {
        name: "test/series.csv".into(),
        timestamps: (0..rows).map(|i| start + chrono::Duration::minutes(5 * i as i64)).collect(),
        values: vec![0.0; rows],
        windows,
    }
}

#[test]
fn hand_computed_totals_at_every_threshold() {
    // 20 rows (probation: rows 0..3), one window over rows 10..=13.
    let s = series(20, vec![NabWindow { start_row: 10, end_row: 13 }]);
    let mut scores = vec![0.0; 20];
    scores[11] = 0.9; // inside the window, position -(13 - 11 + 1) / 4
    scores[5] = 0.8; // before any window: -fp
    let rows = sweep_rows(&s, &scores, &STANDARD);
    let totals = scores_by_threshold(&rows, &STANDARD);
    let tp_11 = scaled_sigmoid(-0.75) / scaled_sigmoid(-1.0);
    let after: f64 = (1..=6).map(|d| 0.11 * scaled_sigmoid(d as f64 / 3.0)).sum();
    let expected = [
        (1.1, -1.0),                     // nothing detected: the window is missed
        (0.9, tp_11),                    // row 11 found the window
        (0.8, tp_11 - 0.11),             // plus a false positive before the window
        (0.0, 1.0 - 0.11 * 7.0 + after), // everything: the left edge counts, 7 FPs before, 6 after
    ];
    assert_eq!(totals.len(), expected.len());
    for (got, (threshold, total)) in totals.iter().zip(expected) {
        assert_eq!(got.threshold, threshold);
        assert!((got.score - total).abs() < 1e-12, "at {threshold}: {} vs {total}", got.score);
    }
    let corpus = NabCorpus { root: PathBuf::new(), series: vec![s] };
    let best = corpus_score_with(&corpus, &[scores.clone()], &STANDARD, ThresholdSearch::Exhaustive);
    assert_eq!(best.threshold, 0.9);
    // Null -1, perfect +1: normalised = 100 (S + 1) / 2.
    assert!((best.normalized - 100.0 * (tp_11 + 1.0) / 2.0).abs() < 1e-9);
    // NAB's hill climb from 0.5: 0.6 finds nothing better, 0.4 neither, so
    // the step halves down to the tolerance and it stays at 0.5, where rows
    // 11 and 5 are detected.
    let climbed = corpus_score(&corpus, &[scores], &STANDARD);
    assert!((climbed.raw - (tp_11 - 0.11)).abs() < 1e-12, "{climbed:?}");
}

#[test]
fn only_the_best_detection_of_a_window_counts_and_late_false_positives_cost_the_full_weight() {
    let s = series(40, vec![NabWindow { start_row: 10, end_row: 13 }]);
    let mut scores = vec![0.0; 40];
    scores[10] = 0.5;
    scores[12] = 0.7; // detected first (higher score), then the better left edge replaces it
    scores[39] = 0.6; // far behind the window: (39 - 13) / 3 > 3, so -fp
    let totals = scores_by_threshold(&sweep_rows(&s, &scores, &STANDARD), &STANDARD);
    let at = |t: f64| totals.iter().find(|s| s.threshold == t).unwrap().score;
    assert!((at(0.7) - scaled_sigmoid(-0.5) / scaled_sigmoid(-1.0)).abs() < 1e-12);
    assert!((at(0.6) - (at(0.7) - 0.11)).abs() < 1e-12);
    assert!((at(0.5) - (1.0 - 0.11)).abs() < 1e-12);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("llm_anomaly_nab_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A one-series NAB folder: `rows` rows, a window over rows 4..=6.
fn tiny_corpus(dir: &Path, rows: usize) {
    std::fs::create_dir_all(dir.join("data/cat")).unwrap();
    std::fs::create_dir_all(dir.join("labels")).unwrap();
    let mut csv = String::from("timestamp,value\n");
    for i in 0..rows {
        csv.push_str(&format!("2024-01-01 00:{:02}:00,{}\n", i, i as f64));
    }
    std::fs::write(dir.join("data/cat/s.csv"), csv).unwrap();
    let windows = r#"{"cat/s.csv": [["2024-01-01 00:04:00.000000", "2024-01-01 00:06:00.000000"]]}"#;
    std::fs::write(dir.join("labels/combined_windows.json"), windows).unwrap();
}

#[test]
fn bad_files_are_typed_errors_naming_the_file_and_row() {
    let dir = temp_dir("errors");
    tiny_corpus(&dir, 10);
    let corpus = NabCorpus::load(&dir).unwrap();
    assert_eq!(corpus.series[0].windows, vec![NabWindow { start_row: 4, end_row: 6 }]);

    let results = dir.join("results");
    // No file for the series.
    std::fs::create_dir_all(results.join("mine/cat")).unwrap();
    let error = read_results_dir(&results, &corpus).unwrap_err();
    assert!(matches!(error, NabError::MissingResults { .. }), "{error}");
    assert!(error.to_string().contains("mine_s.csv"), "{error}");
    // Too few rows.
    let file = results.join("mine/cat/mine_s.csv");
    std::fs::write(&file, "timestamp,anomaly_score\n2024-01-01 00:00:00,0.5\n").unwrap();
    let error = read_results_dir(&results, &corpus).unwrap_err();
    assert!(error.to_string().contains("1 rows, the series has 10"), "{error}");
    // A NaN score.
    let mut text = String::from("timestamp,anomaly_score\n");
    for i in 0..10 {
        text.push_str(&format!("2024-01-01 00:{i:02}:00,{}\n", if i == 3 { "NaN" } else { "0.1" }));
    }
    std::fs::write(&file, &text).unwrap();
    let error = read_results_dir(&results, &corpus).unwrap_err();
    assert!(error.to_string().contains("line 5") && error.to_string().contains("NaN"), "{error}");
    // A window end that is no row's timestamp.
    let windows = r#"{"cat/s.csv": [["2024-01-01 00:04:00.000000", "2024-01-01 00:04:30.000000"]]}"#;
    std::fs::write(dir.join("labels/combined_windows.json"), windows).unwrap();
    let error = NabCorpus::load(&dir).unwrap_err();
    assert!(matches!(error, NabError::WindowOutsideData { which: "end", .. }), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `../shared/datasets/nab`, when this checkout has it.
fn nab_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/nab");
    if dir.join("labels/combined_windows.json").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: no NAB corpus at {}", dir.display());
        None
    }
}

#[test]
fn the_published_scores_of_htm_and_windowed_gaussian_are_reproduced() {
    let Some(dir) = nab_dir() else { return };
    let corpus = NabCorpus::load(&dir).unwrap();
    assert_eq!((corpus.series.len(), corpus.window_count()), (58, 116));
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results/final_results.json")).unwrap()).unwrap();
    let detectors = read_results_dir(&dir.join("published-results"), &corpus).unwrap();
    let names: Vec<&str> = detectors.iter().map(|d| d.detector.as_str()).collect();
    assert_eq!(names, ["numenta", "windowedGaussian"]);
    for detector in &detectors {
        for profile in &PROFILES {
            let ours = corpus_score(&corpus, &detector.scores, profile).normalized;
            let best = corpus_score_with(&corpus, &detector.scores, profile, ThresholdSearch::Exhaustive).normalized;
            let theirs = published[&detector.detector][profile.name].as_f64().unwrap();
            eprintln!(
                "{} {}: ours {ours:.4}, NAB's {theirs:.4}, best threshold {best:.4}",
                detector.detector, profile.name
            );
            assert!((ours - theirs).abs() < 1e-6, "{} {}: {ours} vs {theirs}", detector.detector, profile.name);
            assert!(best >= ours - 1e-9, "the exhaustive search is never worse");
        }
    }
}

#[test]
fn the_profiles_are_nabs() {
    let Some(dir) = nab_dir() else { return };
    let profiles: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config/profiles.json")).unwrap()).unwrap();
    for profile in PROFILES {
        let costs = &profiles[profile.name]["CostMatrix"];
        assert_eq!(costs["tpWeight"].as_f64(), Some(profile.tp));
        assert_eq!(costs["fpWeight"].as_f64(), Some(profile.fp));
        assert_eq!(costs["fnWeight"].as_f64(), Some(profile.fn_weight));
    }
}
