//! The language model as a forecaster (SmolLM2-135M-Instruct, greedy):
//! digits it reads as it would read them in one text, a spike it did not
//! expect, rows it has not seen yet, and refused input. Needs
//! `cargo xtask models`.

mod common;

use llm_anomaly::llm::{DigitScaler, ForecasterConfig, LlmForecaster, digit_token_text};

/// A repeating pattern of ten values, 60 rows, with `spike` added at row 45.
fn pattern(spike: f64) -> Vec<f64> {
    let cycle = [10.0, 12.0, 15.0, 19.0, 22.0, 24.0, 22.0, 19.0, 15.0, 12.0];
    let mut values: Vec<f64> = (0..60).map(|i| cycle[i % 10]).collect();
    values[45] += spike;
    values
}

#[test]
fn values_tokenized_one_by_one_read_as_the_whole_text() {
    let Some(model) = common::smollm2() else { return };
    let integers = [300, 305, 312, 99, 7, 400, 999, 0];
    let whole: String = integers.iter().map(|&i| digit_token_text(i)).collect();
    let one_by_one: Vec<u32> =
        integers.iter().flat_map(|&i| model.tokenizer().encode_text(&digit_token_text(i)).unwrap()).collect();
    assert_eq!(model.tokenizer().encode_text(&whole).unwrap(), one_by_one);
}

#[test]
fn a_spike_in_a_repeating_pattern_has_the_largest_error_and_the_pattern_small_ones() {
    let Some(model) = common::smollm2() else { return };
    let forecaster = LlmForecaster::new(model, ForecasterConfig::default()).unwrap();
    let run = forecaster.run(&pattern(30.0), 0..30).unwrap();
    assert_eq!(run.forecasts_made, 30);
    assert!(run.forecasts[..30].iter().all(Option::is_none), "no forecast inside the fit range");
    let errors: Vec<f64> = run.errors[30..].iter().map(|e| e.expect("a number every row")).collect();
    let spike = errors[15];
    let largest_elsewhere = errors.iter().enumerate().filter(|(i, _)| *i != 15).map(|(_, e)| *e).fold(0.0, f64::max);
    assert!(spike > 1.5, "the spike is 30 / 14 = 2.1 ranges off: error {spike}");
    assert!(spike > largest_elsewhere, "spike {spike} vs the largest other error {largest_elsewhere}");
    let mut sorted = errors.clone();
    sorted.sort_by(f64::total_cmp);
    assert!(sorted[sorted.len() / 2] <= 0.05, "the model continues the pattern: median error {}", sorted[15]);
}

#[test]
fn a_forecast_never_sees_its_own_row_or_a_later_one() {
    let Some(model) = common::smollm2() else { return };
    let config = ForecasterConfig { stride: 3, ..ForecasterConfig::default() };
    let forecaster = LlmForecaster::new(model, config).unwrap();
    let calm = forecaster.run(&pattern(0.0), 0..30).unwrap();
    let spiked = forecaster.run(&pattern(30.0), 0..30).unwrap();
    assert_eq!(calm.forecasts_made, 10, "rows 30, 33, ..., 57");
    assert_eq!(calm.forecasts[..=45], spiked.forecasts[..=45], "row 45's value changes nothing up to its forecast");
    assert!(calm.errors[31].is_none() && calm.errors[30].is_some(), "only every third row is forecast");
    assert_ne!(calm.errors[45], spiked.errors[45], "the error itself compares with the value that came");
}

#[test]
fn refused_input_is_named() {
    let Some(model) = common::smollm2() else { return };
    let forecaster = LlmForecaster::new(model, ForecasterConfig::default()).unwrap();
    let mut values = pattern(0.0);
    values[40] = f64::NAN;
    let error = forecaster.run(&values, 0..30).unwrap_err().to_string();
    assert!(error.contains("#40") && error.contains("NaN"), "{error}");
    let zero_stride = LlmForecaster::new(model, ForecasterConfig { stride: 0, ..ForecasterConfig::default() });
    assert!(zero_stride.unwrap_err().to_string().contains("stride"));
    assert!(forecaster.run(&[1.0, 2.0], 5..5).is_err(), "an empty fit range");
    let past = forecaster.run(&[1.0, 2.0, 3.0], 0..10).unwrap_err().to_string();
    assert!(past.contains("within the series"), "a fit range past the end: {past}");
    let long = ForecasterConfig { context_values: 1000, ..ForecasterConfig::default() };
    let error = LlmForecaster::new(model, long).unwrap_err().to_string();
    assert!(error.contains("context_values") && error.contains("context"), "{error}");
    assert!(DigitScaler::fit(&values, 0..30).is_ok());
}
