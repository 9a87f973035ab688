//! MiniLM in candle gives the embeddings PyTorch sentence-transformers gives
//! (tests/data/text/minilm_reference.json, made by the script beside it).

mod common;

use llm_anomaly::text::{BertEmbedder, Embedder, EmbedderOptions, Encoder, cosine};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/text/minilm_reference.json")).expect("reference JSON")
}

#[test]
fn embeddings_match_sentence_transformers() {
    let Some(model) = common::minilm() else { return };
    check_against_reference(&model);
}

#[test]
fn candle_transformers_bert_model_matches_too() {
    let Some(files) = common::minilm_files() else { return };
    let options = EmbedderOptions { encoder: Encoder::CandleTransformers, ..EmbedderOptions::default() };
    check_against_reference(&BertEmbedder::load(&files, &options).unwrap());
}

fn check_against_reference(model: &BertEmbedder) {
    let reference = reference();
    let items = reference["items"].as_array().unwrap();
    let texts: Vec<&str> = items.iter().map(|item| item["text"].as_str().unwrap()).collect();
    let embeddings = model.embed(&texts).unwrap();
    assert_eq!((embeddings.len(), embeddings.dim()), (texts.len(), 384));
    // ANCHOR: reference_check
    for (index, item) in items.iter().enumerate() {
        let expected: Vec<f32> =
            item["embedding"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
        let similarity = cosine(embeddings.row(index), &expected);
        assert!(similarity >= 0.9999, "text #{index} {:?}: cosine {similarity}", texts[index]);
        let norm: f32 = embeddings.row(index).iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "text #{index} has norm {norm}");
    }
    // ANCHOR_END: reference_check
}

#[test]
fn only_the_long_text_is_truncated_and_the_report_says_how_much() {
    let Some(model) = common::minilm() else { return };
    let reference = reference();
    let items = reference["items"].as_array().unwrap();
    let texts: Vec<&str> = items.iter().map(|item| item["text"].as_str().unwrap()).collect();
    let embeddings = model.embed(&texts).unwrap();
    assert_eq!(embeddings.truncated.len(), 1, "{:?}", embeddings.truncated);
    let cut = embeddings.truncated[0];
    assert_eq!(cut.index, texts.len() - 1);
    assert_eq!(cut.kept_tokens, 256);
    assert_eq!(cut.total_chars, texts[cut.index].chars().count());
    // 254 WordPiece tokens (plus [CLS] and [SEP]) cover about half of the 40 repeats.
    assert!(cut.kept_chars > 1000 && cut.kept_chars < cut.total_chars, "{cut:?}");
}

#[test]
fn padding_does_not_change_an_embedding() {
    let Some(files) = common::minilm_files() else { return };
    let one_by_one =
        BertEmbedder::load(&files, &EmbedderOptions { batch_size: 1, ..EmbedderOptions::default() }).unwrap();
    let batched = BertEmbedder::load(&files, &EmbedderOptions { batch_size: 8, ..EmbedderOptions::default() }).unwrap();
    let texts = ["Oil slips", "Payrolls grow by 180,000; unemployment rate unchanged at 4.1%", "BUY NOW 🚀"];
    let (a, b) = (one_by_one.embed(&texts).unwrap(), batched.embed(&texts).unwrap());
    for index in 0..texts.len() {
        assert!(cosine(a.row(index), b.row(index)) > 0.99999, "text #{index}");
    }
}

#[test]
fn a_line_of_100_000_characters_is_cut_not_refused() {
    let Some(model) = common::minilm() else { return };
    let long = "spam ".repeat(20_000);
    let embeddings = model.embed(&[&long, "Fed holds rates"]).unwrap();
    assert_eq!(embeddings.len(), 2);
    assert_eq!(embeddings.truncated.iter().map(|t| t.index).collect::<Vec<_>>(), vec![0]);
}
