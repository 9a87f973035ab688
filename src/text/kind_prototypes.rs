//! Which kind of anomaly a flagged text resembles: the mean direction of
//! labelled examples of every kind, and the nearest one.
//!
//! The detector decides *whether* a text is unusual from normal texts
//! alone; this only names *what* a flagged text looks like (pump spam, a
//! fake insider tip, a prompt injection), from examples of each kind.

use super::embedder::Embeddings;
use super::error::TextError;
use crate::alert::{AnomalyType, NearKind};

/// One unit vector per anomaly kind.
#[derive(Debug, Clone, PartialEq)]
pub struct KindPrototypes {
    kinds: Vec<(AnomalyType, Vec<f32>)>,
}

impl KindPrototypes {
    /// The mean direction of each kind's examples; `kinds[i]` labels row `i`
    /// of `examples`. Every kind needs at least one example.
    pub fn fit(examples: &Embeddings, kinds: &[AnomalyType]) -> Result<Self, TextError> {
        if examples.len() != kinds.len() {
            return Err(TextError::InvalidParameter {
                name: "kinds",
                value: format!("{} labels for {} examples", kinds.len(), examples.len()),
                reason: "one kind per example",
            });
        }
        let mut out: Vec<(AnomalyType, Vec<f32>)> = Vec::new();
        for (row, &kind) in examples.rows().zip(kinds) {
            let at = match out.iter().position(|(k, _)| *k == kind) {
                Some(at) => at,
                None => {
                    out.push((kind, vec![0.0; examples.dim()]));
                    out.len() - 1
                }
            };
            for (sum, &x) in out[at].1.iter_mut().zip(row) {
                *sum += x;
            }
        }
        for (_, v) in &mut out {
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= norm.max(f32::MIN_POSITIVE));
        }
        Ok(Self { kinds: out })
    }

    /// The kinds that have examples, in first-seen order.
    pub fn kinds(&self) -> impl Iterator<Item = AnomalyType> + '_ {
        self.kinds.iter().map(|(k, _)| *k)
    }

    /// The kind whose mean direction is most similar to `x`.
    pub fn nearest(&self, x: &[f32]) -> Option<NearKind> {
        self.kinds
            .iter()
            .map(|(kind, v)| NearKind { kind: *kind, similarity: super::embedder::cosine(x, v) })
            .max_by(|a, b| a.similarity.total_cmp(&b.similarity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_mean_direction_names_the_kind() {
        let examples = Embeddings::new(2, vec![1.0, 0.0, 0.8, 0.6, 0.0, 1.0], Vec::new());
        let kinds = [AnomalyType::PumpSpam, AnomalyType::PumpSpam, AnomalyType::FakeInsider];
        let prototypes = KindPrototypes::fit(&examples, &kinds).unwrap();
        assert_eq!(prototypes.nearest(&[0.9, 0.1]).unwrap().kind, AnomalyType::PumpSpam);
        assert_eq!(prototypes.nearest(&[0.1, 0.9]).unwrap().kind, AnomalyType::FakeInsider);
        assert!(KindPrototypes::fit(&examples, &kinds[..2]).is_err());
    }
}
