//! The labelled headlines the [`FinancialAnomalyEncoder`](super::FinancialAnomalyEncoder)
//! learns from: the simulator's news with the market around each item, and
//! the corpus' fit-half template families as bare headlines.
//!
//! Only fit-half families ever reach training: the simulator's wire writes
//! with them alone ([`news_corpus::wire`]), and [`corpus_headlines`] takes
//! them alone, so the held-out families stay unseen for evaluation.

use serde::Serialize;

use super::embedder::Embedder;
use super::encoder_training::EncoderExample;
use super::error::TextError;
use super::numeric_context::NumericContext;
use crate::data::AnomalyClass;
use crate::simulate::news_corpus::{self, FamilyLabel};
use crate::simulate::{SimConfig, SimulatedMarket};

/// Where a labelled headline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HeadlineOrigin {
    /// A news item of the simulator, with its market.
    Simulator,
    /// A line of a corpus template family, without a market.
    Corpus {
        /// The family.
        family: &'static str,
        /// Its topic (the unit of the split and of cross-fitting).
        topic: &'static str,
    },
}

/// One headline with its label and, when known, its market.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledHeadline {
    /// The text.
    pub text: String,
    /// The market around it.
    pub numeric: Option<NumericContext>,
    /// The label.
    pub anomalous: bool,
    /// Where it came from.
    pub origin: HeadlineOrigin,
}

/// The news of simulated markets with seeds `seeds` (default market, one
/// month, five symbols), each item with its [`NumericContext`] over
/// `context_bars` bars. An item is anomalous when a semantic label (pump
/// spam, fake insider) of its symbol starts at its timestamp. Macro news
/// (no symbol) comes without a market.
pub fn simulator_headlines(
    seeds: impl IntoIterator<Item = u64>,
    context_bars: usize,
) -> Result<Vec<LabelledHeadline>, TextError> {
    let mut out = Vec::new();
    for seed in seeds {
        let config = SimConfig { microstructure: false, ..SimConfig::with_seed(seed) };
        let market = SimulatedMarket::generate(&config)?;
        for item in &market.news {
            let numeric = item
                .symbol
                .as_deref()
                .and_then(|s| market.series(s))
                .and_then(|series| NumericContext::at(series, &market.news, item.timestamp, context_bars));
            let anomalous = market.labels.iter().any(|l| {
                l.class() == AnomalyClass::Semantic
                    && Some(l.symbol.as_str()) == item.symbol.as_deref()
                    && l.start == item.timestamp
            });
            out.push(LabelledHeadline {
                text: item.headline.clone(),
                numeric,
                anomalous,
                origin: HeadlineOrigin::Simulator,
            });
        }
    }
    Ok(out)
}

/// `per_family` headlines of every fit-half corpus family (seeded), bare.
pub fn corpus_headlines(seed: u64, per_family: usize) -> Vec<LabelledHeadline> {
    let (fit, _) = news_corpus::split_families();
    news_corpus::generate(seed, per_family)
        .into_iter()
        .filter(|h| fit.iter().any(|f| f.name == h.family))
        .map(|h| LabelledHeadline {
            anomalous: matches!(h.label, FamilyLabel::Anomalous(_)),
            text: h.text,
            numeric: None,
            origin: HeadlineOrigin::Corpus { family: h.family, topic: h.topic },
        })
        .collect()
}

/// The training examples of `headlines`: their embeddings under
/// `embedder`, their markets and labels.
pub fn encoder_examples<E: Embedder>(
    embedder: &E,
    headlines: &[LabelledHeadline],
) -> Result<Vec<EncoderExample>, TextError> {
    let texts: Vec<&str> = headlines.iter().map(|h| h.text.as_str()).collect();
    let embedded = embedder.embed(&texts)?;
    Ok(headlines
        .iter()
        .zip(embedded.rows())
        .map(|(h, row)| EncoderExample { embedding: row.to_vec(), numeric: h.numeric, anomalous: h.anomalous })
        .collect())
}
