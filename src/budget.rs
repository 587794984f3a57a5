//! The client's shared query budget: a token bucket sized so that no 60-second window ever
//! holds more than the limit (the service counts 60 query requests per minute per IP).
//!
//! Owns: `RateBudget::take`, which either grants a request now or says how long to wait,
//! and `admit`, which decides whether a call may wait that long (its `timeoutMs`, the
//! client's `maxRetryAfterMs`) or must answer `RATE_LIMITED` at once: a server's hour-long
//! `Retry-After` never wedges every later call. Must not: sleep or read the clock.

use crate::error::{Error, ErrorCode};

#[derive(Debug, Clone, PartialEq)]
pub struct RateBudget {
    per_minute: f64,
    window_ms: f64,
    burst: f64,
    tokens: f64,
    last: f64,
}

impl RateBudget {
    /// `per_minute` requests per minute, at most `burst` at once. The refill rate is
    /// `(per_minute - burst) / 60 s`, so any 60-second window holds at most `per_minute`
    /// (`burst` up front plus what refills): the server's sliding window never trips.
    pub fn new(per_minute: f64, burst: f64, now: f64) -> RateBudget {
        RateBudget::with_window(per_minute, burst, 60_000.0, now)
    }

    /// The same with another window length (a simulator with a compressed clock).
    pub fn with_window(per_window: f64, burst: f64, window_ms: f64, now: f64) -> RateBudget {
        let per_minute = if per_window.is_finite() && per_window >= 1.0 { per_window } else { 60.0 };
        let window_ms = if window_ms.is_finite() && window_ms > 0.0 { window_ms } else { 60_000.0 };
        let burst = burst.clamp(1.0, (per_minute / 2.0).max(1.0));
        RateBudget { per_minute, window_ms, burst, tokens: burst, last: now }
    }

    fn rate_per_ms(&self) -> f64 {
        ((self.per_minute - self.burst).max(1.0)) / self.window_ms
    }

    /// `Ok(())` and one token spent, or `Err(ms)` to wait before asking again.
    pub fn take(&mut self, now: f64) -> Result<(), f64> {
        let dt = (now - self.last).max(0.0);
        self.tokens = (self.tokens + dt * self.rate_per_ms()).min(self.burst);
        self.last = now.max(self.last);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - self.tokens) / self.rate_per_ms()).max(1.0))
        }
    }

    /// Whole requests the budget would grant at `now`, without spending any (concurrent waits
    /// let that many of the most urgent go).
    pub fn available(&self, now: f64) -> usize {
        let dt = (now - self.last).max(0.0);
        let tokens = (self.tokens + dt * self.rate_per_ms()).min(self.burst);
        if tokens >= 1.0 {
            tokens as usize
        } else {
            0
        }
    }

    /// How long one request's worth takes to refill.
    pub fn token_ms(&self) -> f64 {
        1.0 / self.rate_per_ms()
    }

    /// After a 429 the server's window is full: spend everything and wait at least `ms`.
    pub fn drain(&mut self, now: f64, ms: f64) {
        self.tokens = -(ms.max(0.0) * self.rate_per_ms());
        self.last = now;
    }
}

/// What a call does when the budget asks it to wait `wait_ms`.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    Wait(f64),
    /// Longer than the call may wait: answer at once, saying when to come back.
    Refuse(Error),
}

/// A call may wait for the budget as long as its own `time_left_ms` (its `timeoutMs`) and
/// the client's `max_wait_ms` (`maxRetryAfterMs`) both allow; otherwise it answers
/// `RATE_LIMITED` with `retryAfter` now, and nothing is sent.
pub fn admit(wait_ms: f64, time_left_ms: f64, max_wait_ms: f64) -> Admission {
    if wait_ms <= time_left_ms.min(max_wait_ms) {
        return Admission::Wait(wait_ms.max(0.0));
    }
    let msg = format!(
        "the client's request budget is held for {} ms (the server's Retry-After, or the per-minute limit): \
         longer than this call may wait, so nothing was sent; retry after retryAfter seconds",
        wait_ms.round() as u64
    );
    let mut err = Error::new(ErrorCode::RateLimited, msg);
    err.retry_after = Some(crate::retry::seconds(wait_ms));
    Admission::Refuse(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_hold_is_answered_at_once_not_waited() {
        assert_eq!(admit(500.0, 30_000.0, 60_000.0), Admission::Wait(500.0));
        let Admission::Refuse(e) = admit(5_000.0, 1_000.0, 60_000.0) else { panic!() };
        assert_eq!((e.code, e.retry_after), (ErrorCode::RateLimited, Some(5.0)));
        assert!(matches!(admit(3_600_000.0, 30_000.0, 60_000.0), Admission::Refuse(_)));
        let mut b = RateBudget::new(60.0, 5.0, 0.0);
        b.drain(0.0, 3_600_000.0);
        let wait = b.take(1.0).unwrap_err(); // ok: test
        assert!(matches!(admit(wait, 30_000.0, 60_000.0), Admission::Refuse(_)), "{wait}");
    }

    /// Greedy callers on a virtual clock: count grants in every sliding 60 s window.
    #[test]
    fn no_sixty_second_window_exceeds_the_limit() {
        for (limit, burst) in [(60.0, 5.0), (60.0, 1.0), (30.0, 10.0), (120.0, 60.0)] {
            let mut b = RateBudget::new(limit, burst, 0.0);
            let mut now = 0.0;
            let mut grants = Vec::new();
            while now < 600_000.0 {
                match b.take(now) {
                    Ok(()) => grants.push(now),
                    Err(wait) => now += wait,
                }
            }
            let worst = grants.iter().map(|&t| grants.iter().filter(|&&u| u >= t && u < t + 60_000.0).count()).max();
            assert!(worst.unwrap_or(0) as f64 <= limit, "limit {limit} burst {burst}: {worst:?} in a window");
            let sustained = grants.len() as f64 / 10.0;
            assert!(sustained >= limit - burst - 1.0, "limit {limit}: only {sustained}/min");
        }
    }

    #[test]
    fn a_shorter_window_scales_the_rate() {
        let mut b = RateBudget::with_window(60.0, 5.0, 600.0, 0.0);
        let mut now = 0.0;
        let mut grants = 0;
        while now < 6_000.0 {
            match b.take(now) {
                Ok(()) => grants += 1,
                Err(w) => now += w,
            }
        }
        assert!((540..=605).contains(&grants), "{grants} grants in 10 windows of 600 ms");
    }

    #[test]
    fn waits_are_exact_and_drain_defers() {
        let mut b = RateBudget::new(60.0, 1.0, 0.0);
        assert_eq!(b.take(0.0), Ok(()));
        let Err(wait) = b.take(0.0) else { panic!() };
        assert!((wait - 60_000.0 / 59.0).abs() < 1e-6, "{wait}");
        assert_eq!(b.take(wait), Ok(()));
        b.drain(wait, 5_000.0);
        let Err(w) = b.take(wait) else { panic!() };
        assert!(w >= 5_000.0, "{w}");
    }
}
