//! A language model as a forecaster, in the style of SigLLM's Detector
//! pipeline: the series is scaled and written as digits
//! ([`DigitScaler`]), the local model continues the sequence, and the gap
//! between its forecast and the value that came is the anomaly score.
//!
//! It reads the series once and in order: the scaler is fitted on the fit
//! range only, and the forecast for row `t` sees rows before `t` only. A
//! forecast costs a model call, so it is made every `stride`-th row; the
//! rows in between have no score.

use std::ops::Range;
use std::time::Instant;

use super::digit_series::{DigitScaler, digit_token_text, parse_forecast};
use super::error::LlmError;
use super::local_model::LocalLlm;
use super::session::{GenerateOptions, Session, StopRule};
use crate::timeseries::TimeSeriesError;

/// What can go wrong while forecasting: the series, or the model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForecastError {
    /// The series or a setting was refused.
    #[error(transparent)]
    Series(#[from] TimeSeriesError),
    /// The model failed.
    #[error(transparent)]
    Llm(#[from] LlmError),
}

/// How the model reads the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecasterConfig {
    /// Values the model sees after a (re)start of its context; SigLLM's
    /// window is 140.
    pub window_values: usize,
    /// When the context holds this many values at a forecast, it is
    /// restarted from the last `window_values` (the model's context is
    /// finite, and attention grows with it).
    pub context_values: usize,
    /// A forecast every `stride`-th row from the first scored one (1 = every
    /// row).
    pub stride: usize,
    /// Tokens a forecast may take (three digits and a comma take at most 4
    /// with SmolLM2's tokenizer; the default 5 leaves a margin).
    pub max_forecast_tokens: usize,
}

/// What the forecaster made of a series: one entry per row.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRun {
    /// The forecast of each row, in the series' units (`None`: no forecast
    /// was made for it, or the model's answer was not a number).
    pub forecasts: Vec<Option<f64>>,
    /// |actual − forecast| in fitted ranges (1.0 = the fit range's max −
    /// min), where a forecast was read.
    pub errors: Vec<Option<f64>>,
    /// Forecasts asked for.
    pub forecasts_made: usize,
    /// Answers that were not a number (their rows have no error).
    pub unreadable: usize,
    /// Tokens generated over all forecasts.
    pub generated_tokens: usize,
    /// Seconds spent on the model.
    pub seconds: f64,
}

impl ForecastRun {
    /// The errors as anomaly scores in [0, 1): `e / (1 + e)`, so 0.5 is an
    /// error of one whole fit range; 0 where there is no error.
    pub fn anomaly_scores(&self) -> Vec<f64> {
        self.errors.iter().map(|e| e.map_or(0.0, |e| e / (1.0 + e))).collect()
    }
}

/// A local GGUF model used as a forecaster of digit sequences.
#[derive(Debug, Clone)]
pub struct LlmForecaster<'a> {
    llm: &'a LocalLlm,
    config: ForecasterConfig,
    texts: TokenTexts,
}

// ANCHOR: forecast
impl Default for ForecasterConfig {
    /// SigLLM's window of 140 values, restarted at 400, a forecast every row.
    fn default() -> Self {
        Self { window_values: 140, context_values: 400, stride: 1, max_forecast_tokens: 5 }
    }
}

impl<'a> LlmForecaster<'a> {
    /// A forecaster on `llm` with `config`; errors name a setting out of
    /// range, or a context longer than the model's.
    pub fn new(llm: &'a LocalLlm, config: ForecasterConfig) -> Result<Self, ForecastError> {
        let refuse = |name, value: usize, reason| {
            Err(TimeSeriesError::InvalidParameter { name, value: value.to_string(), reason }.into())
        };
        if config.stride == 0 {
            return refuse("stride", config.stride, "at least 1");
        }
        if config.window_values == 0 || config.context_values <= config.window_values {
            return refuse("context_values", config.context_values, "more than window_values, which is at least 1");
        }
        if config.max_forecast_tokens == 0 {
            return refuse("max_forecast_tokens", config.max_forecast_tokens, "at least 1");
        }
        let texts = TokenTexts::new(llm)?;
        let needed = 1 + config.context_values * texts.longest() + config.max_forecast_tokens;
        if needed > llm.context_tokens() {
            return refuse("context_values", config.context_values, "needs more tokens than the model's context holds");
        }
        Ok(Self { llm, config, texts })
    }

    /// Forecasts `values[fit.end..]` row by row, the scaler fitted on
    /// `values[fit]`; rows before `fit.end` get no forecast. A value that is
    /// not finite anywhere in the series, or a fit range that is empty or
    /// ends past the series, is refused before the model runs.
    pub fn run(&self, values: &[f64], fit: Range<usize>) -> Result<ForecastRun, ForecastError> {
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(TimeSeriesError::NotFinite { field: "value", index, value }.into());
        }
        let scaler = DigitScaler::fit(values, fit.clone())?;
        let first = fit.end;
        let integers: Vec<i64> = values.iter().map(|&v| scaler.to_integer(v)).collect();
        let texts = &self.texts;
        let started = Instant::now();
        let c = &self.config;
        let mut run = ForecastRun {
            forecasts: vec![None; values.len()],
            errors: vec![None; values.len()],
            forecasts_made: 0,
            unreadable: 0,
            generated_tokens: 0,
            seconds: 0.0,
        };
        let options = GenerateOptions { max_new_tokens: c.max_forecast_tokens, stop: StopRule::Text(",".into()) };
        let stop_tokens = self.llm.stop_tokens()?;
        // The context holds rows `context_start..t` once `pending` (the rows
        // since the last forecast) is fed, in one call, before a forecast.
        let mut context_start = first.saturating_sub(c.window_values);
        let mut session = self.start(texts, &integers[context_start..first])?;
        let mut pending = Vec::new();
        for t in first..values.len() {
            if (t - first).is_multiple_of(c.stride) {
                if t - context_start >= c.context_values {
                    context_start = t - c.window_values;
                    session = self.start(texts, &integers[context_start..t])?;
                } else {
                    session.feed(&pending)?;
                }
                pending.clear();
                let mut fork = session.fork();
                let answer = fork.generate(self.llm.tokenizer(), &stop_tokens, &options)?;
                run.forecasts_made += 1;
                run.generated_tokens += answer.tokens.len();
                match parse_forecast(&answer.text) {
                    Some(forecast) => {
                        run.forecasts[t] = Some(scaler.to_value(forecast));
                        run.errors[t] = Some(DigitScaler::ranges_between(integers[t], forecast));
                    }
                    None => run.unreadable += 1,
                }
            }
            pending.extend_from_slice(texts.of(integers[t]));
        }
        run.seconds = started.elapsed().as_secs_f64();
        Ok(run)
    }

    /// A fresh context: the document start and the digits of `integers`.
    fn start(&self, texts: &TokenTexts, integers: &[i64]) -> Result<Session, LlmError> {
        // The model's BOS where it asks for one (Gemma), else the document separator.
        let tokenizer = self.llm.tokenizer();
        let mut tokens = vec![tokenizer.bos().unwrap_or_else(|| tokenizer.document_start())];
        for &integer in integers {
            tokens.extend_from_slice(texts.of(integer));
        }
        let mut session = self.llm.session();
        session.feed(&tokens)?;
        Ok(session)
    }
}
// ANCHOR_END: forecast

/// The token ids of every value text `"0,"` ... `"999,"`, tokenized once.
#[derive(Debug, Clone)]
struct TokenTexts {
    ids: Vec<Vec<u32>>,
}

impl TokenTexts {
    fn new(llm: &LocalLlm) -> Result<Self, LlmError> {
        let ids = (0..=999).map(|i| llm.tokenizer().encode_text(&digit_token_text(i))).collect::<Result<_, _>>()?;
        Ok(Self { ids })
    }

    fn of(&self, integer: i64) -> &[u32] {
        &self.ids[integer as usize]
    }

    /// The most tokens one value takes.
    fn longest(&self) -> usize {
        self.ids.iter().map(Vec::len).max().unwrap_or(0)
    }
}
