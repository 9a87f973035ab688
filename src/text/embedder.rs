//! The [`Embedder`] trait: texts in, unit vectors out.

use super::error::TextError;

/// A text that was longer than the model can read and was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated {
    /// Position of the text in the input.
    pub index: usize,
    /// Tokens the model read (special tokens included).
    pub kept_tokens: usize,
    /// Characters of the text those tokens cover.
    pub kept_chars: usize,
    /// Characters of the whole text.
    pub total_chars: usize,
}

/// One embedding per input text, row-major, each of length [`Embeddings::dim`].
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    dim: usize,
    data: Vec<f32>,
    /// The texts that were cut to the model's maximum length.
    pub truncated: Vec<Truncated>,
}

impl Embeddings {
    /// Wraps `data` (`len * dim` values, row-major).
    ///
    /// # Panics
    /// When `data.len()` is not a multiple of `dim` (a bug of the embedder, not of the input).
    pub fn new(dim: usize, data: Vec<f32>, truncated: Vec<Truncated>) -> Self {
        assert!(
            dim > 0 && data.len().is_multiple_of(dim),
            "embedding data of {} values is not rows of {dim}",
            data.len()
        );
        Self { dim, data, truncated }
    }

    /// Length of every vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    /// Whether there are no vectors.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The vector of text `index`.
    pub fn row(&self, index: usize) -> &[f32] {
        &self.data[index * self.dim..(index + 1) * self.dim]
    }

    /// Every vector in input order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[f32]> {
        self.data.chunks_exact(self.dim)
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
}

/// Turns texts into vectors so that similar meanings are close.
///
/// Implementations return L2-normalised vectors, one per text, in input
/// order, and report every text they had to truncate; a detector built on
/// an `Embedder` does not care which model is behind it.
pub trait Embedder {
    /// A short name of the model, for reports (e.g. `all-MiniLM-L6-v2`).
    fn name(&self) -> &str;
    /// Length of the vectors.
    fn dim(&self) -> usize;
    /// The longest input in tokens; longer texts are truncated.
    fn max_tokens(&self) -> usize;
    /// Embeds `texts`.
    fn embed(&self, texts: &[&str]) -> Result<Embeddings, TextError>;
}

/// Cosine similarity of two vectors (1 for the same direction).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        dot += f64::from(x) * f64::from(y);
        aa += f64::from(x) * f64::from(x);
        bb += f64::from(y) * f64::from(y);
    }
    if aa == 0.0 || bb == 0.0 { 0.0 } else { dot / (aa.sqrt() * bb.sqrt()) }
}
