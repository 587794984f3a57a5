//! The JS-facing client: `createClient`, `clientFromEnv` and every method of `Client`.
//!
//! Each method converts its arguments, lets the core read its options, and runs the request
//! (or the create or wait flow) through the `Session`. Methods never reject for API,
//! network or input problems: those are envelopes.

use super::convert::{from_js, member};
use super::create::{split_args, Generation};
use super::session::{promise, Session};
use crate::classify::Action;
use crate::envelope::Envelope;
use crate::error::ArgumentError;
use crate::options::{self, CallOptions, ClientLimits, CreateOptions, QuoteOptions, WaitOptions};
use crate::request::{ApiRequest, ClientConfig, ClientOptions};
use crate::value::Value;
use crate::wait::WaitTarget;
use js_sys::{Function, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A client bound to one key and base URL. Create it with `createClient(options)`.
#[wasm_bindgen]
pub struct Client {
    session: Rc<Session>,
}

/// Creates a client. Throws a `TypeError` naming the option when an option is invalid, or
/// when there is neither a key nor a proxy `baseUrl`.
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
    if member(&opts, "apiKey").is_none() && member(&opts, "baseUrl").is_none() {
        return Err(js_sys::TypeError::new("aivideo: AIVIDEO_API_KEY is not set").into());
    }
    create_client(opts.into())
}

fn build_client(options: &JsValue) -> Result<Client, ArgumentError> {
    let bag = from_js(options);
    options::check_keys(&bag, &[options::CLIENT_KEYS])?;
    let get = |k: &str| bag.get(k).cloned();
    let config = ClientConfig::from_options(&ClientOptions {
        api_key: get("apiKey"),
        base_url: get("baseUrl"),
        timeout_ms: get("timeoutMs"),
        max_retries: get("maxRetries"),
        max_retry_after_ms: get("maxRetryAfterMs"),
    })?;
    let limits = ClientLimits::read(&bag)?;
    let fetch = match member(options, "fetch") {
        Some(f) => f.dyn_into::<Function>().map_err(|_| ArgumentError::new("fetch must be a function"))?,
        None => Reflect::get(&js_sys::global(), &"fetch".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| ArgumentError::new("no global fetch in this runtime: pass options.fetch"))?,
    };
    let on_log = match member(options, "onLog") {
        Some(f) => Some(f.dyn_into::<Function>().map_err(|_| ArgumentError::new("onLog must be a function"))?),
        None => None,
    };
    Ok(Client { session: Rc::new(Session::new(config, fetch, on_log, limits)) })
}

impl Client {
    /// One request with `{ signal, timeoutMs }` options: read them, build it, run it.
    fn simple(
        &self,
        action: Action,
        opts: Option<JsValue>,
        task_id: Option<String>,
        build: impl FnOnce(&ClientConfig) -> Result<ApiRequest, ArgumentError> + 'static,
    ) -> Promise {
        let session = self.session.clone();
        let bag = opts.unwrap_or_default();
        promise(async move {
            let prepared = options::check_keys(&from_js(&bag), &[CallOptions::KEYS])
                .and_then(|()| CallOptions::read(&from_js(&bag)))
                .and_then(|o| session.call(&bag, &o))
                .and_then(|call| build(&session.config).map(|req| (call, req)));
            let env = match prepared {
                Ok((call, req)) => session.execute(action, &req, task_id.as_deref(), &call).await,
                Err(e) => Envelope::from(e).with_task_id(task_id),
            };
            session.finish(env)
        })
    }

    /// The three per-task actions: check the id, build the request, run it.
    fn task_action(
        &self,
        action: Action,
        task_id: JsValue,
        opts: Option<JsValue>,
        build: fn(&ClientConfig, &str) -> Result<ApiRequest, ArgumentError>,
    ) -> Promise {
        let id = task_id.as_string();
        let shown = id.clone();
        self.simple(action, opts, shown, move |c| match id {
            Some(id) => build(c, &id),
            None => Err(ArgumentError::new("taskId must be a string")),
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
        self.simple(Action::List, opts, None, |c| Ok(c.list_tasks()))
    }

    /// `GET /account`: balance, guardrails and supported models. Free.
    #[wasm_bindgen(js_name = getAccount, unchecked_return_type = "Promise<Envelope<Account>>")]
    pub fn get_account(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>) -> Promise {
        self.simple(Action::Account, opts, None, |c| Ok(c.get_account()))
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
        let session = self.session.clone();
        let (model, payload, bag) = split_args(&model, payload, opts);
        let payload = Rc::new(from_js(&payload));
        promise(async move {
            let prepared = QuoteOptions::read(&from_js(&bag)).and_then(|o| session.call(&bag, &o.call).map(|c| (o, c)));
            let env = match prepared {
                Err(e) => e.into(),
                Ok((o, call)) => {
                    let checked = if o.validate {
                        crate::validate::validate_payload(&model, &payload, &o.limits)
                            .map(|_| ())
                            .map_err(Envelope::from)
                    } else {
                        Ok(())
                    };
                    match checked.and_then(|()| session.config.quote(&model, &payload).map_err(Envelope::from)) {
                        Ok(req) => session.execute(Action::Quote, &req, None, &call).await,
                        Err(env) => env,
                    }
                }
            };
            session.finish(env)
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
        let session = self.session.clone();
        let g = Generation::from_args(&model, payload, opts);
        promise(async move {
            let env = match CreateOptions::read(&from_js(&g.opts)) {
                Ok(o) => session.create(&g, &o).await,
                Err(e) => e.into(),
            };
            session.finish(env)
        })
    }

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
        let session = self.session.clone();
        let bag = opts.unwrap_or_default();
        promise(async move {
            let task = from_js(&task);
            let shown = task.as_str().or_else(|| task.get("taskId").and_then(Value::as_str)).map(str::to_string);
            let env = match start_wait(&session, &task, &bag, WaitOptions::read(&from_js(&bag))) {
                Ok((target, call, on_progress)) => session.clone().wait(target, call, on_progress).await,
                Err(e) => Envelope::from(e).with_task_id(shown),
            };
            session.finish(env)
        })
    }

    /// validate → (quote) → create → wait → the finished task, in one call. Takes the options
    /// of `createGeneration` and `waitForTask`. Any failure after create carries the taskId
    /// and the submitted task (`data.submitted`).
    #[wasm_bindgen(js_name = runWorkflow, unchecked_return_type = "Promise<WorkflowEnvelope>")]
    pub fn run_workflow(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Model | (string & {})")] model: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] payload: JsValue,
        #[wasm_bindgen(unchecked_param_type = "WorkflowOptions")] opts: Option<JsValue>,
    ) -> Promise {
        let session = self.session.clone();
        let g = Generation::from_args(&model, payload, opts);
        promise(async move {
            let (create_opts, wait_opts) = match options::read_workflow(&from_js(&g.opts)) {
                Ok(o) => o,
                Err(e) => return session.finish(e.into()),
            };
            let created = session.create(&g, &create_opts).await;
            if !created.is_ok() {
                return session.finish(created);
            }
            let handle = created.data().get("handle").cloned().unwrap_or(Value::Null);
            let env = match start_wait(&session, &handle, &g.opts, Ok(wait_opts)) {
                Ok((target, call, on_progress)) => session.clone().wait(target, call, on_progress).await,
                Err(e) => e.into(),
            };
            let mut env = env.with_task_id(created.task_id.clone());
            let submitted = created.data().clone();
            match env.data_mut() {
                Value::Object(entries) => entries.push(("submitted".to_string(), submitted)),
                data @ Value::Null => *data = Value::object(vec![("submitted", submitted)]),
                _ => {}
            }
            session.finish(env)
        })
    }

    /// Credits charged by this client's creates so far (replays are not counted twice).
    #[wasm_bindgen(getter, js_name = spentCredits)]
    pub fn spent_credits(&self) -> f64 {
        self.session.spent.get()
    }
}

type WaitStart = (WaitTarget, super::session::Call, Option<Function>);

/// A wait's target, call settings and progress callback; polls retry through the schedule,
/// not the attempt loop.
fn start_wait(
    session: &Session,
    task: &Value,
    bag: &JsValue,
    opts: Result<WaitOptions, ArgumentError>,
) -> Result<WaitStart, ArgumentError> {
    let opts = opts?;
    let mut call = session.call(bag, &opts.call)?;
    call.max_retries = Some(0);
    let target = WaitTarget::resolve(task, &opts, js_sys::Date::now())?;
    let on_progress = match member(bag, "onProgress") {
        Some(f) => Some(f.dyn_into::<Function>().map_err(|_| ArgumentError::new("onProgress must be a function"))?),
        None => None,
    };
    Ok((target, call, on_progress))
}
