//! The JS-facing client: `createClient`, `clientFromEnv` and the action methods.
//!
//! Each method converts its arguments, asks the core for the request, runs the attempt loop
//! (send → classify → ask `RetryPolicy` → sleep) and returns the envelope as a plain object.
//! Methods never reject for API, network or input problems: those are envelopes.

use super::bindings::{signal_from, sleep, AbortSignal};
use super::convert::{from_js, member, to_js_via_json};
use super::create::{Generation, CREATE_OPTIONS};
use super::transport::send;
use crate::budget::RateBudget;
use crate::classify::{classify, transport_failure, Action, TransportFailure};
use crate::envelope::{Envelope, ErrorCode};
use crate::request::{ApiRequest, ArgumentError, ClientConfig, ClientOptions};
use crate::retry::{RetryDecision, RetryPolicy};
use crate::value::Value;
use js_sys::{Function, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

pub(super) struct Inner {
    pub(super) config: ClientConfig,
    fetch: Function,
    on_log: Option<Function>,
    /// One query budget for every wait and query call of this client.
    budget: RefCell<RateBudget>,
    /// Tasks being waited on right now; two or more switch polling to one list call per tick.
    pub(super) waiting: Cell<u32>,
    pub(super) batch: RefCell<super::wait::BatchState>,
    /// Default per-create budget (`createClient({ maxCredits })`).
    pub(super) max_credits: Option<u64>,
    /// Credits charged by creates of this client (replays not counted twice).
    pub(super) spent: Cell<f64>,
}

/// A client bound to one key and base URL. Create it with `createClient(options)`.
#[wasm_bindgen]
pub struct Client {
    pub(super) inner: Rc<Inner>,
}

const CLIENT_OPTIONS: &[&str] = &[
    "apiKey",
    "baseUrl",
    "timeoutMs",
    "maxRetries",
    "maxRetryAfterMs",
    "fetch",
    "onLog",
    "rateLimitPerMinute",
    "rateLimitWindowMs",
    "maxCredits",
];
/// Requests the budget lets out at once; the rest are spread over the minute.
const RATE_BURST: f64 = 5.0;

/// Creates a client. Throws a `TypeError` naming the option when an option is invalid.
#[wasm_bindgen(js_name = createClient)]
pub fn create_client(
    #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
) -> Result<Client, JsValue> {
    build_client(&options).map_err(|e| js_sys::TypeError::new(&format!("aivideo: {}", e.message)).into())
}

/// Creates a client from an environment object (`process.env`, a Worker's `env`,
/// `Deno.env.toObject()`): `AIVIDEO_API_KEY`, `AIVIDEO_BASE_URL`, `AIVIDEO_TIMEOUT_MS`,
/// `AIVIDEO_MAX_RETRIES`. `overrides` takes the same options as `createClient`.
#[wasm_bindgen(js_name = clientFromEnv)]
pub fn client_from_env(
    #[wasm_bindgen(unchecked_param_type = "Record<string, string | undefined>")] env: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ClientOptions | undefined")] overrides: JsValue,
) -> Result<Client, JsValue> {
    let opts = js_sys::Object::new();
    let text = |k: &str| member(&env, k).and_then(|v| v.as_string()).filter(|s| !s.trim().is_empty());
    let number = |k: &str| -> Result<Option<JsValue>, JsValue> {
        match text(k) {
            None => Ok(None),
            Some(s) => crate::value::parse_decimal(&s)
                .map(|n| Some(JsValue::from_f64(n)))
                .ok_or_else(|| js_sys::TypeError::new(&format!("aivideo: {k} must be a number, got \"{s}\"")).into()),
        }
    };
    let mut pairs: Vec<(&str, JsValue)> = Vec::new();
    if let Some(k) = text("AIVIDEO_API_KEY") {
        pairs.push(("apiKey", JsValue::from_str(k.trim())));
    }
    if let Some(u) = text("AIVIDEO_BASE_URL") {
        pairs.push(("baseUrl", JsValue::from_str(&u)));
    }
    if let Some(n) = number("AIVIDEO_TIMEOUT_MS")? {
        pairs.push(("timeoutMs", n));
    }
    if let Some(n) = number("AIVIDEO_MAX_RETRIES")? {
        pairs.push(("maxRetries", n));
    }
    for (k, v) in pairs {
        let _ = Reflect::set(&opts, &JsValue::from_str(k), &v);
    }
    if overrides.is_object() {
        for key in js_sys::Object::keys(overrides.unchecked_ref::<js_sys::Object>()).iter() {
            if let Ok(v) = Reflect::get(&overrides, &key) {
                let _ = Reflect::set(&opts, &key, &v);
            }
        }
    }
    if member(&opts, "apiKey").is_none() {
        return Err(js_sys::TypeError::new("aivideo: AIVIDEO_API_KEY is not set").into());
    }
    create_client(opts.into())
}

fn build_client(options: &JsValue) -> Result<Client, ArgumentError> {
    let bad = |m: String| ArgumentError { message: m };
    if !(options.is_undefined() || options.is_null() || options.is_object()) {
        return Err(bad("options must be an object".into()));
    }
    if options.is_object() {
        for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
            let k = key.as_string().unwrap_or_default();
            if !CLIENT_OPTIONS.contains(&k.as_str()) {
                return Err(bad(format!("unknown option \"{k}\" (known: {})", CLIENT_OPTIONS.join(", "))));
            }
        }
    }
    let get = |k: &str| member(options, k).map(|v| from_js(&v));
    let config = ClientConfig::from_options(&ClientOptions {
        api_key: get("apiKey"),
        base_url: get("baseUrl"),
        timeout_ms: get("timeoutMs"),
        max_retries: get("maxRetries"),
        max_retry_after_ms: get("maxRetryAfterMs"),
    })?;
    let fetch = match member(options, "fetch") {
        Some(f) => f.dyn_into::<Function>().map_err(|_| bad("fetch must be a function".into()))?,
        None => Reflect::get(&js_sys::global(), &"fetch".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| bad("no global fetch in this runtime: pass options.fetch".into()))?,
    };
    let on_log = match member(options, "onLog") {
        Some(f) => Some(f.dyn_into::<Function>().map_err(|_| bad("onLog must be a function".into()))?),
        None => None,
    };
    let per_minute = match member(options, "rateLimitPerMinute").map(|v| from_js(&v)) {
        None | Some(Value::Null) => 60.0,
        Some(Value::Number(n)) if n.is_finite() && n >= 1.0 => n,
        Some(v) => return Err(bad(format!("rateLimitPerMinute must be a number of at least 1, got {}", v.describe()))),
    };
    let window_ms = match member(options, "rateLimitWindowMs").map(|v| from_js(&v)) {
        None | Some(Value::Null) => 60_000.0,
        Some(Value::Number(n)) if n.is_finite() && n > 0.0 => n,
        Some(v) => return Err(bad(format!("rateLimitWindowMs must be a positive number, got {}", v.describe()))),
    };
    let budget = RefCell::new(RateBudget::with_window(per_minute, RATE_BURST, window_ms, js_sys::Date::now()));
    let batch = RefCell::new(super::wait::BatchState::default());
    let max_credits = match member(options, "maxCredits").map(|v| from_js(&v)) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Some(n as u64),
        Some(v) => return Err(bad(format!("maxCredits must be a whole number of credits, got {}", v.describe()))),
    };
    let spent = Cell::new(0.0);
    let waiting = Cell::new(0);
    Ok(Client { inner: Rc::new(Inner { config, fetch, on_log, budget, waiting, batch, max_credits, spent }) })
}

/// Per-call options, checked.
pub(super) struct CallOpts {
    pub(super) signal: Option<AbortSignal>,
    pub(super) timeout_ms: f64,
    /// Overrides the client's `maxRetries` (polls retry through the poll schedule instead).
    pub(super) max_retries: Option<u32>,
    /// The caller's own payload object, to be sent with `JSON.stringify` once validation has
    /// shown it holds only JSON (saves a copy of megabytes of data URI inside the wasm).
    pub(super) raw_body: Option<JsValue>,
}

pub(super) fn call_opts(inner: &Inner, opts: &JsValue, extra: &[&str]) -> Result<CallOpts, ArgumentError> {
    let bad = |m: String| ArgumentError { message: m };
    if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
        return Err(bad("options must be an object".into()));
    }
    if opts.is_object() {
        for key in js_sys::Object::keys(opts.unchecked_ref::<js_sys::Object>()).iter() {
            let k = key.as_string().unwrap_or_default();
            if k != "signal" && k != "timeoutMs" && !extra.contains(&k.as_str()) {
                return Err(bad(format!("unknown option \"{k}\"")));
            }
        }
    }
    let signal = signal_from(&member(opts, "signal").unwrap_or(JsValue::UNDEFINED)).map_err(bad)?;
    let timeout_ms = match member(opts, "timeoutMs").map(|v| from_js(&v)) {
        None | Some(Value::Null) => inner.config.timeout_ms,
        Some(Value::Number(n)) if n.is_finite() && n > 0.0 => n,
        Some(v) => return Err(bad(format!("timeoutMs must be a positive number, got {}", v.describe()))),
    };
    Ok(CallOpts { signal, timeout_ms, max_retries: None, raw_body: None })
}

impl Inner {
    pub(super) fn log(&self, line: &str) {
        if let Some(f) = &self.on_log {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&self.config.redact(line)));
        }
    }

    pub(super) fn finish(&self, mut env: Envelope) -> JsValue {
        if let Some(m) = env.error_message.take() {
            env.error_message = Some(self.config.redact(&m));
        }
        to_js_via_json(&env.to_value())
    }

    /// The attempt loop: send, classify, and retry while the policy says so.
    /// Waits for the shared query budget. `Err` when the caller's signal fired meanwhile.
    async fn acquire_budget(&self, signal: Option<&AbortSignal>) -> Result<(), ()> {
        loop {
            let wait = match self.budget.borrow_mut().take(js_sys::Date::now()) {
                Ok(()) => return Ok(()),
                Err(ms) => ms,
            };
            sleep(wait, signal).await?;
        }
    }

    /// The attempt loop: send, classify, and retry while the policy says so.
    pub(super) async fn execute(
        &self,
        action: Action,
        req: &ApiRequest,
        task_id: Option<&str>,
        opts: &CallOpts,
    ) -> Envelope {
        let policy = RetryPolicy {
            max_retries: opts.max_retries.unwrap_or(self.config.max_retries),
            max_retry_after_ms: self.config.max_retry_after_ms,
        };
        let is_query = matches!(action, Action::Status | Action::Task | Action::List | Action::Account);
        let mut retries = 0;
        loop {
            if is_query && self.acquire_budget(opts.signal.as_ref()).await.is_err() {
                return transport_failure(TransportFailure::Aborted, "", opts.timeout_ms)
                    .with_task_id(task_id.map(str::to_string));
            }
            self.log(&req.log_line());
            let env = match send(&self.fetch, req, opts.timeout_ms, opts.signal.as_ref(), opts.raw_body.as_ref()).await
            {
                Ok(resp) => classify(action, &resp, task_id, js_sys::Date::now()),
                Err(f) => transport_failure(f.kind, &self.config.redact(&f.detail), opts.timeout_ms)
                    .with_task_id(task_id.map(str::to_string)),
            };
            let Some(code) = env.error_code.filter(|_| !env.ok) else {
                return env;
            };
            let retry_after_ms = env.retry_after.map(|s| s * 1000.0);
            if is_query && code == ErrorCode::RateLimited {
                // The server's window is full: hold every query of this client, not just this one.
                self.budget.borrow_mut().drain(js_sys::Date::now(), retry_after_ms.unwrap_or(1000.0));
            }
            match policy.next_delay(req.retry, code, retries, retry_after_ms, js_sys::Math::random()) {
                RetryDecision::GiveUp => return env,
                RetryDecision::RetryAfter(ms) => {
                    self.log(&format!("retry {} after {} ms ({})", retries + 1, ms.round() as u64, code.as_str()));
                    if sleep(ms, opts.signal.as_ref()).await.is_err() {
                        return transport_failure(TransportFailure::Aborted, "", opts.timeout_ms)
                            .with_task_id(task_id.map(str::to_string));
                    }
                    retries += 1;
                }
            }
        }
    }

    async fn run(
        self: Rc<Self>,
        action: Action,
        build: impl FnOnce(&ClientConfig) -> Result<ApiRequest, ArgumentError>,
        task_id: Option<String>,
        opts: JsValue,
        extra_opts: &[&str],
    ) -> JsValue {
        let result = call_opts(&self, &opts, extra_opts).and_then(|o| build(&self.config).map(|r| (o, r)));
        let env = match result {
            Ok((o, req)) => self.execute(action, &req, task_id.as_deref(), &o).await,
            Err(e) => Envelope::failure(e.code(), e.message).with_task_id(task_id),
        };
        self.finish(env)
    }
}

fn task_id_arg(v: &JsValue) -> Result<String, ArgumentError> {
    v.as_string().ok_or_else(|| ArgumentError { message: "taskId must be a string".into() })
}

/// One boxed future type for every method, so the promise glue is compiled once.
pub(super) fn promise(fut: impl std::future::Future<Output = JsValue> + 'static) -> Promise {
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = JsValue>>> = Box::pin(fut);
    resolve_with(boxed)
}

fn resolve_with(fut: std::pin::Pin<Box<dyn std::future::Future<Output = JsValue>>>) -> Promise {
    future_to_promise(async move { Ok(fut.await) })
}

impl Client {
    /// The three per-task actions: check the id, build the request, run it.
    fn task_action(
        &self,
        action: Action,
        task_id: JsValue,
        opts: Option<JsValue>,
        build: fn(&ClientConfig, &str) -> Result<ApiRequest, ArgumentError>,
    ) -> Promise {
        let inner = self.inner.clone();
        let id = task_id_arg(&task_id);
        promise(async move {
            let shown = id.as_ref().ok().cloned();
            inner.run(action, |c| build(c, &id?), shown, opts.unwrap_or_default(), &[]).await
        })
    }
}

#[wasm_bindgen]
impl Client {
    /// `GET /tasks/{taskId}/status`: the light poll. Resolves to `{ status }`.
    #[wasm_bindgen(js_name = getStatus, unchecked_return_type = "Promise<Envelope<StatusData>>")]
    pub fn get_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>,
    ) -> Promise {
        self.task_action(Action::Status, task_id, opts, ClientConfig::get_status)
    }

    /// `GET /tasks/{taskId}`: the full task, with `output.url` normalized and `expiresAt`.
    #[wasm_bindgen(js_name = getTask, unchecked_return_type = "Promise<Envelope<Task>>")]
    pub fn get_task(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>,
    ) -> Promise {
        self.task_action(Action::Task, task_id, opts, ClientConfig::get_task)
    }

    /// `PUT /tasks/{taskId}/cancel`: only while `SUBMITTED`; refunds in full. Never retried.
    #[wasm_bindgen(js_name = cancelTask, unchecked_return_type = "Promise<Envelope<CancelData>>")]
    pub fn cancel_task(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>,
    ) -> Promise {
        self.task_action(Action::Cancel, task_id, opts, ClientConfig::cancel_task)
    }

    /// `GET /tasks`: every task of this key, newest first.
    #[wasm_bindgen(js_name = listTasks, unchecked_return_type = "Promise<Envelope<TaskList>>")]
    pub fn list_tasks(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>) -> Promise {
        let inner = self.inner.clone();
        promise(
            async move { inner.run(Action::List, |c| Ok(c.list_tasks()), None, opts.unwrap_or_default(), &[]).await },
        )
    }

    /// `GET /account`: balance, guardrails and supported models. Free.
    #[wasm_bindgen(js_name = getAccount, unchecked_return_type = "Promise<Envelope<Account>>")]
    pub fn get_account(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            inner.run(Action::Account, |c| Ok(c.get_account()), None, opts.unwrap_or_default(), &[]).await
        })
    }

    /// `POST /quote/{model}`: the server's price for a payload. Never creates or charges.
    /// The payload is validated locally first unless `validate: false`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Envelope<Quote>>")]
    pub fn quote(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Model | (string & {})")] model: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] payload: JsValue,
        #[wasm_bindgen(unchecked_param_type = "QuoteOptions")] opts: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        let (model, payload, opts) = super::create::split_args(&model, payload, opts);
        let payload = Rc::new(from_js(&payload));
        promise(async move {
            if let Some(rejected) = super::create::local_validation(&model, &payload, &opts) {
                return inner.finish(rejected);
            }
            inner.run(Action::Quote, |c| c.quote(&model, &payload), None, opts, &["validate", "maxDataUriBytes"]).await
        })
    }

    /// `POST /generate/{model}`: creates a task, billed at submit. The payload is validated
    /// locally first (nothing invalid is sent unless `validate: false`); every create carries
    /// an `Idempotency-Key` (yours, or one derived from model + payload + `idempotencyScope`),
    /// so it is retried safely; `maxCredits` is checked before anything is sent.
    #[wasm_bindgen(js_name = createGeneration, unchecked_return_type = "Promise<Envelope<SubmittedTask>>")]
    pub fn create_generation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Model | (string & {})")] model: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] payload: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CreateOptions")] opts: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        let g = Generation::from_args(&model, payload, opts);
        promise(async move {
            let env = inner.create(&g, CREATE_OPTIONS).await;
            inner.finish(env)
        })
    }

    /// Credits charged by this client's creates so far (replays are not counted twice).
    #[wasm_bindgen(getter, js_name = spentCredits)]
    pub fn spent_credits(&self) -> f64 {
        self.inner.spent.get()
    }
}
