//! The client's shared query budget: a token bucket sized so that no 60-second window ever
//! holds more than the limit (the service counts 60 query requests per minute per IP).
//!
//! Owns: `RateBudget::take`, which either grants a request now or says how long to wait.
//! Must not: sleep or read the clock (`now` is an input).

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

    /// After a 429 the server's window is full: spend everything and wait at least `ms`.
    pub fn drain(&mut self, now: f64, ms: f64) {
        self.tokens = -(ms.max(0.0) * self.rate_per_ms());
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
