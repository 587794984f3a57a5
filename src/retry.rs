//! When to send a request again, and after how long.
//!
//! Owns: `Retry-After` parsing (seconds or HTTP date) and `RetryPolicy::next_delay`, the
//! decision after a failed attempt. Must not: sleep or read the clock; `now` and the jitter
//! value in [0, 1) come from the caller.

use crate::error::ErrorCode;
use crate::limits::MAX_RETRY_AFTER_MS;
use crate::request::{ClientConfig, RetryClass};
use crate::time::parse_http_date;

/// Backoff without a server hint: 800 ms doubling to 8 s, plus up to 250 ms of jitter (the
/// vendor script's schedule, which we keep for reads).
pub const BASE_DELAY_MS: f64 = 800.0;
pub const MAX_BACKOFF_MS: f64 = 8_000.0;
pub const MAX_JITTER_MS: f64 = 250.0;

/// Reads `Retry-After` as milliseconds from `now_ms`. Negative, garbage and non-finite values
/// give `None` (as if absent); an HTTP date in the past gives 0; anything over a day
/// (`1e26`, a date in 9999) is read as a day (`MAX_RETRY_AFTER_MS`).
pub fn parse_retry_after(header: &str, now_ms: f64) -> Option<f64> {
    let h = header.trim();
    if h.is_empty() {
        return None;
    }
    let ms = if h.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs = crate::value::parse_decimal(h)?;
        if !(secs.is_finite() && secs >= 0.0) {
            return None;
        }
        secs * 1000.0
    } else {
        (parse_http_date(h)? - now_ms).max(0.0)
    };
    Some(ms.min(MAX_RETRY_AFTER_MS).round())
}

/// Milliseconds as the envelope's `retryAfter` seconds, to the millisecond (a header of
/// `0.3` reads back as `0.3`, not `0.30000000000000004`).
pub fn seconds(ms: f64) -> f64 {
    if ms.is_finite() {
        ms.clamp(0.0, MAX_RETRY_AFTER_MS).round() / 1000.0
    } else {
        0.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    /// A server asking for a longer wait than this is not waited for: the failure is
    /// returned at once with its `retryAfter`, and the caller decides.
    pub max_retry_after_ms: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryDecision {
    RetryAfter(f64),
    GiveUp,
}

/// Failures worth another attempt: the server was overloaded or the answer never came.
/// Everything else (4xx verdicts, abort) would fail the same way again.
pub fn is_transient(code: ErrorCode) -> bool {
    matches!(code, ErrorCode::RateLimited | ErrorCode::UpstreamError | ErrorCode::NetworkError)
}

impl RetryPolicy {
    /// The policy of one call: the client's `maxRetries` unless the call overrides it, and a
    /// server's Retry-After waited only as long as one attempt may take (`timeout_ms`) and
    /// the client's `maxRetryAfterMs` allow.
    pub fn for_call(config: &ClientConfig, max_retries: Option<u32>, timeout_ms: f64) -> RetryPolicy {
        RetryPolicy {
            max_retries: max_retries.unwrap_or(config.max_retries),
            max_retry_after_ms: config.max_retry_after_ms.min(timeout_ms),
        }
    }

    /// `retries_done` counts the retries already made (0 after the first attempt).
    pub fn next_delay(
        &self,
        class: RetryClass,
        code: ErrorCode,
        retries_done: u32,
        retry_after_ms: Option<f64>,
        jitter: f64,
    ) -> RetryDecision {
        if class == RetryClass::Never || !is_transient(code) || retries_done >= self.max_retries {
            return RetryDecision::GiveUp;
        }
        if let Some(ra) = retry_after_ms {
            if ra > self.max_retry_after_ms {
                return RetryDecision::GiveUp;
            }
            return RetryDecision::RetryAfter(ra);
        }
        let exp = BASE_DELAY_MS * 2f64.powi(retries_done.min(16) as i32);
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        RetryDecision::RetryAfter(exp.min(MAX_BACKOFF_MS) + jitter * MAX_JITTER_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2", NOW), Some(2000.0));
        assert_eq!(parse_retry_after(" 0 ", NOW), Some(0.0));
        assert_eq!(parse_retry_after("1.5", NOW), Some(1500.0));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", NOW), Some(3000.0));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", NOW), Some(0.0), "past date");
        assert_eq!(parse_retry_after("-5", NOW), None);
        assert_eq!(parse_retry_after("soon", NOW), None);
        assert_eq!(parse_retry_after("", NOW), None);
        assert_eq!(parse_retry_after("1.2.3", NOW), None);
        assert_eq!(parse_retry_after("99999999999999999999", NOW), Some(MAX_RETRY_AFTER_MS), "absurd is a day");
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", NOW), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(seconds(parse_retry_after("0.3", NOW).unwrap_or_default()), 0.3);
        // ok: test
    }

    fn policy() -> RetryPolicy {
        RetryPolicy { max_retries: 3, max_retry_after_ms: 60_000.0 }
    }

    #[test]
    fn backoff_doubles_from_800ms_to_8s_plus_jitter() {
        let p = RetryPolicy { max_retries: 10, ..policy() };
        let delays: Vec<RetryDecision> =
            (0..6).map(|n| p.next_delay(RetryClass::Safe, ErrorCode::UpstreamError, n, None, 0.0)).collect();
        let want = [800.0, 1600.0, 3200.0, 6400.0, 8000.0, 8000.0];
        for (d, w) in delays.iter().zip(want) {
            assert_eq!(*d, RetryDecision::RetryAfter(w));
        }
        assert_eq!(
            p.next_delay(RetryClass::Safe, ErrorCode::NetworkError, 0, None, 0.999),
            RetryDecision::RetryAfter(800.0 + 0.999 * 250.0)
        );
        assert_eq!(
            p.next_delay(RetryClass::Safe, ErrorCode::NetworkError, 0, None, f64::NAN),
            RetryDecision::RetryAfter(800.0)
        );
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let p = policy();
        assert_eq!(
            p.next_delay(RetryClass::Safe, ErrorCode::RateLimited, 0, Some(2000.0), 0.5),
            RetryDecision::RetryAfter(2000.0)
        );
        assert_eq!(
            p.next_delay(RetryClass::Safe, ErrorCode::RateLimited, 0, Some(3_600_000.0), 0.5),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn only_transient_failures_of_safe_requests_are_retried_and_bounded() {
        let p = policy();
        assert_eq!(p.next_delay(RetryClass::Never, ErrorCode::NetworkError, 0, None, 0.0), RetryDecision::GiveUp);
        for code in [
            ErrorCode::AuthFailed,
            ErrorCode::TaskNotFound,
            ErrorCode::Aborted,
            ErrorCode::InvalidPayload,
            ErrorCode::IdempotencyConflict,
        ] {
            assert_eq!(p.next_delay(RetryClass::Safe, code, 0, None, 0.0), RetryDecision::GiveUp, "{code:?}");
        }
        assert!(matches!(
            p.next_delay(RetryClass::Safe, ErrorCode::RateLimited, 2, None, 0.0),
            RetryDecision::RetryAfter(_)
        ));
        assert_eq!(p.next_delay(RetryClass::Safe, ErrorCode::RateLimited, 3, None, 0.0), RetryDecision::GiveUp);
    }
}
