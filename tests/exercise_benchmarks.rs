//! Exercise of the Benchmarks page: what one detection inside a NAB window
//! is worth.
#![allow(dead_code, unused_variables)]

use llm_anomaly::eval::nab::{NabSeries, NabWindow, STANDARD, sweep_rows};

mod exercise {
    // ANCHOR: exercise
    /// NAB's reward for a detection at `row` inside the window
    /// `start..=end`, with `tp` the profile's reward for a perfect one: the
    /// scaled sigmoid of the detection's place in the window, scaled so
    /// that the window's first row earns exactly `tp`.
    pub fn detection_reward(row: usize, start: usize, end: usize, tp: f64) -> f64 {
        todo!("position = -(end - row + 1) / width; use llm_anomaly::eval::nab::scaled_sigmoid")
    }
    // ANCHOR_END: exercise
}

mod solution {
    // ANCHOR: solution
    use llm_anomaly::eval::nab::scaled_sigmoid;

    pub fn detection_reward(row: usize, start: usize, end: usize, tp: f64) -> f64 {
        let width = (end - start + 1) as f64;
        let position = -((end - row + 1) as f64) / width;
        tp * scaled_sigmoid(position) / scaled_sigmoid(-1.0)
    }
    // ANCHOR_END: solution
}

#[test]
fn the_first_row_earns_tp_and_later_rows_earn_less() {
    assert!((solution::detection_reward(10, 10, 19, 1.0) - 1.0).abs() < 1e-12);
    let middle = solution::detection_reward(15, 10, 19, 1.0);
    let last = solution::detection_reward(19, 10, 19, 1.0);
    // Last row: position -1/10, sigmoid 2/(1+e^-0.5) - 1 = tanh(0.25).
    assert!((last - 0.25f64.tanh() / 2.5f64.tanh()).abs() < 1e-12, "{last}");
    assert!(1.0 > middle && middle > last && last > 0.0);
}

#[test]
fn the_reward_is_the_weight_nab_scoring_gives_the_row() {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let series = NabSeries {
        name: "exercise/series.csv".into(),
        timestamps: (0..40).map(|i| start + chrono::Duration::minutes(5 * i)).collect(),
        values: vec![0.0; 40],
        windows: vec![NabWindow { start_row: 20, end_row: 27 }],
    };
    let rows = sweep_rows(&series, &[0.0; 40], &STANDARD);
    let probation = 40 - rows.len();
    for row in 20..=27 {
        let expected = rows[row - probation].weight;
        assert!((solution::detection_reward(row, 20, 27, STANDARD.tp) - expected).abs() < 1e-12, "row {row}");
    }
}
