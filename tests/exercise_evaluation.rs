//! Exercise of the Evaluation page: the threshold that maximises F1.
#![allow(dead_code, unused_variables)]

mod exercise {
    // ANCHOR: exercise
    /// The threshold `t` (flag scores ≥ t) with the highest F1 on these
    /// labels, and that F1. `None` without positive labels.
    pub fn best_f1_threshold(scores: &[f64], labels: &[bool]) -> Option<(f64, f64)> {
        todo!("walk the precision-recall curve")
    }
    // ANCHOR_END: exercise
}

mod solution {
    // ANCHOR: solution
    use llm_anomaly::eval::pr_curve;

    pub fn best_f1_threshold(scores: &[f64], labels: &[bool]) -> Option<(f64, f64)> {
        let curve = pr_curve(scores, labels).ok()?;
        curve
            .iter()
            .filter(|p| p.precision + p.recall > 0.0)
            .map(|p| (p.threshold, 2.0 * p.precision * p.recall / (p.precision + p.recall)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
    // ANCHOR_END: solution
}

#[test]
fn by_hand() {
    // P/R at thresholds 0.8, 0.4, 0.35, 0.1: (1, .5), (.5, .5), (.667, 1), (.5, 1)
    let (t, f1) = solution::best_f1_threshold(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap();
    assert_eq!(t, 0.35);
    approx::assert_relative_eq!(f1, 0.8);
    assert_eq!(solution::best_f1_threshold(&[0.1, 0.2], &[false, false]), None);
}

#[test]
fn the_tuned_threshold_is_only_honest_on_data_it_was_not_tuned_on() {
    // Tuning on the test set and reporting that F1 is a leak: the book's
    // point. Here: the best F1 on one half is higher than what that
    // threshold gets on the other half.
    // Noisy scores: anomalies are likelier at high scores, but not certain.
    let mut rng = llm_anomaly::simulate::rng::SimRng::new(5, 0);
    let scores: Vec<f64> = (0..400).map(|_| rng.uniform()).collect();
    let labels: Vec<bool> = scores.iter().map(|&s| rng.uniform() < 0.02 + 0.3 * s * s * s).collect();
    let (t, tuned) = solution::best_f1_threshold(&scores[..200], &labels[..200]).unwrap();
    let cm = llm_anomaly::eval::ConfusionMatrix::from_predictions(
        &labels[200..],
        &scores[200..].iter().map(|&s| s >= t).collect::<Vec<_>>(),
    )
    .unwrap();
    let held_out = cm.f1().expect("the other half has positives and alerts");
    assert!(held_out < tuned, "held-out F1 {held_out} vs tuned {tuned}");
}
