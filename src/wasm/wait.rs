//! Waiting for tasks on JS timers: the loop of `waitForTask` and `runWorkflow`.
//!
//! Each wait's schedule is the core's `Poller`, the order of reads across a session's waits is
//! the core's scheduler (`crate::schedule`), and every reading of an answer is
//! `crate::wait`'s; this file sleeps, polls and calls back. A wait due for an own read waits
//! its turn: the budget's next reads go to the most urgent due waits. When two or more waits
//! run on one session, the task list is probed; once it has shown a change own reads did not
//! make (`ListTrust::proven`), one `GET /tasks` per tick serves them all, each wait still
//! asking its own task every few ticks (`crate::schedule::cross_check_due`). A list that only
//! echoes own reads, lags, is refused or comes back over `maxResponseBytes` is left alone,
//! and the progress events say so.

use super::bindings::sleep;
use super::convert::to_js;
use super::look::{Look, LookKind};
use super::session::{Call, Session, WaitingGuard};
use crate::classify::Action;
use crate::envelope::Envelope;
use crate::poll::{Poller, Verdict, MAX_LOOK_INTERVAL_MS};
use crate::schedule::{self as sched, Watch, CROSS_CHECK_SPACING, LIST_LOOKS_PER_LOOK, TOO_LARGE_SKIP_LOOKS};
use crate::task::Terminal;
use crate::value::Value;
use crate::wait::{self as flow, Stop, WaitTarget};
use js_sys::Function;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

impl Session {
    async fn aborted(self: &Rc<Self>, target: &WaitTarget, poller: &Poller, call: &Call) -> Envelope {
        if !flow::cancel_on_abort(target, poller) {
            return flow::aborted(target, poller, None);
        }
        let cancel = match self.config.cancel_task(&target.task_id) {
            Ok(req) => {
                self.execute(Action::Cancel, &req, Some(&target.task_id), &Call::detached(call.timeout_ms)).await
            }
            Err(e) => e.into(),
        };
        flow::aborted(target, poller, Some(&cancel))
    }

    /// Polls until the task ends, the deadline passes or the signal fires.
    pub async fn wait(self: Rc<Self>, target: WaitTarget, mut call: Call, on_progress: Option<Function>) -> Envelope {
        // Waiting for the rate budget counts against the wait's deadline too.
        call.deadline = target.poll.max_wait_ms.map(|max| target.started_at + max);
        let id = target.task_id.as_str();
        let mut poller = Poller::new(target.poll, target.started_at);
        let start = js_sys::Date::now();
        let mut verdict = poller.first_delay(start, js_sys::Math::random());
        // A resumed wait's task was read by nobody here: it accrues from its creation.
        let guard = WaitingGuard::new(
            &self,
            Watch {
                started_at: target.started_at,
                expected_ms: target.poll.expected_ms,
                last_read_at: target.started_at,
                due_at: start,
                hinted: false,
                min_gap_ms: 0.0,
                weight: 1.0,
            },
        );
        let me = guard.id();
        let scale = target.poll.time_scale;
        let skip_ms = TOO_LARGE_SKIP_LOOKS * MAX_LOOK_INTERVAL_MS * scale;
        let mut fetched: Option<Value> = None;
        // The scheduled look (9.5 s on the wait's clock): cross-checks are counted in looks.
        let look_ms = target.poll.interval_ms.unwrap_or(MAX_LOOK_INTERVAL_MS * scale);
        let mut lags = 0;
        let mut last_own: Option<f64> = None;
        // In long-poll mode the server holds each look until the status changes: no sleep
        // before it, unless the last one failed or came back at once unchanged.
        let mut held = self.long_poll.get();
        let terminal = loop {
            let delay = match verdict {
                Verdict::Sleep(ms) => ms,
                Verdict::Done(t) => break t,
                Verdict::Timeout => return flow::timed_out(&target, &poller, js_sys::Date::now()),
            };
            let due = js_sys::Date::now() + delay;
            self.watch(me, |w| w.due_at = due);
            // A proven list serving concurrent waits: looks at the shared list cost nothing.
            let listed = self.waiting() >= 2 && self.list.borrow().proven(js_sys::Date::now());
            let nap = if listed && target.poll.interval_ms.is_none() {
                (delay / LIST_LOOKS_PER_LOOK).max(1.0)
            } else {
                delay
            };
            if !held && sleep(nap, call.signal.as_ref()).await.is_err() {
                return self.aborted(&target, &poller, &call).await;
            }
            let before = poller.last_status.clone();
            let now = js_sys::Date::now();
            let hold = flow::long_poll_hold(call.deadline, now);
            let (polled, source) = match hold.filter(|_| self.long_poll.get()) {
                Some(hold_ms) => {
                    let p = self.long_poll_once(id, before.as_deref().unwrap_or(""), hold_ms, &call).await;
                    held = flow::long_poll_held(&p, before.as_deref(), js_sys::Date::now() - now);
                    (p, "long-poll")
                }
                None => {
                    held = false;
                    let usable = self.list.borrow().readable(now);
                    let since_own = now - last_own.unwrap_or(start);
                    let expected = target.poll.expected_ms;
                    let due = sched::cross_check_due(since_own, look_ms, poller.elapsed(now), expected, usable);
                    // While the list is read, one cross-check per 1.5 looks for the whole session.
                    let check = due && (!usable || now - self.last_cross_check.get() >= look_ms * CROSS_CHECK_SPACING);
                    if check && usable {
                        self.last_cross_check.set(now);
                    }
                    let probe_own = sched::probe_own_due(since_own, look_ms, self.waiting(), self.token_ms());
                    let kind = self.look_kind(me, check, probe_own, now);
                    let own = kind != LookKind::List;
                    if kind == LookKind::Own && self.take_turn(me, &call).await.is_err() {
                        return self.aborted(&target, &poller, &call).await;
                    }
                    let at = js_sys::Date::now();
                    self.watch(me, |w| w.last_read_at = at);
                    // The shared list is refreshed at most once a look (9.5 s) for the whole
                    // client: its cost stays one read a look however many waits share it.
                    let fresh_ms = (look_ms * 0.9).max(1.0);
                    let look =
                        Look { task_id: id, known: before.as_deref(), fresh_ms, own, skip_ms, prev_own: last_own };
                    if own {
                        last_own = Some(at);
                    }
                    (self.poll_once(look, &call, &mut lags).await, if own { "status" } else { "list" })
                }
            };
            let now = js_sys::Date::now();
            verdict = match flow::after_poll(&mut poller, polled, &mut fetched, id, now, js_sys::Math::random()) {
                Ok(v) => v,
                Err(Stop::Aborted) => return self.aborted(&target, &poller, &call).await,
                Err(Stop::Failed(env)) => return *env,
            };
            if let Some(f) = &on_progress {
                let skipped = (self.waiting() >= 2).then(|| self.list.borrow().off(now)).flatten();
                let look = flow::Seen {
                    source,
                    list_skipped: skipped.map(sched::ListOff::as_str),
                    expected_ms: target.poll.expected_ms,
                };
                let event = flow::progress_event(id, &poller, now, &verdict, before != poller.last_status, &look);
                let _ = f.call1(&JsValue::NULL, &to_js(&event));
            }
        };
        drop(guard);
        // The full task: from the list call when it brought one, else one getTask, retried
        // like any safe read (a paid result is not given up after one 503).
        let read = match fetched {
            Some(task) => flow::task_answer(task, id, js_sys::Date::now()),
            None => match self.config.get_task(id) {
                Ok(req) => {
                    // Retried, and allowed to wait for the rate budget up to a minute (one
                    // request's worth at 60/min) even past the wait's deadline: the task is
                    // finished and paid for, reading it is what remains.
                    let read_call = Call {
                        deadline: Some(js_sys::Date::now() + call.timeout_ms.max(60_000.0)),
                        ..Call::new(call.signal.clone(), call.timeout_ms)
                    };
                    self.execute(Action::Task, &req, Some(id), &read_call).await
                }
                Err(e) => e.into(),
            },
        };
        if terminal == Terminal::Cancelled {
            // The task as it ended (its refund), as for any other ending; null if unreadable.
            return flow::cancelled(id, read.outcome.ok().map(|r| r.data));
        }
        flow::finished(&target, terminal, read)
    }
}
