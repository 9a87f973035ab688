//! [`LogisticRegression`]: the few weights that combine calibrated part
//! scores, fitted by Newton's method (IRLS) with an L2 penalty and class
//! weights, so it is exact, deterministic and needs no learning rate.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::error::TextError;

/// A fitted logistic model `P(anomalous) = σ(b + w·x)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticRegression {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

impl LogisticRegression {
    /// Fits on `rows` (one feature vector per example) and `labels`,
    /// minimising the class-balanced log loss plus `l2 / 2 · |w|²` (the
    /// intercept is not penalised). Both labels must be present.
    pub fn fit(rows: &[Vec<f64>], labels: &[bool], l2: f64) -> Result<Self, TextError> {
        let n = rows.len();
        if labels.len() != n {
            return Err(TextError::DimensionMismatch { what: "labels", found: labels.len(), expected: n });
        }
        let positives = labels.iter().filter(|&&y| y).count();
        if positives == 0 || positives == n {
            return Err(TextError::TooFew { what: "examples of each label for the combination", have: 0, need: 1 });
        }
        let p = rows.first().map_or(0, Vec::len);
        if let Some(bad) = rows.iter().find(|r| r.len() != p) {
            return Err(TextError::DimensionMismatch { what: "combination features", found: bad.len(), expected: p });
        }
        if let Some(row) = rows.iter().position(|r| r.iter().any(|x| !x.is_finite())) {
            return Err(TextError::InvalidParameter {
                name: "features",
                value: format!("example #{row}"),
                reason: "has a value that is not finite",
            });
        }
        if !(l2 >= 0.0 && l2.is_finite()) {
            return Err(TextError::InvalidParameter {
                name: "l2",
                value: l2.to_string(),
                reason: "a finite penalty ≥ 0",
            });
        }
        let class_weight = |y: bool| n as f64 / (2.0 * if y { positives } else { n - positives } as f64);
        // Column 0 is the intercept.
        let x = DMatrix::from_fn(n, p + 1, |i, j| if j == 0 { 1.0 } else { rows[i][j - 1] });
        let mut beta = DVector::<f64>::zeros(p + 1);
        for _ in 0..100 {
            let eta = &x * &beta;
            let mut gradient = DVector::<f64>::zeros(p + 1);
            let mut hessian = DMatrix::<f64>::zeros(p + 1, p + 1);
            for i in 0..n {
                let mu = sigmoid(eta[i]);
                let c = class_weight(labels[i]);
                let row = x.row(i).transpose();
                gradient += &row * (c * (mu - f64::from(u8::from(labels[i]))));
                hessian += &row * row.transpose() * (c * mu * (1.0 - mu));
            }
            for j in 1..=p {
                gradient[j] += l2 * beta[j];
                hessian[(j, j)] += l2;
            }
            // A tiny ridge keeps separable data and collinear features solvable.
            for j in 0..=p {
                hessian[(j, j)] += 1e-9;
            }
            let step = hessian.lu().solve(&gradient).ok_or(TextError::InvalidParameter {
                name: "features",
                value: "singular".into(),
                reason: "the combination's features are degenerate",
            })?;
            beta -= &step;
            if step.amax() < 1e-10 {
                break;
            }
        }
        Ok(Self { intercept: beta[0], weights: beta.iter().skip(1).copied().collect() })
    }

    /// The log-odds `b + w·x`.
    pub fn logit(&self, x: &[f64]) -> f64 {
        self.intercept + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>()
    }

    /// `σ(b + w·x)`.
    pub fn probability(&self, x: &[f64]) -> f64 {
        sigmoid(self.logit(x))
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_model_and_ranks_by_it() {
        // Labels from a fixed rule with overlap: y = 1 where 2·x0 − x1 + noise > 0.
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..400 {
            let a = ((i * 37) % 101) as f64 / 50.0 - 1.0;
            let b = ((i * 53) % 97) as f64 / 48.0 - 1.0;
            let noise = ((i * 71) % 89) as f64 / 89.0 - 0.5;
            rows.push(vec![a, b]);
            labels.push(2.0 * a - b + noise > 0.0);
        }
        let model = LogisticRegression::fit(&rows, &labels, 0.0).unwrap();
        // The direction is (2, −1) up to scale.
        let ratio = model.weights[0] / -model.weights[1];
        assert!((ratio - 2.0).abs() < 0.3, "{model:?}");
        assert!(model.probability(&[1.0, -1.0]) > 0.99);
        assert!(model.probability(&[-1.0, 1.0]) < 0.01);
        // The penalty shrinks the weights.
        let shrunk = LogisticRegression::fit(&rows, &labels, 50.0).unwrap();
        assert!(shrunk.weights[0].abs() < model.weights[0].abs());
    }

    #[test]
    fn one_label_or_a_nan_is_refused() {
        assert!(LogisticRegression::fit(&[vec![1.0], vec![2.0]], &[true, true], 1.0).is_err());
        let err = LogisticRegression::fit(&[vec![f64::NAN], vec![2.0]], &[true, false], 1.0).unwrap_err();
        assert!(err.to_string().contains("example #0"), "{err}");
    }
}
