//! The state one client shares across its calls, and the attempt loop.
//!
//! A `Session` holds the configuration, the `fetch` to call, the query rate budget, the
//! batch state of concurrent waits and the credits spent. `execute` runs one request:
//! wait for the budget (queries only), send, classify, and retry while `RetryPolicy` says
//! so. The create and wait flows (`create.rs`, `wait.rs`) and the exported methods
//! (`client.rs`) all go through it. Decisions are the core's; this file sequences them.
//!
//! Size: 312 lines: the state every call and wait of one client shares (budget, list standing,
//! the scheduler's table, the key ledger) lives in one place, with the one attempt loop.

use super::bindings::{signal_from, sleep, AbortSignal};
use super::convert::{member, to_js_via_json};
use super::transport::send;
use crate::budget::{admit, Admission, RateBudget};
use crate::classify::{classify, transport_failure, Action, TransportFailure};
use crate::envelope::Envelope;
use crate::error::ArgumentError;
use crate::error::ErrorCode;
use crate::options::{CallOptions, ClientLimits};
use crate::reconcile::Ledger;
use crate::request::{ApiRequest, ClientConfig};
use crate::retry::{RetryDecision, RetryPolicy};
use crate::schedule::{pick, ListTrust, Watch};
use crate::value::Value;
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Requests the budget lets out at once; the rest are spread over the window.
const RATE_BURST: f64 = 5.0;

/// The last `GET /tasks` answer shared by concurrent waits, and the one in flight.
#[derive(Default)]
pub struct BatchState {
    pub last: Option<(f64, Vec<(String, Value)>)>,
    pub in_flight: Option<Promise>,
}

pub struct Session {
    pub config: ClientConfig,
    fetch: Function,
    on_log: Option<Function>,
    /// One query budget for every wait and query call of this client.
    budget: RefCell<RateBudget>,
    pub batch: RefCell<BatchState>,
    /// What the task list has shown itself to be on this server (`crate::schedule::ListTrust`):
    /// it stands in for own reads only once proven live, and is left alone once stale,
    /// refused or too large.
    pub list: RefCell<ListTrust>,
    /// Every wait of this session as the scheduler sees it, by wait id: a wait about to spend
    /// a read asks whether it is among the most urgent (`crate::schedule::pick`).
    pub watches: RefCell<Vec<(u32, Watch)>>,
    next_watch: Cell<u32>,
    /// When a wait of this session last asked its own task while the list is trusted: one
    /// such cross-check per tick for the whole session, so hundreds of waits do not turn
    /// into hundreds of status calls (a lagging list is still caught within a few ticks).
    pub last_cross_check: Cell<f64>,
    /// The server said it holds waits (`X-Aivideo-Wait: long-poll`, a coordinated proxy):
    /// waits ask its long-poll route instead of polling on the schedule.
    pub long_poll: Cell<bool>,
    /// The server said it reconciles creates by key (`X-Aivideo-Idempotency: reconciled`, an
    /// aivideo proxy): a create whose answer was lost is sent again under its key.
    pub reconciles_keys: Cell<bool>,
    /// Default per-create budget (`createClient({ maxCredits })`).
    pub max_credits: Option<u64>,
    /// Credits charged by creates of this client (replays not counted twice).
    pub spent: Cell<f64>,
    /// Tasks whose charge is already in `spent`.
    pub counted: RefCell<Vec<String>>,
    /// The idempotency keys this client has sent (`crate::reconcile`): a key never sent
    /// adopts nothing, a key sent before is reconciled before it is sent again.
    pub ledger: RefCell<Ledger>,
    /// The largest response body read (`maxResponseBytes`).
    max_response_bytes: f64,
}

impl Session {
    pub fn new(config: ClientConfig, fetch: Function, on_log: Option<Function>, limits: ClientLimits) -> Session {
        let budget = RateBudget::with_window(limits.rate_per_window, RATE_BURST, limits.window_ms, js_sys::Date::now());
        Session {
            config,
            fetch,
            on_log,
            budget: RefCell::new(budget),
            batch: RefCell::new(BatchState::default()),
            list: RefCell::new(ListTrust::default()),
            watches: RefCell::new(Vec::new()),
            next_watch: Cell::new(0),
            long_poll: Cell::new(false),
            reconciles_keys: Cell::new(false),
            last_cross_check: Cell::new(f64::NEG_INFINITY),
            max_credits: limits.max_credits,
            spent: Cell::new(0.0),
            counted: RefCell::new(Vec::new()),
            ledger: RefCell::new(Ledger::default()),
            max_response_bytes: limits.max_response_bytes,
        }
    }

    pub fn log(&self, line: &str) {
        if let Some(f) = &self.on_log {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&self.config.redact(line)));
        }
    }

    /// The envelope as the plain JS object every method resolves to, with the key redacted
    /// from every string in it (a server that echoes the key puts it in `data` too).
    pub fn finish(&self, env: Envelope) -> JsValue {
        let mut v = env.to_value();
        self.config.redact_value(&mut v);
        to_js_via_json(&v)
    }

    /// Waits for the shared query budget, as long as the attempt may (`crate::budget::admit`:
    /// its `timeoutMs` and `maxRetryAfterMs`). `Err` is the envelope to answer with: aborted,
    /// or the budget is held too long.
    async fn acquire_budget(&self, call: &Call) -> Result<(), Envelope> {
        let started = js_sys::Date::now();
        loop {
            let now = js_sys::Date::now();
            let wait = match self.budget.borrow_mut().take(now) {
                Ok(()) => return Ok(()),
                Err(ms) => ms,
            };
            // A call bounded by a deadline (a wait's poll, its final read) may wait for the
            // budget until that deadline; any other call, as long as its own timeout.
            let left = match call.deadline {
                Some(deadline) => deadline - now,
                None => call.timeout_ms - (now - started),
            };
            match admit(wait, left, self.config.max_retry_after_ms) {
                Admission::Refuse(e) => return Err(e.into()),
                Admission::Wait(ms) => {
                    if sleep(ms, call.signal.as_ref()).await.is_err() {
                        return Err(transport_failure(TransportFailure::Aborted, "", call.timeout_ms).into());
                    }
                }
            }
        }
    }

    /// Whether the wait `id` may spend one of the budget's reads at `now`: it is among the
    /// most urgent due waits, as many as the budget grants now. `Err(ms)`: ask again then.
    pub fn my_turn(&self, id: u32, now: f64) -> Result<(), f64> {
        let budget = self.budget.borrow();
        let tokens = budget.available(now);
        let mut watches = self.watches.borrow_mut();
        let me = watches.iter().position(|(i, _)| *i == id);
        if let Some((_, w)) = me.and_then(|k| watches.get_mut(k)) {
            // It is due: it asks because its own schedule said so (a timer may fire a hair early).
            w.due_at = w.due_at.min(now);
        }
        let table: Vec<Watch> = watches.iter().map(|(_, w)| w.clone()).collect();
        match me {
            None => Ok(()),
            // The next read refills in `token_ms`; those ahead in line go first.
            Some(_) if tokens == 0 => Err(budget.token_ms().max(1.0)),
            Some(me) if !pick(&table, now, tokens).contains(&me) => Err((budget.token_ms() / 8.0).max(1.0)),
            Some(_) => Ok(()),
        }
    }

    /// How long the query budget takes to refill one read.
    pub fn token_ms(&self) -> f64 {
        self.budget.borrow().token_ms()
    }

    /// How many waits run on this session now (two or more share the task list).
    pub fn waiting(&self) -> usize {
        self.watches.borrow().len()
    }

    /// Updates what the scheduler knows of wait `id`.
    pub fn watch(&self, id: u32, update: impl FnOnce(&mut Watch)) {
        if let Some((_, w)) = self.watches.borrow_mut().iter_mut().find(|(i, _)| *i == id) {
            update(w);
        }
    }

    /// The attempt loop: send, classify, and retry while the policy says so.
    pub async fn execute(&self, action: Action, req: &ApiRequest, task_id: Option<&str>, call: &Call) -> Envelope {
        // A server's Retry-After is waited only as long as one attempt may take.
        let policy = RetryPolicy::for_call(&self.config, call.max_retries, call.timeout_ms);
        let is_query = action.is_query();
        let aborted = || Envelope::from(transport_failure(TransportFailure::Aborted, "", call.timeout_ms));
        let mut retries = 0;
        loop {
            if is_query {
                if let Err(env) = self.acquire_budget(call).await {
                    return env.with_task_id(task_id.map(str::to_string));
                }
            }
            self.log(&req.log_line());
            let env = match send(&self.fetch, req, call.timeout_ms, call.signal.as_ref(), self.max_response_bytes).await
            {
                Ok(resp) => {
                    if resp.long_poll {
                        self.long_poll.set(true);
                    }
                    if resp.reconciles_keys {
                        self.reconciles_keys.set(true);
                    }
                    // A 5xx may come after the server committed the request.
                    if resp.status >= 500 {
                        call.lost.set(true);
                    }
                    classify(action, &resp, task_id, js_sys::Date::now())
                }
                Err(f) => {
                    // A create the caller aborted in flight may have reached the server (and been
                    // billed): its answer is lost like any other, so it reads "maybe created".
                    if f.kind != TransportFailure::Aborted || action == Action::Create {
                        call.lost.set(true);
                    }
                    if f.kind == TransportFailure::TooLarge {
                        call.too_large.set(true);
                    }
                    Envelope::from(transport_failure(f.kind, &self.config.redact(&f.detail), call.timeout_ms))
                        .with_task_id(task_id.map(str::to_string))
                }
            };
            let Some(code) = env.code() else {
                return env;
            };
            let retry_after_ms = env.retry_after().map(|s| s * 1000.0);
            if is_query && code == ErrorCode::RateLimited {
                // The server's window is full: hold every query of this client, not just this one.
                self.budget.borrow_mut().drain(js_sys::Date::now(), retry_after_ms.unwrap_or(1000.0));
            }
            match policy.next_delay(req.retry, code, retries, retry_after_ms, js_sys::Math::random()) {
                RetryDecision::GiveUp => return env,
                RetryDecision::RetryAfter(ms) => {
                    self.log(&format!("retry {} after {} ms ({})", retries + 1, ms.round() as u64, code.as_str()));
                    if sleep(ms, call.signal.as_ref()).await.is_err() {
                        return aborted().with_task_id(task_id.map(str::to_string));
                    }
                    retries += 1;
                }
            }
        }
    }

    /// A call's settings from its options bag: `opts` is what the core read from it; the
    /// signal, a JS object, is read here.
    pub fn call(&self, bag: &JsValue, opts: &CallOptions) -> Result<Call, ArgumentError> {
        let signal = signal_from(&member(bag, "signal").unwrap_or(JsValue::UNDEFINED)).map_err(ArgumentError::new)?;
        Ok(Call::new(signal, opts.timeout_ms.unwrap_or(self.config.timeout_ms)))
    }
}

/// One call's settings, checked.
pub struct Call {
    pub signal: Option<AbortSignal>,
    pub timeout_ms: f64,
    /// Overrides the client's `maxRetries` (polls retry through the poll schedule instead).
    pub max_retries: Option<u32>,
    /// When the whole call must be over (a wait's `maxWaitMs`): no budget wait runs past it.
    pub deadline: Option<f64>,
    /// Set when an attempt may have reached the server and its answer never came (a reset,
    /// a timeout, a 5xx): then a create "may have been created".
    pub lost: Cell<bool>,
    /// Set when an answer was over `maxResponseBytes` (a task list heavy with data URIs).
    pub too_large: Cell<bool>,
}

impl Call {
    /// The client's retries, no deadline beyond each attempt's timeout.
    pub fn new(signal: Option<AbortSignal>, timeout_ms: f64) -> Call {
        Call {
            signal,
            timeout_ms,
            max_retries: None,
            deadline: None,
            lost: Cell::new(false),
            too_large: Cell::new(false),
        }
    }

    /// A call no caller can abort (the shared list call of concurrent waits, a cancel after
    /// an abort), with no retries.
    pub fn detached(timeout_ms: f64) -> Call {
        Call { max_retries: Some(0), ..Call::new(None, timeout_ms) }
    }
}

/// Counts a wait among the session's active waits, and keeps its entry in the scheduler's
/// table, while it lives.
pub struct WaitingGuard(Rc<Session>, u32);

impl WaitingGuard {
    pub fn new(session: &Rc<Session>, watch: Watch) -> WaitingGuard {
        let id = session.next_watch.get().wrapping_add(1);
        session.next_watch.set(id);
        session.watches.borrow_mut().push((id, watch));
        WaitingGuard(session.clone(), id)
    }

    pub fn id(&self) -> u32 {
        self.1
    }
}

impl Drop for WaitingGuard {
    fn drop(&mut self) {
        self.0.watches.borrow_mut().retain(|(i, _)| *i != self.1);
    }
}

/// One boxed future type for every method, so the promise glue is compiled once.
pub fn promise(fut: impl std::future::Future<Output = JsValue> + 'static) -> Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = JsValue>>> = Box::pin(fut);
    resolve_with(boxed)
}

fn resolve_with(fut: std::pin::Pin<Box<dyn std::future::Future<Output = JsValue>>>) -> Promise {
    future_to_promise(async move { Ok(fut.await) })
}
