//! A client of Bybit v5's public market REST endpoints (no API key):
//! klines over any time range, recent trades, order-book snapshots,
//! instrument filters and tickers.
//!
//! Every request first waits for the client's own [`RateLimiter`], then
//! is sent; the answer's `retCode` envelope is checked before its `result`
//! is read. HTTP 429, Bybit's 403 "access too frequent" and `retCode`
//! 10006 wait until the limit's reset time (or `Retry-After`); 5xx,
//! timeouts and broken connections back off exponentially with jitter
//! ([`RetryPolicy`]); anything else is a typed [`BybitError`] at once.
//!
//! Each method comes twice: `..._async` for async code (any tokio runtime
//! with time and I/O enabled), and a blocking one that runs it on the
//! client's own current-thread runtime, started on first use. Do not call
//! the blocking methods from inside an async runtime.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::error::{BybitError, says_too_frequent};
use super::rate_limit::{RateLimiter, wait_until_epoch_ms};
use super::types::{
    Category, InstrumentInfo, Interval, Kline, OrderBookSnapshot, PublicTrade, Ticker, decode_book, decode_instruments,
    decode_klines, decode_tickers, decode_trades,
};
use crate::llm::{Jitter, RetryPolicy, parse_retry_after};
use crate::market::{Instrument, TapeTrade};

/// Bybit's production API.
pub const MAINNET_URL: &str = "https://api.bybit.com";
/// Bybit's test network.
pub const TESTNET_URL: &str = "https://api-testnet.bybit.com";
/// The most klines one `kline` request returns.
pub const KLINE_PAGE_LIMIT: usize = 1000;

const KLINE: &str = "/v5/market/kline";
const RECENT_TRADE: &str = "/v5/market/recent-trade";
const ORDERBOOK: &str = "/v5/market/orderbook";
const INSTRUMENTS_INFO: &str = "/v5/market/instruments-info";
const TICKERS: &str = "/v5/market/tickers";
/// Pages of `instruments-info` followed before the cursor is distrusted.
const MAX_INSTRUMENT_PAGES: usize = 100;

/// Where the API is and how hard to push it.
#[derive(Debug, Clone, PartialEq)]
pub struct BybitConfig {
    /// The API root, e.g. [`MAINNET_URL`].
    pub base_url: String,
    /// The longest a whole request may take, body included (10 s).
    pub timeout: Duration,
    /// The longest connecting may take (5 s).
    pub connect_timeout: Duration,
    /// When and how to retry; its `max_retry_after` also caps every wait
    /// the exchange asks for.
    pub retry: RetryPolicy,
    /// The client's sustained request rate (10 per second).
    pub requests_per_second: f64,
    /// Requests that may go out at once before the rate applies (10).
    pub burst: u32,
}

impl BybitConfig {
    /// Defaults against the API at `base_url` (checked by [`BybitClient::new`]).
    pub fn at(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            requests_per_second: 10.0,
            burst: 10,
        }
    }

    /// Defaults against [`MAINNET_URL`].
    pub fn mainnet() -> Self {
        Self::at(MAINNET_URL)
    }

    /// Defaults against [`TESTNET_URL`].
    pub fn testnet() -> Self {
        Self::at(TESTNET_URL)
    }
}

/// A client of the public market endpoints of one Bybit API.
#[derive(Debug)]
pub struct BybitClient {
    config: BybitConfig,
    base: String,
    http: reqwest::Client,
    limiter: RateLimiter,
    jitter: Mutex<Jitter>,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

impl BybitClient {
    /// A client; errors on a base URL that is not an absolute http(s) URL
    /// (with no query) or a rate limit that cannot work.
    pub fn new(config: BybitConfig) -> Result<Self, BybitError> {
        let base = check_base_url(&config.base_url)?;
        let limiter = RateLimiter::new(config.requests_per_second, config.burst, config.retry.max_retry_after)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| BybitError::Connection { url: base.clone(), message: describe(&e) })?;
        Ok(Self { config, base, http, limiter, jitter: Mutex::new(Jitter::from_clock()), runtime: OnceLock::new() })
    }

    /// Uses `jitter` for the retry waits (tests make them reproducible).
    pub fn with_jitter(self, jitter: Jitter) -> Self {
        Self { jitter: Mutex::new(jitter), ..self }
    }

    /// The API root requests go to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The configuration.
    pub fn config(&self) -> &BybitConfig {
        &self.config
    }

    /// Every kline of `symbol` whose open time lies in `[start_ms, end_ms]`
    /// (ms since the Unix epoch), oldest first, one per open time. Pages
    /// of [`KLINE_PAGE_LIMIT`] are fetched from the newest back, each
    /// ending 1 ms before the oldest kline of the page before, until a page
    /// reaches `start_ms` or brings nothing older. The newest kline may
    /// still be open.
    pub async fn klines_async(
        &self,
        category: Category,
        symbol: &str,
        interval: Interval,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<Kline>, BybitError> {
        if start_ms > end_ms {
            return Err(BybitError::InvalidRequest {
                parameter: "start_ms",
                value: start_ms.to_string(),
                reason: format!("must not be after end_ms = {end_ms}"),
            });
        }
        let mut by_start = BTreeMap::new();
        let mut end = end_ms;
        loop {
            let page = self.kline_page_async(category, symbol, interval, start_ms, end, KLINE_PAGE_LIMIT).await?;
            let oldest = page.iter().map(|k| k.start_ms).filter(|&t| t <= end).min();
            by_start.extend(
                page.into_iter().filter(|k| (start_ms..=end_ms).contains(&k.start_ms)).map(|k| (k.start_ms, k)),
            );
            match oldest {
                Some(oldest) if oldest > start_ms => end = oldest - 1,
                _ => break,
            }
        }
        Ok(by_start.into_values().collect())
    }

    /// One `kline` request: up to `limit` (1 to 1000) klines opened in
    /// `[start_ms, end_ms]`, newest first as Bybit sends them.
    pub async fn kline_page_async(
        &self,
        category: Category,
        symbol: &str,
        interval: Interval,
        start_ms: i64,
        end_ms: i64,
        limit: usize,
    ) -> Result<Vec<Kline>, BybitError> {
        check_limit(limit, KLINE_PAGE_LIMIT, "kline")?;
        let query = [
            ("category", category.as_str().to_string()),
            ("symbol", symbol.to_string()),
            ("interval", interval.as_str().to_string()),
            ("start", start_ms.to_string()),
            ("end", end_ms.to_string()),
            ("limit", limit.to_string()),
        ];
        self.get(KLINE, &query, decode_klines).await
    }

    /// The latest `limit` public trades of `symbol` (spot: 1 to 60,
    /// derivatives: 1 to 1000), oldest first.
    pub async fn recent_trades_async(
        &self,
        category: Category,
        symbol: &str,
        limit: usize,
    ) -> Result<Vec<PublicTrade>, BybitError> {
        let most = if category == Category::Spot { 60 } else { 1000 };
        check_limit(limit, most, "recent-trade")?;
        let query =
            [("category", category.as_str().to_string()), ("symbol", symbol.to_string()), ("limit", limit.to_string())];
        let mut trades = self.get(RECENT_TRADE, &query, decode_trades).await?;
        trades.reverse();
        trades.sort_by_key(|t| t.time_ms);
        Ok(trades)
    }

    /// The latest `limit` trades of `instrument` on its tape (ticks, steps,
    /// µs), oldest first; an error names a price or size off its steps.
    pub async fn tape_trades_async(
        &self,
        category: Category,
        instrument: &Instrument,
        limit: usize,
    ) -> Result<Vec<TapeTrade>, BybitError> {
        let trades = self.recent_trades_async(category, instrument.symbol(), limit).await?;
        Ok(trades.iter().map(|t| t.to_tape_trade(instrument)).collect::<Result<_, _>>()?)
    }

    /// An order-book snapshot `depth` levels deep per side (spot: 1 to
    /// 200, derivatives: 1 to 500).
    pub async fn orderbook_async(
        &self,
        category: Category,
        symbol: &str,
        depth: usize,
    ) -> Result<OrderBookSnapshot, BybitError> {
        let most = if category == Category::Spot { 200 } else { 500 };
        check_limit(depth, most, "orderbook")?;
        let query =
            [("category", category.as_str().to_string()), ("symbol", symbol.to_string()), ("limit", depth.to_string())];
        self.get(ORDERBOOK, &query, decode_book).await
    }

    /// The instruments of `category` (one when `symbol` is given),
    /// following `nextPageCursor` to the last page.
    pub async fn instruments_info_async(
        &self,
        category: Category,
        symbol: Option<&str>,
    ) -> Result<Vec<InstrumentInfo>, BybitError> {
        let mut infos = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_INSTRUMENT_PAGES {
            let mut query = vec![("category", category.as_str().to_string())];
            if let Some(symbol) = symbol {
                query.push(("symbol", symbol.to_string()));
            }
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.clone()));
            }
            let (page, next) = self.get(INSTRUMENTS_INFO, &query, |r| decode_instruments(category, r)).await?;
            infos.extend(page);
            match next {
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                Some(next) => return Err(bad_cursor(&next, "repeats the cursor just used")),
                None => return Ok(infos),
            }
        }
        Err(bad_cursor(cursor.as_deref().unwrap_or(""), "still has pages after 100"))
    }

    /// The [`Instrument`] of `symbol`: its tick size and quantity step.
    pub async fn instrument_async(&self, category: Category, symbol: &str) -> Result<Instrument, BybitError> {
        let infos = self.instruments_info_async(category, Some(symbol)).await?;
        let info = infos
            .iter()
            .find(|i| i.symbol == symbol)
            .ok_or_else(|| BybitError::NotListed { category: category.as_str(), symbol: symbol.to_string() })?;
        Ok(info.instrument()?)
    }

    /// The 24-hour tickers of `category` (one when `symbol` is given).
    pub async fn tickers_async(&self, category: Category, symbol: Option<&str>) -> Result<Vec<Ticker>, BybitError> {
        let mut query = vec![("category", category.as_str().to_string())];
        if let Some(symbol) = symbol {
            query.push(("symbol", symbol.to_string()));
        }
        self.get(TICKERS, &query, decode_tickers).await
    }

    /// Blocking [`BybitClient::klines_async`].
    pub fn klines(
        &self,
        category: Category,
        symbol: &str,
        interval: Interval,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<Kline>, BybitError> {
        self.block_on(self.klines_async(category, symbol, interval, start_ms, end_ms))
    }

    /// Blocking [`BybitClient::kline_page_async`].
    pub fn kline_page(
        &self,
        category: Category,
        symbol: &str,
        interval: Interval,
        start_ms: i64,
        end_ms: i64,
        limit: usize,
    ) -> Result<Vec<Kline>, BybitError> {
        self.block_on(self.kline_page_async(category, symbol, interval, start_ms, end_ms, limit))
    }

    /// Blocking [`BybitClient::recent_trades_async`].
    pub fn recent_trades(
        &self,
        category: Category,
        symbol: &str,
        limit: usize,
    ) -> Result<Vec<PublicTrade>, BybitError> {
        self.block_on(self.recent_trades_async(category, symbol, limit))
    }

    /// Blocking [`BybitClient::tape_trades_async`].
    pub fn tape_trades(
        &self,
        category: Category,
        instrument: &Instrument,
        limit: usize,
    ) -> Result<Vec<TapeTrade>, BybitError> {
        self.block_on(self.tape_trades_async(category, instrument, limit))
    }

    /// Blocking [`BybitClient::orderbook_async`].
    pub fn orderbook(&self, category: Category, symbol: &str, depth: usize) -> Result<OrderBookSnapshot, BybitError> {
        self.block_on(self.orderbook_async(category, symbol, depth))
    }

    /// Blocking [`BybitClient::instruments_info_async`].
    pub fn instruments_info(
        &self,
        category: Category,
        symbol: Option<&str>,
    ) -> Result<Vec<InstrumentInfo>, BybitError> {
        self.block_on(self.instruments_info_async(category, symbol))
    }

    /// Blocking [`BybitClient::instrument_async`].
    pub fn instrument(&self, category: Category, symbol: &str) -> Result<Instrument, BybitError> {
        self.block_on(self.instrument_async(category, symbol))
    }

    /// Blocking [`BybitClient::tickers_async`].
    pub fn tickers(&self, category: Category, symbol: Option<&str>) -> Result<Vec<Ticker>, BybitError> {
        self.block_on(self.tickers_async(category, symbol))
    }

    /// Runs `future` on the client's own runtime, started on first use.
    fn block_on<T>(&self, future: impl Future<Output = Result<T, BybitError>>) -> Result<T, BybitError> {
        crate::blocking::block_on(&self.runtime, future, |message| BybitError::Runtime { message })
    }

    /// `GET endpoint?query`, retried as the policy says, its `result`
    /// read by `decode`.
    async fn get<T>(
        &self,
        endpoint: &'static str,
        query: &[(&'static str, String)],
        decode: impl Fn(Value) -> Result<T, String>,
    ) -> Result<T, BybitError> {
        let url = reqwest::Url::parse_with_params(&format!("{}{endpoint}", self.base), query)
            .map_err(|e| BybitError::BadUrl { url: self.base.clone(), problem: format!("cannot take a path ({e})") })?;
        let policy = &self.config.retry;
        let mut retry = 0;
        loop {
            self.limiter.acquire().await;
            let (error, asked) = match self.attempt(&url, endpoint, &decode).await {
                Ok(value) => return Ok(value),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retryable { error, wait_at_least }) => (error, wait_at_least),
            };
            if retry >= policy.max_retries {
                return Err(BybitError::RetriesExhausted { attempts: retry + 1, last: Box::new(error) });
            }
            let wait = {
                let mut jitter = self.jitter.lock().unwrap_or_else(|p| p.into_inner());
                policy.delay(retry, asked, &mut jitter)
            };
            let Some(wait) = wait else {
                return Err(BybitError::WaitTooLong {
                    url: url.to_string(),
                    asked: asked.unwrap_or_default(),
                    cap: policy.max_retry_after,
                });
            };
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    async fn attempt<T>(
        &self,
        url: &reqwest::Url,
        endpoint: &'static str,
        decode: &impl Fn(Value) -> Result<T, String>,
    ) -> Result<T, Failure> {
        let response = self.http.get(url.clone()).send().await.map_err(|e| self.transport(url, &e))?;
        let status = response.status().as_u16();
        let limits = LimitHeaders::read(response.headers());
        self.limiter.observe(limits.requests_left, limits.reset_at_ms);
        let text = response.text().await.map_err(|e| self.transport(url, &e))?;
        if !(200..300).contains(&status) {
            let rate_limited = status == 429 || (status == 403 && says_too_frequent(&text));
            let wait_at_least = if rate_limited { limits.wait() } else { limits.retry_after };
            let error = BybitError::Http { url: url.to_string(), status, body_excerpt: excerpt(&text) };
            return Err(if error.is_retryable() {
                Failure::Retryable { error, wait_at_least }
            } else {
                Failure::Final(error)
            });
        }
        let envelope: Envelope = serde_json::from_str(&text)
            .map_err(|e| Failure::Final(bad_response(endpoint, format!("not a v5 answer ({e})"), &text)))?;
        if envelope.ret_code != 0 {
            let error = BybitError::RetCode {
                endpoint: endpoint.to_string(),
                code: envelope.ret_code,
                message: envelope.ret_msg,
            };
            return Err(if error.is_retryable() {
                Failure::Retryable { error, wait_at_least: limits.wait() }
            } else {
                Failure::Final(error)
            });
        }
        decode(envelope.result).map_err(|problem| Failure::Final(bad_response(endpoint, problem, &text)))
    }

    fn transport(&self, url: &reqwest::Url, error: &reqwest::Error) -> Failure {
        let error = if error.is_timeout() {
            BybitError::Timeout { url: url.to_string(), after: self.config.timeout }
        } else {
            BybitError::Connection { url: url.to_string(), message: describe(error) }
        };
        Failure::Retryable { error, wait_at_least: None }
    }
}

/// How one attempt failed.
enum Failure {
    /// Try again, waiting at least this long when the server said so.
    Retryable { error: BybitError, wait_at_least: Option<Duration> },
    /// Give up.
    Final(BybitError),
}

/// The v5 envelope around every answer.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "retCode")]
    ret_code: i64,
    #[serde(rename = "retMsg", default)]
    ret_msg: String,
    #[serde(default)]
    result: Value,
}

/// The rate-limit headers of one response.
#[derive(Debug, Default)]
struct LimitHeaders {
    /// `X-Bapi-Limit-Status`: requests left in the window.
    requests_left: Option<u64>,
    /// `X-Bapi-Limit-Reset-Timestamp`: when the window resets, ms.
    reset_at_ms: Option<i64>,
    /// `Retry-After`, when sent.
    retry_after: Option<Duration>,
}

impl LimitHeaders {
    fn read(headers: &reqwest::header::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        Self {
            requests_left: text("x-bapi-limit-status").and_then(|v| v.parse().ok()),
            reset_at_ms: text("x-bapi-limit-reset-timestamp").and_then(|v| v.parse().ok()),
            retry_after: text("retry-after").and_then(|v| parse_retry_after(v, chrono::Utc::now())),
        }
    }

    /// How long a rate-limited request should wait: `Retry-After` when
    /// sent, else until the reset time.
    fn wait(&self) -> Option<Duration> {
        self.retry_after
            .or_else(|| self.reset_at_ms.map(|at| wait_until_epoch_ms(at, chrono::Utc::now().timestamp_millis())))
    }
}

/// The base URL without a trailing `/`, or why it cannot be one.
fn check_base_url(url: &str) -> Result<String, BybitError> {
    let bad = |problem: &str| BybitError::BadUrl { url: url.to_string(), problem: problem.to_string() };
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("must not carry a query or a fragment"));
    }
    Ok(trimmed.to_string())
}

/// Refuses a `limit` outside `1..=most` before anything is sent.
fn check_limit(limit: usize, most: usize, endpoint: &str) -> Result<(), BybitError> {
    if (1..=most).contains(&limit) {
        return Ok(());
    }
    Err(BybitError::InvalidRequest {
        parameter: "limit",
        value: limit.to_string(),
        reason: format!("{endpoint} takes 1 to {most} here"),
    })
}

fn bad_response(endpoint: &str, problem: String, body: &str) -> BybitError {
    BybitError::BadResponse { endpoint: endpoint.to_string(), problem, excerpt: excerpt(body) }
}

fn bad_cursor(cursor: &str, problem: &str) -> BybitError {
    bad_response(INSTRUMENTS_INFO, format!("nextPageCursor {cursor:?} {problem}"), "")
}

/// The first 200 characters of a body.
fn excerpt(body: &str) -> String {
    body.chars().take(200).collect()
}

/// A transport error with its causes.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_absolute_http_without_a_query() {
        assert_eq!(check_base_url("https://api.bybit.com/").unwrap(), "https://api.bybit.com");
        assert_eq!(check_base_url("http://127.0.0.1:9/proxy").unwrap(), "http://127.0.0.1:9/proxy");
        for bad in ["api.bybit.com", "ftp://api.bybit.com", "https://", "https://x.com?a=1", ""] {
            assert!(matches!(check_base_url(bad), Err(BybitError::BadUrl { .. })), "{bad:?}");
        }
        assert!(BybitClient::new(BybitConfig::at("not a url")).is_err());
        let client = BybitClient::new(BybitConfig::testnet()).unwrap();
        assert_eq!(client.base_url(), TESTNET_URL);
        assert_eq!(BybitConfig::mainnet().timeout, Duration::from_secs(10));
    }

    #[test]
    fn limits_are_checked_before_sending() {
        let client = BybitClient::new(BybitConfig::at("http://127.0.0.1:9")).unwrap();
        let error = client.recent_trades(Category::Spot, "BTCUSDT", 61).unwrap_err();
        assert!(error.to_string().contains("1 to 60"), "{error}");
        let error = client.klines(Category::Spot, "BTCUSDT", Interval::Minute1, 10, 5).unwrap_err();
        assert!(matches!(error, BybitError::InvalidRequest { parameter: "start_ms", .. }), "{error}");
        assert!(client.orderbook(Category::Linear, "BTCUSDT", 0).is_err());
    }
}
