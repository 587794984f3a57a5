//! The scheduler every wait shares: which task to read next when one key's query budget
//! cannot read each waited-on task on its own schedule, and whether the task list may stand
//! in for own reads. Used by the client's concurrent waits (`src/wasm/wait.rs`) and, through
//! the internal exports, by the proxy coordinator's alarm loop: one set of rules for both.
//!
//! Owns: the ending model (each task's chance of ending, per moment, from its model's
//! expected run time and the measured spread), the urgency of a read (the lateness a task has
//! probably accrued since it was last read), the choice of reads for a tick, hints (webhook
//! callbacks) and what the task list has shown itself to be on this server (`ListTrust`).
//! Must not: read the clock, sleep or send: `now` and every observation are passed in.
//!
//! Each wait keeps its own schedule (`crate::poll::Poller`: the first look, a look at least
//! every 9.5 s, error backoff, Retry-After, deadlines); that schedule says when a task is
//! *due*. While the budget reads every due task, nothing changes: a single wait is never later
//! than the vendor script's. When it cannot, the due tasks are read in order of urgency, so
//! reads go where an ending is likely and a task nobody has read for long rises in line.
//!
//! Size: 277 lines of code; the rest is its unit tests, kept beside what they test.

use crate::task::TaskStatus;
use crate::value::Value;

/// Share of endings before the expected window (refused inputs, fast failures, cancels).
pub const EARLY_SHARE: f64 = 0.05;
/// Share of endings after it (a busy service), as an exponential tail.
pub const LATE_SHARE: f64 = 0.05;
/// The window most endings fall in, as fractions of the expected run time: measured run
/// times spread ±20 % around the model's expected time.
pub const WINDOW: (f64, f64) = (0.8, 1.2);
/// The late tail's mean, as a fraction of the expected run time.
pub const LATE_MEAN: f64 = 0.3;

/// The chance per ms that a task still running after `elapsed` ms ends now.
pub fn hazard(elapsed: f64, expected: f64) -> f64 {
    let e = if expected.is_finite() && expected > 0.0 { expected } else { crate::poll::FALLBACK_EXPECTED_MS };
    let (a, b) = (WINDOW.0 * e, WINDOW.1 * e);
    let t = elapsed.max(0.0);
    if t < a {
        (EARLY_SHARE / a) / (1.0 - EARLY_SHARE * t / a)
    } else if t < b {
        let mid = 1.0 - EARLY_SHARE - LATE_SHARE;
        (mid / (b - a)) / (1.0 - EARLY_SHARE - mid * (t - a) / (b - a))
    } else {
        1.0 / (LATE_MEAN * e)
    }
}

/// The lateness (ms) a task has probably accrued if it was last seen running `from` ms after
/// it started and it is now `to` ms: the integral of `hazard(s) · (to − s)` over the gap.
pub fn accrued(from: f64, to: f64, expected: f64) -> f64 {
    let (from, to) = (from.max(0.0), to.max(0.0));
    if to.partial_cmp(&from) != Some(std::cmp::Ordering::Greater) {
        return 0.0;
    }
    const STEPS: u32 = 8;
    let step = (to - from) / f64::from(STEPS);
    (0..STEPS)
        .map(|k| {
            let s = from + step * (f64::from(k) + 0.5);
            hazard(s, expected) * (to - s) * step
        })
        .sum()
}

/// One waited-on task, as the scheduler sees it. Times are on the caller's clock (ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub started_at: f64,
    /// Expected run time on the caller's clock (a simulator's compressed clock included).
    pub expected_ms: f64,
    /// When the task was last read (its own status, or a list that reflects changes).
    pub last_read_at: f64,
    /// When its own schedule next looks: before then it is not due, unless hinted.
    pub due_at: f64,
    /// A hint (a webhook callback) asks for a read before the schedule's time.
    pub hinted: bool,
    /// Reads of this task are never closer than this, hinted or not (hints cost at most one
    /// read per task per this interval, whoever sends them).
    pub min_gap_ms: f64,
    /// Multiplies the urgency (a task nobody is waiting on right now counts less).
    pub weight: f64,
}

/// Urgency of a hinted read: ahead of every scheduled one.
const HINTED: f64 = 1e300;

impl Watch {
    /// How urgently the task should be read at `now`; `None` while it is not due.
    pub fn urgency(&self, now: f64) -> Option<f64> {
        if now - self.last_read_at < self.min_gap_ms {
            return None;
        }
        let accrued = accrued(self.last_read_at - self.started_at, now - self.started_at, self.expected_ms)
            * if self.weight.is_finite() && self.weight > 0.0 { self.weight } else { 1.0 };
        if self.hinted {
            return Some(HINTED + accrued);
        }
        (now >= self.due_at).then_some(accrued)
    }
}

/// The tasks to read at `now`, most urgent first, at most `reads` of them.
pub fn pick(watches: &[Watch], now: f64, reads: usize) -> Vec<usize> {
    let mut due: Vec<(usize, f64)> =
        watches.iter().enumerate().filter_map(|(i, w)| w.urgency(now).map(|u| (i, u))).collect();
    // A selection, not a sort: `reads` is what the budget grants at once (a handful), and a
    // sort brought the standard library's stable sort into the wasm (~3.9 KB raw, 1.5 gzip).
    // The most urgent first; on equal urgency, the earlier wait.
    let mut out = Vec::with_capacity(reads.min(due.len()));
    while out.len() < reads {
        let best = due.iter().enumerate().max_by(|(_, a), (_, b)| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((k, _)) = best else { break };
        out.push(due.swap_remove(k).0);
    }
    out
}

/// Whether `me` goes first among the tasks due at `now` (a concurrent wait asks this before
/// spending the budget's next read; the others wait for the one after).
pub fn first_in_line(watches: &[Watch], me: usize, now: f64) -> bool {
    !matches!(pick(watches, now, 1).first(), Some(&i) if i != me)
}

/// When the next read falls due (a hinted task: once its minimum gap has passed).
pub fn next_due(watches: &[Watch]) -> Option<f64> {
    watches
        .iter()
        .map(|w| {
            let earliest = w.last_read_at + w.min_gap_ms;
            if w.hinted {
                earliest
            } else {
                w.due_at.max(earliest)
            }
        })
        .reduce(f64::min)
}

/// While concurrent waits share `GET /tasks`, each still asks its own task every this many
/// ticks: the per-task status is the authority (contract §9), and a list that lags behind it
/// is caught within about a minute.
pub const CROSS_CHECK_EVERY: u32 = 6;

/// Whether this look asks the task itself rather than the shared list: always while the list
/// is not in use, when its own status was last read `CROSS_CHECK_EVERY` looks ago (`look_ms`
/// each), and every other look once the task is well past its expected time (its list status
/// "has not changed for longer than the schedule expects").
/// While the shared list is only a probe (not yet proven live nor given up), a wait still
/// asks its own task, waiting its turn for the budget, once this many looks have passed without
/// an own read: a list that only echoes own reads (the live service's) never shows an ending
/// itself, and a wait that kept losing the budget's spare reads to more urgent ones learned of
/// its ending only at a cross-check, up to six looks later (twelve early endings on `live`:
/// max 25–32 s in about one run in four). At most every other look, and never more often than
/// the budget can serve every wait with room to spare: forced reads beyond it would only queue
/// for their turn and hold every look back (30 waits at 60 reads a minute: every fourth look).
pub const PROBE_OWN_EVERY: f64 = 1.5;

/// Whether a wait reading an unproven list asks its own task at this look: its last own read is
/// `PROBE_OWN_EVERY` looks old, or as many looks as the budget (one read per `token_ms`) takes
/// to serve all `waits` once, and half a look more.
pub fn probe_own_due(since_own_ms: f64, look_ms: f64, waits: usize, token_ms: f64) -> bool {
    let look_ms = look_ms.max(1.0);
    let serve_all = waits as f64 * token_ms.max(0.0) / look_ms + 0.5;
    since_own_ms >= look_ms * PROBE_OWN_EVERY.max(serve_all)
}

pub fn cross_check_due(since_own_ms: f64, look_ms: f64, elapsed: f64, expected: f64, list_in_use: bool) -> bool {
    let looks = since_own_ms / look_ms.max(1.0);
    !list_in_use || looks >= f64::from(CROSS_CHECK_EVERY) - 0.5 || (elapsed > expected * 1.3 && looks >= 1.5)
}

/// While a list serves concurrent waits, the client's cross-checks (own reads checking the
/// list) come at most once per this many looks, whatever the number of waits: a lagging list
/// is still caught within about a minute and a half, and checking it costs ~4 reads a minute.
pub const CROSS_CHECK_SPACING: f64 = 1.5;

/// While a proven list serves concurrent waits, a look costs nothing but the shared list's
/// refresh (at most one read per half a look for the whole client): waits look this many
/// times per scheduled look, so an ending the list shows is handed back sooner.
pub const LIST_LOOKS_PER_LOOK: f64 = 8.0;

/// A task's own status that differs from what the list says of it: the list lags.
pub fn list_lags(list_status: Option<&str>, task_status: &str) -> bool {
    list_status.is_some_and(|l| l != task_status)
}

/// How far along a status is: not started (unknown statuses too), running, ended.
fn progress_rank(status: &str) -> u8 {
    match TaskStatus::parse(status) {
        TaskStatus::Submitted | TaskStatus::Other(_) => 0,
        TaskStatus::Progress => 1,
        _ => 2,
    }
}

/// A list read showing a task further along than the wait last saw it: this server's list
/// reflects changes own reads did not make (a live list, not an echo of the last own read).
pub fn list_ahead(known: Option<&str>, listed: &str) -> bool {
    known.is_some_and(|k| progress_rank(listed) > progress_rank(k))
}

/// What the task list (`GET /tasks`) has shown itself to be on this server. The list is a
/// tool, never an authority: it stands in for own reads only once a list read showed a task
/// further along than its own reads had (the list reflects changes). Until then each list read
/// is a probe beside own reads, and evidence that it only repeats each task's last own read
/// (the live service's list) is weighed: an own read that finds a change the list, read in
/// between, did not show is a *miss*, as likely from a live list as the change is to have come
/// after the list read (`p`); `-ln p` is added up, and at `ECHO_EVIDENCE` (a live list gets
/// there by chance less than once in 50) the list is stale. A proven list that contradicts a
/// task's own status `LAG_CONTRADICTIONS` times in a row lags: stale too. A list over the size
/// cap is not read for a while, a refused one never again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTrust {
    pub seen_ahead: bool,
    /// Evidence (log-likelihood ratio) that the list only echoes own reads.
    pub evidence: f64,
    pub stale: bool,
    pub refused: bool,
    pub too_large_until: f64,
}

/// Evidence at which an unproven list is taken for an echo of own reads: `ln 50`.
pub const ECHO_EVIDENCE: f64 = 3.912;
/// Contradictions in a row for one task that mark a live list as lagging.
pub const LAG_CONTRADICTIONS: u32 = 2;
/// How long a list over the size cap is left alone, in looks (of 9.5 s unscaled): tasks
/// expire and the list shrinks, so it is tried again later.
pub const TOO_LARGE_SKIP_LOOKS: f64 = 12.0;

/// How likely a live list was to miss a change an own read found: the share of the interval
/// between the task's two own reads (`prev_own`, `own`) that came after the list read (`listed_at`).
/// `None` when the list was not read in between (it says nothing about this change).
pub fn miss_chance(prev_own: f64, listed_at: f64, own: f64) -> Option<f64> {
    (listed_at > prev_own && listed_at <= own && own > prev_own)
        .then(|| ((own - listed_at) / (own - prev_own)).clamp(1e-3, 1.0))
}

/// Why the list is not read now (reported in a wait's progress events).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ListOff {
    Refused,
    Stale,
    TooLarge,
}

impl ListOff {
    pub fn as_str(self) -> &'static str {
        match self {
            ListOff::Refused => "refused",
            ListOff::Stale => "stale",
            ListOff::TooLarge => "too_large",
        }
    }
}

impl ListTrust {
    /// Why the list is not read at `now`, or `None` when it may be.
    pub fn off(&self, now: f64) -> Option<ListOff> {
        if self.refused {
            Some(ListOff::Refused)
        } else if self.stale {
            Some(ListOff::Stale)
        } else if now < self.too_large_until {
            Some(ListOff::TooLarge)
        } else {
            None
        }
    }

    /// The list may be read at `now` (as a probe while unproven).
    pub fn readable(&self, now: f64) -> bool {
        self.off(now).is_none()
    }

    /// The list's answers stand in for own reads (cross-checks aside).
    pub fn proven(&self, now: f64) -> bool {
        self.seen_ahead && self.readable(now)
    }

    /// A list read showed a task at `listed` while its own reads last saw `known`.
    pub fn on_listed(&mut self, known: Option<&str>, listed: &str) {
        if list_ahead(known, listed) {
            self.seen_ahead = true;
        }
    }

    /// A task's own read contradicted the list (`in_a_row` times for that task), the list read
    /// coming between its previous own read and this one with `chance` that a live list would
    /// have missed the change too (`miss_chance`; `None`: read before, no evidence).
    pub fn on_contradiction(&mut self, in_a_row: u32, chance: Option<f64>) {
        if self.seen_ahead {
            self.stale |= in_a_row >= LAG_CONTRADICTIONS;
        } else if let Some(p) = chance.filter(|p| p.is_finite()) {
            self.evidence -= p.clamp(1e-3, 1.0).ln();
            self.stale |= self.evidence >= ECHO_EVIDENCE;
        }
    }

    /// The list came back over the size cap: own reads only for `skip_ms`.
    pub fn on_too_large(&mut self, now: f64, skip_ms: f64) {
        self.too_large_until = now + skip_ms.max(0.0);
    }

    pub fn on_refused(&mut self) {
        self.refused = true;
    }

    /// As a plain object (the coordinator keeps it on disk and hands it back).
    pub fn to_value(&self) -> Value {
        Value::object(vec![
            ("seenAhead", Value::Bool(self.seen_ahead)),
            ("evidence", Value::Number(self.evidence)),
            ("stale", Value::Bool(self.stale)),
            ("refused", Value::Bool(self.refused)),
            ("tooLargeUntil", Value::Number(self.too_large_until)),
        ])
    }

    /// From `to_value`'s object; anything missing or malformed reads as the default.
    pub fn from_value(v: &Value) -> ListTrust {
        let flag = |k: &str| matches!(v.get(k), Some(Value::Bool(true)));
        let num = |k: &str| v.get(k).and_then(Value::as_f64).filter(|n| n.is_finite() && *n >= 0.0);
        ListTrust {
            seen_ahead: flag("seenAhead"),
            evidence: num("evidence").map_or(0.0, |n| n.min(1e6)),
            stale: flag("stale"),
            refused: flag("refused"),
            too_large_until: num("tooLargeUntil").unwrap_or(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(started_at: f64, last_read_at: f64, due_at: f64) -> Watch {
        Watch {
            started_at,
            expected_ms: 390_000.0,
            last_read_at,
            due_at,
            hinted: false,
            min_gap_ms: 1_000.0,
            weight: 1.0,
        }
    }

    #[test]
    fn the_ending_model_peaks_in_the_window_and_stays_finite() {
        let e = 390_000.0;
        let early = hazard(10_000.0, e);
        let window = hazard(0.9 * e, e);
        let end = hazard(1.19 * e, e);
        assert!(early > 0.0 && window > early * 10.0 && end > window, "{early} {window} {end}");
        assert!(hazard(5.0 * e, e).is_finite() && hazard(-1.0, e).is_finite() && hazard(1.0, f64::NAN).is_finite());
        // A task not read for a long time accrues lateness faster than linearly.
        assert!(accrued(0.0, 60_000.0, e) > 2.0 * accrued(0.0, 30_000.0, e));
        assert_eq!(accrued(5.0, 5.0, e), 0.0);
    }

    #[test]
    fn due_tasks_go_by_urgency_and_hints_jump_the_line_once_per_gap() {
        // Two due tasks: the one in its ending window first, then the one read long ago.
        let ws = vec![watch(0.0, 60_000.0, 70_000.0), watch(-300_000.0, 60_000.0, 70_000.0), watch(0.0, 0.0, 70_000.0)];
        assert_eq!(pick(&ws, 69_000.0, 3), Vec::<usize>::new(), "nothing due yet");
        assert_eq!(pick(&ws, 70_000.0, 3), vec![1, 2, 0]);
        assert!(first_in_line(&ws, 1, 70_000.0) && !first_in_line(&ws, 0, 70_000.0));
        let mut hinted = ws.clone();
        hinted[0].hinted = true;
        assert_eq!(pick(&hinted, 65_000.0, 1), vec![0], "a hint reads before the schedule");
        assert_eq!(next_due(&hinted), Some(61_000.0));
        hinted[0].last_read_at = 64_500.0;
        assert_eq!(pick(&hinted, 65_000.0, 3), Vec::<usize>::new(), "at most one read per task per gap");
    }

    #[test]
    fn an_unproven_list_leaves_a_wait_without_an_own_read_for_at_most_two_looks() {
        // 60 reads a minute: one per second, 9.5 a look.
        let (look, token) = (9_500.0, 1_000.0);
        assert!(!probe_own_due(look, look, 12, token), "one look after its own read: the probe may answer");
        assert!(probe_own_due(2.0 * look - 400.0, look, 12, token), "the next look, a little early: its own task");
        assert!(probe_own_due(1.5 * look, look, 2, token) && !probe_own_due(1.5 * look - 1.0, look, 2, token));
        // 30 waits need 3.2 looks of the budget to be read once each: every fourth look.
        assert!(!probe_own_due(3.0 * look, look, 30, token) && probe_own_due(3.7 * look, look, 30, token));
        assert!(probe_own_due(1.5, 0.0, 1, 0.0), "a zero look is one millisecond");
    }

    #[test]
    fn pick_takes_what_a_stable_sort_by_urgency_would() {
        // Tasks on a coarse grid (equal urgencies happen), some not due, some hinted.
        let mut seed = 7_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) % n) as f64
        };
        for round in 0..300 {
            let n = round % 25;
            let ws: Vec<Watch> = (0..n)
                .map(|_| {
                    let mut w = watch(-next(4) * 60_000.0, next(3) * 20_000.0, next(3) * 40_000.0);
                    w.hinted = next(5) == 0.0;
                    w
                })
                .collect();
            let now = 60_000.0;
            let mut sorted: Vec<(usize, f64)> =
                ws.iter().enumerate().filter_map(|(i, w)| w.urgency(now).map(|u| (i, u))).collect();
            sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for reads in [0, 1, 2, 5, 30] {
                let want: Vec<usize> = sorted.iter().take(reads).map(|(i, _)| *i).collect();
                assert_eq!(pick(&ws, now, reads), want, "round {round}, {reads} reads");
            }
        }
    }

    #[test]
    fn a_shared_list_is_cross_checked_and_its_changes_prove_it() {
        let look = 9_500.0;
        assert!(!cross_check_due(look, look, 10_000.0, 390_000.0, true));
        assert!(cross_check_due(6.0 * look, look, 10_000.0, 390_000.0, true), "at least every few looks");
        assert!(!cross_check_due(look, look, 600_000.0, 390_000.0, true));
        assert!(cross_check_due(2.0 * look, look, 600_000.0, 390_000.0, true), "overdue: every other look");
        assert!(cross_check_due(0.0, look, 10_000.0, 390_000.0, false), "a list not in use: always the task itself");
        assert!(list_lags(Some("SUBMITTED"), "COMPLETED"));
        assert!(list_ahead(Some("SUBMITTED"), "COMPLETED") && list_ahead(Some("PROGRESS"), "FAILED"));
        assert!(!list_ahead(Some("PROGRESS"), "SUBMITTED") && !list_ahead(None, "COMPLETED"));
        assert!(!list_ahead(Some("PROGRESS"), "PROGRESS"), "an echo of the last own read shows nothing");
        assert!(!list_lags(Some("PROGRESS"), "PROGRESS") && !list_lags(None, "COMPLETED"));
    }

    #[test]
    fn an_echoing_list_is_given_up_and_a_live_one_is_kept_through_one_change() {
        let mut echo = ListTrust::default();
        assert!(echo.readable(0.0) && !echo.proven(0.0));
        // Misses right after the previous own read say little; four from the middle suffice.
        for _ in 0..20 {
            echo.on_contradiction(1, miss_chance(0.0, 100.0, 9_500.0));
        }
        assert!(echo.readable(0.0), "a list read just after the last own read missed nothing it could have shown");
        for _ in 0..6 {
            echo.on_contradiction(1, miss_chance(0.0, 4_750.0, 9_500.0));
        }
        assert_eq!(echo.off(0.0), Some(ListOff::Stale));
        echo = ListTrust::default();
        echo.on_contradiction(1, miss_chance(0.0, 9_400.0, 9_500.0));
        assert!(echo.stale, "a list read just before the own read that missed the change: an echo");
        assert_eq!(miss_chance(5_000.0, 4_000.0, 9_500.0), None, "read before the previous own read");
        let mut live = ListTrust::default();
        live.on_listed(Some("SUBMITTED"), "PROGRESS");
        assert!(live.proven(0.0));
        live.on_contradiction(1, Some(0.01));
        live.on_contradiction(1, Some(0.01));
        assert!(live.proven(0.0), "one contradiction per task is a change between two reads");
        live.on_contradiction(2, Some(0.5));
        assert!(!live.proven(0.0));
        let mut big = ListTrust::default();
        big.on_too_large(100.0, 1_000.0);
        assert_eq!((big.off(500.0), big.off(1_100.0)), (Some(ListOff::TooLarge), None));
        assert_eq!(ListTrust::from_value(&big.to_value()), big);
        assert_eq!(ListTrust::from_value(&Value::Null), ListTrust::default());
    }
}
