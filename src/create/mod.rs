//! Creating a task without ever charging twice or over budget, as a pure flow.
//!
//! Validate offline (once: the result is kept) → when this key was sent before (this client's
//! ledger, or the caller's `handle`), find what it made: read the task an answer named, else
//! look in `GET /tasks` → check the budget (the local estimate, or a free `quote` when only
//! the server prices the model or `quoteFirst` is set) → send with an `Idempotency-Key` and
//! `X-Max-Credits` → attach a resumable handle.
//!
//! The invariant (README, "Money safety"): a create is sent again only when the server is
//! known to deduplicate its key (it has answered a replay for it, or the caller declared
//! `serverDeduplicates`) or a successful list read shows that no task from this logical
//! create exists (`crate::reconcile` says which tasks are its). When neither can be shown
//! the flow stops with `maybeCreated`, the key and a handle: it never guesses by sending.
//!
//! Shaped like `Poller`: the edge asks `start` for the first step, executes each
//! `Step::Send` (a create once: its retries are decided here) and hands the envelope to
//! `on_answer` until `Step::Done`; it records `sent()` in its ledger before each create and
//! at the end. Must not: perform I/O or read the clock (`now_ms` is passed in).
//!
//! The answers (`recover.rs`) and what a finished create reports (`outcome.rs`) are beside it.
//!
//! Size: its unit tests are kept here, beside the flow they test.

use crate::classify::Action;
use crate::contract;
use crate::contract::ModelSpec;
use crate::credits::{estimate, over_budget, price_check, Estimate, PriceCheck};
use crate::envelope::Envelope;
use crate::error::{Error, ErrorCode};
use crate::idempotency::{derive_key, request_digest};
use crate::options::CreateOptions;
use crate::reconcile::{Ledger, Sent};
use crate::request::{ApiRequest, ClientConfig, GenerateHeaders};
use crate::validate::validate_payload;
use crate::value::Value;
use std::rc::Rc;

pub mod outcome;
mod recover;

/// `idempotencyKey: "derived"`: the key derived from model + payload + `idempotencyScope`, so
/// the same request from another process or a re-run script is the same generation.
pub const DERIVED: &str = "derived";

/// What the edge does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this request and pass the envelope back: a create once (its retries are the
    /// flow's), a quote, list or task read with the client's retries. A create's body is the
    /// payload that was validated and priced, serialized from that value.
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
    /// The key made a task an earlier answer named: reading it instead of creating.
    Reading,
    /// The key was sent before and no answer named a task: looking for it in `GET /tasks`.
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
    /// The server's price, when it was quoted.
    quoted: Option<u64>,
    stage: Stage,
    now_ms: f64,
    /// What is known of this key: its first send, its task, whether the server replays it.
    sent: Sent,
    /// Whether the key was sent before this call (else nothing is ever adopted for it).
    sent_before: bool,
    /// Tasks other keys of this client made: never adopted.
    claimed: Vec<String>,
    /// What the create's answer charged (or, when it did not say, the estimate), and
    /// whether it was a replay of an earlier create under the same key.
    charge: Option<(f64, bool)>,
    /// Create attempts re-sent so far, the backoff before the next, whether a task may exist
    /// that no answer named (an answer lost, or an earlier call's), and the last lost answer.
    retries: u32,
    pending_delay: f64,
    any_lost: bool,
    last_lost: Option<Envelope>,
    /// Out of retries: the list read after the last lost answer is the last step.
    giving_up: bool,
    quote_first: bool,
    reconcile: bool,
    server_deduplicates: bool,
    /// Per attempt: the call's `timeoutMs`, else the client's.
    timeout_ms: f64,
}

pub(super) fn done(e: impl Into<Error>) -> Step {
    Step::Done(Envelope::from(e.into()))
}

impl CreateFlow {
    /// The first step. `client_max_credits` is the client's default budget (the lower of it
    /// and the call's applies); `fresh_key` is 32 random hex digits from the edge, the key of
    /// this call unless the caller names one; `ledger` is what this client knows of the keys
    /// it has sent.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        config: &ClientConfig,
        model: &str,
        payload: Rc<Value>,
        opts: &CreateOptions,
        client_max_credits: Option<u64>,
        now_ms: f64,
        fresh_key: &str,
        ledger: &Ledger,
    ) -> (CreateFlow, Step) {
        let mut flow = CreateFlow {
            config: config.clone(),
            model: model.to_string(),
            payload,
            spec: None,
            estimate: None,
            headers: GenerateHeaders::default(),
            max_credits: None,
            quoted: None,
            stage: Stage::Finished,
            now_ms,
            sent: Sent { key: String::new(), first_sent_ms: now_ms, task_id: None, deduplicated: false, digest: None },
            sent_before: false,
            claimed: Vec::new(),
            charge: None,
            retries: 0,
            pending_delay: 0.0,
            any_lost: false,
            last_lost: None,
            giving_up: false,
            quote_first: opts.quote_first,
            reconcile: opts.reconcile,
            server_deduplicates: opts.server_deduplicates,
            timeout_ms: opts.call.timeout_ms.unwrap_or(config.timeout_ms),
        };
        let step = flow.plan(opts, client_max_credits, fresh_key, ledger);
        (flow, step)
    }

    fn plan(
        &mut self,
        opts: &CreateOptions,
        client_max_credits: Option<u64>,
        fresh_key: &str,
        ledger: &Ledger,
    ) -> Step {
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
        // the caller names a key, asks for the one derived from model + payload + scope, or
        // passes the handle of an earlier attempt.
        let key = match (opts.idempotency_key.as_deref(), &opts.handle) {
            (Some(DERIVED), _) => derive_key(&self.model, &self.payload, opts.idempotency_scope.as_deref()),
            (Some(k), _) => k.to_string(),
            (None, Some(h)) => h.key.clone(),
            (None, None) => format!("aiv1-{}-{}", self.model, fresh_key),
        };
        if let Some(h) = opts.handle.as_ref().filter(|h| h.key != key) {
            let msg = format!(
                "handle.idempotencyKey is {} but this create's key is {key}: pass the handle without an \
                 idempotencyKey, or the key the handle names",
                h.key
            );
            return done(Error::new(ErrorCode::InvalidArgument, msg));
        }
        self.sent.key.clone_from(&key);
        for known in ledger.get(&key).into_iter().chain(opts.handle.as_ref()) {
            self.sent.merge(known);
            self.sent_before = true;
        }
        let digest = request_digest(&self.model, &self.payload);
        let same_request = self.sent.digest.as_ref().map(|d| *d == digest);
        self.sent.digest.get_or_insert(digest);
        self.claimed = ledger.claimed_by_others(&key);
        self.max_credits = match (opts.max_credits, client_max_credits) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.headers = GenerateHeaders {
            idempotency_key: Some(key),
            max_credits: self.max_credits,
            webhook_url: opts.webhook_url.clone(),
        };
        if !self.sent_before {
            return self.price();
        }
        // Sent before: what did it make?
        if let Some(id) = self.sent.task_id.clone() {
            // The request this client made under the key: its task, as a server's replay
            // answers (nothing upstream); another request under it: the server judges.
            match same_request {
                Some(true) => return self.adopt(&Value::object(vec![("id", Value::str(id))]), true),
                Some(false) => return self.price(),
                None => {}
            }
            return match self.config.get_task(&id) {
                Ok(request) => {
                    self.stage = Stage::Reading;
                    Step::Send { request, action: Action::Task }
                }
                Err(e) => done(e),
            };
        }
        self.any_lost = true;
        if self.deduplicates() {
            return self.price();
        }
        if !self.reconcile {
            let why = "reconcile is off, so the task list was not read";
            return Step::Done(self.maybe_created(None, why));
        }
        self.stage = Stage::Prechecking;
        Step::Send { request: self.config.list_tasks(), action: Action::List }
    }

    /// The tasks other keys of this client made, as of now (before a list answer is read:
    /// another create may have adopted one since this one started).
    pub fn claimed_by_others(&mut self, claimed: Vec<String>) {
        self.claimed = claimed;
    }

    /// The server said it reconciles creates by key (an aivideo proxy): it deduplicates.
    pub fn server_reconciles_keys(&mut self) {
        self.server_deduplicates = true;
    }

    /// Whether the server is known to deduplicate this key.
    fn deduplicates(&self) -> bool {
        self.server_deduplicates || self.sent.deduplicated
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
    /// spreads the backoff.
    pub fn on_answer(&mut self, env: Envelope, answer_lost: bool, jitter: f64) -> Step {
        match self.stage {
            Stage::Reading => self.on_read(env),
            Stage::Quoting => self.on_quote(env),
            Stage::Creating => self.on_create_answer(env, answer_lost, jitter),
            Stage::Reconciling | Stage::Prechecking => self.on_list(env),
            Stage::Finished => Step::Done(env),
        }
    }

    /// The caller gave up (aborted) before the flow finished: if a task may exist that no
    /// answer named, the envelope says how to get it back.
    pub fn abandoned(&mut self, env: Envelope) -> Envelope {
        self.stage = Stage::Finished;
        self.on_created(env, self.any_lost)
    }

    /// After a `Step::Sleep`: the create again, under the same key.
    pub fn after_sleep(&mut self) -> Step {
        self.send_create()
    }

    fn key(&self) -> String {
        self.sent.key.clone()
    }

    /// The idempotency key this create was sent under.
    pub fn idempotency_key(&self) -> String {
        self.key()
    }

    /// What to record in the client's ledger: the key once it is (about to be) sent, or
    /// was sent before; `None` for a create that never reached sending.
    pub fn sent(&self) -> Option<&Sent> {
        let sending = self.sent_before || self.any_lost || self.charge.is_some() || self.stage == Stage::Creating;
        sending.then_some(&self.sent)
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
    use crate::reconcile::Sent;
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

    /// A t2v create under the options `o`, by a client that has sent nothing yet (its fresh
    /// key would be `aiv1-t2v-k`).
    fn fresh(o: &str) -> (CreateFlow, Step) {
        CreateFlow::start(&config(), "t2v", t2v(), &opts(o), None, 0.0, "k", &Ledger::default())
    }

    /// A server-priced create (seedance20) under the options `o`.
    fn seedance(o: &str) -> (CreateFlow, Step) {
        let payload = Rc::new(json(r#"{"prompt":"x","duration":5,"resolution":720,"ratio":"16:9"}"#));
        CreateFlow::start(&config(), "seedance20", payload, &opts(o), None, 0.0, "k", &Ledger::default())
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
        let (_, step) = CreateFlow::start(
            &config(),
            "t2v",
            payload.into(),
            &opts(r#"{"validate":false}"#),
            None,
            0.0,
            "k",
            &Ledger::default(),
        );
        let Step::Done(env) = step else { panic!("{step:?}") };
        let e = env.outcome.err().unwrap_or_else(|| panic!("refused"));
        assert_eq!(e.code, ErrorCode::InvalidPayload);
        assert!(e.message.contains("extra[1] is a function"), "{}", e.message);
    }

    #[test]
    fn a_valid_payload_is_sent_with_a_fresh_key_and_gets_a_handle() {
        let fresh_key = "0123456789abcdef0123456789abcdef";
        let (mut flow, step) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0, fresh_key, &Ledger::default());
        let Step::Send { request, action: Action::Create } = step else { panic!("{step:?}") };
        let key = request.header("idempotency-key").map(str::to_string);
        assert_eq!(key.as_deref(), Some("aiv1-t2v-0123456789abcdef0123456789abcdef"), "a fresh key per call");
        let (derived, first) = CreateFlow::start(
            &config(),
            "t2v",
            t2v(),
            &opts(r#"{"idempotencyKey":"derived"}"#),
            None,
            0.0,
            "x",
            &Ledger::default(),
        );
        assert!(matches!(first, Step::Send { action: Action::Create, .. }), "a key never sent adopts nothing");
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
        let (mut flow, _) = fresh("{}");
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
        let (mut flow, _) = fresh("{}");
        flow.on_answer(answer(Action::Create, 200, r#"{"status":"SUBMITTED","taskId":"t2"}"#), false, 0.5);
        assert_eq!(flow.charged(false), 15.0, "no creditsCharged: the estimate");
    }

    fn ledger_with(first_sent_ms: f64, task_id: Option<&str>) -> Ledger {
        let mut ledger = Ledger::default();
        let sent = Sent {
            key: "job-777777".into(),
            first_sent_ms,
            task_id: task_id.map(Into::into),
            deduplicated: false,
            digest: None,
        };
        ledger.record(&sent);
        ledger
    }

    #[test]
    fn a_key_sent_before_adopts_its_task_and_a_new_key_is_always_a_new_generation() {
        let keyed = opts(r#"{"idempotencyKey":"job-777777"}"#);
        let list = |body: &str| answer(Action::List, 200, body);
        let mine = r#"{"tasks":[{"id":"t1","idempotencyKey":"job-777777","input":{"prompt":"a fox","aspectRatio":"16:9","duration":"5"},"creditsCharged":15}]}"#;
        // Never sent by this client: sent, whatever the list holds.
        let (_, step) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &Ledger::default());
        assert!(matches!(step, Step::Send { action: Action::Create, .. }), "{step:?}");
        // Sent before with no task named: the list first, and its task is adopted as a replay.
        let (mut flow, step) =
            CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger_with(0.0, None));
        assert!(matches!(step, Step::Send { action: Action::List, .. }), "{step:?}");
        let Step::Done(env) = flow.on_answer(list(mine), false, 0.5) else { panic!() };
        assert_eq!((env.task_id.as_deref(), env.data().get("reconciled")), (Some("t1"), Some(&Value::Bool(true))));
        assert_eq!(env.data().get("idempotentReplay"), Some(&Value::Bool(true)), "an earlier call made it");
        // The same key with another input: not ours; the server answers 409.
        let other = r#"{"tasks":[{"id":"t1","idempotencyKey":"job-777777","input":{"prompt":"else"}}]}"#;
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger_with(0.0, None));
        assert!(matches!(flow.on_answer(list(other), false, 0.5), Step::Send { action: Action::Create, .. }));
        // The list cannot be read: nothing is sent, and the envelope says how to recover.
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger_with(0.0, None));
        let Step::Done(env) = flow.on_answer(Envelope::failure(ErrorCode::UpstreamError, "HTTP 503"), false, 0.5)
        else {
            panic!()
        };
        assert_eq!(env.data().get("maybeCreated"), Some(&Value::Bool(true)));
        let handle = env.data().get("handle").cloned().unwrap_or_default();
        assert_eq!(handle.get("idempotencyKey").and_then(Value::as_str), Some("job-777777"));
        assert_eq!(handle.get("createdAt").and_then(Value::as_str), Some("1970-01-01T00:00:00.000Z"));
        // The caller's handle stands for the ledger (another process); a conflicting key is refused.
        let with_handle =
            opts(r#"{"handle":{"idempotencyKey":"job-777777","createdAt":"2026-01-01T00:00:00Z","taskId":null}}"#);
        let (flow, step) = CreateFlow::start(&config(), "t2v", t2v(), &with_handle, None, 0.0, "k", &Ledger::default());
        assert!(matches!(step, Step::Send { action: Action::List, .. }), "{step:?}");
        assert_eq!(flow.idempotency_key(), "job-777777");
        let clash = opts(r#"{"idempotencyKey":"job-1111111","handle":{"idempotencyKey":"job-777777","createdAt":0}}"#);
        let (_, step) = CreateFlow::start(&config(), "t2v", t2v(), &clash, None, 0.0, "k", &Ledger::default());
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::InvalidArgument)), "{step:?}");
    }

    #[test]
    fn a_key_whose_task_is_known_reads_that_task_instead_of_creating() {
        let keyed = opts(r#"{"idempotencyKey":"job-777777"}"#);
        let ledger = ledger_with(0.0, Some("t9"));
        let (mut flow, step) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger);
        let Step::Send { request, action: Action::Task } = step else { panic!("{step:?}") };
        assert!(request.log_line().contains("/tasks/t9"), "{}", request.log_line());
        let read = answer(Action::Task, 200, r#"{"id":"t9","status":"COMPLETED","creditsCharged":15}"#);
        let Step::Done(env) = flow.on_answer(read, false, 0.5) else { panic!() };
        assert_eq!((env.task_id.as_deref(), env.status.as_deref()), (Some("t9"), Some("COMPLETED")));
        // Another payload under the key: sent, for the server to judge (409 where it keeps keys).
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger);
        let other = answer(Action::Task, 200, r#"{"id":"t9","status":"COMPLETED","input":{"prompt":"else"}}"#);
        assert!(matches!(flow.on_answer(other, false, 0.5), Step::Send { action: Action::Create, .. }));
        assert_eq!(env.data().get("idempotentReplay"), Some(&Value::Bool(true)));
        // The request this client made under the key: its task, with nothing sent upstream.
        let mut mine = Ledger::default();
        let digest = Some(request_digest("t2v", &t2v()));
        mine.record(&Sent {
            key: "job-777777".into(),
            first_sent_ms: 0.0,
            task_id: Some("t9".into()),
            deduplicated: false,
            digest,
        });
        let (_, step) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &mine);
        let Step::Done(env) = step else { panic!("{step:?}") };
        assert_eq!(
            (env.task_id.as_deref(), env.data().get("idempotentReplay")),
            (Some("t9"), Some(&Value::Bool(true)))
        );
        let other = Rc::new(json(r#"{"prompt":"another","aspectRatio":"16:9","duration":"5"}"#));
        let (_, step) = CreateFlow::start(&config(), "t2v", other, &keyed, None, 0.0, "k", &mine);
        assert!(matches!(step, Step::Send { action: Action::Create, .. }), "another request under the key: sent");
        // Gone: a new task is made; unreadable: nothing is sent, the task is named.
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger);
        let gone = answer(Action::Task, 404, r#"{"errorCode":"TASK_NOT_FOUND","message":"Task not found"}"#);
        assert!(matches!(flow.on_answer(gone, false, 0.5), Step::Send { action: Action::Create, .. }));
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &keyed, None, 0.0, "k", &ledger);
        let step = flow.on_answer(Envelope::failure(ErrorCode::NetworkError, "reset"), false, 0.5);
        let Step::Done(env) = step else { panic!("{step:?}") };
        assert_eq!((env.is_ok(), env.task_id.as_deref()), (false, Some("t9")));
    }

    #[test]
    fn invalid_payloads_and_budgets_stop_before_anything_is_sent() {
        let bad = Rc::new(json(r#"{"prompt":"a","aspectRatio":"16:9","duration":5}"#));
        let (_, step) = CreateFlow::start(
            &config(),
            "t2v",
            bad,
            &opts("{}"),
            None,
            0.0,
            "0123456789abcdef0123456789abcdef",
            &Ledger::default(),
        );
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::InvalidPayload)), "{step:?}");
        let (_, step) = CreateFlow::start(
            &config(),
            "t2v",
            t2v(),
            &opts(r#"{"maxCredits":20}"#),
            Some(10),
            0.0,
            "0123456789abcdef0123456789abcdef",
            &Ledger::default(),
        );
        let Step::Done(env) = step else { panic!("{step:?}") };
        assert_eq!(env.code(), Some(ErrorCode::BudgetExceeded), "the client's lower budget wins");
        assert_eq!(env.data().get("maxCredits").and_then(Value::as_f64), Some(10.0));
    }

    #[test]
    fn server_priced_models_are_quoted_first_under_a_budget() {
        let (mut flow, step) = seedance(r#"{"maxCredits":50}"#);
        assert!(matches!(step, Step::Send { action: Action::Quote, .. }), "{step:?}");
        let step = flow.on_answer(answer(Action::Quote, 200, r#"{"credits":80,"affordable":true}"#), false, 0.5);
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::BudgetExceeded)), "{step:?}");
    }

    #[test]
    fn a_lost_answer_is_sent_again_only_once_a_list_read_shows_no_task() {
        let lost = || Envelope::failure(ErrorCode::NetworkError, "request failed");
        let list = |body: &str| answer(Action::List, 200, body);
        // Lost, not in the list: back off, send again; lost every time: say how to recover.
        let (mut flow, _) = fresh("{}");
        for _ in 0..3 {
            assert!(matches!(flow.on_answer(lost(), true, 0.5), Step::Send { action: Action::List, .. }));
            assert!(matches!(flow.on_answer(list(r#"{"tasks":[]}"#), false, 0.5), Step::Sleep(_)));
            assert!(matches!(flow.after_sleep(), Step::Send { action: Action::Create, .. }));
        }
        // Out of retries: one last look; absent, a plain failure (nothing was created).
        assert!(matches!(flow.on_answer(lost(), true, 0.5), Step::Send { action: Action::List, .. }));
        let Step::Done(env) = flow.on_answer(list(r#"{"tasks":[]}"#), false, 0.5) else { panic!() };
        assert_eq!((env.code(), env.data().get("maybeCreated")), (Some(ErrorCode::NetworkError), None));
        // Out of retries and the list fails: maybe created, with the key and a handle.
        let (mut flow, _) = fresh("{}");
        for _ in 0..3 {
            flow.on_answer(lost(), true, 0.5);
            flow.on_answer(list(r#"{"tasks":[]}"#), false, 0.5);
            flow.after_sleep();
        }
        flow.on_answer(lost(), true, 0.5);
        let Step::Done(env) = flow.on_answer(Envelope::failure(ErrorCode::UpstreamError, "503"), false, 0.5) else {
            panic!()
        };
        assert_eq!(env.data().get("maybeCreated"), Some(&Value::Bool(true)));
        assert_eq!(flow.sent().map(|s| s.key.as_str()), Some("aiv1-t2v-k"), "recorded: a rerun reconciles");
        assert_eq!(flow.charged(false), 0.0);
        // Lost, and the list fails too: stop, never guess by sending.
        for failed in [Envelope::failure(ErrorCode::UpstreamError, "HTTP 503"), list(r#"{"error":"x"}"#)] {
            let (mut flow, _) = fresh("{}");
            flow.on_answer(lost(), true, 0.5);
            let Step::Done(env) = flow.on_answer(failed, false, 0.5) else { panic!() };
            assert_eq!(env.data().get("maybeCreated"), Some(&Value::Bool(true)));
            assert!(env.message().unwrap_or_default().contains("nothing was sent again"), "{:?}", env.message());
        }
        // reconcile: false: stop at the first lost answer.
        let (mut flow, _) = fresh(r#"{"reconcile":false}"#);
        let Step::Done(env) = flow.on_answer(lost(), true, 0.5) else { panic!() };
        assert_eq!(env.data().get("maybeCreated"), Some(&Value::Bool(true)));
        // A server that says it deduplicates while the list is unreadable (an aivideo proxy):
        // sent again under the key.
        let (mut flow, _) = fresh("{}");
        flow.on_answer(lost(), true, 0.5);
        flow.server_reconciles_keys();
        let forbidden = Envelope::failure(ErrorCode::AuthFailed, "the task list is for admins");
        assert!(matches!(flow.on_answer(forbidden, false, 0.5), Step::Sleep(_)));
        assert!(matches!(flow.after_sleep(), Step::Send { action: Action::Create, .. }));
        // A server declared (or seen) to deduplicate: sent again under the key, no list read.
        let (mut flow, _) = fresh(r#"{"serverDeduplicates":true}"#);
        assert!(matches!(flow.on_answer(lost(), true, 0.5), Step::Sleep(_)));
        let (mut flow, _) = fresh("{}");
        let replay = r#"{"status":"SUBMITTED","taskId":"t1","creditsCharged":15,"idempotentReplay":true}"#;
        flow.on_answer(answer(Action::Create, 200, replay), false, 0.5);
        assert_eq!(flow.sent().map(|s| s.deduplicated), Some(true));
        // The list has it under our key: adopted, charged once, nothing sent again.
        let (mut flow, _) = fresh("{}");
        flow.on_answer(lost(), true, 0.5);
        let found = list(
            r#"{"tasks":[{"id":"t7","status":"SUBMITTED","idempotencyKey":"aiv1-t2v-k","creditsCharged":15,"input":{"prompt":"a fox","aspectRatio":"16:9","duration":"5"}}]}"#,
        );
        let Step::Done(env) = flow.on_answer(found, false, 0.5) else { panic!() };
        assert_eq!((env.is_ok(), env.task_id.as_deref()), (true, Some("t7")));
        assert_eq!(env.data().get("idempotentReplay"), Some(&Value::Bool(false)), "this call made it");
        assert_eq!(flow.charged(false), 15.0);
        // A server that ignores keys: the same model and input, created since the first try.
        let (mut flow, _) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 1_000_000.0, "k", &Ledger::default());
        flow.on_answer(lost(), true, 0.5);
        let body = r#"{"tasks":[{"id":"old","model":"t2v","createdAt":"1970-01-01T00:00:00.000Z","input":{"prompt":"a fox","aspectRatio":"16:9","duration":"5"}},{"id":"t8","model":"t2v","createdAt":"1970-01-01T00:16:40.000Z","input":{"duration":"5","prompt":"a fox","aspectRatio":"16:9"}}]}"#;
        let Step::Done(env) = flow.on_answer(list(body), false, 0.5) else { panic!() };
        assert_eq!(env.task_id.as_deref(), Some("t8"), "the earlier identical task is not ours");
        // A 429 was answered: nothing was created, so nothing "may have been".
        let (mut flow, _) = fresh("{}");
        let mut step = flow.on_answer(Envelope::failure(ErrorCode::RateLimited, "429"), false, 0.5);
        while let Step::Sleep(_) = step {
            flow.after_sleep();
            step = flow.on_answer(Envelope::failure(ErrorCode::RateLimited, "429"), false, 0.5);
        }
        let Step::Done(env) = step else { panic!() };
        assert_eq!((env.code(), env.data().get("maybeCreated")), (Some(ErrorCode::RateLimited), None));
        assert!(flow.sent().is_none(), "a refused create is not recorded");
        // No quote endpoint: the local estimate decides, or a server-priced model is refused.
        let (mut flow, _) = fresh(r#"{"maxCredits":50,"quoteFirst":true}"#);
        let step = flow.on_answer(Envelope::failure(ErrorCode::UnsupportedByServer, "404"), false, 0.5);
        assert!(matches!(step, Step::Send { action: Action::Create, .. }), "{step:?}");
        let (mut flow, _) = seedance(r#"{"maxCredits":50}"#);
        let step = flow.on_answer(Envelope::failure(ErrorCode::UnsupportedByServer, "404"), false, 0.5);
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::UnsupportedByServer)), "{step:?}");
    }

    #[test]
    fn an_answer_without_a_usable_charge_counts_the_estimate_or_the_quote_never_zero() {
        for body in
            [r#"{"taskId":"t1"}"#, r#"{"taskId":"t1","creditsCharged":-40}"#, r#"{"taskId":"t1","creditsCharged":"x"}"#]
        {
            let (mut flow, _) =
                CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0, "k", &Ledger::default());
            flow.on_answer(answer(Action::Create, 200, body), false, 0.5);
            assert_eq!(flow.charged(false), 15.0, "{body}");
        }
        let (mut flow, _) = seedance(r#"{"maxCredits":90}"#);
        flow.on_answer(answer(Action::Quote, 200, r#"{"credits":80,"affordable":true}"#), false, 0.5);
        flow.on_answer(answer(Action::Create, 200, r#"{"taskId":"t2"}"#), false, 0.5);
        assert_eq!(flow.charged(false), 80.0, "server-priced: the quote");
    }
}
