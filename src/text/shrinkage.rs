//! A covariance estimate that stays invertible with few samples in many
//! dimensions: Ledoit–Wolf shrinkage towards a scaled identity.
//!
//! With `n` samples in `p` dimensions the sample covariance `S` has rank at
//! most `n − 1`; with 384-dimensional embeddings and a few hundred texts it
//! cannot be inverted, and even when it can, its smallest eigenvalues are
//! noise that a Mahalanobis distance divides by. Ledoit and Wolf (2004)
//! shrink it towards `μ·I` (`μ` = the mean variance):
//! `Σ = (1 − δ)·S + δ·μ·I`, with the weight `δ` estimated from the data so
//! that the expected squared error is smallest. The formula is
//! scikit-learn's `ledoit_wolf_shrinkage`.

use nalgebra::{DMatrix, DVector};

use super::error::TextError;

/// The mean and a shrunk covariance of a set of vectors, ready for
/// Mahalanobis distances.
#[derive(Debug, Clone)]
pub struct ShrunkCovariance {
    mean: DVector<f64>,
    /// Lower Cholesky factor `L` of the shrunk covariance: `Σ = L·Lᵀ`.
    lower: DMatrix<f64>,
    shrinkage: f64,
}

impl ShrunkCovariance {
    /// Fits on `rows` (at least two vectors, all of one length).
    pub fn ledoit_wolf<'a>(rows: impl ExactSizeIterator<Item = &'a [f32]>) -> Result<Self, TextError> {
        let n = rows.len();
        if n < 2 {
            return Err(TextError::TooFew { what: "covariance samples", have: n, need: 2 });
        }
        let rows: Vec<&[f32]> = rows.collect();
        let p = rows[0].len();
        if let Some(bad) = rows.iter().find(|r| r.len() != p) {
            return Err(TextError::DimensionMismatch { what: "covariance sample", found: bad.len(), expected: p });
        }
        let data = DMatrix::from_fn(n, p, |i, j| f64::from(rows[i][j]));
        let mean = data.row_mean().transpose();
        let mut centred = data;
        for mut row in centred.row_iter_mut() {
            row -= mean.transpose();
        }
        // ANCHOR: ledoit_wolf
        let nf = n as f64;
        let pf = p as f64;
        let sample = centred.transpose() * &centred / nf;
        let mu = sample.trace() / pf;
        // δ̂ = ‖S − μI‖²_F / p ; β̂ = (1/(n²p)) Σ_k ‖x_k x_kᵀ − S‖²_F, clipped to δ̂.
        let squared = centred.map(|x| x * x);
        let beta_sum = (squared.transpose() * &squared).sum();
        let s_frobenius = sample.iter().map(|x| x * x).sum::<f64>();
        let beta = (beta_sum / nf - s_frobenius) / (pf * nf);
        let delta = (s_frobenius - 2.0 * mu * sample.trace() + pf * mu * mu) / pf;
        let shrinkage = if delta <= 0.0 { 1.0 } else { (beta.min(delta) / delta).clamp(0.0, 1.0) };
        let mut shrunk = sample * (1.0 - shrinkage);
        for i in 0..p {
            shrunk[(i, i)] += shrinkage * mu;
        }
        // ANCHOR_END: ledoit_wolf
        let cholesky = shrunk.cholesky().ok_or(TextError::InvalidParameter {
            name: "covariance samples",
            value: format!("{n} vectors of {p} dimensions"),
            reason: "their shrunk covariance is not positive definite (are all vectors identical?)",
        })?;
        Ok(Self { mean, lower: cholesky.l(), shrinkage })
    }

    /// The estimated shrinkage weight `δ` in `[0, 1]` (0: the sample
    /// covariance, 1: a scaled identity).
    pub fn shrinkage(&self) -> f64 {
        self.shrinkage
    }

    /// Dimension of the vectors.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The mean vector.
    pub fn mean(&self) -> &[f64] {
        self.mean.as_slice()
    }

    /// The Mahalanobis distance `√((x − m)ᵀ Σ⁻¹ (x − m))`.
    pub fn mahalanobis(&self, x: &[f32]) -> Result<f64, TextError> {
        if x.len() != self.dim() {
            return Err(TextError::DimensionMismatch { what: "scored vector", found: x.len(), expected: self.dim() });
        }
        let d = DVector::from_iterator(x.len(), x.iter().zip(self.mean.iter()).map(|(&a, &m)| f64::from(a) - m));
        let y = self.lower.solve_lower_triangular(&d).expect("a Cholesky factor has a non-zero diagonal");
        Ok(y.norm())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn shrinkage_and_distances_match_scikit_learn() {
        // from sklearn.covariance import LedoitWolf; m = LedoitWolf().fit(X)
        // m.shrinkage_ = 0.27297099326106056; sqrt(m.mahalanobis([[10,-5,1]])) = 8.639620704824015,
        // sqrt(m.mahalanobis([[3,2,1]])) = 0.42949152397523943 (scikit-learn 1.9.1).
        let rows: [[f32; 3]; 8] = [
            [1., 2., 0.],
            [3., 1., 1.],
            [2., 4., 1.],
            [6., 3., 2.],
            [4., 4., 3.],
            [5., 2., 2.],
            [0., 1., 0.],
            [2., 2., 1.],
        ];
        let fit = ShrunkCovariance::ledoit_wolf(rows.iter().map(|r| r.as_slice())).unwrap();
        assert_relative_eq!(fit.shrinkage(), 0.27297099326106056, epsilon = 1e-12);
        assert_relative_eq!(fit.mahalanobis(&[10.0, -5.0, 1.0]).unwrap(), 8.639620704824015, epsilon = 1e-9);
        assert_relative_eq!(fit.mahalanobis(&[3.0, 2.0, 1.0]).unwrap(), 0.42949152397523943, epsilon = 1e-9);
    }

    #[test]
    fn more_dimensions_than_samples_still_inverts() {
        let rows: Vec<Vec<f32>> = (0..5).map(|i| (0..50).map(|j| ((i * 7 + j * 3) % 11) as f32).collect()).collect();
        let fit = ShrunkCovariance::ledoit_wolf(rows.iter().map(Vec::as_slice)).unwrap();
        assert!(fit.shrinkage() > 0.0);
        assert!(fit.mahalanobis(&rows[0]).unwrap().is_finite());
    }

    #[test]
    fn bad_shapes_are_refused() {
        let one = [[1.0f32, 2.0]];
        assert!(matches!(
            ShrunkCovariance::ledoit_wolf(one.iter().map(|r| r.as_slice())),
            Err(TextError::TooFew { have: 1, .. })
        ));
        let rows = [[1.0f32, 2.0], [2.0, 1.0], [0.0, 0.5]];
        let fit = ShrunkCovariance::ledoit_wolf(rows.iter().map(|r| r.as_slice())).unwrap();
        assert!(matches!(fit.mahalanobis(&[1.0]), Err(TextError::DimensionMismatch { found: 1, expected: 2, .. })));
    }
}
