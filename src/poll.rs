//! The polling schedule: a small state machine that, given what happened and when, answers
//! "sleep N ms", "done" or "give up".
//!
//! Owns: the default schedule (an early first look for fast failures, then a look at least
//! every 9.5 s, so no ending is noticed late), fixed-interval overrides, deadlines, error
//! backoff and Retry-After.
//! Must not: sleep, read the clock or draw random numbers: `now` and `jitter` are inputs,
//! so a virtual clock can run hundreds of simulated tasks in microseconds.
//!
//! Size: 227 lines of code; the rest is its unit tests, kept beside what they test.

use crate::contract::ModelSpec;
use crate::task::{terminal, Terminal};
use crate::value::Value;

/// The expected run time of a task, in ms: the model's measured time for a 5-second clip,
/// stretched with the requested duration (longer clips take longer, not proportionally).
pub fn expected_run_ms(spec: &ModelSpec, payload: &Value) -> f64 {
    let seconds = match payload.get("duration") {
        Some(Value::Number(n)) => *n,
        Some(Value::String(s)) => crate::value::parse_decimal(s).unwrap_or(5.0),
        _ => match payload.get("prompt") {
            Some(Value::Array(items)) => 5.0 * items.len() as f64,
            _ => 5.0,
        },
    };
    let seconds = if seconds.is_finite() { seconds.clamp(1.0, 60.0) } else { 5.0 };
    f64::from(spec.expected_seconds) * 1000.0 * (0.6 + 0.4 * seconds / 5.0)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Poll again after this many milliseconds.
    Sleep(f64),
    Done(Terminal),
    /// The deadline passed before the task finished.
    Timeout,
}

/// The longest the default schedule ever waits between two looks: a task that ends at any
/// moment (early, late, when expected, failed or cancelled) is noticed at most this late
/// (plus jitter and the request's own time), no later than the vendor script's 10 s cap.
pub const MAX_LOOK_INTERVAL_MS: f64 = 9_500.0;
/// The first look comes early (a refused input or a fast failure shows at once): 5 % of the
/// expected time, at least this.
pub const FIRST_LOOK_MIN_MS: f64 = 3_000.0;
/// The cap of the error backoff: a server in trouble is not hammered.
pub const ERROR_BACKOFF_CAP_MS: f64 = 30_000.0;
/// The floor of the error backoff.
pub const ERROR_BACKOFF_FLOOR_MS: f64 = 2_000.0;
pub const MIN_DEFAULT_WAIT_MS: f64 = 30.0 * 60_000.0;
/// Each delay of the vendor script's schedule is this times the one before.
pub const VENDOR_GROWTH: f64 = 1.5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollOptions {
    /// Expected run time of this task, in ms (from the model table and the duration).
    pub expected_ms: f64,
    /// Fixed interval instead of the adaptive schedule.
    pub interval_ms: Option<f64>,
    /// Cap on any scheduled delay (Retry-After still wins).
    pub max_interval_ms: Option<f64>,
    /// Floor on any scheduled delay.
    pub min_interval_ms: Option<f64>,
    /// The vendor script's schedule instead of the adaptive one: this first delay, each next
    /// one `VENDOR_GROWTH` times the last (the script's `--pollMinMs`, capped by `--pollMaxMs`).
    pub first_interval_ms: Option<f64>,
    /// `None` = no deadline.
    pub max_wait_ms: Option<f64>,
    /// Multiplies every delay of the default schedule (simulators with compressed time).
    pub time_scale: f64,
}

impl PollOptions {
    /// The default deadline: four times the expected run time, and never under 30 minutes
    /// (v3 models take about 13 minutes; the vendor's 10-minute cap loses them).
    pub fn default_max_wait(expected_ms: f64) -> f64 {
        (expected_ms * 4.0).max(MIN_DEFAULT_WAIT_MS)
    }
}

/// What a caller (and a stored handle) said about a wait; `None` = not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitRequest {
    /// The caller's `expectedMs`, in real ms (already on the caller's clock).
    pub expected_ms: Option<f64>,
    /// The handle's `expectedMs`, on the model's own clock.
    pub handle_expected_ms: Option<f64>,
    pub model: Option<String>,
    pub time_scale: Option<f64>,
    /// `Some(0)` = no deadline.
    pub max_wait_ms: Option<f64>,
    pub interval_ms: Option<f64>,
    pub max_interval_ms: Option<f64>,
    pub min_interval_ms: Option<f64>,
    pub first_interval_ms: Option<f64>,
}

/// Expected run time when nothing better is known.
pub const FALLBACK_EXPECTED_MS: f64 = 300_000.0;

impl PollOptions {
    /// The schedule's options from what was said: the caller's expected time wins, then the
    /// handle's, then the model table's, then a 5-minute guess; the default deadline follows
    /// the expected time; `timeScale` stretches everything that comes from the tables.
    pub fn resolve(w: &WaitRequest) -> PollOptions {
        let positive = |v: Option<f64>| v.filter(|n| n.is_finite() && *n > 0.0);
        let time_scale = positive(w.time_scale).unwrap_or(1.0);
        let model_ms =
            w.model.as_deref().and_then(crate::contract::model).map(|s| f64::from(s.expected_seconds) * 1000.0);
        let expected_ms = match positive(w.expected_ms) {
            Some(ms) => ms,
            None => positive(w.handle_expected_ms).or(model_ms).unwrap_or(FALLBACK_EXPECTED_MS) * time_scale,
        };
        let max_wait_ms = match w.max_wait_ms.filter(|n| n.is_finite() && *n >= 0.0) {
            Some(0.0) => None,
            Some(ms) => Some(ms),
            None => Some(PollOptions::default_max_wait(expected_ms / time_scale) * time_scale),
        };
        PollOptions {
            expected_ms,
            interval_ms: positive(w.interval_ms),
            max_interval_ms: positive(w.max_interval_ms),
            min_interval_ms: positive(w.min_interval_ms),
            first_interval_ms: positive(w.first_interval_ms),
            max_wait_ms,
            time_scale,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Poller {
    opts: PollOptions,
    started_at: f64,
    pub polls: u32,
    pub errors_in_row: u32,
    pub last_status: Option<String>,
}

impl Poller {
    /// `started_at` is when the task was created (a resumed wait keeps its schedule).
    pub fn new(opts: PollOptions, started_at: f64) -> Poller {
        Poller { opts, started_at, polls: 0, errors_in_row: 0, last_status: None }
    }

    pub fn elapsed(&self, now: f64) -> f64 {
        (now - self.started_at).max(0.0)
    }

    /// The first sleep, before any poll.
    pub fn first_delay(&self, now: f64, jitter: f64) -> Verdict {
        self.schedule(now, jitter)
    }

    /// A status came back.
    pub fn on_status(&mut self, status: &str, now: f64, jitter: f64) -> Verdict {
        self.polls += 1;
        self.errors_in_row = 0;
        self.last_status = Some(status.to_string());
        if let Some(t) = terminal(status) {
            return Verdict::Done(t);
        }
        self.schedule(now, jitter)
    }

    /// A poll failed transiently (network, 5xx, 429). `retry_after_ms` always wins; otherwise
    /// back off exponentially from the schedule's own next delay.
    pub fn on_error(&mut self, retry_after_ms: Option<f64>, now: f64, jitter: f64) -> Verdict {
        self.polls += 1;
        self.errors_in_row += 1;
        let base = match self.schedule(now, jitter) {
            Verdict::Sleep(ms) => ms,
            other => return other,
        };
        let backoff = (ERROR_BACKOFF_FLOOR_MS * self.opts.time_scale * 2f64.powi(self.errors_in_row.min(10) as i32))
            .min(ERROR_BACKOFF_CAP_MS * self.opts.time_scale);
        let delay = match retry_after_ms {
            Some(ra) if ra.is_finite() && ra >= 0.0 => ra.max(base.min(ra)),
            _ => base.max(backoff),
        };
        self.bounded(now, delay)
    }

    fn schedule(&self, now: f64, jitter: f64) -> Verdict {
        let elapsed = self.elapsed(now);
        let s = self.opts.time_scale;
        let raw = match (self.opts.interval_ms, self.opts.first_interval_ms) {
            (Some(fixed), _) => fixed,
            (None, Some(first)) => first * VENDOR_GROWTH.powi(self.polls.min(64) as i32),
            (None, None) => default_delay(elapsed / s, self.opts.expected_ms / s, self.polls) * s,
        };
        let floored = match self.opts.min_interval_ms {
            Some(floor) => raw.max(floor),
            None => raw,
        };
        let capped = match self.opts.max_interval_ms {
            Some(cap) => floored.min(cap),
            None => floored,
        };
        // ±5 % jitter spreads many waiters apart without moving the mean.
        let j = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.5 };
        self.bounded(now, capped * (0.95 + 0.1 * j))
    }

    /// Applies the deadline: never sleep past it; at it, time out.
    fn bounded(&self, now: f64, delay: f64) -> Verdict {
        let delay = delay.max(0.0);
        match self.opts.max_wait_ms {
            Some(max) => {
                let left = max - self.elapsed(now);
                if left <= 0.0 {
                    Verdict::Timeout
                } else {
                    Verdict::Sleep(delay.min(left))
                }
            }
            None => Verdict::Sleep(delay),
        }
    }
}

/// The default schedule in unscaled milliseconds. `e` is the expected run time.
///
/// The first look comes early (5 % of `e`, 3–9.5 s): refused inputs and fast failures show at
/// once. After it, a look every 9.5 s whatever the expected time: lateness is bounded for
/// tasks that end early or late, not only for those that end when the table says. What
/// saves requests is not spacing looks out but sharing them: concurrent waits on one client
/// are answered by one `GET /tasks` per tick.
pub fn default_delay(_elapsed: f64, e: f64, polls: u32) -> f64 {
    let e = if e.is_finite() && e > 0.0 { e } else { FALLBACK_EXPECTED_MS };
    if polls == 0 {
        return (0.05 * e).clamp(FIRST_LOOK_MIN_MS, MAX_LOOK_INTERVAL_MS);
    }
    MAX_LOOK_INTERVAL_MS
}

/// The vendor script's schedule, for comparison: 2 s, ×1.5 per poll, capped at 10 s.
pub fn vendor_delay(polls: u32) -> f64 {
    (2_000.0 * 1.5f64.powi(polls.min(30) as i32)).min(10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(expected_s: f64) -> PollOptions {
        PollOptions {
            expected_ms: expected_s * 1000.0,
            interval_ms: None,
            max_interval_ms: None,
            min_interval_ms: None,
            first_interval_ms: None,
            max_wait_ms: Some(PollOptions::default_max_wait(expected_s * 1000.0)),
            time_scale: 1.0,
        }
    }

    /// Runs one task that completes at `done_at` ms on a virtual clock: (polls, detection delay).
    fn simulate(o: PollOptions, done_at: f64) -> (u32, f64) {
        let mut p = Poller::new(o, 0.0);
        let mut now = 0.0;
        let mut v = p.first_delay(now, 0.5);
        loop {
            match v {
                Verdict::Sleep(ms) => now += ms,
                Verdict::Done(_) => return (p.polls, now - done_at),
                Verdict::Timeout => return (p.polls, f64::INFINITY),
            }
            let status = if now >= done_at { "COMPLETED" } else { "PROGRESS" };
            v = p.on_status(status, now, 0.5);
        }
    }

    fn simulate_vendor(done_at: f64) -> (u32, f64) {
        let (mut now, mut polls) = (0.0, 0);
        loop {
            now += vendor_delay(polls);
            polls += 1;
            if now >= done_at {
                return (polls, now - done_at);
            }
        }
    }

    #[test]
    fn never_later_than_the_vendor_script_whatever_the_end_time() {
        // End times from a second after creation to three times the expected time: early
        // failures, early and late completions, all alike.
        for expected in [210.0, 390.0, 780.0] {
            let n = 300;
            let (mut ours, mut vendor) = (Vec::new(), Vec::new());
            let (mut ours_polls, mut v_polls) = (0.0, 0.0);
            for i in 0..n {
                let done = 1_000.0 + expected * 3_000.0 * (i as f64 + 0.5) / n as f64;
                let (p, d) = simulate(opts(expected), done);
                let (vp, vd) = simulate_vendor(done);
                ours.push(d);
                vendor.push(vd);
                ours_polls += f64::from(p);
                v_polls += f64::from(vp);
            }
            let worst = ours.iter().copied().fold(0.0, f64::max);
            let p95 = |v: &mut Vec<f64>| {
                v.sort_by(|a, b| a.total_cmp(b));
                v[(v.len() * 95) / 100]
            };
            let (op, vp) = (p95(&mut ours), p95(&mut vendor));
            eprintln!(
                "expected {expected} s: worst {worst:.0} ms, p95 {op:.0} vs vendor {vp:.0} ms, polls {:.2}×",
                ours_polls / v_polls
            );
            assert!(worst <= MAX_LOOK_INTERVAL_MS * 1.05, "{expected} s: {worst} ms late");
            assert!(op <= vp, "{expected} s: p95 {op} ms vs the vendor's {vp} ms");
            // One wait alone makes about the vendor's requests (the savings come from sharing
            // looks between concurrent waits, measured in tests/rust/schedule.rs and the bench).
            assert!(ours_polls <= v_polls * 1.1, "{expected} s: {:.2}× the vendor's requests", ours_polls / v_polls);
        }
    }

    #[test]
    fn an_early_check_catches_fast_failures() {
        let o = opts(390.0);
        let mut p = Poller::new(o, 0.0);
        let Verdict::Sleep(first) = p.first_delay(0.0, 0.0) else { panic!() };
        assert!((FIRST_LOOK_MIN_MS..=MAX_LOOK_INTERVAL_MS).contains(&first), "{first}");
        assert_eq!(p.on_status("FAILED", first, 0.0), Verdict::Done(Terminal::Failed));
    }

    #[test]
    fn v3_models_get_at_least_30_minutes_and_deadlines_are_exact() {
        assert!(PollOptions::default_max_wait(780_000.0) >= 30.0 * 60_000.0);
        let o = PollOptions { max_wait_ms: Some(25_000.0), ..opts(390.0) };
        let mut p = Poller::new(o, 0.0);
        let mut now = 0.0;
        let mut v = p.first_delay(now, 0.0);
        while let Verdict::Sleep(ms) = v {
            now += ms;
            assert!(now <= 25_000.0, "slept past the deadline: {now}");
            v = p.on_status("PROGRESS", now, 0.0);
        }
        assert_eq!(v, Verdict::Timeout);
        assert_eq!(now, 25_000.0);
        // No deadline at all.
        let o = PollOptions { max_wait_ms: None, ..opts(390.0) };
        assert!(matches!(Poller::new(o, 0.0).on_status("PROGRESS", 1e9, 0.0), Verdict::Sleep(_)));
    }

    #[test]
    fn retry_after_always_wins_and_errors_back_off() {
        let mut p = Poller::new(opts(390.0), 0.0);
        assert_eq!(p.on_error(Some(45_000.0), 300_000.0, 0.0), Verdict::Sleep(45_000.0));
        assert_eq!(p.on_error(Some(500.0), 300_000.0, 0.0), Verdict::Sleep(500.0), "even when shorter");
        let mut q = Poller::new(opts(390.0), 0.0);
        let delays: Vec<f64> = (0..6)
            .map(|_| match q.on_error(None, 300_000.0, 0.0) {
                Verdict::Sleep(ms) => ms,
                v => panic!("{v:?}"),
            })
            .collect();
        assert!(delays.windows(2).all(|w| w[1] >= w[0]), "{delays:?}");
        assert_eq!(delays.last().copied(), Some(ERROR_BACKOFF_CAP_MS));
        assert_eq!(
            q.on_status("PROGRESS", 330_000.0, 0.5),
            Verdict::Sleep(MAX_LOOK_INTERVAL_MS),
            "a success resets the backoff"
        );
    }

    #[test]
    fn fixed_interval_cap_and_time_scale() {
        let o = PollOptions { interval_ms: Some(1_500.0), ..opts(390.0) };
        assert_eq!(Poller::new(o, 0.0).on_status("PROGRESS", 200_000.0, 0.5), Verdict::Sleep(1_500.0));
        let o = PollOptions { max_interval_ms: Some(4_000.0), ..opts(390.0) };
        assert_eq!(Poller::new(o, 0.0).first_delay(0.0, 0.5), Verdict::Sleep(4_000.0));
        let scaled = PollOptions { expected_ms: 390.0, time_scale: 0.001, max_wait_ms: None, ..opts(390.0) };
        let Verdict::Sleep(ms) = Poller::new(scaled, 0.0).on_status("PROGRESS", 330.0, 0.5) else { panic!() };
        assert!((ms - MAX_LOOK_INTERVAL_MS / 1000.0).abs() < 1e-9, "9.5 s becomes 9.5 ms at 1/1000: {ms}");
    }

    #[test]
    fn the_vendor_schedule_grows_from_the_first_interval_to_the_cap() {
        let o = PollOptions { first_interval_ms: Some(1_500.0), max_interval_ms: Some(10_000.0), ..opts(390.0) };
        let mut p = Poller::new(o, 0.0);
        assert_eq!(p.first_delay(0.0, 0.5), Verdict::Sleep(1_500.0));
        let mut now = 1_500.0;
        let mut seen = vec![];
        for _ in 0..6 {
            let Verdict::Sleep(ms) = p.on_status("PROGRESS", now, 0.5) else { panic!() };
            seen.push(ms);
            now += ms;
        }
        assert_eq!(seen, vec![2_250.0, 3_375.0, 5_062.5, 7_593.75, 10_000.0, 10_000.0]);
    }

    #[test]
    fn options_resolve_from_caller_handle_model_and_scale() {
        let r = |w: WaitRequest| PollOptions::resolve(&w);
        let m = |s: &str| Some(s.to_string());
        assert_eq!(r(WaitRequest { model: m("i2v_v3"), ..Default::default() }).expected_ms, 780_000.0);
        let o = r(WaitRequest { model: m("i2v_v3"), handle_expected_ms: Some(1_716_000.0), ..Default::default() });
        assert_eq!(o.expected_ms, 1_716_000.0, "the handle knows the duration");
        assert_eq!(o.max_wait_ms, Some(4.0 * 1_716_000.0));
        let o = r(WaitRequest { model: m("t2v"), time_scale: Some(0.01), ..Default::default() });
        assert_eq!((o.expected_ms, o.max_wait_ms), (3_900.0, Some(18_000.0)), "30 min floor, scaled");
        let o =
            r(WaitRequest { expected_ms: Some(1234.0), time_scale: Some(0.01), model: m("t2v"), ..Default::default() });
        assert_eq!(o.expected_ms, 1234.0, "the caller's expectedMs is already on its clock");
        assert_eq!(r(WaitRequest { max_wait_ms: Some(0.0), ..Default::default() }).max_wait_ms, None);
        assert_eq!(r(WaitRequest::default()).expected_ms, FALLBACK_EXPECTED_MS);
        let o = r(WaitRequest { interval_ms: Some(0.0), max_interval_ms: Some(f64::NAN), ..Default::default() });
        assert_eq!((o.interval_ms, o.max_interval_ms), (None, None));
    }

    #[test]
    fn unknown_statuses_are_not_terminal() {
        let mut p = Poller::new(opts(390.0), 0.0);
        assert!(matches!(p.on_status("QUEUED", 10.0, 0.0), Verdict::Sleep(_)));
        assert!(matches!(p.on_status("", 20.0, 0.0), Verdict::Sleep(_)));
        assert_eq!(p.on_status("CANCEL", 30.0, 0.0), Verdict::Done(Terminal::Cancelled));
    }
}
