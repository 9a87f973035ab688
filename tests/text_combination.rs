//! The trained FinancialAnomalyEncoder and the combined text score, with
//! the real MiniLM model: training is reproducible, the weights survive a
//! safetensors round trip, the head ranks held-out families well, and the
//! combination beats every part it combines on them.

mod common;

use llm_anomaly::eval::{average_precision, roc_auc};
use llm_anomaly::simulate::news_corpus::{self, seed_headlines};
use llm_anomaly::text::{
    CombinationConfig, CombinedTextDetector, DEFAULT_CONTEXT_BARS, EncoderTrainingConfig, FinancialAnomalyEncoder,
    NewsReference, TextError, TextPart, corpus_headlines, encoder_examples, simulator_headlines, train_encoder,
};

/// Held-out families (never trained on), seed 43: texts and labels.
fn held_out(per_family: usize) -> (Vec<String>, Vec<bool>) {
    let (_, held) = news_corpus::split_families();
    news_corpus::generate(43, per_family)
        .into_iter()
        .filter(|h| held.iter().any(|f| f.name == h.family))
        .map(|h| (h.text.clone(), h.is_anomalous()))
        .unzip()
}

#[test]
fn the_encoder_trains_reproducibly_ranks_held_out_families_and_round_trips_through_safetensors() {
    let Some(model) = common::minilm() else { return };
    let mut headlines = simulator_headlines([1, 2], DEFAULT_CONTEXT_BARS).unwrap();
    let simulated = headlines.len();
    assert!(headlines.iter().any(|h| h.anomalous && h.numeric.is_some()), "the simulator writes spam with markets");
    headlines.extend(corpus_headlines(42, 10));
    let examples = encoder_examples(&model, &headlines).unwrap();
    let config = EncoderTrainingConfig { progress: false, ..EncoderTrainingConfig::default() };
    let (encoder, report) = train_encoder(&examples, &config).unwrap();
    assert!(report.last_epoch_loss < report.first_epoch_loss / 5.0, "{report:?}");
    assert!(report.with_numeric > 0 && report.with_numeric <= simulated, "{report:?}");
    // ANCHOR: reproducible
    // Same seed, same weights, bit for bit.
    let (again, _) = train_encoder(&examples, &config).unwrap();
    assert_eq!(encoder.weights(), again.weights());
    // Another seed, other weights.
    let (other, _) = train_encoder(&examples, &EncoderTrainingConfig { seed: 8, ..config.clone() }).unwrap();
    assert_ne!(encoder.weights(), other.weights());
    // ANCHOR_END: reproducible

    let (texts, labels) = held_out(4);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let embedded = llm_anomaly::text::Embedder::embed(&model, &refs).unwrap();
    let scores: Vec<_> = embedded.rows().map(|row| encoder.score(row, None).unwrap()).collect();
    assert!(scores.iter().all(|s| !s.numeric_used));
    let logits: Vec<f64> = scores.iter().map(|s| s.logit).collect();
    let auc = roc_auc(&logits, &labels).unwrap().unwrap();
    // Example 02 measures about 0.94 (30 per family, 10 held-out per family); chance is 0.5.
    assert!(auc > 0.85, "encoder head ROC-AUC on held-out families: {auc}");

    let dir = std::env::temp_dir().join(format!("llm-anomaly-encoder-{}", std::process::id()));
    let path = dir.join("encoder.safetensors");
    // ANCHOR: round_trip
    encoder.save(&path).unwrap();
    let loaded = FinancialAnomalyEncoder::load(&path).unwrap();
    assert_eq!(loaded.weights(), encoder.weights());
    let row = embedded.row(0);
    assert_eq!(loaded.score(row, None).unwrap(), encoder.score(row, None).unwrap());
    // ANCHOR_END: round_trip
    // The market changes the fused vector, and the score says it was used.
    let market = headlines.iter().find_map(|h| h.numeric).unwrap();
    let with_market = encoder.score(row, Some(&market)).unwrap();
    assert!(with_market.numeric_used && with_market.logit != scores[0].logit);
    // A damaged file names what is wrong.
    std::fs::write(&path, b"not safetensors").unwrap();
    let error = FinancialAnomalyEncoder::load(&path).unwrap_err();
    assert!(matches!(error, TextError::Load { .. }) && error.to_string().contains("encoder.safetensors"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
    // A wrong embedding size is a typed error, not a panic.
    let error = encoder.score(&[0.0; 7], None).unwrap_err();
    assert!(matches!(error, TextError::DimensionMismatch { found: 7, expected: 384, .. }), "{error}");
}

#[test]
fn training_refuses_one_label_and_bad_settings() {
    let Some(model) = common::minilm() else { return };
    let normal: Vec<_> = corpus_headlines(42, 2).into_iter().filter(|h| !h.anomalous).collect();
    let examples = encoder_examples(&model, &normal).unwrap();
    let config = EncoderTrainingConfig { progress: false, ..EncoderTrainingConfig::default() };
    let error = train_encoder(&examples, &config).unwrap_err();
    assert!(error.to_string().contains("anomalous training examples"), "{error}");
    let mut mixed = examples.clone();
    mixed[0].anomalous = true;
    let error = train_encoder(&mixed, &EncoderTrainingConfig { epochs: 0, ..config.clone() }).unwrap_err();
    assert!(error.to_string().contains("`epochs` = 0"), "{error}");
    mixed[1].embedding[3] = f32::NAN;
    let error = train_encoder(&mixed, &config).unwrap_err();
    assert!(error.to_string().contains("example #1"), "{error}");
}

#[test]
fn the_combination_beats_every_part_on_held_out_families_and_names_its_driver() {
    let Some(model) = common::minilm() else { return };
    // Smaller than example 02's (30 per family, six markets), to keep the test short.
    let config = CombinationConfig {
        per_family: 12,
        simulator_seeds: vec![1, 2, 3],
        training: EncoderTrainingConfig { progress: false, ..EncoderTrainingConfig::default() },
        ..CombinationConfig::default()
    };
    let reference = NewsReference::from_corpus(42, 12);
    let detector = CombinedTextDetector::fit(model, &reference, &config, None, None).unwrap();
    let report = detector.report();
    assert!(report.language_model.is_none() && report.combination_anomalous > 10, "{report:?}");

    let (texts, labels) = held_out(6);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let verdicts = detector.analyze(&refs, &[]).unwrap();
    let auc = |scores: Vec<f64>| {
        (roc_auc(&scores, &labels).unwrap().unwrap(), average_precision(&scores, &labels).unwrap().unwrap())
    };
    let raw = |part: TextPart| -> Vec<f64> {
        verdicts.iter().map(|v| v.combined.parts.iter().find(|p| p.part == part).and_then(|p| p.raw).unwrap()).collect()
    };
    let combined = auc(verdicts.iter().map(|v| v.combined.score).collect());
    for part in [TextPart::Embedding, TextPart::EncoderHead, TextPart::StyleCues] {
        let alone = auc(raw(part));
        assert!(combined.0 > alone.0 && combined.1 > alone.1, "{part:?}: combined {combined:?}, alone {alone:?}");
    }
    // Flags are mostly right, and each flagged verdict says what drove it.
    let flagged: Vec<usize> = (0..verdicts.len()).filter(|&i| verdicts[i].combined.anomalous).collect();
    let right = flagged.iter().filter(|&&i| labels[i]).count();
    assert!(flagged.len() >= 20 && right * 10 >= flagged.len() * 9, "{right} of {} flags right", flagged.len());
    for &i in &flagged {
        let v = &verdicts[i];
        let driver = v.combined.driver.expect("a flagged headline has a driver");
        assert!(v.explanation().contains(driver.name()), "{}", v.explanation());
        assert!(v.explanation().contains("text alone (no market)"), "{}", v.explanation());
    }

    // The seed chapter: its two spam lines flagged, Chapter 11 and the CEO arrest not.
    let seed = seed_headlines();
    let seed_texts: Vec<&str> = seed.iter().map(|h| h.text.as_str()).collect();
    let seed_verdicts = detector.analyze(&seed_texts, &[]).unwrap();
    for (headline, verdict) in seed.iter().zip(&seed_verdicts) {
        if headline.text.contains("!!!") || headline.text.contains("!!URGENT!!") {
            assert!(verdict.combined.anomalous, "{}: {}", headline.text, verdict.explanation());
        }
        if headline.text.contains("Chapter 11") || headline.text.contains("arrested") {
            assert!(!verdict.combined.anomalous, "{}: {}", headline.text, verdict.explanation());
        }
    }
    // Markets of the wrong length are refused.
    let error = detector.analyze(&refs[..2], &[None]).unwrap_err();
    assert!(matches!(error, TextError::DimensionMismatch { what: "markets", found: 1, expected: 2 }), "{error}");
}
