//! The chart API's answer and how it becomes bars.
//!
//! `GET /v8/finance/chart/<SYMBOL>?interval=1d&range=1y` (or `period1` and
//! `period2` in Unix seconds) answers
//! `{"chart": {"result": [{"meta": {...}, "timestamp": [...],
//! "indicators": {"quote": [{"open": [...], "high": [...], "low": [...],
//! "close": [...], "volume": [...]}], "adjclose": [{"adjclose": [...]}]}}],
//! "error": null}}`, or `"result": null` with `"error": {"code",
//! "description"}`. Every array has one entry per timestamp, and any entry
//! may be `null`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::YahooError;
use crate::data::Bar;

/// Bar lengths the API knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartInterval {
    /// `1m` (the API keeps the last 7 days).
    Minute1,
    /// `2m`.
    Minute2,
    /// `5m` (intraday intervals reach back about 60 days).
    Minute5,
    /// `15m`.
    Minute15,
    /// `30m`.
    Minute30,
    /// `60m`.
    Minute60,
    /// `90m`.
    Minute90,
    /// `1d`.
    Day1,
    /// `5d`.
    Day5,
    /// `1wk`.
    Week1,
    /// `1mo`.
    Month1,
    /// `3mo`.
    Month3,
}

impl ChartInterval {
    const ALL: [(Self, &'static str); 12] = [
        (Self::Minute1, "1m"),
        (Self::Minute2, "2m"),
        (Self::Minute5, "5m"),
        (Self::Minute15, "15m"),
        (Self::Minute30, "30m"),
        (Self::Minute60, "60m"),
        (Self::Minute90, "90m"),
        (Self::Day1, "1d"),
        (Self::Day5, "5d"),
        (Self::Week1, "1wk"),
        (Self::Month1, "1mo"),
        (Self::Month3, "3mo"),
    ];

    /// The API's name, e.g. `1d`.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(i, _)| *i == self).map_or("1d", |(_, name)| name)
    }

    /// The interval called `name` (`1m` … `3mo`; `1h` is `60m`).
    pub fn parse(name: &str) -> Result<Self, YahooError> {
        let name = if name == "1h" { "60m" } else { name };
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(i, _)| *i).ok_or_else(|| YahooError::InvalidRequest {
            parameter: "interval",
            value: name.to_string(),
            reason: "one of 1m 2m 5m 15m 30m 60m 90m 1d 5d 1wk 1mo 3mo".into(),
        })
    }
}

/// Which bars to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartSpan {
    /// A range back from now: `1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max`.
    Range(String),
    /// From `start` to `end` (sent as Unix seconds).
    Period {
        /// First moment.
        start: DateTime<Utc>,
        /// Last moment.
        end: DateTime<Utc>,
    },
}

/// A row the API sent that is not a bar: a `null` in its prices or volume,
/// a repeated time, or prices no bar can have.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingRow {
    /// Its position in the answer's arrays (0-based).
    pub index: usize,
    /// Its time.
    pub timestamp: DateTime<Utc>,
    /// What is wrong, naming the fields (`null close, volume`).
    pub problem: String,
}

/// One symbol's bars as the API sent them.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// `meta.symbol`.
    pub symbol: String,
    /// `meta.currency`.
    pub currency: Option<String>,
    /// `meta.exchangeTimezoneName`, e.g. `America/New_York`.
    pub exchange_timezone: Option<String>,
    /// `meta.gmtoffset`: the exchange's offset from UTC, seconds.
    pub utc_offset_s: i64,
    /// `meta.dataGranularity`, e.g. `1d`.
    pub granularity: Option<String>,
    /// The complete rows as bars, oldest first, timed at their start (UTC).
    pub bars: Vec<Bar>,
    /// `indicators.adjclose` of the same rows, when the API sent it (daily
    /// and longer intervals).
    pub adj_close: Option<Vec<f64>>,
    /// Every row that is not in `bars`, and why.
    pub missing: Vec<MissingRow>,
}

#[derive(Deserialize)]
struct Wire {
    chart: WireChart,
}

#[derive(Deserialize)]
struct WireChart {
    result: Option<Vec<WireResult>>,
    error: Option<WireError>,
}

#[derive(Deserialize)]
struct WireError {
    code: String,
    description: String,
}

#[derive(Deserialize)]
struct WireResult {
    meta: WireMeta,
    #[serde(default)]
    timestamp: Vec<i64>,
    indicators: WireIndicators,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMeta {
    symbol: String,
    currency: Option<String>,
    exchange_timezone_name: Option<String>,
    #[serde(rename = "gmtoffset")]
    gmt_offset: Option<i64>,
    data_granularity: Option<String>,
}

#[derive(Deserialize)]
struct WireIndicators {
    #[serde(default)]
    quote: Vec<WireQuote>,
    adjclose: Option<Vec<WireAdjClose>>,
}

#[derive(Deserialize, Default)]
struct WireQuote {
    #[serde(default)]
    open: Vec<Option<f64>>,
    #[serde(default)]
    high: Vec<Option<f64>>,
    #[serde(default)]
    low: Vec<Option<f64>>,
    #[serde(default)]
    close: Vec<Option<f64>>,
    #[serde(default)]
    volume: Vec<Option<f64>>,
}

#[derive(Deserialize)]
struct WireAdjClose {
    #[serde(default)]
    adjclose: Vec<Option<f64>>,
}

impl Chart {
    /// Reads an answer of the chart API (`url` names it in errors): the
    /// API's own error, arrays of another length than `timestamp`, and an
    /// answer without a single complete row are errors; incomplete rows
    /// are kept out of `bars` and listed in `missing`.
    pub fn parse(body: &str, url: &str) -> Result<Self, YahooError> {
        let bad = |problem: String| YahooError::BadResponse {
            url: url.to_string(),
            problem,
            excerpt: body.chars().take(200).collect(),
        };
        let wire: Wire = serde_json::from_str(body).map_err(|e| bad(format!("not a chart answer ({e})")))?;
        if let Some(error) = wire.chart.error {
            return Err(YahooError::Api { url: url.to_string(), code: error.code, description: error.description });
        }
        let mut results = wire.chart.result.unwrap_or_default();
        if results.is_empty() {
            return Err(bad("`chart.result` is empty and `chart.error` is null".into()));
        }
        let result = results.swap_remove(0);
        let n = result.timestamp.len();
        let quote = result.indicators.quote.into_iter().next().unwrap_or_default();
        let adj = result.indicators.adjclose.and_then(|a| a.into_iter().next()).map(|a| a.adjclose);
        let columns = [
            ("open", &quote.open),
            ("high", &quote.high),
            ("low", &quote.low),
            ("close", &quote.close),
            ("volume", &quote.volume),
        ];
        for (name, values) in columns {
            if values.len() != n {
                return Err(bad(format!(
                    "`indicators.quote[0].{name}` has {} values, `timestamp` has {n}",
                    values.len()
                )));
            }
        }
        if let Some(adj) = &adj
            && adj.len() != n
        {
            return Err(bad(format!(
                "`indicators.adjclose[0].adjclose` has {} values, `timestamp` has {n}",
                adj.len()
            )));
        }
        let mut bars = Vec::with_capacity(n);
        let mut adj_close = adj.as_ref().map(|_| Vec::with_capacity(n));
        let mut missing = Vec::new();
        for (i, &t) in result.timestamp.iter().enumerate() {
            let timestamp =
                DateTime::from_timestamp(t, 0).ok_or_else(|| bad(format!("`timestamp[{i}]` = {t} is not a time")))?;
            let mut nulls: Vec<&str> = columns.iter().filter(|(_, v)| v[i].is_none()).map(|(name, _)| *name).collect();
            if adj.as_ref().is_some_and(|a| a[i].is_none()) {
                nulls.push("adjclose");
            }
            let problem = if !nulls.is_empty() {
                Some(format!("null {}", nulls.join(", ")))
            } else if bars.last().is_some_and(|b: &Bar| b.timestamp >= timestamp) {
                Some(format!("time {timestamp} not after the row before"))
            } else {
                let value = |k: usize| columns[k].1[i].unwrap_or(f64::NAN);
                match Bar::new(timestamp, value(0), value(1), value(2), value(3), value(4)) {
                    Ok(bar) => {
                        bars.push(bar);
                        if let (Some(kept), Some(adj)) = (&mut adj_close, &adj) {
                            kept.push(adj[i].unwrap_or(f64::NAN));
                        }
                        None
                    }
                    Err(e) => Some(e.to_string()),
                }
            };
            if let Some(problem) = problem {
                missing.push(MissingRow { index: i, timestamp, problem });
            }
        }
        if bars.is_empty() {
            return Err(bad(format!(
                "no complete row among {n} (the span may hold no trading, or every row has a null)"
            )));
        }
        Ok(Self {
            symbol: result.meta.symbol,
            currency: result.meta.currency,
            exchange_timezone: result.meta.exchange_timezone_name,
            utc_offset_s: result.meta.gmt_offset.unwrap_or(0),
            granularity: result.meta.data_granularity,
            bars,
            adj_close,
            missing,
        })
    }
}
