//! Waiting for tasks on JS timers: `waitForTask` and `runWorkflow`.
//!
//! The schedule is the core's `Poller`; this file sleeps, polls and reports. When two or
//! more waits run on one client, each tick polls them all with one `GET /tasks` (a result a
//! few seconds old is shared rather than fetched again), falling back to the per-task status
//! call for a task missing from the list. Every failure after create carries the `taskId`.

use super::bindings::sleep;
use super::client::{call_opts, CallOpts, Client, Inner};
use super::convert::{from_js, member, to_js};
use super::create::{Generation, CREATE_OPTIONS};
use crate::classify::{transport_failure, Action, TransportFailure};
use crate::envelope::{Envelope, ErrorCode};
use crate::poll::{PollOptions, Poller, Terminal, Verdict, WaitRequest};
use crate::retry::is_transient;
use crate::value::Value;
use js_sys::{Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

const WAIT_OPTIONS: &[&str] =
    &["intervalMs", "maxIntervalMs", "maxWaitMs", "onProgress", "cancelOnAbort", "timeScale", "expectedMs"];

/// The last `GET /tasks` answer shared by concurrent waits, and the one in flight.
#[derive(Default)]
pub struct BatchState {
    last: Option<(f64, Vec<(String, Value)>)>,
    in_flight: Option<Promise>,
}

fn find<'a>(tasks: &'a [(String, Value)], id: &str) -> Option<&'a Value> {
    tasks.iter().find(|(k, _)| k == id).map(|(_, t)| t)
}

struct WaitPlan {
    task_id: String,
    started_at: f64,
    poll: PollOptions,
    on_progress: Option<Function>,
    cancel_on_abort: bool,
}

fn number(opts: &JsValue, name: &str) -> Result<Option<f64>, String> {
    match member(opts, name).map(|v| from_js(&v)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
        Some(v) => Err(format!("{name} must be a number of 0 or more, got {}", v.describe())),
    }
}

fn wait_plan(target: &JsValue, opts: &JsValue) -> Result<WaitPlan, String> {
    let handle = if target.is_object() { from_js(target) } else { Value::Null };
    let (task_id, model, created, expected) = match (target.as_string(), &handle) {
        (Some(id), _) => (id, None, None, None),
        (None, Value::Object(_)) => (
            handle.get("taskId").and_then(Value::as_str).map(str::to_string).ok_or("the handle has no taskId")?,
            handle.get("model").and_then(Value::as_str).map(str::to_string),
            handle.get("createdAt").cloned(),
            handle.get("expectedMs").and_then(Value::as_f64),
        ),
        _ => return Err("waitForTask takes a taskId string or the handle from createGeneration's data".into()),
    };
    crate::request::encode_task_id(&task_id).map_err(|e| e.message)?;
    let now = js_sys::Date::now();
    let started_at = match created {
        Some(Value::String(s)) => crate::time::parse_iso8601(&s).unwrap_or(now),
        Some(Value::Number(n)) if n.is_finite() => n,
        _ => now,
    }
    .min(now);
    let on_progress = match member(opts, "onProgress") {
        Some(f) => Some(f.dyn_into::<Function>().map_err(|_| "onProgress must be a function".to_string())?),
        None => None,
    };
    let poll = PollOptions::resolve(&WaitRequest {
        expected_ms: number(opts, "expectedMs")?,
        handle_expected_ms: expected,
        model,
        time_scale: number(opts, "timeScale")?,
        max_wait_ms: number(opts, "maxWaitMs")?,
        interval_ms: number(opts, "intervalMs")?,
        max_interval_ms: number(opts, "maxIntervalMs")?,
    });
    let cancel_on_abort = member(opts, "cancelOnAbort").and_then(|v| v.as_bool()).unwrap_or(false);
    Ok(WaitPlan { task_id, started_at, poll, on_progress, cancel_on_abort })
}

/// Counts this wait among the client's active waits while it lives.
struct WaitingGuard(Rc<Inner>);
impl WaitingGuard {
    fn new(inner: &Rc<Inner>) -> WaitingGuard {
        inner.waiting.set(inner.waiting.get() + 1);
        WaitingGuard(inner.clone())
    }
}
impl Drop for WaitingGuard {
    fn drop(&mut self) {
        self.0.waiting.set(self.0.waiting.get().saturating_sub(1));
    }
}

/// One poll's result: the task's status (and the full task when a list call brought it).
enum Polled {
    Status(String, Option<Value>),
    Failed(Envelope),
}

impl Inner {
    /// `GET /tasks`, shared: joins a call in flight, or reuses a list fetched at most
    /// `fresh_ms` ago, else fetches one. The shared call carries no caller's signal, so one
    /// wait's abort never fails the others.
    async fn batch_lookup(self: &Rc<Self>, task_id: &str, fresh_ms: f64, call: &CallOpts) -> Option<Polled> {
        let now = js_sys::Date::now();
        if let Some((at, tasks)) = &self.batch.borrow().last {
            if now - at <= fresh_ms {
                return find(tasks, task_id).map(|t| {
                    let status = t.get("status").and_then(Value::as_str).unwrap_or("").to_string();
                    Polled::Status(status, Some(t.clone()))
                });
            }
        }
        let pending = self.batch.borrow().in_flight.clone();
        let promise = match pending {
            Some(p) => p,
            None => {
                let me = self.clone();
                let timeout_ms = call.timeout_ms;
                let p = future_to_promise(async move {
                    let req = me.config.list_tasks();
                    let opts = CallOpts { signal: None, timeout_ms, max_retries: Some(0), raw_body: None };
                    let env = me.execute(Action::List, &req, None, &opts).await;
                    let mut state = me.batch.borrow_mut();
                    state.in_flight = None;
                    if env.ok {
                        let mut map = Vec::new();
                        if let Some(Value::Array(items)) = env.data.get("tasks") {
                            for t in items {
                                if let Some(id) = t.get("id").and_then(Value::as_str) {
                                    map.push((id.to_string(), t.clone()));
                                }
                            }
                        }
                        state.last = Some((js_sys::Date::now(), map));
                    }
                    Ok(JsValue::from_bool(env.ok))
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
        find(tasks, task_id).map(|t| {
            let status = t.get("status").and_then(Value::as_str).unwrap_or("").to_string();
            Polled::Status(status, Some(t.clone()))
        })
    }

    async fn poll_once(self: &Rc<Self>, task_id: &str, fresh_ms: f64, call: &CallOpts) -> Polled {
        if self.waiting.get() >= 2 {
            if let Some(p) = self.batch_lookup(task_id, fresh_ms, call).await {
                return p;
            }
        }
        let req = match self.config.get_status(task_id) {
            Ok(r) => r,
            Err(e) => return Polled::Failed(Envelope::failure(e.code(), e.message)),
        };
        let env = self.execute(Action::Status, &req, Some(task_id), call).await;
        match (&env.status, env.ok, env.error_code) {
            (Some(s), true, _) => Polled::Status(s.clone(), None),
            (_, false, Some(ErrorCode::GenerationFailed)) => Polled::Status("FAILED".into(), None),
            (None, true, _) => Polled::Failed(
                Envelope::failure(ErrorCode::UpstreamError, "the status answer had no status field")
                    .with_task_id(Some(task_id.to_string())),
            ),
            _ => Polled::Failed(env),
        }
    }

    fn progress(&self, plan: &WaitPlan, poller: &Poller, next_ms: Option<f64>, changed: bool) {
        let Some(f) = &plan.on_progress else { return };
        let event = Value::object(vec![
            ("taskId", Value::str(plan.task_id.clone())),
            ("status", Value::opt_str(poller.last_status.clone())),
            ("elapsedMs", Value::Number(poller.elapsed(js_sys::Date::now()).round())),
            ("polls", Value::Number(f64::from(poller.polls))),
            ("nextPollInMs", next_ms.map_or(Value::Null, |ms| Value::Number(ms.round()))),
            ("changed", Value::Bool(changed)),
        ]);
        let _ = f.call1(&JsValue::NULL, &to_js(&event));
    }

    async fn aborted(self: &Rc<Self>, plan: &WaitPlan, poller: &Poller, call: &CallOpts) -> Envelope {
        let mut env =
            transport_failure(TransportFailure::Aborted, "", call.timeout_ms).with_task_id(Some(plan.task_id.clone()));
        env.status = poller.last_status.clone();
        let mut data = vec![("lastStatus", Value::opt_str(poller.last_status.clone()))];
        let still_submitted = matches!(poller.last_status.as_deref(), None | Some("SUBMITTED"));
        if plan.cancel_on_abort && still_submitted {
            let cancel = match self.config.cancel_task(&plan.task_id) {
                Ok(req) => {
                    let opts =
                        CallOpts { signal: None, timeout_ms: call.timeout_ms, max_retries: Some(0), raw_body: None };
                    self.execute(Action::Cancel, &req, Some(&plan.task_id), &opts).await
                }
                Err(e) => Envelope::failure(e.code(), e.message),
            };
            env.error_message = Some(if cancel.ok {
                "aborted by the caller's signal; the task was still SUBMITTED and has been cancelled (refunded)".into()
            } else {
                format!(
                    "aborted by the caller's signal; cancelling the task failed ({}): it may still run and be billed",
                    cancel.error_message.clone().unwrap_or_default()
                )
            });
            data.push(("cancelled", Value::Bool(cancel.ok)));
        }
        env.data = Value::object(data);
        env
    }

    /// Polls until the task ends, the deadline passes or the signal fires.
    async fn wait(self: Rc<Self>, plan: WaitPlan, call: CallOpts) -> Envelope {
        let _guard = WaitingGuard::new(&self);
        let mut poller = Poller::new(plan.poll, plan.started_at);
        let mut verdict = poller.first_delay(js_sys::Date::now(), js_sys::Math::random());
        let mut fetched_task: Option<Value> = None;
        let terminal = loop {
            let delay = match verdict {
                Verdict::Sleep(ms) => ms,
                Verdict::Done(t) => break t,
                Verdict::Timeout => {
                    let mut env = Envelope::failure(
                        ErrorCode::PollTimeout,
                        format!(
                            "the task did not finish within maxWaitMs ({} ms); it is not lost: wait again with its taskId",
                            plan.poll.max_wait_ms.unwrap_or(0.0).round() as u64
                        ),
                    )
                    .with_task_id(Some(plan.task_id.clone()));
                    env.status = poller.last_status.clone();
                    env.data = Value::object(vec![
                        ("lastStatus", Value::opt_str(poller.last_status.clone())),
                        ("polls", Value::Number(f64::from(poller.polls))),
                        ("elapsedMs", Value::Number(poller.elapsed(js_sys::Date::now()).round())),
                    ]);
                    return env;
                }
            };
            if sleep(delay, call.signal.as_ref()).await.is_err() {
                return self.aborted(&plan, &poller, &call).await;
            }
            let before = poller.last_status.clone();
            let polled = self.poll_once(&plan.task_id, (delay * 0.5).max(1.0), &call).await;
            let now = js_sys::Date::now();
            verdict = match polled {
                Polled::Status(status, task) => {
                    fetched_task = task;
                    poller.on_status(&status, now, js_sys::Math::random())
                }
                Polled::Failed(env) => match env.error_code {
                    Some(ErrorCode::Aborted) => return self.aborted(&plan, &poller, &call).await,
                    Some(code) if is_transient(code) => {
                        poller.on_error(env.retry_after.map(|s| s * 1000.0), now, js_sys::Math::random())
                    }
                    _ => return env.with_task_id(Some(plan.task_id.clone())),
                },
            };
            let next = match verdict {
                Verdict::Sleep(ms) => Some(ms),
                _ => None,
            };
            self.progress(&plan, &poller, next, before != poller.last_status);
        };

        match terminal {
            Terminal::Cancelled => {
                let mut env = Envelope::failure(ErrorCode::Cancelled, "the task was cancelled (credits refunded)")
                    .with_task_id(Some(plan.task_id.clone()));
                env.status = Some("CANCEL".into());
                env.data = fetched_task.map(crate::classify::normalize_task).unwrap_or(Value::Null);
                env
            }
            Terminal::Completed | Terminal::Failed => {
                // The full task: from the list call when it brought one, else one getTask.
                let env = match fetched_task {
                    Some(task) => {
                        let resp = crate::classify::HttpResponse {
                            status: 200,
                            retry_after: None,
                            body: crate::classify::Body::Json(task),
                        };
                        crate::classify::classify(Action::Task, &resp, Some(&plan.task_id), js_sys::Date::now())
                    }
                    None => match self.config.get_task(&plan.task_id) {
                        Ok(req) => self.execute(Action::Task, &req, Some(&plan.task_id), &call).await,
                        Err(e) => Envelope::failure(e.code(), e.message),
                    },
                };
                let mut env = env.with_task_id(Some(plan.task_id.clone()));
                if env.ok && env.status.as_deref() != Some("COMPLETED") {
                    // The status said COMPLETED but the task read disagrees: report it as read.
                    env.ok = false;
                    env.error_code = Some(ErrorCode::UnknownError);
                    env.error_message = Some(format!(
                        "the status poll said COMPLETED but the task reads {}",
                        env.status.clone().unwrap_or_default()
                    ));
                }
                if env.ok && env.data.get("output").and_then(|o| o.get("url")).and_then(Value::as_str).is_none() {
                    env.ok = false;
                    env.error_code = Some(ErrorCode::UpstreamError);
                    env.error_message = Some("the task is COMPLETED but has no output URL".into());
                }
                env
            }
        }
    }
}

#[wasm_bindgen]
impl Client {
    /// Waits until the task is `COMPLETED` (ok, with the full task, `data.output.url` and
    /// `data.expiresAt`), `FAILED` (`GENERATION_FAILED`), `CANCEL` (`CANCELLED`), the deadline
    /// passes (`POLL_TIMEOUT`) or the signal fires (`ABORTED`). Takes a taskId or the handle
    /// from `createGeneration`'s `data.handle` (a resumed wait keeps its schedule).
    #[wasm_bindgen(js_name = waitForTask, unchecked_return_type = "Promise<Envelope<Task>>")]
    pub fn wait_for_task(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | TaskHandle")] task: JsValue,
        #[wasm_bindgen(unchecked_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        let opts = opts.unwrap_or_default();
        super::client::promise(async move {
            let shown = task.as_string().or_else(|| member(&task, "taskId").and_then(|v| v.as_string()));
            let prepared = call_opts(&inner, &opts, WAIT_OPTIONS)
                .map_err(|e| e.message)
                .and_then(|c| wait_plan(&task, &opts).map(|p| (p, c)));
            let env = match prepared {
                Ok((plan, mut call)) => {
                    call.max_retries = Some(0);
                    inner.clone().wait(plan, call).await
                }
                Err(m) => Envelope::failure(ErrorCode::InvalidArgument, m).with_task_id(shown),
            };
            inner.finish(env)
        })
    }

    /// validate → (quote) → create → wait → the finished task, in one call. Takes the options
    /// of `createGeneration` and `waitForTask`. Any failure after create carries the taskId.
    #[wasm_bindgen(js_name = runWorkflow, unchecked_return_type = "Promise<Envelope<Task>>")]
    pub fn run_workflow(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Model | (string & {})")] model: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] payload: JsValue,
        #[wasm_bindgen(unchecked_param_type = "WorkflowOptions")] opts: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        let g = Generation::from_args(&model, payload, opts);
        super::client::promise(async move {
            let allowed: Vec<&str> = CREATE_OPTIONS.iter().chain(WAIT_OPTIONS).copied().collect();
            let created = inner.create(&g, &allowed).await;
            let opts = &g.opts;
            if !created.ok {
                return inner.finish(created);
            }
            let handle = created.data.get("handle").cloned().unwrap_or(Value::Null);
            let env = match (call_opts(&inner, opts, &allowed), wait_plan(&to_js(&handle), opts)) {
                (Ok(mut call), Ok(plan)) => {
                    call.max_retries = Some(0);
                    inner.clone().wait(plan, call).await
                }
                (Err(e), _) => Envelope::failure(e.code(), e.message),
                (_, Err(m)) => Envelope::failure(ErrorCode::InvalidArgument, m),
            };
            let mut env = env.with_task_id(created.task_id.clone());
            if let Value::Object(entries) = &mut env.data {
                entries.push(("submitted".to_string(), created.data.clone()));
            } else if env.data.is_null() {
                env.data = Value::object(vec![("submitted", created.data.clone())]);
            }
            inner.finish(env)
        })
    }
}
