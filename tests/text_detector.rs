//! The text detector with the real MiniLM model: fitted on the corpus' fit
//! families, it separates the held-out families (never fitted) and the seed
//! chapter's spam from ordinary news.

mod common;

use llm_anomaly::alert::{Action, AnomalyType};
use llm_anomaly::eval::roc_auc;
use llm_anomaly::simulate::news_corpus::{self, seed_headlines};
use llm_anomaly::text::{NewsAnomalyDetector, NewsReference, TextDetectorConfig, TextMethod};

#[test]
fn held_out_families_are_ranked_and_the_seed_spam_scores_above_the_news() {
    let Some(model) = common::minilm() else { return };
    // 10 per family keeps the test to seconds; example 02 uses 30.
    let reference = NewsReference::from_corpus(42, 10);
    assert!(reference.normal.len() > 300 && !reference.typed.is_empty());
    let detector = NewsAnomalyDetector::fit(model, &reference, TextDetectorConfig::default()).unwrap();
    assert!(detector.detector().shrinkage() > 0.0 && detector.detector().shrinkage() < 1.0);

    let (_, held_out) = news_corpus::split_families();
    let held: Vec<&str> = held_out.iter().map(|f| f.name).collect();
    let test: Vec<_> = news_corpus::generate(43, 5).into_iter().filter(|h| held.contains(&h.family)).collect();
    let texts: Vec<&str> = test.iter().map(|h| h.text.as_str()).collect();
    let labels: Vec<bool> = test.iter().map(|h| h.is_anomalous()).collect();
    let verdicts = detector.analyze_batch(&texts).unwrap();
    let scores: Vec<f64> = verdicts.iter().map(|v| v.scored.score).collect();
    let auc = roc_auc(&scores, &labels).unwrap().unwrap();
    // Example 02 measures 0.86 with 30 per family; chance is 0.5.
    assert!(auc > 0.75, "Mahalanobis ROC-AUC on held-out families: {auc}");
    let knn: Vec<f64> = verdicts.iter().map(|v| v.scores.get(TextMethod::Knn)).collect();
    assert!(roc_auc(&knn, &labels).unwrap().unwrap() > 0.7);

    let seed = seed_headlines();
    let seed_texts: Vec<&str> = seed.iter().map(|h| h.text.as_str()).collect();
    let seed_verdicts = detector.analyze_batch(&seed_texts).unwrap();
    let verdict_of = |text: &str| &seed_verdicts[seed_texts.iter().position(|t| *t == text).unwrap()];
    let chapter_11 = verdict_of("Company files for Chapter 11 bankruptcy protection");
    assert!(!chapter_11.anomalous && chapter_11.action == Action::NoActionRequired, "{chapter_11:?}");
    assert!(chapter_11.explanation().to_string().starts_with("ordinary news"), "{}", chapter_11.explanation());
    for spam in [
        "!!! HUGE NEWS - STOCK WILL 10X GUARANTEED - BUY NOW !!!",
        "insider info: massive deal coming, get in before moon",
        "!!URGENT!! This penny stock will 100x tomorrow - insider info",
    ] {
        let v = verdict_of(spam);
        // (The seed's other normal lines are generic, "Company ...", unlike any wire
        // headline: several score high too. The book shows it; example 02 prints it.)
        assert!(v.scored.score > chapter_11.scored.score, "{spam}: {v:?}");
        assert!(v.probability > 0.9, "{spam}: {v:?}");
    }
    let insider = verdict_of("insider info: massive deal coming, get in before moon");
    assert!(insider.anomalous && insider.action >= Action::StandardMonitoring, "{insider:?}");
    assert_ne!(insider.kind(), AnomalyType::Normal);
}
