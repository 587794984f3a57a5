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
use crate::request::{ApiRequest, ClientConfig, GenerateHeaders};
use crate::validate::validate_payload;
use crate::value::Value;
use crate::{contract, time};
use std::rc::Rc;

/// What the edge does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this request (retrying as the client's policy says) and pass the envelope back.
    /// Its body is the payload that was validated and priced, serialized from that value.
    Send {
        request: ApiRequest,
        action: Action,
    },
    Done(Envelope),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Quoting,
    Creating,
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
}

fn done(e: impl Into<Error>) -> Step {
    Step::Done(Envelope::from(e.into()))
}

impl CreateFlow {
    /// The first step. `client_max_credits` is the client's default budget (the lower of it
    /// and the call's applies).
    pub fn start(
        config: &ClientConfig,
        model: &str,
        payload: Rc<Value>,
        opts: &CreateOptions,
        client_max_credits: Option<u64>,
        now_ms: f64,
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
        };
        let step = flow.plan(opts, client_max_credits);
        (flow, step)
    }

    fn plan(&mut self, opts: &CreateOptions, client_max_credits: Option<u64>) -> Step {
        if opts.validate {
            match validate_payload(&self.model, &self.payload, &opts.limits) {
                Ok(v) => {
                    self.spec = Some(v.spec);
                    self.estimate = Some(v.estimate);
                }
                Err(rej) => return done(rej),
            }
        } else {
            self.spec = contract::model(&self.model);
            self.estimate = self.spec.map(|s| estimate(s, &self.payload));
        }
        let key = match &opts.idempotency_key {
            Some(k) => k.clone(),
            None => derive_key(&self.model, &self.payload, opts.idempotency_scope.as_deref()),
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
        let local = self.estimate.as_ref().and_then(|e| e.credits);
        match price_check(self.max_credits, opts.quote_first, local) {
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

    /// The answer to the last `Step::Send`.
    pub fn on_answer(&mut self, env: Envelope) -> Step {
        match self.stage {
            Stage::Quoting => self.on_quote(env),
            Stage::Creating => {
                self.stage = Stage::Finished;
                Step::Done(self.on_created(env))
            }
            Stage::Finished => Step::Done(env),
        }
    }

    fn on_quote(&mut self, env: Envelope) -> Step {
        let quote = match env.outcome {
            Ok(reply) => reply.data,
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

    fn on_created(&mut self, mut env: Envelope) -> Envelope {
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
            Err(e) if crate::retry::is_transient(e.code) => {
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

    /// Credits to add to the client's spend: what the task was charged, counted once. A
    /// replay is counted unless `already_counted` (the client saw the first answer): a
    /// create whose first answer was lost is still paid for once.
    pub fn charged(&self, already_counted: bool) -> f64 {
        match self.charge {
            Some((_, true)) if already_counted => 0.0,
            Some((credits, _)) => credits,
            None => 0.0,
        }
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
    fn a_valid_payload_is_sent_once_with_a_derived_key_and_gets_a_handle() {
        let (mut flow, step) = CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0);
        let Step::Send { request, action: Action::Create } = step else { panic!("{step:?}") };
        let key = request.header("idempotency-key").map(str::to_string);
        assert!(key.as_deref().is_some_and(|k| k.starts_with("aiv1-t2v-")));
        let step = flow.on_answer(answer(
            Action::Create,
            200,
            r#"{"status":"SUBMITTED","taskId":"t1","creditsCharged":15,"idempotentReplay":false}"#,
        ));
        let Step::Done(env) = step else { panic!() };
        let handle = env.data().get("handle").cloned().unwrap_or_default();
        assert_eq!(handle.get("taskId").and_then(Value::as_str), Some("t1"));
        assert_eq!(handle.get("idempotencyKey").and_then(Value::as_str), key.as_deref());
        assert_eq!(flow.charged(false), 15.0);
    }

    #[test]
    fn a_replay_is_paid_once_even_when_the_first_answer_was_lost() {
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0);
        flow.on_answer(answer(
            Action::Create,
            200,
            r#"{"status":"SUBMITTED","taskId":"t1","creditsCharged":15,"idempotentReplay":true}"#,
        ));
        assert_eq!(flow.charged(false), 15.0, "first answer lost: the replay is the only one seen");
        assert_eq!(flow.charged(true), 0.0, "already counted from the first answer");
        let (mut flow, _) = CreateFlow::start(&config(), "t2v", t2v(), &opts("{}"), None, 0.0);
        flow.on_answer(answer(Action::Create, 200, r#"{"status":"SUBMITTED","taskId":"t2"}"#));
        assert_eq!(flow.charged(false), 15.0, "no creditsCharged: the estimate");
    }

    #[test]
    fn invalid_payloads_and_budgets_stop_before_anything_is_sent() {
        let bad = Rc::new(json(r#"{"prompt":"a","aspectRatio":"16:9","duration":5}"#));
        let (_, step) = CreateFlow::start(&config(), "t2v", bad, &opts("{}"), None, 0.0);
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::InvalidPayload)), "{step:?}");
        let (_, step) = CreateFlow::start(&config(), "t2v", t2v(), &opts(r#"{"maxCredits":20}"#), Some(10), 0.0);
        let Step::Done(env) = step else { panic!("{step:?}") };
        assert_eq!(env.code(), Some(ErrorCode::BudgetExceeded), "the client's lower budget wins");
        assert_eq!(env.data().get("maxCredits").and_then(Value::as_f64), Some(10.0));
    }

    #[test]
    fn server_priced_models_are_quoted_first_under_a_budget() {
        let payload = Rc::new(json(r#"{"prompt":"x","duration":5,"resolution":720,"ratio":"16:9"}"#));
        let (mut flow, step) =
            CreateFlow::start(&config(), "seedance20", payload, &opts(r#"{"maxCredits":50}"#), None, 0.0);
        assert!(matches!(step, Step::Send { action: Action::Quote, .. }), "{step:?}");
        let step = flow.on_answer(answer(Action::Quote, 200, r#"{"credits":80,"affordable":true}"#));
        assert!(matches!(step, Step::Done(ref e) if e.code() == Some(ErrorCode::BudgetExceeded)), "{step:?}");
    }

    #[test]
    fn a_lost_answer_says_how_to_recover_the_task() {
        let (mut flow, _) =
            CreateFlow::start(&config(), "t2v", t2v(), &opts(r#"{"idempotencyKey":"job-12345"}"#), None, 0.0);
        let lost = Envelope::failure(ErrorCode::NetworkError, "request failed");
        let Step::Done(env) = flow.on_answer(lost) else { panic!() };
        assert_eq!(env.data().get("idempotencyKey").and_then(Value::as_str), Some("job-12345"));
        assert_eq!(env.data().get("maybeCreated"), Some(&Value::Bool(true)));
        assert_eq!(flow.charged(false), 0.0);
    }
}
