//! Creating a task without ever charging twice or over budget.
//!
//! Validate offline → check the budget (local estimate, or a free `quote` when the model is
//! priced only by the server or `quoteFirst` is set) → send with an `Idempotency-Key` and
//! `X-Max-Credits`, retrying transient failures (safe: a repeat is answered with the original
//! task) → attach a resumable handle. The decisions are in the core (`idempotency`,
//! `credits`); this file only sequences them.

use super::client::{call_opts, Inner};
use super::contract::validate_options;
use super::convert::{from_js, member};
use crate::classify::Action;
use crate::credits::{over_budget, price_check, PriceCheck};
use crate::envelope::{Envelope, ErrorCode};
use crate::idempotency::derive_key;
use crate::poll::expected_run_ms;
use crate::request::{ArgumentError, GenerateHeaders};
use crate::validate::{details_value, issues_value, validate_payload};
use crate::value::Value;
use crate::{contract, time};
use std::rc::Rc;
use wasm_bindgen::JsValue;

pub const CREATE_OPTIONS: &[&str] =
    &["idempotencyKey", "idempotencyScope", "maxCredits", "quoteFirst", "webhookUrl", "validate", "maxDataUriBytes"];

/// The envelope of a payload refused offline, or `None` when it may be sent. `validate:
/// false` skips the contract (for models added upstream after this release).
pub fn local_validation(model: &str, payload: &Value, opts: &JsValue) -> Option<Envelope> {
    if member(opts, "validate").and_then(|v| v.as_bool()) == Some(false) {
        return None;
    }
    // validate_payload, not the report: the report would copy the (possibly huge) payload.
    let rej = validate_payload(model, payload, &validate_options(opts)).err()?;
    let data = Value::object(vec![("issues", issues_value(&rej.issues)), ("details", details_value(&rej.issues))]);
    Some(Envelope::failure(rej.code, rej.message).with_data(data))
}

/// The arguments of a create (`createGeneration`, `runWorkflow`), converted once: the payload
/// as the core's `Value` for validation and keys, and the caller's own object for sending.
pub struct Generation {
    pub model: String,
    pub payload: Rc<Value>,
    pub raw: JsValue,
    pub opts: JsValue,
}

/// The two call forms of a create or quote, as `(model, payload, opts)`: positional
/// `(model, payload, opts?)`, or `({ model, payload }, opts?)`: the form TypeScript can tie
/// together when the model is a variable, and the one `validatePayload`'s success result fits.
pub fn split_args(first: &JsValue, second: JsValue, third: Option<JsValue>) -> (String, JsValue, JsValue) {
    if first.is_object() {
        let model = member(first, "model").and_then(|m| m.as_string()).unwrap_or_default();
        let payload = member(first, "payload").unwrap_or(JsValue::UNDEFINED);
        return (model, payload, second);
    }
    (first.as_string().unwrap_or_default(), second, third.unwrap_or_default())
}

impl Generation {
    pub fn from_args(first: &JsValue, second: JsValue, third: Option<JsValue>) -> Generation {
        let (model, payload, opts) = split_args(first, second, third);
        Generation { model, payload: Rc::new(from_js(&payload)), raw: payload, opts }
    }
}

struct CreatePlan {
    headers: GenerateHeaders,
    max_credits: Option<u64>,
    quote_first: bool,
}

fn whole_credits(name: &str, v: Option<JsValue>) -> Result<Option<u64>, ArgumentError> {
    match v.map(|v| from_js(&v)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
        Some(v) => Err(ArgumentError {
            message: format!("{name} must be a whole number of credits, 0 or more, got {}", v.describe()),
        }),
    }
}

fn plan(inner: &Inner, model: &str, payload: &Value, opts: &JsValue) -> Result<CreatePlan, ArgumentError> {
    let bad = |m: &str| ArgumentError { message: m.to_string() };
    let text = |k: &str| -> Result<Option<String>, ArgumentError> {
        match member(opts, k) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| bad(&format!("{k} must be a string"))),
        }
    };
    let scope = text("idempotencyScope")?;
    let idempotency_key = Some(match text("idempotencyKey")? {
        Some(k) => k,
        None => derive_key(model, payload, scope.as_deref()),
    });
    let per_call = whole_credits("maxCredits", member(opts, "maxCredits"))?;
    let max_credits = match (per_call, inner.max_credits) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let quote_first = member(opts, "quoteFirst").and_then(|v| v.as_bool()).unwrap_or(false);
    let webhook_url = text("webhookUrl")?;
    Ok(CreatePlan { headers: GenerateHeaders { idempotency_key, max_credits, webhook_url }, max_credits, quote_first })
}

impl Inner {
    /// The whole create sequence; see the module comment.
    pub(super) async fn create(&self, g: &Generation, allowed: &[&str]) -> Envelope {
        let (model, payload, opts) = (g.model.as_str(), &g.payload, &g.opts);
        let raw = Some(g.raw.clone());
        if let Some(rejected) = local_validation(model, payload, opts) {
            return rejected;
        }
        let prepared = call_opts(self, opts, allowed).and_then(|o| plan(self, model, payload, opts).map(|p| (o, p)));
        let (mut call, plan) = match prepared {
            Ok(x) => x,
            Err(e) => return Envelope::failure(e.code(), e.message),
        };
        let spec = contract::model(model);
        let estimate = spec.map(|s| crate::credits::estimate(s, payload));
        let local_price = estimate.as_ref().and_then(|e| e.credits);

        // The budget is checked before anything billable is sent.
        let (price, source) = match price_check(plan.max_credits, plan.quote_first, local_price) {
            PriceCheck::Skip => (None, ""),
            PriceCheck::Local(price) => (Some(price), "local estimate"),
            PriceCheck::Quote => {
                let req = match self.config.quote(model, payload) {
                    Ok(r) => r,
                    Err(e) => return Envelope::failure(e.code(), e.message),
                };
                let q = self.execute(Action::Quote, &req, None, &call).await;
                if !q.ok {
                    return q;
                }
                if q.data.get("affordable") == Some(&Value::Bool(false)) {
                    let mut env = Envelope::failure(
                        ErrorCode::InsufficientCredits,
                        "the quote says the balance cannot pay for this generation: nothing was sent or charged",
                    );
                    env.data = Value::object(vec![("quote", q.data)]);
                    return env;
                }
                (q.data.get("credits").and_then(Value::as_f64).map(|c| c.max(0.0) as u64), "quote")
            }
        };
        if let (Some(max), Some(price)) = (plan.max_credits, price) {
            if let Some(msg) = over_budget(price, max, source) {
                let mut env = Envelope::failure(ErrorCode::BudgetExceeded, msg);
                env.data = Value::object(vec![
                    ("credits", Value::Number(price as f64)),
                    ("maxCredits", Value::Number(max as f64)),
                    ("source", Value::str(source)),
                ]);
                return env;
            }
        }

        let req = match self.config.generate(model, payload, &plan.headers) {
            Ok(r) => r,
            Err(e) => return Envelope::failure(e.code(), e.message),
        };
        // Validated payloads hold only JSON, so the caller's object serializes to the same text.
        if member(opts, "validate").and_then(|v| v.as_bool()) != Some(false) {
            call.raw_body = raw;
        }
        let mut env = self.execute(Action::Create, &req, None, &call).await;
        if env.ok {
            let replay = env.data.get("idempotentReplay") == Some(&Value::Bool(true));
            if !replay {
                let charged = env.data.get("creditsCharged").and_then(Value::as_f64).unwrap_or(0.0);
                self.spent.set(self.spent.get() + charged.max(0.0));
            }
            let handle = Value::object(vec![
                ("taskId", Value::opt_str(env.task_id.clone())),
                ("model", Value::str(model)),
                ("idempotencyKey", Value::opt_str(plan.headers.idempotency_key.clone())),
                ("createdAt", Value::str(time::format_iso8601(js_sys::Date::now()))),
                ("estimate", estimate.map_or(Value::Null, |e| e.to_value())),
                ("expectedMs", Value::Number(spec.map_or(300_000.0, |s| expected_run_ms(s, payload)))),
            ]);
            if let Value::Object(entries) = &mut env.data {
                entries.push(("handle".to_string(), handle));
            }
        } else if env.error_code == Some(ErrorCode::IdempotencyConflict) {
            env.error_message = Some(format!(
                "the idempotency key {} was already used with a different payload, so the server refused to create \
                 a second task under it; nothing was charged. Pass a new idempotencyKey (or an idempotencyScope) for \
                 a new generation, or resend the original payload to get its task back",
                plan.headers.idempotency_key.as_deref().unwrap_or("")
            ));
        } else if env.error_code.is_some_and(crate::retry::is_transient) {
            // The server may have created (and billed) the task before the answer was lost.
            // The key is how to get that task back without paying twice.
            let key = plan.headers.idempotency_key.clone().unwrap_or_default();
            env.error_message = Some(format!(
                "{}. The task may have been created before the answer was lost: send the same payload again with \
                 idempotencyKey \"{key}\" to get it back without a second charge",
                env.error_message.clone().unwrap_or_default()
            ));
            env.data = Value::object(vec![("idempotencyKey", Value::str(key)), ("maybeCreated", Value::Bool(true))]);
        }
        env
    }
}
