//! The seed chapter's own headlines, labelled as the chapter means them.

use super::{CorpusHeadline, FamilyLabel};
use crate::alert::AnomalyType;

const N: FamilyLabel = FamilyLabel::Normal;
const PUMP: FamilyLabel = FamilyLabel::Anomalous(AnomalyType::PumpSpam);
const INSIDER: FamilyLabel = FamilyLabel::Anomalous(AnomalyType::FakeInsider);

/// (text, label): the chapter's `normal_texts` (all normal), its
/// `test_texts` (labelled by the comments beside them: the Chapter 11
/// filing is "news, unusual but not manipulation") and the headlines of its
/// example 02 (the fraud arrest is news; the "100x tomorrow" line is spam).
const SEED: &[(&str, FamilyLabel)] = &[
    ("Company reports quarterly revenue of $5.2 billion", N),
    ("Board announces 10% dividend increase", N),
    ("CEO discusses expansion plans in earnings call", N),
    ("Analyst upgrades stock to buy with $150 target", N),
    ("Company acquires competitor for $2 billion", N),
    ("Q3 earnings beat consensus by 5 cents", N),
    ("Management reaffirms full-year guidance", N),
    ("New product launch drives strong demand", N),
    ("Quarterly results in line with expectations", N),
    ("!!! HUGE NEWS - STOCK WILL 10X GUARANTEED - BUY NOW !!!", PUMP),
    ("Company files for Chapter 11 bankruptcy protection", N),
    ("insider info: massive deal coming, get in before moon", INSIDER),
    ("Strong performance driven by core business growth", N),
    ("Apple reports strong Q4 earnings, stock rises 3%", N),
    ("!!URGENT!! This penny stock will 100x tomorrow - insider info", PUMP),
    ("Fed maintains interest rates as expected", N),
    ("Company X CEO arrested for fraud, shares halted", N),
];

/// The seed chapter's 17 headlines, in the chapter's order, as family
/// `seed_chapter`.
pub fn seed_headlines() -> Vec<CorpusHeadline> {
    SEED.iter()
        .map(|&(text, label)| CorpusHeadline {
            text: text.to_string(),
            family: "seed_chapter",
            topic: "seed_chapter",
            label,
        })
        .collect()
}
