//! Causal self-attention over a key/value cache, shared by the local
//! networks: the mask for a chunk of tokens after cached ones (with an
//! optional sliding window), the cache, and the attention itself.

use candle_core::{Device, Tensor};

/// The keys and values of the positions fed so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct KvCache {
    keys_values: Option<(Tensor, Tensor)>,
}

impl KvCache {
    /// Appends the chunk's keys and values (batch, kv heads, tokens, head
    /// dim) fed at `position` (0 starts afresh) and returns all of them.
    pub(crate) fn append(&mut self, k: Tensor, v: Tensor, position: usize) -> candle_core::Result<(Tensor, Tensor)> {
        let (k, v) = match (&self.keys_values, position) {
            (Some((k_cache, v_cache)), p) if p > 0 => {
                (Tensor::cat(&[k_cache, &k], 2)?, Tensor::cat(&[v_cache, &v], 2)?)
            }
            _ => (k.contiguous()?, v.contiguous()?),
        };
        self.keys_values = Some((k.clone(), v.clone()));
        Ok((k, v))
    }

    /// Forgets every position.
    pub(crate) fn clear(&mut self) {
        self.keys_values = None;
    }
}

/// softmax(q·kᵀ/√d + mask)·v, with each key/value head shared by
/// `heads / kv_heads` query heads; returns (batch, tokens, heads × head dim).
pub(crate) fn attend(q: &Tensor, k: Tensor, v: Tensor, mask: Option<&Tensor>) -> candle_core::Result<Tensor> {
    let (batch, heads, len, head_dim) = q.dims4()?;
    let kv_heads = k.dim(1)?;
    let k = candle_transformers::utils::repeat_kv(k, heads / kv_heads)?;
    let v = candle_transformers::utils::repeat_kv(v, heads / kv_heads)?;
    let mut weights = (q.matmul(&k.t()?)? * (1.0 / (head_dim as f64).sqrt()))?;
    if let Some(mask) = mask {
        weights = weights.broadcast_add(mask)?;
    }
    let weights = candle_nn::ops::softmax_last_dim(&weights)?;
    weights.matmul(&v.contiguous()?)?.transpose(1, 2)?.reshape((batch, len, heads * head_dim))
}

/// The additive mask (0 or −∞) of `len` queries at positions
/// `position..position + len` over keys `0..position + len`, or `None` when
/// every query may see every key (one query, within the window). With a
/// `window`, a query at `i` sees keys `j` with `i - window < j <= i`, as
/// llama.cpp and Hugging Face count.
pub(crate) fn attention_mask(
    len: usize,
    position: usize,
    window: Option<usize>,
    device: &Device,
) -> candle_core::Result<Option<Tensor>> {
    let keys = position + len;
    let outside_window = |query: usize, key: usize| window.is_some_and(|w| query >= key + w);
    if len == 1 && !outside_window(position, 0) {
        return Ok(None);
    }
    let mut mask = Vec::with_capacity(len * keys);
    for row in 0..len {
        let query = position + row;
        mask.extend(
            (0..keys).map(|key| if key > query || outside_window(query, key) { f32::NEG_INFINITY } else { 0.0 }),
        );
    }
    Tensor::from_vec(mask, (1, 1, len, keys), device).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(len: usize, position: usize, window: Option<usize>) -> Vec<Vec<bool>> {
        let mask = attention_mask(len, position, window, &Device::Cpu).unwrap();
        let Some(mask) = mask else { return vec![vec![true; position + len]] };
        let rows: Vec<Vec<f32>> = mask.squeeze(0).unwrap().squeeze(0).unwrap().to_vec2().unwrap();
        rows.into_iter().map(|row| row.into_iter().map(|v| v == 0.0).collect()).collect()
    }

    #[test]
    fn a_chunk_after_a_prefix_sees_the_prefix_and_not_the_future() {
        let rows = visible(2, 3, None);
        assert_eq!(rows, vec![vec![true, true, true, true, false], vec![true; 5]]);
    }

    #[test]
    fn the_sliding_window_hides_keys_window_or_more_positions_back() {
        // Window 2: the query at 3 sees 2 and 3 only.
        assert_eq!(visible(1, 3, Some(2)), vec![vec![false, false, true, true]]);
        assert_eq!(visible(1, 1, Some(2)), vec![vec![true, true]]);
        assert_eq!(visible(2, 0, Some(2)), vec![vec![true, false], vec![true, true]]);
    }
}
