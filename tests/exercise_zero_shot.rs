//! Exercise of the book's page *Zero-shot and few-shot detection*: choose
//! the worked examples of few-shot mode from labelled data without leaking
//! the families the detector is judged on.

use llm_anomaly::alert::AnomalyType;
use llm_anomaly::llm::{FewShotExample, LlmError, MarketSnapshot, ZeroShotAnomalyDetector};
use llm_anomaly::simulate::news_corpus::{self, CorpusHeadline, FamilyLabel};

// ANCHOR: exercise
/// `per_kind` worked examples of every label (normal and each anomaly
/// kind) from the corpus drawn with `seed`, taken only from the fit-half
/// families of `news_corpus::split_families()`, in corpus order.
pub fn balanced_examples(seed: u64, per_kind: usize) -> Vec<FewShotExample> {
    let _ = (seed, per_kind);
    todo!("generate the corpus, keep the fit families, take per_kind of every label")
}
// ANCHOR_END: exercise

mod solution {
    use super::*;

    // ANCHOR: solution
    pub fn balanced_examples(seed: u64, per_kind: usize) -> Vec<FewShotExample> {
        let (fit, _) = news_corpus::split_families();
        let mut taken: Vec<(FamilyLabel, usize)> = Vec::new();
        let mut examples = Vec::new();
        for headline in news_corpus::generate(seed, 2) {
            if !fit.iter().any(|f| f.name == headline.family) {
                continue; // a held-out family: the detector is judged on it
            }
            let count = match taken.iter_mut().find(|(label, _)| *label == headline.label) {
                Some((_, count)) => count,
                None => {
                    taken.push((headline.label, 0));
                    &mut taken.last_mut().expect("just pushed").1
                }
            };
            if *count < per_kind {
                *count += 1;
                examples.push(FewShotExample::from_labelled(&headline));
            }
        }
        examples
    }
    // ANCHOR_END: solution
}

/// A backend that is never asked: the test reads the prompt only.
struct NotAsked;

impl llm_anomaly::llm::ChatBackend for NotAsked {
    fn describe(&self) -> String {
        "not asked".into()
    }
    fn chat(&mut self, _: &llm_anomaly::llm::ChatRequest) -> Result<llm_anomaly::llm::ChatReply, LlmError> {
        unreachable!("the test builds prompts only")
    }
}

#[test]
fn examples_are_balanced_and_never_from_a_held_out_family() {
    let examples = solution::balanced_examples(42, 2);
    let (_, held_out) = news_corpus::split_families();
    let held_texts: Vec<CorpusHeadline> =
        news_corpus::generate(42, 2).into_iter().filter(|h| held_out.iter().any(|f| f.name == h.family)).collect();
    for example in &examples {
        let text = &example.snapshot.news[0];
        assert!(!held_texts.iter().any(|h| &h.text == text), "{text} is from a held-out family");
    }
    // Normal, pump spam, fake insider tips, prompt injection: 2 each.
    let kinds = [AnomalyType::Normal, AnomalyType::PumpSpam, AnomalyType::FakeInsider, AnomalyType::PromptInjection];
    assert_eq!(examples.len(), 2 * kinds.len());
    for kind in kinds {
        let count =
            examples.iter().filter(|e| e.answer.contains(&format!("\"anomaly_type\":\"{}\"", kind.name()))).count();
        assert_eq!(count, 2, "{kind}");
    }
    let detector = ZeroShotAnomalyDetector::few_shot(NotAsked, examples);
    let prompt = detector.prompt(&MarketSnapshot::headline("Acme beats estimates"));
    assert_eq!(prompt.len(), 1 + 2 * 8 + 1, "system, 8 worked examples (question and answer), the headline");
}

#[test]
#[should_panic(expected = "keep the fit families")]
fn the_exercise_starts_unsolved() {
    balanced_examples(42, 1);
}
