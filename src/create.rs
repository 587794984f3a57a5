//! Creating a task without ever charging twice or over budget, as a pure flow.
//!
//! Validate offline (once: the result is kept) → check the budget (the local estimate, or
//! a free `quote` when only the server prices the model or `quoteFirst` is set) → send with
//! an `Idempotency-Key` and `X-Max-Credits` → attach a resumable handle, or say how to
//! recover a task whose answers were all lost. Shaped like `Poller`: the edge asks `start`
//! for the first step, executes each `Step::Send` (with its retries) and hands the envelope
//! to `on_answer` until `Step::Done`. Must not: perform I/O or read the clock (`now_ms` is
//! passed in for the handle's `createdAt`).
//!
//! Size: 242 lines of code; the rest is its unit tests, kept beside what they test.

use crate::classify::Action;
use crate::contract::ModelSpec;
use crate::credits::{estimate, over_budget, price_check, Estimate, PriceCheck};
use crate::envelope::Envelope;
use crate::error::{Error, ErrorCode};
use crate::idempotency::derive_key;
use crate::options::CreateOptions;
use crate::poll::expected_run_ms;
use crate::request::{ApiRequest, ClientConfig, GenerateHeaders, RetryClass};
use crate::retry::{RetryDecision, RetryPolicy};
use crate::validate::validate_payload;
use crate::value::Value;
use crate::{contract, time};
use std::rc::Rc;

/// `idempotencyKey: "derived"`: the key derived from model + payload + `idempotencyScope`, so
/// the same request from another process or a re-run script is the same generation.
pub const DERIVED: &str = "derived";

/// What the edge does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this request and pass the envelope back: a create once (its retries are the
    /// flow's), a quote or list with the client's retries. A create's body is the payload
    /// that was validated and priced, serialized from that value.
    Send {
        request: ApiRequest,
        action: Action,
    },
    /// Sleep this many ms (the backoff before re-sending a create), then call `after_sleep`.
    Sleep(f64),
    Done(Envelope),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// A keyed create (the caller's key, or "derived"): looking for its task in `GET /tasks`
    /// first, so a resend after a lost answer is not charged twice by a server that ignores keys.
    Prechecking,
    Quoting,
    Creating,
    /// A create's answer was lost: looking for the task in `GET /tasks` before re-sending.
    Reconciling,
    Finished,
}

#[derive(Debug, Clone)]
pub struct CreateFlow {
    config: ClientConfig,
    model: String,
    payload: Rc<Value>,
    spec: Option<&'static ModelSpec>,
    estimate: Option<Estimate>,
    headers: GenerateHeaders,
    max_credits: Option<u64>,
    stage: Stage,
    now_ms: f64,
    /// What the create's answer charged (or, when it did not say, the estimate), and
    /// whether it was a replay of an earlier create under the same key.
    charge: Option<(f64, bool)>,
    /// Create attempts re-sent so far, the backoff before the next, and whether any
    /// attempt's answer was lost.
    retries: u32,
    pending_delay: f64,
    any_lost: bool,
    quote_first: bool,
    reconcile: bool,
    /// Per attempt: the call's `timeoutMs`, else the client's.
    timeout_ms: f64,
}

fn done(e: impl Into<Error>) -> Step {
    Step::Done(Envelope::from(e.into()))
}

impl CreateFlow {
    /// The first step. `client_max_credits` is the client's default budget (the lower of it
    /// and the call's applies); `fresh_key` is 32 random hex digits from the edge, the key of
    /// this call unless the caller names one.
    pub fn start(
        config: &ClientConfig,
        model: &str,
        payload: Rc<Value>,
        opts: &CreateOptions,
        client_max_credits: Option<u64>,
        now_ms: f64,
        fresh_key: &str,
    ) -> (CreateFlow, Step) {
        let mut flow = CreateFlow {
            config: config.clone(),
            model: model.to_string(),
            payload,
            spec: None,
            estimate: None,
            headers: GenerateHeaders::default(),
            max_credits: None,
            stage: Stage::Finished,
            now_ms,
            charge: None,
            retries: 0,
            pending_delay: 0.0,
            any_lost: false,
            quote_first: opts.quote_first,
            reconcile: opts.reconcile,
            timeout_ms: opts.call.timeout_ms.unwrap_or(config.timeout_ms),
        };
        let step = flow.plan(opts, client_max_credits, fresh_key);
        (flow, step)
    }

    fn plan(&mut self, opts: &CreateOptions, client_max_credits: Option<u64>, fresh_key: &str) -> Step {
        if opts.validate {
            match validate_payload(&self.model, &self.payload, &opts.limits) {
                Ok(v) => {
                    self.spec = Some(v.spec);
                    self.estimate = Some(v.estimate);
                }
                Err(rej) => return done(rej),
            }
        } else {
            // Unchecked, but never sent with a value JSON cannot carry (it would go as null).
            if let Some(why) = unsendable(&self.payload, "") {
                let message =
                    format!("the payload cannot be sent as JSON: {why} (validate: false skips the contract, not this)");
                return done(Error::new(ErrorCode::InvalidPayload, message));
            }
            self.spec = contract::model(&self.model);
            self.estimate = self.spec.map(|s| estimate(s, &self.payload));
        }
        // Each call is a new generation (a fresh key, reused by this call's retries), unless
        // the caller names a key or asks for the one derived from model + payload + scope.
        let key = match opts.idempotency_key.as_deref() {
            Some(DERIVED) => derive_key(&self.model, &self.payload, opts.idempotency_scope.as_deref()),
            Some(k) => k.to_string(),
            None => format!("aiv1-{}-{}", self.model, fresh_key),
        };
        self.max_credits = match (opts.max_credits, client_max_credits) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.headers = GenerateHeaders {
            idempotency_key: Some(key),
            max_credits: self.max_credits,
            webhook_url: opts.webhook_url.clone(),
        };
        if opts.idempotency_key.is_some() && opts.reconcile {
            self.stage = Stage::Prechecking;
            return Step::Send { request: self.config.list_tasks(), action: Action::List };
        }
        self.price()
    }

    /// The price check, then the create (see `after_price`).
    fn price(&mut self) -> Step {
        let local = self.estimate.as_ref().and_then(|e| e.credits);
        match price_check(self.max_credits, self.quote_first, local) {
            PriceCheck::Skip => self.send_create(),
            PriceCheck::Local(price) => self.after_price(price, "local estimate"),
            PriceCheck::Quote => match self.config.quote(&self.model, &self.payload) {
                Ok(request) => {
                    self.stage = Stage::Quoting;
                    Step::Send { request, action: Action::Quote }
                }
                Err(e) => done(e),
            },
        }
    }

    /// The budget is checked before anything billable is sent.
    fn after_price(&mut self, price: u64, source: &str) -> Step {
        if let Some(max) = self.max_credits {
            if let Some(msg) = over_budget(price, max, source) {
                self.stage = Stage::Finished;
                let data = Value::object(vec![
                    ("credits", Value::Number(price as f64)),
                    ("maxCredits", Value::Number(max as f64)),
                    ("source", Value::str(source)),
                ]);
                return done(Error::new(ErrorCode::BudgetExceeded, msg).with_data(data));
            }
        }
        self.send_create()
    }

    fn send_create(&mut self) -> Step {
        match self.config.generate(&self.model, &self.payload, &self.headers) {
            Ok(request) => {
                self.stage = Stage::Creating;
                Step::Send { request, action: Action::Create }
            }
            Err(e) => done(e),
        }
    }

    /// The answer to the last `Step::Send`. `answer_lost`: the request may have reached the
    /// server and its answer never came back (a reset, a timeout, a 5xx). `jitter` in [0, 1)
    /// spreads the backoff. The edge sends a create once per step: its retries are decided
    /// here, so a lost answer is reconciled before anything is sent again.
    pub fn on_answer(&mut self, env: Envelope, answer_lost: bool, jitter: f64) -> Step {
        match self.stage {
            Stage::Quoting => self.on_quote(env),
            Stage::Creating => self.on_create_answer(env, answer_lost, jitter),
            Stage::Reconciling | Stage::Prechecking => self.on_list(env),
            Stage::Finished => Step::Done(env),
        }
    }

    /// The caller gave up (aborted) before the flow finished: if an answer was lost on the
    /// way, the envelope says how to get the task back.
    pub fn abandoned(&mut self, env: Envelope) -> Envelope {
        self.stage = Stage::Finished;
        self.on_created(env, self.any_lost)
    }

    /// After a `Step::Sleep`: the create again, under the same key.
    pub fn after_sleep(&mut self) -> Step {
        self.send_create()
    }

    fn on_create_answer(&mut self, env: Envelope, answer_lost: bool, jitter: f64) -> Step {
        self.any_lost |= answer_lost;
        let Some(err) = env.error() else {
            self.stage = Stage::Finished;
            return Step::Done(self.on_created(env, self.any_lost));
        };
        let policy = RetryPolicy::for_call(&self.config, None, self.timeout_ms);
        let retry_after = err.retry_after.map(|s| s * 1000.0);
        match policy.next_delay(RetryClass::Safe, err.code, self.retries, retry_after, jitter) {
            RetryDecision::GiveUp => {
                self.stage = Stage::Finished;
                Step::Done(self.on_created(env, self.any_lost))
            }
            RetryDecision::RetryAfter(ms) => {
                self.retries += 1;
                self.pending_delay = ms;
                if !answer_lost || !self.reconcile {
                    return Step::Sleep(ms);
                }
                // The server may have created the task (and not say so again if it ignores
                // the idempotency key): look for it before sending the create again.
                self.stage = Stage::Reconciling;
                Step::Send { request: self.config.list_tasks(), action: Action::List }
            }
        }
    }

    fn on_list(&mut self, env: Envelope) -> Step {
        let found = match &env.outcome {
            Ok(reply) => match reply.data.get("tasks") {
                Some(Value::Array(tasks)) => {
                    let input = self.payload.to_canonical_json();
                    tasks.iter().find(|t| self.is_ours(t, &input)).cloned()
                }
                _ => None,
            },
            Err(_) => None,
        };
        let Some(task) = found else {
            // Not there: a keyed create goes on to its price check; a lost one is sent again.
            return if self.stage == Stage::Prechecking { self.price() } else { Step::Sleep(self.pending_delay) };
        };
        // Adopted instead of created (again): the task the key or the lost answer was about.
        self.stage = Stage::Finished;
        let id = task.get("id").and_then(Value::as_str).map(str::to_string);
        let status = task.get("status").and_then(Value::as_str).map(str::to_string);
        let data = Value::object(vec![
            ("status", Value::opt_str(status.clone())),
            ("taskId", Value::opt_str(id.clone())),
            ("creditsCharged", task.get("creditsCharged").cloned().unwrap_or(Value::Null)),
            ("idempotentReplay", Value::Bool(true)),
            ("reconciled", Value::Bool(true)),
        ]);
        Step::Done(self.on_created(Envelope::success(status, id, data, 200), true))
    }

    /// A task in the list is this create's: it carries our idempotency key (with our input,
    /// before anything was sent: the same key with another input is the server's 409 to
    /// give), or, carrying no key (a server that ignores keys), it has our model and input
    /// and was created since the first attempt; for a keyed create not yet sent, within the
    /// last 24 hours. `input` is our payload in canonical form, computed once per list.
    fn is_ours(&self, task: &Value, input: &str) -> bool {
        let key = self.key();
        let same_input = || task.get("input").is_some_and(|i| i.to_canonical_json() == input);
        let precheck = self.stage == Stage::Prechecking;
        match task.get("idempotencyKey").and_then(Value::as_str) {
            Some(k) if k == key => return !precheck || same_input(),
            Some(_) => return false,
            None => {}
        }
        let model_matches = task.get("model").and_then(Value::as_str).is_some_and(|m| m.starts_with(&self.model));
        let since = task.get("createdAt").and_then(Value::as_str).and_then(crate::time::parse_iso8601);
        // A minute of clock difference between this machine and the server is allowed.
        let window = if precheck { 24.0 * 3_600_000.0 } else { 60_000.0 };
        let recent = since.is_some_and(|t| t >= self.now_ms - window);
        model_matches && recent && same_input()
    }

    fn on_quote(&mut self, env: Envelope) -> Step {
        let quote = match env.outcome {
            Ok(reply) => reply.data,
            Err(e) if e.code == ErrorCode::UnsupportedByServer => {
                // No quote on this server: the local estimate, where the model has one.
                return match self.estimate.as_ref().and_then(|e| e.credits) {
                    Some(local) => self.after_price(local, "local estimate"),
                    None => {
                        self.stage = Stage::Finished;
                        let msg = format!(
                            "this server has no quote endpoint, and {} is priced only by the server, so maxCredits \
                             cannot be checked: nothing was sent. Remove maxCredits to create without a price check",
                            self.model
                        );
                        done(Error::new(ErrorCode::UnsupportedByServer, msg))
                    }
                };
            }
            Err(_) => return Step::Done(env),
        };
        if quote.get("affordable") == Some(&Value::Bool(false)) {
            self.stage = Stage::Finished;
            let msg = "the quote says the balance cannot pay for this generation: nothing was sent or charged";
            return done(
                Error::new(ErrorCode::InsufficientCredits, msg).with_data(Value::object(vec![("quote", quote)])),
            );
        }
        match quote.get("credits").and_then(Value::as_f64) {
            Some(c) => self.after_price(c.max(0.0) as u64, "quote"),
            None => self.send_create(),
        }
    }

    fn key(&self) -> String {
        self.headers.idempotency_key.clone().unwrap_or_default()
    }

    fn on_created(&mut self, mut env: Envelope, answer_lost: bool) -> Envelope {
        match &mut env.outcome {
            Ok(reply) => {
                let replay = reply.data.get("idempotentReplay") == Some(&Value::Bool(true));
                let credits = reply
                    .data
                    .get("creditsCharged")
                    .and_then(Value::as_f64)
                    .filter(|c| c.is_finite())
                    .or_else(|| self.estimate.as_ref().and_then(|e| e.credits).map(|c| c as f64))
                    .unwrap_or(0.0);
                self.charge = Some((credits.max(0.0), replay));
                let expected = self.spec.map_or(300_000.0, |s| expected_run_ms(s, &self.payload));
                let handle = Value::object(vec![
                    ("taskId", Value::opt_str(env.task_id.clone())),
                    ("model", Value::str(self.model.clone())),
                    ("idempotencyKey", Value::str(self.key())),
                    ("createdAt", Value::str(time::format_iso8601(self.now_ms))),
                    ("estimate", self.estimate.as_ref().map_or(Value::Null, Estimate::to_value)),
                    ("expectedMs", Value::Number(expected)),
                ]);
                if let Value::Object(entries) = &mut reply.data {
                    entries.push(("handle".to_string(), handle));
                }
            }
            Err(e) if e.code == ErrorCode::IdempotencyConflict => {
                e.message = format!(
                    "the idempotency key {} was already used with a different payload, so the server refused to \
                     create a second task under it; nothing was charged. Pass a new idempotencyKey (or an \
                     idempotencyScope) for a new generation, or resend the original payload to get its task back",
                    self.key()
                );
            }
            // Only when an answer was lost: a 429 (or any answered refusal) created nothing.
            Err(e) if answer_lost && (crate::retry::is_transient(e.code) || e.code == ErrorCode::Aborted) => {
                // The server may have created (and billed) the task before the answer was lost.
                // The key is how to get that task back without paying twice.
                let key = self.key();
                e.message = format!(
                    "{}. The task may have been created before the answer was lost: send the same payload again \
                     with idempotencyKey \"{key}\" to get it back without a second charge",
                    e.message
                );
                e.data = Value::object(vec![("idempotencyKey", Value::str(key)), ("maybeCreated", Value::Bool(true))]);
            }
            Err(_) => {}
        }
        env
    }

    /// The idempotency key this create was sent under.
    pub fn idempotency_key(&self) -> String {
        self.key()
    }

    /// Credits to add to the client's spend: what the task was charged, once per task
    /// (`already_counted`: the client has counted this task before, from an earlier answer).
    /// A replay whose first answer was lost is still counted, once.
    pub fn charged(&self, already_counted: bool) -> f64 {
        match self.charge {
            Some((credits, _)) if !already_counted => credits,
            _ => 0.0,
        }
    }
}

/// Where `v` holds something JSON cannot carry (a function, a too-long string…), and what.
fn unsendable(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::Unsupported(_) => {
            Some(format!("{} is {}", if path.is_empty() { "the payload" } else { path }, v.describe()))
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| unsendable(item, &format!("{path}[{i}]"))),
        Value::Object(entries) => entries
            .iter()
            .find_map(|(k, item)| unsendable(item, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{classify, Body, HttpResponse};
    use crate::request::ClientOptions;
    use crate::value::test_json::json;

    fn config() -> ClientConfig {
        ClientConfig::from_options(&ClientOptions {
            api_key: Some(Value::str("ak_test_0123456789abcdef")),
            base_url: Some(Value::str("https://api.test")),
            ..Default::default()
        })
        .unwrap() // ok: test
    }

    fn answer(action: Action, status: u16, body: &str) -> Envelope {
        let resp = HttpResponse::new(status, None, Body::Json(json(body)));
        classify(action, &resp, None, 0.0)
    }

    fn opts(extra: &str) -> CreateOptions {
        CreateOptions::read(&json(extra)).unwrap() // ok: test
    }

    fn t2v() -> Rc<Value> {
        Rc::new(json(r#"{"prompt":"a fox","aspectRatio":"16:9","duration":"5"}"#))
    }

    #[test]
    fn unchecked_creates_still_refuse_what_json_cannot_carry() {
        let payload = Value::object(vec![
            ("prompt", Value::str("a")),
            ("extra", Value::Array(vec![Value::Null, Value::Unsupported("function".into())])),
        ]);
        let (_, step) =
            CreateFlow::start(&config(), "t2v", payload.into(), &opts(r#"{"validate":false}"#), None, 0.0, "k");
        let Step::Done(env) = step else { panic!("{step:?}") };
        let e = env.outcome.err().unwrap_or_else(|| panic!("refused"));
        assert_eq!(e.code, ErrorCode::InvalidPayload);
        assert!(e.message.contains("extra[1] is a function"), "{}", e.message);
    }

    #[test]
    fn a_valid_payload_is_sent_with_a_fresh_key_and_gets_a_handle() {
        let (mut flow, step) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0, "0123456789abcdef0123456789abcdef");
        let Step::Send { request, action: Action::Create } = step else { panic!("{step:?}") };
        let key = request.header("idempotency-key").map(str::to_string);
        assert_eq!(key.as_deref(), Some("aiv1-t2v-0123456789abcdef0123456789abcdef"), "a fresh key per call");
        let (derived, first) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts(r#"{"idempotencyKey":"derived"}"#), None, 0.0, "x");
        assert!(matches!(first, Step::Send { action: Action::List, .. }), "a keyed create looks for its task first");
        assert_eq!(derived.idempotency_key(), derive_key("t2v", &t2v(), None));
        let step = flow.on_answer(
            answer(
                Action::Create,
                200,
                r#"{"status":"SUBMITTED","taskId":"t1","creditsCharged":15,"idempotentReplay":false}"#,
            ),
            false,
            0.5,
        );
        let Step::Done(env) = step else { panic!() };
        let handle = env.data().get("handle").cloned().unwrap_or_default();
        assert_eq!(handle.get("taskId").and_then(Value::as_str), Some("t1"));
        assert_eq!(handle.get("idempotencyKey").and_then(Value::as_str), key.as_deref());
        assert_eq!(flow.charged(false), 15.0);
    }

    #[test]
    fn a_replay_is_paid_once_even_when_the_first_answer_was_lost() {
        let (mut flow, _) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0, "0123456789abcdef0123456789abcdef");
        flow.on_answer(
            answer(
                Action::Create,
                200,
                r#"{"status":"SUBMITTED","taskId":"t1","creditsCharged":15,"idempotentReplay":true}"#,
            ),
            true,
            0.5,
        );
        assert_eq!(flow.charged(false), 15.0, "first answer lost: the replay is the only one seen");
        assert_eq!(flow.charged(true), 0.0, "already counted from the first answer");
        let (mut flow, _) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0, "0123456789abcdef0123456789abcdef");
        flow.on_answer(answer(Action::Create, 200, r#"{"status":"SUBMITTED","taskId":"t2"}"#), false, 0.5);
        assert_eq!(flow.charged(false), 15.0, "no creditsCharged: the estimate");
    }

    #[test]
    fn a_keyed_create_adopts_its_task_before_sending_and_leaves_conflicts_to_the_server() {
        let keyed = opts(r#"{"idempotencyKey":"job-777777"}"#);
        let list = |body: &str| answer(Action::List, 200, body);
        let mine = r#"{"tasks":[{"id":"t1","idempotencyKey":"job-777777","input":{"prompt":"a fox","aspectRatio":"16:9","duration":"5"},"creditsCharged":15}]}"#;
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k");
        let Step::Done(env) = flow.on_answer(list(mine), false, 0.5) else { panic!() };
        assert_eq!((env.task_id.as_deref(), env.data().get("reconciled")), (Some("t1"), Some(&Value::Bool(true))));
        // The same key with another input: not ours; the server answers 409.
        let other = r#"{"tasks":[{"id":"t1","idempotencyKey":"job-777777","input":{"prompt":"else"}}]}"#;
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k");
        assert!(matches!(flow.on_answer(list(other), false, 0.5), Step::Send { action: Action::Create, .. }));
        // Another key: never ours, even with the same input.
        let theirs = r#"{"tasks":[{"id":"t1","idempotencyKey":"job-1","input":{"prompt":"a fox","aspectRatio":"16:9","duration":"5"}}]}"#;
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k");
        assert!(matches!(flow.on_answer(list(theirs), false, 0.5), Step::Send { action: Action::Create, .. }));
    }

    #[test]
    fn invalid_payloads_and_budgets_stop_before_anything_is_sent() {
        let bad = Rc::new(json(r#"{"prompt":"a","aspectRatio":"16:9","duration":5}"#));
        let (_, step) =
            CreateFlow::start(&config(), "t2v", bad, &opts("{}"), None, 0.0, "0123456789abcdef0123456789abcdef");
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::InvalidPayload)), "{step:?}");
        let (_, step) = CreateFlow::start(
            &config(),
            "t2v",
            t2v(),
            &opts(r#"{"maxCredits":20}"#),
            Some(10),
            0.0,
            "0123456789abcdef0123456789abcdef",
        );
        let Step::Done(env) = step else { panic!("{step:?}") };
        assert_eq!(env.code(), Some(ErrorCode::BudgetExceeded), "the client's lower budget wins");
        assert_eq!(env.data().get("maxCredits").and_then(Value::as_f64), Some(10.0));
    }

    #[test]
    fn server_priced_models_are_quoted_first_under_a_budget() {
        let payload = Rc::new(json(r#"{"prompt":"x","duration":5,"resolution":720,"ratio":"16:9"}"#));
        let (mut flow, step) = CreateFlow::start(
            &config(),
            "seedance20",
            payload,
            &opts(r#"{"maxCredits":50}"#),
            None,
            0.0,
            "0123456789abcdef0123456789abcdef",
        );
        assert!(matches!(step, Step::Send { action: Action::Quote, .. }), "{step:?}");
        let step = flow.on_answer(answer(Action::Quote, 200, r#"{"credits":80,"affordable":true}"#), false, 0.5);
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::BudgetExceeded)), "{step:?}");
    }

    #[test]
    fn a_lost_answer_is_reconciled_through_the_task_list_before_anything_is_sent_again() {
        let key_opts = opts(r#"{"idempotencyKey":"job-12345"}"#);
        let lost = || Envelope::failure(ErrorCode::NetworkError, "request failed");
        let list = |body: &str| answer(Action::List, 200, body);
        // Lost, not in the list: back off, send again; lost every time: say how to recover.
        let (mut flow, first) = CreateFlow::start(&config(), "t2v", t2v(), &key_opts, None, 0.0, "k");
        assert!(matches!(first, Step::Send { action: Action::List, .. }), "keyed: the list first");
        assert!(matches!(
            flow.on_answer(list(r#"{"tasks":[]}"#), false, 0.5),
            Step::Send { action: Action::Create, .. }
        ));
        for _ in 0..3 {
            assert!(matches!(flow.on_answer(lost(), true, 0.5), Step::Send { action: Action::List, .. }));
            assert!(matches!(flow.on_answer(list(r#"{"tasks":[]}"#), false, 0.5), Step::Sleep(_)));
            assert!(matches!(flow.after_sleep(), Step::Send { action: Action::Create, .. }));
        }
        let Step::Done(env) = flow.on_answer(lost(), true, 0.5) else { panic!() };
        assert_eq!(env.data().get("idempotencyKey").and_then(Value::as_str), Some("job-12345"));
        assert_eq!(env.data().get("maybeCreated"), Some(&Value::Bool(true)));
        assert_eq!(flow.charged(false), 0.0);
        // The list has it under our key: adopted, charged once, nothing sent again.
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &key_opts, None, 0.0, "k");
        flow.on_answer(list(r#"{"tasks":[]}"#), false, 0.5);
        flow.on_answer(lost(), true, 0.5);
        let found =
            list(r#"{"tasks":[{"id":"t7","status":"SUBMITTED","idempotencyKey":"job-12345","creditsCharged":15}]}"#);
        let Step::Done(env) = flow.on_answer(found, false, 0.5) else { panic!() };
        assert_eq!((env.is_ok(), env.task_id.as_deref()), (true, Some("t7")));
        assert_eq!(env.data().get("reconciled"), Some(&Value::Bool(true)));
        assert_eq!(flow.charged(false), 15.0);
        // A server that ignores keys: the same model and input, created since the first try.
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 1_000_000.0, "k");
        flow.on_answer(lost(), true, 0.5);
        let body = r#"{"tasks":[{"id":"old","model":"t2v","createdAt":"1970-01-01T00:00:00.000Z","input":{"prompt":"a fox","aspectRatio":"16:9","duration":"5"}},{"id":"t8","model":"t2v","createdAt":"1970-01-01T00:16:40.000Z","input":{"duration":"5","prompt":"a fox","aspectRatio":"16:9"}}]}"#;
        let Step::Done(env) = flow.on_answer(list(body), false, 0.5) else { panic!() };
        assert_eq!(env.task_id.as_deref(), Some("t8"), "the earlier identical task is not ours");
        // A 429 was answered: nothing was created, so nothing "may have been".
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0, "k");
        let mut step = flow.on_answer(Envelope::failure(ErrorCode::RateLimited, "429"), false, 0.5);
        while let Step::Sleep(_) = step {
            flow.after_sleep();
            step = flow.on_answer(Envelope::failure(ErrorCode::RateLimited, "429"), false, 0.5);
        }
        let Step::Done(env) = step else { panic!() };
        assert_eq!((env.code(), env.data().get("maybeCreated")), (Some(ErrorCode::RateLimited), None));
        // No quote endpoint: the local estimate decides, or a server-priced model is refused.
        let (mut flow, _) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts(r#"{"maxCredits":50,"quoteFirst":true}"#), None, 0.0, "k");
        let step = flow.on_answer(Envelope::failure(ErrorCode::UnsupportedByServer, "404"), false, 0.5);
        assert!(matches!(step, Step::Send { action: Action::Create, .. }), "{step:?}");
        let seed = Rc::new(json(r#"{"prompt":"x","duration":5,"resolution":720,"ratio":"16:9"}"#));
        let (mut flow, _) =
            CreateFlow::start(&config(), "seedance20", seed, &opts(r#"{"maxCredits":50}"#), None, 0.0, "k");
        let step = flow.on_answer(Envelope::failure(ErrorCode::UnsupportedByServer, "404"), false, 0.5);
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::UnsupportedByServer)), "{step:?}");
    }
}
