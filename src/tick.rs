//! One tick of a loop that watches many tasks on one key (the proxy coordinator's alarm):
//! from what it knows of each task, its budget and the task list's standing, which reads to
//! make now and when to look again. The rules are `crate::schedule`'s and `crate::poll`'s,
//! the same the client's concurrent waits follow; this file only lays them over a table.
//!
//! Owns: the plan's input and output as plain objects (the coordinator keeps its records in
//! JavaScript and on disk). Must not: read the clock or send: `now` and the budget come in.

use crate::poll::{default_delay, PollOptions, WaitRequest, MAX_LOOK_INTERVAL_MS};
use crate::schedule::{next_due, pick, ListTrust, Watch, CROSS_CHECK_EVERY};
use crate::task::terminal;
use crate::value::Value;

/// Reads of one task are never closer than this (unscaled): a hint, forged or repeated,
/// costs at most one read per task per this interval.
pub const HINT_GAP_MS: f64 = 2_000.0;
/// The loop looks again at least this often (unscaled), whatever is due.
pub const MAX_TICK_MS: f64 = 5_000.0;
/// A task nobody is waiting on right now counts this much of a waited one's urgency.
pub const UNWAITED_WEIGHT: f64 = 0.25;

/// One task of the table, as the coordinator records it.
#[derive(Debug, Clone, PartialEq)]
pub struct TickTask {
    pub id: String,
    pub model: Option<String>,
    /// The create's `handle.expectedMs` (on the model's clock), when known.
    pub expected_ms: Option<f64>,
    pub created_at: f64,
    pub status: Option<String>,
    /// When its own status was last read.
    pub own_at: Option<f64>,
    /// When a proven list last showed it.
    pub listed_at: Option<f64>,
    pub hinted: bool,
    pub waited: bool,
}

/// What the loop does now.
#[derive(Debug, Clone, PartialEq)]
pub struct TickPlan {
    pub read_list: bool,
    /// Task ids to read, most urgent first.
    pub reads: Vec<String>,
    /// When to look again (the next read falling due, at most `MAX_TICK_MS` away).
    pub next_at: f64,
}

/// The plan for `now`: at most `reads` own reads, and the list when it may serve (proven
/// live, or as a probe while unproven with two or more tasks running) and a look is due.
pub fn plan(
    tasks: &[TickTask],
    list: &ListTrust,
    last_list_at: Option<f64>,
    now: f64,
    reads: usize,
    scale: f64,
) -> TickPlan {
    let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
    let look = MAX_LOOK_INTERVAL_MS * scale;
    let running: Vec<&TickTask> = tasks.iter().filter(|t| t.status.as_deref().and_then(terminal).is_none()).collect();
    let proven = list.proven(now);
    // A proven list serves every task for one read: it is read every tick; a probe per look.
    let list_every = if proven { MAX_TICK_MS * scale } else { look };
    let list_due = last_list_at.is_none_or_past(now, list_every);
    let read_list = list.readable(now) && list_due && (proven || running.len() >= 2) && !running.is_empty();
    let watches: Vec<Watch> = running.iter().map(|t| watch(t, proven, scale)).collect();
    let reads = pick(&watches, now, reads).into_iter().filter_map(|i| running.get(i).map(|t| t.id.clone())).collect();
    let mut next_at = next_due(&watches).unwrap_or(now + MAX_TICK_MS * scale);
    if list.readable(now) && !running.is_empty() {
        next_at = next_at.min(last_list_at.map_or(now, |at| at + list_every));
    }
    TickPlan { read_list, reads, next_at: next_at.min(now + MAX_TICK_MS * scale) }
}

trait PastOr {
    fn is_none_or_past(&self, now: f64, gap: f64) -> bool;
}

impl PastOr for Option<f64> {
    fn is_none_or_past(&self, now: f64, gap: f64) -> bool {
        match self {
            Some(at) => now - at >= gap * 0.95,
            None => true,
        }
    }
}

/// A task as the scheduler sees it: due on the default schedule from its last own read (with
/// a proven list, only every `CROSS_CHECK_EVERY` looks: the list reads it in between).
fn watch(t: &TickTask, proven: bool, scale: f64) -> Watch {
    let opts = PollOptions::resolve(&WaitRequest {
        handle_expected_ms: t.expected_ms,
        model: t.model.clone(),
        time_scale: Some(scale),
        ..Default::default()
    });
    let expected = opts.expected_ms;
    let look = MAX_LOOK_INTERVAL_MS * scale;
    let first = default_delay(0.0, expected / scale, 0) * scale;
    let due_at = match (t.own_at, proven) {
        (None, false) => t.created_at + first,
        (None, true) => t.created_at + first.max(look * f64::from(CROSS_CHECK_EVERY)),
        (Some(own), false) => own + look,
        (Some(own), true) => own + look * f64::from(CROSS_CHECK_EVERY),
    };
    let seen = match (proven, t.listed_at) {
        (true, Some(l)) => t.own_at.map_or(l, |o| o.max(l)),
        _ => t.own_at.unwrap_or(t.created_at),
    };
    Watch {
        started_at: t.created_at,
        expected_ms: expected,
        last_read_at: seen,
        due_at,
        hinted: t.hinted,
        min_gap_ms: HINT_GAP_MS * scale,
        weight: if t.waited { 1.0 } else { UNWAITED_WEIGHT },
    }
}

/// The coordinator's table from its plain object: `{tasks: [{id, model, expectedMs,
/// createdAt, status, ownAt, listedAt, hinted, waited}]}`; malformed rows are skipped.
pub fn tasks_from(v: &Value) -> Vec<TickTask> {
    let Some(Value::Array(rows)) = v.get("tasks") else {
        return Vec::new();
    };
    let num = |r: &Value, k: &str| r.get(k).and_then(Value::as_f64).filter(|n| n.is_finite());
    let text = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    rows.iter()
        .filter_map(|r| {
            Some(TickTask {
                id: text(r, "id")?,
                model: text(r, "model"),
                expected_ms: num(r, "expectedMs").filter(|n| *n > 0.0),
                created_at: num(r, "createdAt")?,
                status: text(r, "status"),
                own_at: num(r, "ownAt"),
                listed_at: num(r, "listedAt"),
                hinted: matches!(r.get("hinted"), Some(Value::Bool(true))),
                waited: matches!(r.get("waited"), Some(Value::Bool(true))),
            })
        })
        .collect()
}

impl TickPlan {
    pub fn to_value(&self) -> Value {
        Value::object(vec![
            ("readList", Value::Bool(self.read_list)),
            ("reads", Value::Array(self.reads.iter().map(String::as_str).map(Value::str).collect())),
            ("nextAt", Value::Number(self.next_at)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, created_at: f64, own_at: Option<f64>) -> TickTask {
        TickTask {
            id: id.into(),
            model: Some("t2v".into()),
            expected_ms: None,
            created_at,
            status: Some("PROGRESS".into()),
            own_at,
            listed_at: None,
            hinted: false,
            waited: true,
        }
    }

    #[test]
    fn an_unproven_list_is_probed_beside_own_reads_and_a_stale_one_never_read() {
        let tasks = vec![task("a", 0.0, Some(0.0)), task("b", 0.0, Some(5_000.0))];
        let p = plan(&tasks, &ListTrust::default(), None, 10_000.0, 5, 1.0);
        assert!(p.read_list);
        assert_eq!(p.reads, vec!["a".to_string()], "b is not due yet");
        assert!(p.next_at <= 14_500.0 + 1.0, "{}", p.next_at);
        let stale = ListTrust { stale: true, ..Default::default() };
        assert!(!plan(&tasks, &stale, None, 10_000.0, 5, 1.0).read_list);
        // One task alone: no probe (own reads cost the same).
        assert!(!plan(&tasks[..1], &ListTrust::default(), None, 10_000.0, 5, 1.0).read_list);
    }

    #[test]
    fn a_proven_list_replaces_own_reads_but_for_cross_checks() {
        let live = ListTrust { seen_ahead: true, ..Default::default() };
        let mut t = task("a", 0.0, Some(0.0));
        t.listed_at = Some(9_500.0);
        let p = plan(&[t.clone()], &live, Some(9_500.0), 19_000.0, 5, 1.0);
        assert!(p.read_list && p.reads.is_empty());
        let p = plan(&[t], &live, Some(55_000.0), 57_000.0, 5, 1.0);
        assert_eq!(p.reads, vec!["a".to_string()], "a cross-check every few looks");
    }

    #[test]
    fn hints_and_waited_tasks_go_first_and_the_budget_bounds_the_reads() {
        let mut ts: Vec<TickTask> = (0..6).map(|i| task(&format!("t{i}"), 0.0, Some(0.0))).collect();
        if let Some(t) = ts.get_mut(4) {
            t.hinted = true;
            t.own_at = Some(57_000.0);
        }
        if let Some(t) = ts.get_mut(0) {
            t.waited = false;
        }
        let stale = ListTrust { stale: true, ..Default::default() };
        let p = plan(&ts, &stale, None, 60_000.0, 3, 1.0);
        assert_eq!(p.reads.len(), 3);
        assert_eq!(p.reads.first().map(String::as_str), Some("t4"));
        assert!(!p.reads.contains(&"t0".to_string()), "{:?}", p.reads);
        let rows = Value::object(vec![(
            "tasks",
            Value::Array(vec![
                Value::object(vec![("id", Value::str("x")), ("createdAt", Value::Number(1.0))]),
                Value::object(vec![("id", Value::Number(3.0))]),
            ]),
        )]);
        assert_eq!(tasks_from(&rows).len(), 1);
        assert!(tasks_from(&Value::Null).is_empty());
    }
}
