//! Waiting for a task: the parts that decide. What to wait on (a taskId or a stored handle),
//! how a poll's answer reads, and how each ending is reported. The schedule is `Poller`
//! (`poll.rs`); the edge only sleeps, polls and calls back. Must not: perform I/O or read
//! the clock (`now` is passed in).
//!
//! Size: 265 lines of code; the rest is its unit tests, kept beside what they test.

use crate::classify::{classify, transport_failure, Action, Body, HttpResponse, TransportFailure};
use crate::envelope::Envelope;
use crate::error::ArgumentError;
use crate::error::{Error, ErrorCode};
use crate::options::WaitOptions;
use crate::poll::{PollOptions, Poller, Verdict, WaitRequest};
use crate::retry::is_transient;
use crate::task::{normalize_task, Terminal};
use crate::url::encode_task_id;
use crate::value::Value;

/// A wait, resolved: the task, when its clock started, and the schedule's options.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitTarget {
    pub task_id: String,
    /// When the task was created (a resumed wait keeps its schedule), never in the future.
    pub started_at: f64,
    pub poll: PollOptions,
    pub cancel_on_abort: bool,
    /// The stored handle the wait was given, to hand back when the result cannot be read.
    pub handle: Option<Value>,
}

impl WaitTarget {
    /// `task` is a taskId string or the handle from `createGeneration`'s `data.handle`.
    pub fn resolve(task: &Value, opts: &WaitOptions, now: f64) -> Result<WaitTarget, ArgumentError> {
        let (task_id, model, created, expected) = match task {
            Value::String(id) => (id.clone(), None, None, None),
            Value::Object(_) => (
                task.get("taskId")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| ArgumentError::new("the handle has no taskId"))?,
                task.get("model").and_then(Value::as_str).map(str::to_string),
                task.get("createdAt").cloned(),
                task.get("expectedMs").and_then(Value::as_f64),
            ),
            _ => {
                return Err(ArgumentError::new(
                    "waitForTask takes a taskId string or the handle from createGeneration's data",
                ))
            }
        };
        encode_task_id(&task_id)?;
        let started_at = match created {
            Some(Value::String(s)) => crate::time::parse_iso8601(&s).unwrap_or(now),
            Some(Value::Number(n)) if n.is_finite() => n,
            _ => now,
        }
        .min(now);
        let poll = PollOptions::resolve(&WaitRequest {
            expected_ms: opts.expected_ms,
            handle_expected_ms: expected,
            model,
            time_scale: opts.time_scale,
            max_wait_ms: opts.max_wait_ms,
            interval_ms: opts.interval_ms,
            max_interval_ms: opts.max_interval_ms,
            min_interval_ms: opts.min_interval_ms,
            first_interval_ms: opts.first_interval_ms,
        });
        let handle = matches!(task, Value::Object(_)).then(|| task.clone());
        Ok(WaitTarget { task_id, started_at, poll, cancel_on_abort: opts.cancel_on_abort, handle })
    }
}

/// One poll's result: the task's status (and the full task when a list call brought it).
#[derive(Debug, Clone, PartialEq)]
pub enum Polled {
    Status(String, Option<Value>),
    Failed(Envelope),
}

/// How a `GET /tasks/{id}/status` answer reads for a wait.
pub fn read_status(env: Envelope, task_id: &str) -> Polled {
    match (&env.status, env.is_ok(), env.code()) {
        (Some(s), true, _) => Polled::Status(s.clone(), None),
        (_, false, Some(ErrorCode::GenerationFailed)) => Polled::Status("FAILED".into(), None),
        (None, true, _) => Polled::Failed(
            Envelope::failure(ErrorCode::UpstreamError, "the status answer had no status field")
                .with_task_id(Some(task_id.to_string())),
        ),
        _ => Polled::Failed(env),
    }
}

/// The tasks of a `GET /tasks` answer, by id (`None` when the call failed).
pub fn list_index(env: &Envelope) -> Option<Vec<(String, Value)>> {
    if !env.is_ok() {
        return None;
    }
    let mut map = Vec::new();
    if let Some(Value::Array(items)) = env.data().get("tasks") {
        for t in items {
            if let Some(id) = t.get("id").and_then(Value::as_str) {
                map.push((id.to_string(), t.clone()));
            }
        }
    }
    Some(map)
}

/// A list call refused for good (a proxy that keeps the task list to admins, a key without
/// the right): the session stops using the list and asks each task itself.
pub fn list_refused(env: &Envelope) -> bool {
    matches!(env.code(), Some(ErrorCode::AuthFailed | ErrorCode::UnsupportedByServer))
}

/// A task found in a list answer, as a poll result.
pub fn from_list(tasks: &[(String, Value)], task_id: &str) -> Option<Polled> {
    tasks.iter().find(|(k, _)| k == task_id).map(|(_, t)| {
        let status = t.get("status").and_then(Value::as_str).unwrap_or("").to_string();
        Polled::Status(status, Some(t.clone()))
    })
}

/// How long a coordinated proxy may hold one long poll: 25 s, less near the wait's deadline;
/// none when under a second is left (a plain poll then).
pub const LONG_POLL_HOLD_MS: f64 = 25_000.0;

pub fn long_poll_hold(deadline: Option<f64>, now: f64) -> Option<f64> {
    let left = deadline.map_or(f64::INFINITY, |d| d - now);
    (left >= 1000.0).then(|| LONG_POLL_HOLD_MS.min(left - 500.0))
}

/// Whether a long poll did its job (the next may follow at once): it brought a new status,
/// or the server held it at least a second. A failure or an unchanged answer that came back
/// at once waits the poll schedule first, so a server that does not hold is not hammered.
pub fn long_poll_held(polled: &Polled, before: Option<&str>, took_ms: f64) -> bool {
    match polled {
        Polled::Status(s, _) => Some(s.as_str()) != before || took_ms >= 1000.0,
        Polled::Failed(_) => false,
    }
}

/// Why a wait stops before the task ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// The caller's signal fired.
    Aborted,
    /// A failure that waiting longer would not fix (auth, not found, …).
    Failed(Box<Envelope>),
}

/// Feeds one poll into the schedule. `fetched` keeps the full task when a list call brought
/// it, so a finished task need not be read again.
pub fn after_poll(
    poller: &mut Poller,
    polled: Polled,
    fetched: &mut Option<Value>,
    task_id: &str,
    now: f64,
    jitter: f64,
) -> Result<Verdict, Stop> {
    match polled {
        Polled::Status(status, task) => {
            *fetched = task;
            Ok(poller.on_status(&status, now, jitter))
        }
        Polled::Failed(env) => match env.code() {
            Some(ErrorCode::Aborted) => Err(Stop::Aborted),
            Some(code) if is_transient(code) => Ok(poller.on_error(env.retry_after().map(|s| s * 1000.0), now, jitter)),
            _ => Err(Stop::Failed(Box::new(env.with_task_id(Some(task_id.to_string()))))),
        },
    }
}

/// The deadline passed: the task is not lost, and the envelope says so.
pub fn timed_out(target: &WaitTarget, poller: &Poller, now: f64) -> Envelope {
    let msg = format!(
        "the task did not finish within maxWaitMs ({} ms); it is not lost: wait again with its taskId",
        target.poll.max_wait_ms.unwrap_or(0.0).round() as u64
    );
    let data = Value::object(vec![
        ("lastStatus", Value::opt_str(poller.last_status.clone())),
        ("polls", Value::Number(f64::from(poller.polls))),
        ("elapsedMs", Value::Number(poller.elapsed(now).round())),
    ]);
    let mut env = Envelope::from(Error::new(ErrorCode::PollTimeout, msg).with_data(data))
        .with_task_id(Some(target.task_id.clone()));
    env.status = poller.last_status.clone();
    env
}

/// Whether an aborted wait should cancel the task: asked for, and it has not started.
pub fn cancel_on_abort(target: &WaitTarget, poller: &Poller) -> bool {
    target.cancel_on_abort && matches!(poller.last_status.as_deref(), None | Some("SUBMITTED"))
}

/// The caller's signal fired; `cancel` is the cancel's answer when one was sent.
pub fn aborted(target: &WaitTarget, poller: &Poller, cancel: Option<&Envelope>) -> Envelope {
    let mut err = transport_failure(TransportFailure::Aborted, "", 0.0);
    let mut data = vec![("lastStatus", Value::opt_str(poller.last_status.clone()))];
    if let Some(cancel) = cancel {
        err.message = if cancel.is_ok() {
            "aborted by the caller's signal; the task was still SUBMITTED and has been cancelled (refunded)".into()
        } else {
            format!(
                "aborted by the caller's signal; cancelling the task failed ({}): it may still run and be billed",
                cancel.message().unwrap_or_default()
            )
        };
        data.push(("cancelled", Value::Bool(cancel.is_ok())));
    }
    let mut env = Envelope::from(err.with_data(Value::object(data))).with_task_id(Some(target.task_id.clone()));
    env.status = poller.last_status.clone();
    env
}

/// The task ended `CANCEL`.
pub fn cancelled(task_id: &str, task: Option<Value>) -> Envelope {
    let err = Error::new(ErrorCode::Cancelled, "the task was cancelled (credits refunded)")
        .with_data(task.map(normalize_task).unwrap_or(Value::Null));
    let mut env = Envelope::from(err).with_task_id(Some(task_id.to_string()));
    env.status = Some("CANCEL".into());
    env
}

/// A task a list call brought, read as if `GET /tasks/{id}` had answered it.
pub fn task_answer(task: Value, task_id: &str, now: f64) -> Envelope {
    let resp = HttpResponse::new(200, None, Body::Json(task));
    classify(Action::Task, &resp, Some(task_id), now)
}

/// The task read after the poll said it ended `COMPLETED` or `FAILED`. A success must be a
/// `COMPLETED` task with a video URL; anything else is reported as read, never as success.
/// A read that failed (after its retries) never turns a finished task into a failure of
/// the generation: a COMPLETED task is `RESULT_UNAVAILABLE`, with what to read it with later.
pub fn finished(target: &WaitTarget, terminal: Terminal, read: Envelope) -> Envelope {
    let id = target.task_id.as_str();
    let mut env = read.with_task_id(Some(id.to_string()));
    if let Some(code) = env.code().filter(|c| *c != ErrorCode::GenerationFailed) {
        let why = format!("{}: {}", code.as_str(), env.message().unwrap_or_default());
        let (code, msg, data) = if terminal == Terminal::Completed {
            let msg = format!(
                "the task COMPLETED (and is paid for) but reading its result failed ({why}); read it later with \
                 getTask(\"{id}\")"
            );
            let last = Value::object(vec![
                ("errorCode", Value::str(code.as_str())),
                ("errorMessage", Value::opt_str(env.message().map(str::to_string))),
            ]);
            let data = Value::object(vec![
                ("taskId", Value::str(id)),
                ("handle", target.handle.clone().unwrap_or(Value::Null)),
                ("lastError", last),
            ]);
            (ErrorCode::ResultUnavailable, msg, data)
        } else {
            (
                ErrorCode::GenerationFailed,
                format!("the task FAILED (its details could not be read: {why})"),
                Value::Null,
            )
        };
        let mut out = Envelope::from(Error::new(code, msg).with_data(data)).with_task_id(Some(id.to_string()));
        out.status = Some(if terminal == Terminal::Completed { "COMPLETED" } else { "FAILED" }.to_string());
        return out;
    }
    if env.is_ok() && env.status.as_deref() != Some("COMPLETED") {
        let msg =
            format!("the status poll said COMPLETED but the task reads {}", env.status.clone().unwrap_or_default());
        env.fail(ErrorCode::UnknownError, msg);
    }
    if env.is_ok() && env.data().get("output").and_then(|o| o.get("url")).and_then(Value::as_str).is_none() {
        env.fail(ErrorCode::UpstreamError, "the task is COMPLETED but has no output URL");
    }
    env
}

/// The `onProgress` event after a poll.
pub fn progress_event(task_id: &str, poller: &Poller, now: f64, next: &Verdict, changed: bool, seen: &Seen) -> Value {
    let next_ms = match next {
        Verdict::Sleep(ms) => Value::Number(ms.round()),
        _ => Value::Null,
    };
    let elapsed = poller.elapsed(now);
    Value::object(vec![
        ("taskId", Value::str(task_id)),
        ("status", Value::opt_str(poller.last_status.clone())),
        ("elapsedMs", Value::Number(elapsed.round())),
        ("polls", Value::Number(f64::from(poller.polls))),
        ("nextPollInMs", next_ms),
        ("changed", Value::Bool(changed)),
        ("expectedMs", Value::Number(seen.expected_ms.round())),
        ("remainingMs", Value::Number((seen.expected_ms - elapsed).max(0.0).round())),
        ("source", Value::str(seen.source)),
        ("listSkipped", seen.list_skipped.map_or(Value::Null, Value::str)),
    ])
}

/// How a look was made, for its progress event: `source` is `"status"` (the task's own
/// status), `"list"` (the shared task list) or `"long-poll"` (a coordinated proxy held it);
/// `list_skipped` says why concurrent waits are not using the list (`"stale"`, `"too_large"`,
/// `"refused"`); `expected_ms` is the wait's expected run time.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub source: &'static str,
    pub list_skipped: Option<&'static str>,
    pub expected_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_json::json;

    #[test]
    fn long_polls_hold_within_the_deadline_and_never_spin() {
        assert_eq!(long_poll_hold(None, 0.0), Some(LONG_POLL_HOLD_MS));
        assert_eq!(long_poll_hold(Some(10_000.0), 0.0), Some(9_500.0));
        assert_eq!(long_poll_hold(Some(900.0), 0.0), None);
        let status = |s: &str| Polled::Status(s.to_string(), None);
        assert!(long_poll_held(&status("PROGRESS"), Some("SUBMITTED"), 5.0), "a change: ask again at once");
        assert!(long_poll_held(&status("PROGRESS"), Some("PROGRESS"), 25_000.0), "held: ask again at once");
        assert!(!long_poll_held(&status("PROGRESS"), Some("PROGRESS"), 20.0), "not held: wait the schedule");
        let failed = Polled::Failed(Envelope::failure(ErrorCode::UpstreamError, "503"));
        assert!(!long_poll_held(&failed, Some("PROGRESS"), 25_000.0));
    }

    #[test]
    fn a_refused_list_is_given_up_but_a_transient_failure_is_not() {
        assert!(list_refused(&Envelope::failure(ErrorCode::AuthFailed, "list is for admins")));
        assert!(!list_refused(&Envelope::failure(ErrorCode::UpstreamError, "503")));
        assert!(!list_refused(&Envelope::failure(ErrorCode::RateLimited, "429")));
    }

    fn target(handle: &str, opts: &str, now: f64) -> Result<WaitTarget, ArgumentError> {
        let opts = WaitOptions::read(&json(opts)).unwrap(); // ok: test
        WaitTarget::resolve(&json(handle), &opts, now)
    }

    #[test]
    fn a_handle_resumes_the_schedule_where_it_was() {
        let t = target(
            r#"{"taskId":"t1","model":"t2v","createdAt":"1970-01-01T00:00:10.000Z","expectedMs":60000}"#,
            "{}",
            70_000.0,
        )
        .unwrap(); // ok: test
        assert_eq!((t.task_id.as_str(), t.started_at, t.poll.expected_ms), ("t1", 10_000.0, 60_000.0));
        assert_eq!(target(r#""t2""#, r#"{"maxWaitMs":0}"#, 5.0).unwrap().poll.max_wait_ms, None); // ok: test
        assert!(target(r#"{"model":"t2v"}"#, "{}", 0.0).is_err());
        assert!(target("42", "{}", 0.0).is_err());
        assert!(target(r#""""#, "{}", 0.0).is_err(), "an empty id is refused locally");
    }

    #[test]
    fn a_completed_read_without_a_video_is_not_a_success() {
        let t = target(r#""t1""#, "{}", 0.0).unwrap(); // ok: test
        let done = |body: &str| finished(&t, Terminal::Completed, task_answer(json(body), "t1", 0.0));
        assert_eq!(done(r#"{"id":"t1","status":"COMPLETED","output":{}}"#).code(), Some(ErrorCode::UpstreamError));
        assert_eq!(done(r#"{"id":"t1","status":"PROGRESS"}"#).code(), Some(ErrorCode::UnknownError));
        assert!(done(r#"{"id":"t1","status":"COMPLETED","output":{"url":"https://v/1.mp4"}}"#).is_ok());
    }

    #[test]
    fn a_paid_result_that_cannot_be_read_is_never_a_failed_generation() {
        let t = target(r#"{"taskId":"t1","model":"t2v"}"#, "{}", 0.0).unwrap(); // ok: test
        let env = finished(&t, Terminal::Completed, Envelope::failure(ErrorCode::UpstreamError, "HTTP 503"));
        assert_eq!((env.code(), env.status.as_deref()), (Some(ErrorCode::ResultUnavailable), Some("COMPLETED")));
        assert_eq!(env.data().get("handle").and_then(|h| h.get("taskId")).and_then(Value::as_str), Some("t1"));
        let env = finished(&t, Terminal::Failed, Envelope::failure(ErrorCode::NetworkError, "reset"));
        assert_eq!((env.code(), env.status.as_deref()), (Some(ErrorCode::GenerationFailed), Some("FAILED")));
    }

    #[test]
    fn transient_poll_failures_back_off_and_others_stop_the_wait() {
        let t = target(r#""t1""#, r#"{"intervalMs":1000}"#, 0.0).unwrap(); // ok: test
        let mut poller = Poller::new(t.poll, 0.0);
        let mut fetched = None;
        let slow = Polled::Failed(Envelope::failure(ErrorCode::UpstreamError, "502"));
        assert!(matches!(after_poll(&mut poller, slow, &mut fetched, "t1", 1000.0, 0.5), Ok(Verdict::Sleep(_))));
        let gone = Polled::Failed(Envelope::failure(ErrorCode::TaskNotFound, "404"));
        let stop = after_poll(&mut poller, gone, &mut fetched, "t1", 2000.0, 0.5);
        assert!(matches!(stop, Err(Stop::Failed(ref e)) if e.task_id.as_deref() == Some("t1")), "{stop:?}");
    }
}
