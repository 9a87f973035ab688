//! The client's own brake: a token bucket awaited before every request, so
//! a loop over pages stays under the exchange's limit instead of running
//! into 429s, and a pause until the limit's reset when a response says no
//! requests are left (`X-Bapi-Limit-Status: 0`).
//!
//! The bucket holds up to `burst` tokens and gains `requests_per_second`
//! of them each second; a request takes one, or waits for it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::BybitError;

/// A token bucket plus the exchange's "no requests left until t" pause.
#[derive(Debug)]
pub struct RateLimiter {
    requests_per_second: f64,
    burst: f64,
    max_pause: Duration,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
    paused_until: Option<Instant>,
}

impl RateLimiter {
    /// A full bucket of `burst` tokens refilled at `requests_per_second`;
    /// a pause the exchange asks for is cut to `max_pause` (a reset time
    /// far ahead is more likely a skewed clock than a real wait). Errors on
    /// a rate that is not finite and positive or a burst of 0.
    pub fn new(requests_per_second: f64, burst: u32, max_pause: Duration) -> Result<Self, BybitError> {
        if !(requests_per_second.is_finite() && requests_per_second > 0.0) {
            return Err(BybitError::InvalidConfig {
                field: "requests_per_second",
                value: requests_per_second.to_string(),
                reason: "must be a finite number above 0",
            });
        }
        if burst == 0 {
            return Err(BybitError::InvalidConfig { field: "burst", value: "0".into(), reason: "must be at least 1" });
        }
        let bucket = Bucket { tokens: f64::from(burst), refilled_at: Instant::now(), paused_until: None };
        Ok(Self { requests_per_second, burst: f64::from(burst), max_pause, state: Mutex::new(bucket) })
    }

    /// Waits until a request may go out, and takes its token.
    pub async fn acquire(&self) {
        while let Some(wait) = self.try_acquire_at(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token at `now` (`None`), or says how long to wait first.
    fn try_acquire_at(&self, now: Instant) -> Option<Duration> {
        let mut bucket = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = bucket.paused_until {
            if until > now {
                return Some(until - now);
            }
            bucket.paused_until = None;
        }
        let elapsed = now.saturating_duration_since(bucket.refilled_at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.requests_per_second).min(self.burst);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return None;
        }
        Some(Duration::from_secs_f64((1.0 - bucket.tokens) / self.requests_per_second))
    }

    /// Reads a response's `X-Bapi-Limit-Status` (requests left) and
    /// `X-Bapi-Limit-Reset-Timestamp` (ms since the Unix epoch): with none
    /// left, the next request waits until the reset.
    pub fn observe(&self, requests_left: Option<u64>, reset_at_ms: Option<i64>) {
        if let (Some(0), Some(reset_at_ms)) = (requests_left, reset_at_ms) {
            self.pause_for(wait_until_epoch_ms(reset_at_ms, chrono::Utc::now().timestamp_millis()));
        }
    }

    /// Holds every request back for `wait` (cut to the maximum pause).
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait.min(self.max_pause);
        let mut bucket = self.state.lock().unwrap_or_else(|p| p.into_inner());
        bucket.paused_until = Some(bucket.paused_until.map_or(until, |old| old.max(until)));
    }
}

/// How long from `now_ms` until `at_ms` (both ms since the Unix epoch);
/// zero for a time already past.
pub(crate) fn wait_until_epoch_ms(at_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(at_ms.saturating_sub(now_ms)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_requests_are_spaced_by_the_rate() {
        let limiter = RateLimiter::new(10.0, 2, Duration::from_secs(60)).unwrap();
        let start = Instant::now();
        assert_eq!(limiter.try_acquire_at(start), None);
        assert_eq!(limiter.try_acquire_at(start), None);
        let wait = limiter.try_acquire_at(start).unwrap();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        assert_eq!(limiter.try_acquire_at(start + Duration::from_millis(100)), None);
        // A long idle time refills to the burst, no further.
        let later = start + Duration::from_secs(10);
        assert_eq!((limiter.try_acquire_at(later), limiter.try_acquire_at(later)), (None, None));
        assert!(limiter.try_acquire_at(later).is_some());
    }

    #[test]
    fn no_requests_left_pauses_until_the_reset_capped() {
        let limiter = RateLimiter::new(1000.0, 10, Duration::from_millis(500)).unwrap();
        let now_ms = chrono::Utc::now().timestamp_millis();
        limiter.observe(Some(3), Some(now_ms + 60_000));
        assert_eq!(limiter.try_acquire_at(Instant::now()), None, "requests left: no pause");
        limiter.observe(Some(0), Some(now_ms + 60_000));
        let wait = limiter.try_acquire_at(Instant::now()).unwrap();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500), "{wait:?}");
        assert_eq!(limiter.try_acquire_at(Instant::now() + Duration::from_millis(501)), None);
        assert_eq!(wait_until_epoch_ms(1_000, 2_000), Duration::ZERO);
        assert!(RateLimiter::new(0.0, 1, Duration::ZERO).is_err());
        assert!(RateLimiter::new(1.0, 0, Duration::ZERO).is_err());
    }
}
