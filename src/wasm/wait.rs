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
use super::session::{Call, Session, WaitingGuard};
use crate::classify::Action;
use crate::envelope::Envelope;
use crate::poll::{Poller, Verdict, MAX_LOOK_INTERVAL_MS};
use crate::schedule::{self as sched, Watch, TOO_LARGE_SKIP_LOOKS};
use crate::task::Terminal;
use crate::value::Value;
use crate::wait::{self as flow, Polled, Stop, WaitTarget};
use js_sys::Function;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// How a look reads (`Session::look_kind`).
#[derive(Clone, Copy, PartialEq)]
enum LookKind {
    /// The task's own status, after waiting its turn for the budget.
    Own,
    /// The task's own status, the budget having a read for it now (beside the list probe).
    OwnNow,
    /// The shared list only.
    List,
}

/// One look at a task: its id, the status its wait last saw, how old a shared list may be, and
/// whether to ask the task itself.
struct Look<'a> {
    task_id: &'a str,
    known: Option<&'a str>,
    fresh_ms: f64,
    /// Ask the task itself (else the shared list answers, when it can).
    own: bool,
    /// How long a list over the size cap is left alone.
    skip_ms: f64,
    /// When this wait last read the task itself.
    prev_own: Option<f64>,
}

impl Session {
    /// `GET /tasks`, shared: joins a call in flight, or reuses a list fetched at most
    /// `fresh_ms` ago, else fetches one. The shared call carries no caller's signal, so one
    /// wait's abort never fails the others.
    async fn batch_lookup(
        self: &Rc<Self>,
        task_id: &str,
        fresh_ms: f64,
        timeout_ms: f64,
        skip_ms: f64,
    ) -> Option<Polled> {
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
                    let call = Call::detached(timeout_ms);
                    let env = me.execute(Action::List, &req, None, &call).await;
                    let index = flow::list_index(&env);
                    if flow::list_refused(&env) {
                        me.list.borrow_mut().on_refused();
                    }
                    if call.too_large.get() {
                        // Tasks carry their inputs, data URIs included: own reads for a while.
                        me.list.borrow_mut().on_too_large(js_sys::Date::now(), skip_ms);
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

    /// One look: the shared list while concurrent waits run and it may be read (unless
    /// `check` asks the task itself), else the task's own status. A list showing the task
    /// further along than its wait saw it proves the list live; until then it is only a probe
    /// beside the own read. `lags` counts, for this wait, the own reads in a row that
    /// contradicted the list (`ListTrust::on_contradiction` decides what that means).
    async fn poll_once(self: &Rc<Self>, look: Look<'_>, call: &Call, lags: &mut u32) -> Polled {
        let Look { task_id, known, fresh_ms, own, skip_ms, prev_own } = look;
        let batched = self.waiting.get() >= 2 && self.list.borrow().readable(js_sys::Date::now());
        if batched && (!own || !self.list.borrow().proven(js_sys::Date::now())) {
            if let Some(p) = self.batch_lookup(task_id, fresh_ms, call.timeout_ms, skip_ms).await {
                if let Polled::Status(listed, _) = &p {
                    self.list.borrow_mut().on_listed(known, listed);
                }
                if self.list.borrow().proven(js_sys::Date::now()) {
                    return p;
                }
                if !own {
                    // An unproven list: news when it shows the task further along; never a
                    // step back from what the wait saw.
                    return match (&p, known) {
                        (Polled::Status(listed, _), Some(k)) if !sched::list_ahead(Some(k), listed) => {
                            Polled::Status(k.to_string(), None)
                        }
                        _ => p,
                    };
                }
            }
        }
        let polled = match self.config.get_status(task_id) {
            Ok(req) => flow::read_status(self.execute(Action::Status, &req, Some(task_id), call).await, task_id),
            Err(e) => Polled::Failed(e.into()),
        };
        if let (true, Polled::Status(status, _)) = (batched, &polled) {
            let listed =
                self.batch.borrow().last.as_ref().and_then(|(at, tasks)| match flow::from_list(tasks, task_id) {
                    Some(Polled::Status(s, _)) => Some((*at, s)),
                    _ => None,
                });
            match listed {
                Some((at, s)) if sched::list_lags(Some(&s), status) => {
                    *lags += 1;
                    // Evidence only when the change came after the previous own read and the
                    // list was read in between (`miss_chance`).
                    let changed = known.is_some_and(|k| k != status);
                    let chance = prev_own.and_then(|prev| sched::miss_chance(prev, at, js_sys::Date::now()));
                    self.list.borrow_mut().on_contradiction(*lags, chance.filter(|_| changed));
                }
                Some(_) => *lags = 0,
                None => {}
            }
        }
        polled
    }

    /// How the next look reads: `Own` asks the task itself (waiting its turn for the budget),
    /// `List` only the shared list. With a proven list, only cross-checks ask the task; while
    /// the list is a probe (concurrent waits, not yet proven live nor given up), a wait asks its
    /// task only when the budget has a read for it now, else the list answers this look: the
    /// probe costs one read for all, and it proves itself at the first change it shows.
    fn look_kind(&self, me: u32, check: bool, now: f64) -> LookKind {
        let list = self.list.borrow();
        let batched = self.waiting.get() >= 2 && list.readable(now);
        if !batched {
            LookKind::Own
        } else if list.proven(now) {
            if check {
                LookKind::Own
            } else {
                LookKind::List
            }
        } else if self.my_turn(me, now).is_ok() {
            LookKind::OwnNow
        } else {
            LookKind::List
        }
    }

    /// Waits until wait `me` is among the most urgent due waits the budget can read now (or
    /// its deadline comes: the budget then answers for it). `Err` when the signal fired.
    async fn take_turn(&self, me: u32, call: &Call) -> Result<(), ()> {
        loop {
            let now = js_sys::Date::now();
            if call.deadline.is_some_and(|d| now >= d) {
                return Ok(());
            }
            match self.my_turn(me, now) {
                Ok(()) => return Ok(()),
                Err(ms) => {
                    let ms = call.deadline.map_or(ms, |d| ms.min(d - now).max(1.0));
                    sleep(ms, call.signal.as_ref()).await.map_err(|_| ())?
                }
            }
        }
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
            too_large: std::cell::Cell::new(false),
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
        let mut ticks_since_check = 0;
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
            if !held && sleep(delay, call.signal.as_ref()).await.is_err() {
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
                    let due =
                        sched::cross_check_due(ticks_since_check, poller.elapsed(now), target.poll.expected_ms, usable);
                    // While the list is read, one cross-check per tick for the whole session.
                    let check = due && (!usable || now - self.last_cross_check.get() >= delay * 0.9);
                    if check && usable {
                        self.last_cross_check.set(now);
                    }
                    ticks_since_check = if check { 0 } else { ticks_since_check + 1 };
                    let kind = self.look_kind(me, check, now);
                    let own = kind != LookKind::List;
                    if kind == LookKind::Own && self.take_turn(me, &call).await.is_err() {
                        return self.aborted(&target, &poller, &call).await;
                    }
                    let at = js_sys::Date::now();
                    self.watch(me, |w| w.last_read_at = at);
                    let fresh_ms = (delay * 0.5).max(1.0);
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
                let skipped = (self.waiting.get() >= 2).then(|| self.list.borrow().off(now)).flatten();
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
