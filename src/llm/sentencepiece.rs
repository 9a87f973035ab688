//! A SentencePiece tokenizer (Gemma's, `tokenizer.ggml.model = llama`)
//! rebuilt from a GGUF file's vocabulary and scores.
//!
//! The file stores no merges, only each piece's score. llama.cpp tokenizes
//! such a vocabulary by merging, again and again, the adjacent pair whose
//! joined piece has the highest score. A BPE whose merge list is every
//! (left, right) split of every piece, ranked by the joined piece's score,
//! makes the same choices, so the tokenizer is the `tokenizers` crate's BPE
//! with these merges, byte fallback (`<0x41>` for a byte no piece covers)
//! and spaces written as `▁`. llama.cpp's "user-defined" pieces (runs of
//! spaces, tabs and newlines, `<start_of_image>`) are cut out of the text
//! first, as llama.cpp does; control pieces (`<start_of_turn>`, `<eos>`) are
//! never produced from text: not as added tokens, not by a merge.

use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::normalizers::replace::Replace;
use tokenizers::normalizers::{NormalizerWrapper, Prepend, Sequence as NormalizerSequence};
use tokenizers::{AddedToken, DecoderWrapper, Tokenizer};

use super::error::LlmError;

/// llama.cpp's token type of an ordinary piece.
const NORMAL_TOKEN_TYPE: i32 = 1;
/// llama.cpp's token type of a piece cut out of raw text before merging.
const USER_DEFINED_TOKEN_TYPE: i32 = 4;

/// SentencePiece's mark for a space.
const SPACE_MARK: &str = "\u{2581}";

/// The vocabulary of a SentencePiece model: pieces, their scores and their
/// llama.cpp token types, all indexed by token id.
pub(crate) struct Pieces<'a> {
    /// The piece of each id.
    pub tokens: &'a [String],
    /// The score of each id (higher merges first).
    pub scores: &'a [f32],
    /// The token type of each id.
    pub types: &'a [i32],
    /// The id `<unk>` has.
    pub unknown: u32,
}

/// Builds the tokenizer. `add_space_prefix` puts a `▁` before the text,
/// as SentencePiece models trained that way expect (Gemma 3: no).
pub(crate) fn sentencepiece_tokenizer(pieces: &Pieces<'_>, add_space_prefix: bool) -> Result<Tokenizer, LlmError> {
    let n = pieces.tokens.len();
    if pieces.scores.len() != n || pieces.types.len() != n {
        return Err(LlmError::Metadata {
            field: "tokenizer.ggml.scores",
            problem: format!(
                "has {} scores and {} token types for {n} tokens",
                pieces.scores.len(),
                pieces.types.len()
            ),
        });
    }
    let unknown = pieces.tokens.get(pieces.unknown as usize).cloned().ok_or_else(|| LlmError::Metadata {
        field: "tokenizer.ggml.unknown_token_id",
        problem: format!("{} is not a token id below {n}", pieces.unknown),
    })?;
    let vocab: Vocab = pieces.tokens.iter().enumerate().map(|(id, token)| (token.clone(), id as u32)).collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges_by_score(pieces))
        .byte_fallback(true)
        .unk_token(unknown)
        .build()
        .map_err(|e| LlmError::Metadata { field: "tokenizer.ggml.scores", problem: e.to_string() })?;
    let mut tokenizer = Tokenizer::new(bpe);
    let spaces = Replace::new(" ", SPACE_MARK).map_err(|e| LlmError::Tokenize(e.to_string()))?;
    let normalizer: NormalizerWrapper = if add_space_prefix {
        let prefix = Prepend::new(SPACE_MARK.to_string());
        NormalizerSequence::new(vec![prefix.into(), spaces.into()]).into()
    } else {
        spaces.into()
    };
    tokenizer.with_normalizer(Some(normalizer)).map_err(|e| LlmError::Tokenize(e.to_string()))?;
    let user_defined: Vec<AddedToken> = pieces
        .tokens
        .iter()
        .zip(pieces.types)
        .filter(|(_, kind)| **kind == USER_DEFINED_TOKEN_TYPE)
        .map(|(token, _)| AddedToken::from(token.clone(), false).normalized(false))
        .collect();
    tokenizer.add_tokens(user_defined).map_err(|e| LlmError::Tokenize(e.to_string()))?;
    let back_to_spaces = Replace::new(SPACE_MARK, " ").map_err(|e| LlmError::Tokenize(e.to_string()))?;
    let decoders: Vec<DecoderWrapper> = vec![back_to_spaces.into(), ByteFallback::new().into(), Fuse::new().into()];
    tokenizer.with_decoder(Some(Sequence::new(decoders)));
    Ok(tokenizer)
}

// ANCHOR: merges
/// Every split of every ordinary piece into two ordinary pieces, the splits
/// of higher-scoring pieces first (ties: lower id first, then the shorter
/// left part).
fn merges_by_score(pieces: &Pieces<'_>) -> Vec<(String, String)> {
    let normal = |id: usize| pieces.types[id] == NORMAL_TOKEN_TYPE;
    let ids: std::collections::HashMap<&str, usize> =
        pieces.tokens.iter().enumerate().filter(|(id, _)| normal(*id)).map(|(id, t)| (t.as_str(), id)).collect();
    let mut ranked: Vec<(f32, usize, usize, &str, &str)> = Vec::new();
    for (id, piece) in pieces.tokens.iter().enumerate().filter(|(id, _)| normal(*id)) {
        for (cut, _) in piece.char_indices().skip(1) {
            let (left, right) = piece.split_at(cut);
            if ids.contains_key(left) && ids.contains_key(right) {
                ranked.push((pieces.scores[id], id, cut, left, right));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    ranked.into_iter().map(|(_, _, _, left, right)| (left.to_string(), right.to_string())).collect()
}
// ANCHOR_END: merges
