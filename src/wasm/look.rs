//! One look at a waited-on task, for the wait loop (`wait.rs`): the shared task list (probe or
//! proven), the task's own status after its turn for the budget (`crate::schedule`'s order),
//! or a coordinated proxy's long poll. What an answer means is `crate::wait`'s and
//! `crate::schedule`'s; this file sends and records.

use super::bindings::sleep;
use super::session::{promise, Call, Session};
use crate::classify::Action;
use crate::schedule as sched;
use crate::wait::{self as flow, Polled};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// How a look reads (`Session::look_kind`).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum LookKind {
    /// The task's own status, after waiting its turn for the budget.
    Own,
    /// The task's own status, the budget having a read for it now (beside the list probe).
    OwnNow,
    /// The shared list only.
    List,
}

/// One look at a task: its id, the status its wait last saw, how old a shared list may be, and
/// whether to ask the task itself.
pub(super) struct Look<'a> {
    pub(super) task_id: &'a str,
    pub(super) known: Option<&'a str>,
    pub(super) fresh_ms: f64,
    /// Ask the task itself (else the shared list answers, when it can).
    pub(super) own: bool,
    /// How long a list over the size cap is left alone.
    pub(super) skip_ms: f64,
    /// When this wait last read the task itself.
    pub(super) prev_own: Option<f64>,
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
                // The one boxed promise glue every method uses (`session::promise`), not a
                // second instantiation of `future_to_promise` for this future.
                let p = promise(async move {
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
                    JsValue::from_bool(ok)
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
    pub(super) async fn poll_once(self: &Rc<Self>, look: Look<'_>, call: &Call, lags: &mut u32) -> Polled {
        let Look { task_id, known, fresh_ms, own, skip_ms, prev_own } = look;
        let batched = self.waiting() >= 2 && self.list.borrow().readable(js_sys::Date::now());
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
    /// task when the budget has a read for it now, or, waiting its turn, when `probe_own` says
    /// its last own read is too old (`crate::schedule::probe_own_due`); else the list answers
    /// this look: the probe costs one read for all, and it proves itself at the first change it
    /// shows.
    pub(super) fn look_kind(&self, me: u32, check: bool, probe_own: bool, now: f64) -> LookKind {
        let list = self.list.borrow();
        let batched = self.waiting() >= 2 && list.readable(now);
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
        } else if probe_own {
            LookKind::Own
        } else {
            LookKind::List
        }
    }

    /// Waits until wait `me` is among the most urgent due waits the budget can read now (or
    /// its deadline comes: the budget then answers for it). `Err` when the signal fired.
    pub(super) async fn take_turn(&self, me: u32, call: &Call) -> Result<(), ()> {
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
    pub(super) async fn long_poll_once(
        self: &Rc<Self>,
        task_id: &str,
        after: &str,
        hold_ms: f64,
        call: &Call,
    ) -> Polled {
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
}
