//! The JS-facing client: every method of `Client` (`createClient` and `clientFromEnv` are in
//! `factory.rs`).
//!
//! Each method converts its arguments, lets the core read its options, and runs the request
//! (or the create or wait flow) through the `Session`. Methods never reject for API,
//! network or input problems: those are envelopes.

use super::convert::{from_js, function_member};
use super::create::{split_args, Generation};
use super::session::{promise, Session};
use crate::classify::Action;
use crate::envelope::Envelope;
use crate::error::ArgumentError;
use crate::options::{self, CallOptions, CreateOptions, QuoteOptions, WaitOptions};
use crate::request::{ApiRequest, ClientConfig};
use crate::value::Value;
use crate::wait::WaitTarget;
use js_sys::{Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A client bound to one key and base URL. Create it with `createClient(options)`.
#[wasm_bindgen]
pub struct Client {
    session: Rc<Session>,
}

impl Client {
    pub fn new(session: Session) -> Client {
        Client { session: Rc::new(session) }
    }
}

impl Client {
    /// One request with `{ signal, timeoutMs }` options: read them, then run the request
    /// built for it (an options problem is reported before a request problem). Not generic
    /// over how the request is built: one copy of this future in the wasm, not one per method.
    fn simple(
        &self,
        action: Action,
        opts: Option<JsValue>,
        task_id: Option<String>,
        built: Result<ApiRequest, ArgumentError>,
    ) -> Promise {
        let session = self.session.clone();
        let bag = opts.unwrap_or_default();
        promise(async move {
            let prepared = CallOptions::read(&from_js(&bag))
                .and_then(|o| session.call(&bag, &o))
                .and_then(|call| built.map(|req| (call, req)));
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
        let built = match &id {
            Some(id) => build(&self.session.config, id),
            None => Err(ArgumentError::new("taskId must be a string")),
        };
        self.simple(action, opts, id, built)
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
        self.simple(Action::List, opts, None, Ok(self.session.config.list_tasks()))
    }

    /// `GET /account`: balance, guardrails and supported models. Free.
    #[wasm_bindgen(js_name = getAccount, unchecked_return_type = "Promise<Envelope<Account>>")]
    pub fn get_account(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>) -> Promise {
        self.simple(Action::Account, opts, None, Ok(self.session.config.get_account()))
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
    let on_progress =
        function_member(bag, "onProgress").map_err(|()| ArgumentError::new("onProgress must be a function"))?;
    Ok((target, call, on_progress))
}
