//! Exercise of the book's page *Text-based anomaly detection*: the Oracle
//! Approximating Shrinkage (OAS) weight, the other standard choice beside
//! Ledoit–Wolf (Chen, Wiesel, Eldar and Hero, 2010).

use llm_anomaly::text::ShrunkCovariance;

// ANCHOR: exercise
/// The OAS shrinkage weight of `rows` (n samples of p values): with the
/// sample covariance `S` (divided by n), `μ = tr(S)/p` and `α` the mean of
/// the squared entries of `S`,
/// `δ = min(1, (α + μ²) / ((n + 1)·(α − μ²/p)))`, and 1 when the
/// denominator is 0.
pub fn oas_shrinkage(rows: &[Vec<f64>]) -> f64 {
    let _ = rows;
    todo!("centre the rows, form S, then the formula above")
}
// ANCHOR_END: exercise

mod solution {
    // ANCHOR: solution
    pub fn oas_shrinkage(rows: &[Vec<f64>]) -> f64 {
        let n = rows.len();
        let p = rows[0].len();
        let mean: Vec<f64> = (0..p).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64).collect();
        let mut s = vec![0.0; p * p];
        for r in rows {
            for i in 0..p {
                for j in 0..p {
                    s[i * p + j] += (r[i] - mean[i]) * (r[j] - mean[j]) / n as f64;
                }
            }
        }
        let mu = (0..p).map(|i| s[i * p + i]).sum::<f64>() / p as f64;
        let alpha = s.iter().map(|x| x * x).sum::<f64>() / (p * p) as f64;
        let denominator = (n as f64 + 1.0) * (alpha - mu * mu / p as f64);
        if denominator == 0.0 { 1.0 } else { ((alpha + mu * mu) / denominator).min(1.0) }
    }
    // ANCHOR_END: solution
}

const ROWS: [[f64; 3]; 8] =
    [[1., 2., 0.], [3., 1., 1.], [2., 4., 1.], [6., 3., 2.], [4., 4., 3.], [5., 2., 2.], [0., 1., 0.], [2., 2., 1.]];

#[test]
fn oas_matches_scikit_learn_and_shrinks_more_than_ledoit_wolf_here() {
    let rows: Vec<Vec<f64>> = ROWS.iter().map(|r| r.to_vec()).collect();
    // sklearn.covariance.OAS().fit(ROWS).shrinkage_ (scikit-learn 1.9.1)
    let oas = solution::oas_shrinkage(&rows);
    assert!((oas - 0.5567926555327667).abs() < 1e-12, "{oas}");
    let as_f32: Vec<[f32; 3]> = ROWS.iter().map(|r| r.map(|x| x as f32)).collect();
    let lw = ShrunkCovariance::ledoit_wolf(as_f32.iter().map(|r| r.as_slice())).unwrap().shrinkage();
    assert!((lw - 0.27297099326106056).abs() < 1e-9, "{lw}");
    assert!(oas > lw);
}

#[test]
#[should_panic(expected = "centre the rows")]
fn the_exercise_starts_unsolved() {
    oas_shrinkage(&[vec![1.0], vec![2.0]]);
}
