//! When to try a failed request again, and how long to wait first.
//!
//! Exponential backoff with "equal jitter": the n-th retry waits a random
//! time between half and all of `base · 2ⁿ` (capped), so clients that failed
//! together do not retry together. A server's `Retry-After` (seconds or an
//! HTTP date) is honoured when it asks for longer, up to `max_retry_after`.

use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// How a client retries 429s, 5xx answers, timeouts and dropped connections.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// The wait before the first retry, before jitter.
    pub base_delay: Duration,
    /// The longest wait between attempts from backoff alone.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a server asking for more ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// Draws the jitter of [`RetryPolicy::delay`]; seeded for tests.
#[derive(Debug, Clone)]
pub struct Jitter(ChaCha8Rng);

impl Jitter {
    /// Jitter from a fixed seed (reproducible waits in tests).
    pub fn seeded(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Jitter seeded from the clock and the process id, different per client.
    pub fn from_clock() -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Self::seeded(nanos as u64 ^ u64::from(std::process::id()).rotate_left(32))
    }

    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based), given the server's
    /// `Retry-After` if it sent one; `None` when the server asks for longer
    /// than [`RetryPolicy::max_retry_after`].
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: &mut Jitter) -> Option<Duration> {
        let exponential = self.base_delay.saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX));
        let capped = exponential.min(self.max_delay);
        let backoff = capped.mul_f64(0.5 + 0.5 * jitter.unit());
        match retry_after {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// Reads a `Retry-After` header value: delay-seconds or an HTTP date
/// (RFC 9110), relative to `now`. A date in the past means no wait.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_band_and_is_capped() {
        let policy = RetryPolicy::default();
        let mut jitter = Jitter::seeded(7);
        for retry in 0..8 {
            let full = (policy.base_delay * 2u32.pow(retry)).min(policy.max_delay);
            let wait = policy.delay(retry, None, &mut jitter).unwrap();
            assert!(wait >= full / 2 && wait <= full, "retry {retry}: {wait:?} outside [{:?}, {full:?}]", full / 2);
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let policy = RetryPolicy::default();
        let mut jitter = Jitter::seeded(1);
        assert_eq!(policy.delay(0, Some(Duration::from_secs(5)), &mut jitter), Some(Duration::from_secs(5)));
        assert_eq!(policy.delay(0, Some(Duration::from_secs(61)), &mut jitter), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z").unwrap().with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 02 Dec 2026 10:00:07 GMT", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 02 Dec 2026 09:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
