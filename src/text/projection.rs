//! Embeddings seen in two dimensions: the first two principal components.
//!
//! A 384-dimensional cloud cannot be drawn; its projection on the two
//! directions of largest variance can. Distances in the picture are only a
//! shadow of the real ones (the detector works in all dimensions), so the
//! figure shows where texts sit, not how the detector decides.

use nalgebra::{DMatrix, SymmetricEigen};

use super::embedder::Embeddings;

/// The coordinates of every row of `embeddings` on its first two principal
/// components (each sign fixed so the largest loading is positive, so the
/// picture does not flip between runs). Fewer than two rows give zeros.
pub fn principal_plane(embeddings: &Embeddings) -> Vec<(f64, f64)> {
    let (n, p) = (embeddings.len(), embeddings.dim());
    if n < 2 {
        return vec![(0.0, 0.0); n];
    }
    let mut data = DMatrix::from_fn(n, p, |i, j| f64::from(embeddings.row(i)[j]));
    let mean = data.row_mean();
    for mut row in data.row_iter_mut() {
        row -= &mean;
    }
    let covariance = data.transpose() * &data / (n as f64 - 1.0);
    let eigen = SymmetricEigen::new(covariance);
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let axis = |k: usize| {
        let v = eigen.eigenvectors.column(order[k]).into_owned();
        let largest = v.iter().copied().max_by(|a, b| a.abs().total_cmp(&b.abs())).unwrap_or(1.0);
        if largest < 0.0 { -v } else { v }
    };
    let (a, b) = (axis(0), axis(1));
    data.row_iter().map(|row| (row.dot(&a.transpose()), row.dot(&b.transpose()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_axis_follows_the_largest_spread() {
        // Points spread along (1, 1, 0) much more than along (0, 0, 1).
        let data: Vec<f32> = (0..10).flat_map(|i| [i as f32, i as f32, (i % 2) as f32 * 0.1]).collect();
        let plane = principal_plane(&Embeddings::new(3, data, Vec::new()));
        let spread_first = plane.iter().map(|p| p.0 * p.0).sum::<f64>();
        let spread_second = plane.iter().map(|p| p.1 * p.1).sum::<f64>();
        assert!(spread_first > 100.0 * spread_second, "{spread_first} vs {spread_second}");
        assert!(plane[9].0 > plane[0].0, "sign fixed: the axis points along +(1, 1, 0)");
    }
}
