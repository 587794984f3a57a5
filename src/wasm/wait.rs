//! Waiting for tasks on JS timers: the loop of `waitForTask` and `runWorkflow`.
//!
//! The schedule is the core's `Poller` and every reading of an answer is `crate::wait`'s;
//! this file sleeps, polls and calls back. When two or more waits run on one session, each
//! tick polls them all with one `GET /tasks` (a result a few seconds old is shared rather
//! than fetched again), falling back to the per-task status call for a task missing from
//! the list; every few ticks each wait still asks its own task (`crate::wait::cross_check_due`),
//! and once a task's own status contradicts the list, the session stops trusting the list.

use super::bindings::sleep;
use super::convert::to_js;
use super::session::{Call, Session, WaitingGuard};
use crate::classify::Action;
use crate::envelope::Envelope;
use crate::poll::{Poller, Verdict};
use crate::task::Terminal;
use crate::value::Value;
use crate::wait::{self as flow, Polled, Stop, WaitTarget};
use js_sys::Function;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// One look at a task: its id, the status its wait last saw, how old a shared list may be, and
/// whether to ask the task itself.
struct Look<'a> {
    task_id: &'a str,
    known: Option<&'a str>,
    fresh_ms: f64,
    check: bool,
}

impl Session {
    /// `GET /tasks`, shared: joins a call in flight, or reuses a list fetched at most
    /// `fresh_ms` ago, else fetches one. The shared call carries no caller's signal, so one
    /// wait's abort never fails the others.
    async fn batch_lookup(self: &Rc<Self>, task_id: &str, fresh_ms: f64, timeout_ms: f64) -> Option<Polled> {
        let now = js_sys::Date::now();
        if let Some((at, tasks)) = &self.batch.borrow().last {
            if now - at <= fresh_ms {
                return flow::from_list(tasks, task_id);
            }
        }
        let pending = self.batch.borrow().in_flight.clone();
        let promise = match pending {
            Some(p) => p,
            None => {
                let me = self.clone();
                let p = future_to_promise(async move {
                    let req = me.config.list_tasks();
                    let env = me.execute(Action::List, &req, None, &Call::detached(timeout_ms)).await;
                    let index = flow::list_index(&env);
                    if flow::list_refused(&env) {
                        me.list_trusted.set(false);
                    }
                    let mut state = me.batch.borrow_mut();
                    state.in_flight = None;
                    let ok = index.is_some();
                    if let Some(map) = index {
                        state.last = Some((js_sys::Date::now(), map));
                    }
                    Ok(JsValue::from_bool(ok))
                });
                self.batch.borrow_mut().in_flight = Some(p.clone());
                p
            }
        };
        let ok = JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
        if !ok {
            return None;
        }
        let state = self.batch.borrow();
        let (_, tasks) = state.last.as_ref()?;
        flow::from_list(tasks, task_id)
    }

    /// One look: the shared list while concurrent waits run (unless `check` asks the task
    /// itself), else the task's own status. A list showing the task further along than its
    /// wait saw it proves the list live. `lags` counts, for this wait, the cross-checks in a row
    /// whose answer contradicted the list; `crate::wait::list_stale` says when that marks the
    /// list as lagging for the whole session (at once while it was never seen ahead).
    async fn poll_once(self: &Rc<Self>, look: Look<'_>, call: &Call, lags: &mut u32) -> Polled {
        let Look { task_id, known, fresh_ms, check } = look;
        let batched = self.waiting.get() >= 2 && self.list_trusted.get();
        if batched && !check {
            if let Some(p) = self.batch_lookup(task_id, fresh_ms, call.timeout_ms).await {
                if let Polled::Status(listed, _) = &p {
                    if flow::list_ahead(known, listed) {
                        self.list_seen_ahead.set(true);
                    }
                }
                // Until the list has shown a change before an own read did, it is only a probe:
                // the task's own status is asked too (a list that echoes own reads shows nothing).
                if self.list_seen_ahead.get() {
                    return p;
                }
            }
        }
        let polled = match self.config.get_status(task_id) {
            Ok(req) => flow::read_status(self.execute(Action::Status, &req, Some(task_id), call).await, task_id),
            Err(e) => Polled::Failed(e.into()),
        };
        if let (true, Polled::Status(status, _)) = (batched, &polled) {
            let listed =
                self.batch.borrow().last.as_ref().and_then(|(_, tasks)| match flow::from_list(tasks, task_id) {
                    Some(Polled::Status(s, _)) => Some(s),
                    _ => None,
                });
            if flow::list_lags(listed.as_deref(), status) {
                *lags += 1;
                self.list_misses.set(self.list_misses.get() + 1);
                if flow::list_stale(self.list_seen_ahead.get(), *lags, self.list_misses.get()) {
                    self.list_trusted.set(false);
                }
            } else if listed.is_some() {
                *lags = 0;
            }
        }
        polled
    }

    /// One long poll of a coordinated proxy: `{status}` once it differs from `after`, or the
    /// same status after about `hold_ms`.
    async fn long_poll_once(self: &Rc<Self>, task_id: &str, after: &str, hold_ms: f64, call: &Call) -> Polled {
        let req = match self.config.wait_status(task_id, after, hold_ms as u64) {
            Ok(req) => req,
            Err(e) => return Polled::Failed(e.into()),
        };
        let held = Call {
            signal: call.signal.clone(),
            timeout_ms: hold_ms + call.timeout_ms,
            max_retries: call.max_retries,
            deadline: call.deadline,
            lost: std::cell::Cell::new(false),
        };
        flow::read_status(self.execute(Action::Status, &req, Some(task_id), &held).await, task_id)
    }

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
        let _guard = WaitingGuard::new(&self);
        // Waiting for the rate budget counts against the wait's deadline too.
        call.deadline = target.poll.max_wait_ms.map(|max| target.started_at + max);
        let id = target.task_id.as_str();
        let mut poller = Poller::new(target.poll, target.started_at);
        let mut verdict = poller.first_delay(js_sys::Date::now(), js_sys::Math::random());
        let mut fetched: Option<Value> = None;
        let mut ticks_since_check = 0;
        let mut lags = 0;
        // In long-poll mode the server holds each look until the status changes: no sleep
        // before it, unless the last one failed or came back at once unchanged.
        let mut held = self.long_poll.get();
        let terminal = loop {
            let delay = match verdict {
                Verdict::Sleep(ms) => ms,
                Verdict::Done(t) => break t,
                Verdict::Timeout => return flow::timed_out(&target, &poller, js_sys::Date::now()),
            };
            if !held && sleep(delay, call.signal.as_ref()).await.is_err() {
                return self.aborted(&target, &poller, &call).await;
            }
            let before = poller.last_status.clone();
            let now = js_sys::Date::now();
            let hold = flow::long_poll_hold(call.deadline, now);
            let polled = match hold.filter(|_| self.long_poll.get()) {
                Some(hold_ms) => {
                    let p = self.long_poll_once(id, before.as_deref().unwrap_or(""), hold_ms, &call).await;
                    held = flow::long_poll_held(&p, before.as_deref(), js_sys::Date::now() - now);
                    p
                }
                None => {
                    held = false;
                    let due = flow::cross_check_due(
                        ticks_since_check,
                        poller.elapsed(now),
                        target.poll.expected_ms,
                        self.list_trusted.get(),
                    );
                    // While the list is trusted, one cross-check per tick for the whole session.
                    let check = due && (!self.list_trusted.get() || now - self.last_cross_check.get() >= delay * 0.9);
                    if check && self.list_trusted.get() {
                        self.last_cross_check.set(now);
                    }
                    ticks_since_check = if check { 0 } else { ticks_since_check + 1 };
                    let look = Look { task_id: id, known: before.as_deref(), fresh_ms: (delay * 0.5).max(1.0), check };
                    self.poll_once(look, &call, &mut lags).await
                }
            };
            let now = js_sys::Date::now();
            verdict = match flow::after_poll(&mut poller, polled, &mut fetched, id, now, js_sys::Math::random()) {
                Ok(v) => v,
                Err(Stop::Aborted) => return self.aborted(&target, &poller, &call).await,
                Err(Stop::Failed(env)) => return *env,
            };
            if let Some(f) = &on_progress {
                let event = flow::progress_event(id, &poller, now, &verdict, before != poller.last_status);
                let _ = f.call1(&JsValue::NULL, &to_js(&event));
            }
        };
        if terminal == Terminal::Cancelled {
            return flow::cancelled(id, fetched);
        }
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
        flow::finished(&target, terminal, read)
    }
}
