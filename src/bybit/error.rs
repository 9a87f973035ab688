//! What can go wrong between the client and Bybit's public REST API: each
//! error names the endpoint or URL, and says whether it was worth a retry
//! ([`BybitError::is_retryable`]).

use std::time::Duration;

use crate::market::MarketError;

/// Bybit's `retCode` for "Too many visits!": the request rate limit.
pub const RET_CODE_TOO_MANY_VISITS: i64 = 10006;

/// An error of the Bybit REST client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BybitError {
    /// The base URL is not an absolute http(s) URL.
    #[error("base URL {url:?} {problem} (e.g. https://api.bybit.com)")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A setting of [`crate::bybit::BybitConfig`] that cannot work.
    #[error("invalid setting `{field}` = {value}: {reason}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A request parameter outside what the endpoint accepts (checked
    /// before anything is sent).
    #[error("invalid parameter `{parameter}` = {value}: {reason}")]
    InvalidRequest {
        /// The parameter.
        parameter: &'static str,
        /// The value given.
        value: String,
        /// What the endpoint accepts.
        reason: String,
    },
    /// Bybit answered with a non-zero `retCode` (10001: a parameter error;
    /// 10006: too many visits, the only one retried).
    #[error("{endpoint} answered retCode {code}: {message}")]
    RetCode {
        /// The endpoint path, e.g. `/v5/market/kline`.
        endpoint: String,
        /// The `retCode`.
        code: i64,
        /// The `retMsg`.
        message: String,
    },
    /// The server answered with an HTTP error status.
    #[error("{url} answered HTTP {status}: {body_excerpt:?}")]
    Http {
        /// The full request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The first 200 characters of the body.
        body_excerpt: String,
    },
    /// The request took longer than the configured timeout.
    #[error("{url} did not answer within {after:?}")]
    Timeout {
        /// The full request URL.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// The connection failed or broke (refused, reset, closed mid-body).
    #[error("cannot talk to {url}: {message}")]
    Connection {
        /// The full request URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// The answer is not the documented format: not JSON, cut short, a
    /// missing field, or a number that is not a decimal.
    #[error("{endpoint} answered something unexpected ({problem}): {excerpt:?}")]
    BadResponse {
        /// The endpoint path.
        endpoint: String,
        /// What is wrong, naming the field and the value.
        problem: String,
        /// The first 200 characters of the body.
        excerpt: String,
    },
    /// The server asked to wait longer than
    /// [`RetryPolicy::max_retry_after`](crate::llm::RetryPolicy::max_retry_after).
    #[error("{url} asked to wait {asked:?} before retrying, longer than the cap of {cap:?}")]
    WaitTooLong {
        /// The full request URL.
        url: String,
        /// What the server asked for (`Retry-After` or the limit's reset time).
        asked: Duration,
        /// The cap.
        cap: Duration,
    },
    /// `instruments-info` does not list the symbol in the category.
    #[error("{symbol} is not listed in category {category}")]
    NotListed {
        /// The category asked.
        category: &'static str,
        /// The symbol asked.
        symbol: String,
    },
    /// Every attempt failed with a retryable error.
    #[error("gave up after {attempts} attempts; the last failure: {last}")]
    RetriesExhausted {
        /// Attempts made (`max_retries + 1`).
        attempts: u32,
        /// The last attempt's error.
        last: Box<BybitError>,
    },
    /// An exchange number that is not a whole number of the instrument's
    /// steps (a trade or level converted to ticks and steps).
    #[error(transparent)]
    Market(#[from] MarketError),
    /// The local cache of downloaded files could not be written or read.
    #[error("cache file {path}: {message}")]
    Cache {
        /// The file or folder.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The runtime of the blocking methods could not start.
    #[error("cannot start the tokio runtime of the blocking client: {message}")]
    Runtime {
        /// The operating system's message.
        message: String,
    },
}

impl BybitError {
    /// `true` for what the client retries: rate limits (HTTP 429, Bybit's
    /// 403 "access too frequent", `retCode` 10006), 5xx answers, timeouts
    /// and broken connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RetCode { code, .. } => *code == RET_CODE_TOO_MANY_VISITS,
            Self::Http { status, body_excerpt, .. } => {
                *status == 429 || *status >= 500 || (*status == 403 && says_too_frequent(body_excerpt))
            }
            Self::Timeout { .. } | Self::Connection { .. } => true,
            _ => false,
        }
    }
}

/// `true` when a 403 body is Bybit's IP rate limit ("access too frequent")
/// rather than, say, a CDN refusing a country.
pub(crate) fn says_too_frequent(body: &str) -> bool {
    body.to_ascii_lowercase().contains("too frequent")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> BybitError {
        BybitError::Http { url: "u".into(), status, body_excerpt: body.into() }
    }

    #[test]
    fn rate_limits_and_server_faults_are_retryable_the_rest_final() {
        assert!(http(429, "").is_retryable());
        assert!(http(503, "").is_retryable());
        assert!(http(403, "access too frequent").is_retryable());
        assert!(!http(403, "The Amazon CloudFront distribution is configured to block access").is_retryable());
        assert!(!http(404, "").is_retryable());
        let code = |code| BybitError::RetCode { endpoint: "/e".into(), code, message: "m".into() };
        assert!(code(RET_CODE_TOO_MANY_VISITS).is_retryable());
        assert!(!code(10001).is_retryable());
        assert_eq!(code(10001).to_string(), "/e answered retCode 10001: m");
    }
}
