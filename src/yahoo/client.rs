//! The HTTP client of the chart API: one request per chart, retried with
//! exponential backoff and jitter on HTTP 429 (after its `Retry-After`),
//! 5xx, timeouts and broken connections.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::chart::{Chart, ChartInterval, ChartSpan};
use super::error::YahooError;
use crate::llm::{Jitter, RetryPolicy, parse_retry_after};

/// Where the chart API lives.
pub const YAHOO_URL: &str = "https://query1.finance.yahoo.com";

/// The client's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct YahooConfig {
    /// The API root, without a trailing `/` ([`YAHOO_URL`], or a local
    /// server in tests).
    pub base_url: String,
    /// The longest one request may take (30 s).
    pub timeout: Duration,
    /// When to retry (3 retries, 1 s doubling to at most 30 s; a
    /// `Retry-After` longer than 120 s is not waited for).
    pub retry: RetryPolicy,
    /// The `User-Agent` header: the API refuses clients without a
    /// browser-like one.
    pub user_agent: String,
}

impl Default for YahooConfig {
    fn default() -> Self {
        Self {
            base_url: YAHOO_URL.into(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy {
                max_retries: 3,
                base_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(30),
                max_retry_after: Duration::from_secs(120),
            },
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) llm-anomaly".into(),
        }
    }
}

/// A client of the chart API.
#[derive(Debug)]
pub struct YahooClient {
    config: YahooConfig,
    http: reqwest::Client,
    jitter: Mutex<Jitter>,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

impl YahooClient {
    /// A client; errors on a base URL that is not absolute http(s).
    pub fn new(config: YahooConfig) -> Result<Self, YahooError> {
        let base = config.base_url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(YahooError::InvalidRequest {
                parameter: "base_url",
                value: config.base_url.clone(),
                reason: "an absolute http(s) URL, e.g. https://query1.finance.yahoo.com".into(),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| YahooError::Connection { url: base.to_string(), message: e.to_string() })?;
        let config = YahooConfig { base_url: base.to_string(), ..config };
        Ok(Self { config, http, jitter: Mutex::new(Jitter::from_clock()), runtime: OnceLock::new() })
    }

    /// Uses `jitter` for the retry waits (tests make them reproducible).
    pub fn with_jitter(self, jitter: Jitter) -> Self {
        Self { jitter: Mutex::new(jitter), ..self }
    }

    /// The request URL of a chart.
    pub fn url_of(&self, symbol: &str, interval: ChartInterval, span: &ChartSpan) -> Result<String, YahooError> {
        if symbol.is_empty() || !symbol.chars().all(|c| c.is_ascii_alphanumeric() || "^=.-".contains(c)) {
            return Err(YahooError::InvalidRequest {
                parameter: "symbol",
                value: format!("{symbol:?}"),
                reason: "letters, digits and ^ = . - (e.g. AAPL, ^GSPC, EURUSD=X, BRK-B)".into(),
            });
        }
        let span = match span {
            ChartSpan::Range(range) => {
                const RANGES: [&str; 11] = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"];
                if !RANGES.contains(&range.as_str()) {
                    return Err(YahooError::InvalidRequest {
                        parameter: "range",
                        value: range.clone(),
                        reason: format!("one of {}", RANGES.join(" ")),
                    });
                }
                format!("range={range}")
            }
            ChartSpan::Period { start, end } => {
                if end <= start {
                    return Err(YahooError::InvalidRequest {
                        parameter: "end",
                        value: format!("{end} (start {start})"),
                        reason: "the period must end after it starts".into(),
                    });
                }
                format!("period1={}&period2={}", start.timestamp(), end.timestamp())
            }
        };
        let symbol = symbol.replace('^', "%5E").replace('=', "%3D");
        Ok(format!(
            "{}/v8/finance/chart/{symbol}?interval={}&{span}&includePrePost=false&events=div%2Csplits",
            self.config.base_url,
            interval.as_str()
        ))
    }

    /// The bars of `symbol` over `span`, retried as the module says.
    pub async fn chart_async(
        &self,
        symbol: &str,
        interval: ChartInterval,
        span: ChartSpan,
    ) -> Result<Chart, YahooError> {
        let url = self.url_of(symbol, interval, &span)?;
        let mut retry = 0;
        loop {
            let (error, retry_after) = match self.attempt(&url).await {
                Ok(chart) => return Ok(chart),
                Err(failure) => failure,
            };
            if !error.is_retryable() {
                return Err(error);
            }
            if retry >= self.config.retry.max_retries {
                return Err(YahooError::RetriesExhausted { attempts: retry + 1, last: Box::new(error) });
            }
            let wait = {
                let mut jitter = self.jitter.lock().unwrap_or_else(|p| p.into_inner());
                self.config.retry.delay(retry, retry_after, &mut jitter)
            };
            let Some(wait) = wait else {
                return Err(error);
            };
            retry += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// Blocking [`Self::chart_async`]; inside a tokio runtime it is an error.
    pub fn chart(&self, symbol: &str, interval: ChartInterval, span: ChartSpan) -> Result<Chart, YahooError> {
        let future = self.chart_async(symbol, interval, span);
        crate::blocking::block_on(&self.runtime, future, |message| YahooError::Runtime { message })
    }

    /// One request: the chart, or the error and the server's `Retry-After`.
    async fn attempt(&self, url: &str) -> Result<Chart, (YahooError, Option<Duration>)> {
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                YahooError::Timeout { url: url.to_string(), after: self.config.timeout }
            } else {
                YahooError::Connection { url: url.to_string(), message: e.to_string() }
            }
        };
        let response = self.http.get(url).send().await.map_err(|e| (transport(e), None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let body = response.text().await.map_err(|e| (transport(e), None))?;
        if (200..300).contains(&status) {
            return Chart::parse(&body, url).map_err(|e| (e, None));
        }
        // An error status often carries the API's own `chart.error`.
        match Chart::parse(&body, url) {
            Err(api @ YahooError::Api { .. }) if status != 429 && status < 500 => Err((api, None)),
            _ => Err((
                YahooError::Http { url: url.to_string(), status, body_excerpt: body.chars().take(200).collect() },
                retry_after,
            )),
        }
    }
}
