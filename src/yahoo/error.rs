//! What can go wrong between the client and Yahoo's chart API.

use std::time::Duration;

/// An error of the Yahoo chart client; each names the URL or the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum YahooError {
    /// A setting or request parameter that cannot work (checked before
    /// anything is sent).
    #[error("invalid parameter `{parameter}` = {value}: {reason}")]
    InvalidRequest {
        /// The parameter.
        parameter: &'static str,
        /// The value given.
        value: String,
        /// What is accepted.
        reason: String,
    },
    /// The API answered with its `chart.error` object (an unknown symbol
    /// is `Not Found`).
    #[error("{url} answered {code}: {description}")]
    Api {
        /// The request URL.
        url: String,
        /// `chart.error.code`.
        code: String,
        /// `chart.error.description`.
        description: String,
    },
    /// An HTTP error status without a readable `chart.error`.
    #[error("{url} answered HTTP {status}: {body_excerpt:?}")]
    Http {
        /// The request URL.
        url: String,
        /// The status.
        status: u16,
        /// The first 200 characters of the body.
        body_excerpt: String,
    },
    /// No answer within the timeout.
    #[error("{url} did not answer within {after:?}")]
    Timeout {
        /// The request URL.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// The connection failed or broke.
    #[error("cannot talk to {url}: {message}")]
    Connection {
        /// The request URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// The answer is not the chart format: not JSON, cut short, a missing
    /// array, arrays of different lengths, a value that is not a number.
    #[error("{url} answered something unexpected ({problem}): {excerpt:?}")]
    BadResponse {
        /// The request URL (or the file read).
        url: String,
        /// What is wrong, naming the field.
        problem: String,
        /// The first 200 characters of the body.
        excerpt: String,
    },
    /// Every attempt failed with an error worth retrying.
    #[error("gave up after {attempts} attempts; the last failure: {last}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<YahooError>,
    },
    /// The runtime of the blocking methods could not start.
    #[error("cannot start the tokio runtime of the blocking client: {message}")]
    Runtime {
        /// The operating system's message.
        message: String,
    },
}

impl YahooError {
    /// `true` for what the client retries: HTTP 429 and 5xx, timeouts and
    /// broken connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Http { status, .. } => *status == 429 || *status >= 500,
            Self::Timeout { .. } | Self::Connection { .. } => true,
            _ => false,
        }
    }
}
