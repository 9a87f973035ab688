//! Text: sentence embeddings from a pretrained transformer, and the text
//! anomaly detector built on them (feature `text`).
//!
//! An [`Embedder`] turns texts into unit-length vectors (one per text) and
//! says which texts it had to cut; [`BertEmbedder`] runs a BERT-family
//! sentence model (all-MiniLM-L6-v2 by default, FinBERT through the same
//! loader) in candle, from a folder that [`crate::models`] found and checked.
//! [`TextAnomalyDetector`] is fitted on the embeddings of normal texts and
//! scores how far a new text lies from them; [`apply_news_context`] uses it
//! to explain (or escalate) price/volume alerts by the news before them.

pub mod bert;
pub mod bert_encoder;
pub mod combined_detector;
pub mod combined_score;
pub mod detector;
pub mod embedder;
pub mod encoder_dataset;
pub mod encoder_training;
pub mod error;
pub mod fast_gelu;
pub mod financial_encoder;
pub mod kind_prototypes;
pub mod logistic;
pub mod news_context;
pub mod news_detector;
pub mod numeric_context;
pub mod projection;
pub mod shrinkage;
pub mod style_cues;

pub use bert::{BertEmbedder, EmbedderOptions, Encoder};
pub use bert_encoder::BertEncoder;
pub use combined_detector::{CombinationConfig, CombinationReport, CombinedTextDetector, CombinedVerdict};
pub use combined_score::{CombinedScore, HeadlineScorer, PartContribution, PartScores, TextCombiner, TextPart};
pub use detector::{Neighbour, TextAnomalyDetector, TextDetectorConfig, TextMethod, TextScores, is_calibration_index};
pub use embedder::{Embedder, Embeddings, Truncated, cosine};
pub use encoder_dataset::{HeadlineOrigin, LabelledHeadline, corpus_headlines, encoder_examples, simulator_headlines};
pub use encoder_training::{EncoderExample, EncoderTrainingConfig, TrainingReport, train_encoder};
pub use error::TextError;
pub use financial_encoder::{EncoderScore, EncoderWeights, FUSED_WIDTH, FinancialAnomalyEncoder};
pub use kind_prototypes::KindPrototypes;
pub use logistic::LogisticRegression;
pub use news_context::{
    DEFAULT_LOOKBACK_MINUTES, MIN_REFERENCE_TEXTS, NewsContextConfig, NewsContextReport, REFERENCE_PER_FAMILY,
    REFERENCE_SEED, apply_news_context, news_detector, news_window, project_news_detector,
};
pub use news_detector::{NewsAnomalyDetector, NewsReference, NewsVerdict};
pub use numeric_context::{DEFAULT_CONTEXT_BARS, NUMERIC_FEATURE_NAMES, NumericContext};
pub use projection::principal_plane;
pub use shrinkage::ShrunkCovariance;
pub use style_cues::{STYLE_CUE_NAMES, StyleCues};
