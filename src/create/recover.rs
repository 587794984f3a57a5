//! The create flow's answers to a quote, a create, a task read and a list read: when a lost answer
//! may be sent again, what is adopted, and when the flow stops with `maybeCreated` (the
//! invariant in `super`'s header). Must not: perform I/O or read the clock.

use super::{done, CreateFlow, Stage, Step};
use crate::classify::Action;
use crate::envelope::Envelope;
use crate::error::{Error, ErrorCode};
use crate::reconcile::{Found, Search};
use crate::request::RetryClass;
use crate::retry::{RetryDecision, RetryPolicy};
use crate::value::Value;

impl CreateFlow {
    pub(super) fn on_create_answer(&mut self, env: Envelope, answer_lost: bool, jitter: f64) -> Step {
        // A 2xx the client could not read, or a success naming no task: the server took the
        // create, and what it made is unknown, so it is a lost answer.
        let (env, answer_lost) = match (env.is_ok(), env.task_id.is_some(), env.http_status()) {
            (true, false, http) => {
                let msg = format!("HTTP {} to the create named no task", http.unwrap_or(200));
                (Envelope::failure(ErrorCode::UpstreamError, msg), true)
            }
            (false, _, Some(200..=299)) => (env, true),
            _ => (env, answer_lost),
        };
        self.any_lost |= answer_lost;
        let Some(err) = env.error() else {
            if env.data().get("idempotentReplay") == Some(&Value::Bool(true)) {
                self.sent.deduplicated = true;
            }
            self.stage = Stage::Finished;
            return Step::Done(self.on_created(env, self.any_lost));
        };
        let policy = RetryPolicy::for_call(&self.config, None, self.timeout_ms);
        let retry_after = err.retry_after.map(|s| s * 1000.0);
        match policy.next_delay(RetryClass::Safe, err.code, self.retries, retry_after, jitter) {
            // Out of retries after a lost answer: one look in the list still tells whether the
            // task exists (adopted) or not (a plain failure), instead of "maybe".
            RetryDecision::GiveUp if answer_lost && !self.deduplicates() && self.reconcile => {
                self.giving_up = true;
                self.last_lost = Some(env);
                self.stage = Stage::Reconciling;
                Step::Send { request: self.config.list_tasks(), action: Action::List }
            }
            RetryDecision::GiveUp => {
                self.stage = Stage::Finished;
                Step::Done(self.on_created(env, self.any_lost))
            }
            RetryDecision::RetryAfter(ms) => {
                self.retries += 1;
                self.pending_delay = ms;
                // An answered refusal (a 429) created nothing; a server known to deduplicate
                // answers a resend with the task the lost answer was about.
                if !answer_lost || self.deduplicates() {
                    return Step::Sleep(ms);
                }
                self.last_lost = Some(env);
                if !self.reconcile {
                    return Step::Done(self.maybe_created(None, "reconcile is off, so the task list was not read"));
                }
                // The server may have created the task (and not say so again if it ignores
                // the idempotency key): look for it before sending the create again.
                self.stage = Stage::Reconciling;
                Step::Send { request: self.config.list_tasks(), action: Action::List }
            }
        }
    }

    /// The task an earlier answer named for this key: adopted when it can be read.
    pub(super) fn on_read(&mut self, env: Envelope) -> Step {
        match env.code() {
            None => {
                let task = env.data().clone();
                // The key reused with another payload: the server judges it (409 where it keeps
                // keys), as it would have without this client's memory.
                let input = task.get("input").map(Value::to_canonical_json);
                if input.is_some_and(|i| i != self.payload.to_canonical_json()) {
                    return self.price();
                }
                self.adopt(&task, true)
            }
            // Gone (or made under another account): nothing of this key is left to pay twice for.
            Some(ErrorCode::TaskNotFound) => {
                self.sent.task_id = None;
                self.price()
            }
            Some(_) => {
                self.stage = Stage::Finished;
                let id = self.sent.task_id.clone().unwrap_or_default();
                let mut env = env.with_task_id(Some(id.clone()));
                if let Some(e) = env.error_mut() {
                    e.message = format!(
                        "{}. This idempotency key already made task {id}: nothing was sent; read it with getTask \
                         (or run this create again) rather than creating a second one",
                        e.message
                    );
                    e.data = Value::object(vec![
                        ("idempotencyKey", Value::str(self.key())),
                        ("taskId", Value::str(id)),
                        ("handle", self.handle(None)),
                    ]);
                }
                Step::Done(env)
            }
        }
    }

    pub(super) fn on_list(&mut self, env: Envelope) -> Step {
        let input = self.payload.to_canonical_json();
        let search = Search { sent: &self.sent, model: &self.model, input: &input, claimed: &self.claimed };
        match search.find(&env) {
            Found::Task(task) => {
                // Prechecking: an earlier call made it (its charge was counted then).
                let replay = self.stage == Stage::Prechecking;
                self.adopt(&task, replay)
            }
            // Read, and not there: whatever was sent before created nothing.
            Found::Absent => {
                self.any_lost = false;
                match (self.stage, self.last_lost.take()) {
                    (Stage::Prechecking, _) => self.price(),
                    (_, Some(lost)) if self.giving_up => {
                        self.stage = Stage::Finished;
                        Step::Done(self.on_created(lost, false))
                    }
                    _ => Step::Sleep(self.pending_delay),
                }
            }
            // Unreadable (an aivideo proxy does not show its operator's list), but the server
            // deduplicates the key: sending it again cannot charge twice.
            Found::Unknown if self.deduplicates() && !self.giving_up => match self.stage {
                Stage::Prechecking => self.price(),
                _ => {
                    self.stage = Stage::Creating;
                    Step::Sleep(self.pending_delay)
                }
            },
            Found::Unknown => {
                let why = match env.error() {
                    Some(e) => format!("the task list could not be read ({})", e.message),
                    None => "the task list answer did not hold a list of tasks".to_string(),
                };
                let fallback = env.code().map(|_| env);
                Step::Done(self.maybe_created(fallback, &why))
            }
        }
    }

    /// Adopted instead of created (again): the task the key or a lost answer was about.
    /// `replay`: an earlier call made it (its charge is not this call's).
    pub(super) fn adopt(&mut self, task: &Value, replay: bool) -> Step {
        self.stage = Stage::Finished;
        let id = task.get("id").and_then(Value::as_str).map(str::to_string).or_else(|| self.sent.task_id.clone());
        let status = task.get("status").and_then(Value::as_str).map(str::to_string);
        let data = Value::object(vec![
            ("status", Value::opt_str(status.clone())),
            ("taskId", Value::opt_str(id.clone())),
            ("creditsCharged", task.get("creditsCharged").cloned().unwrap_or(Value::Null)),
            ("idempotentReplay", Value::Bool(replay)),
            ("reconciled", Value::Bool(true)),
        ]);
        Step::Done(self.on_created(Envelope::success(status, id, data, 200), true))
    }

    /// Stops without sending: a task may exist under this key and nothing shows whether it
    /// does. `env`: the failure to report (else the last lost answer's, else a new one).
    pub(super) fn maybe_created(&mut self, env: Option<Envelope>, why: &str) -> Envelope {
        self.stage = Stage::Finished;
        let mut env = env
            .or_else(|| self.last_lost.take())
            .unwrap_or_else(|| Envelope::failure(ErrorCode::UpstreamError, "the create's outcome is unknown"));
        let key = self.key();
        let handle = self.handle(None);
        if let Some(e) = env.error_mut() {
            e.message = format!(
                "{}. A task may have been created under idempotency key \"{key}\" and {why}, so nothing was sent \
                 again (that could charge twice): create again later with the same idempotencyKey, or pass this \
                 envelope's data.handle as the handle option, to get that task back or make it once",
                e.message
            );
            e.data = Value::object(vec![
                ("idempotencyKey", Value::str(key)),
                ("maybeCreated", Value::Bool(true)),
                ("handle", handle),
            ]);
        }
        env
    }

    pub(super) fn on_quote(&mut self, env: Envelope) -> Step {
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
            Some(c) => {
                let price = c.max(0.0) as u64;
                self.quoted = Some(price);
                self.after_price(price, "quote")
            }
            None => self.send_create(),
        }
    }
}
