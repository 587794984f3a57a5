//! Runs the core's create flow (`crate::create::CreateFlow`): send each request it asks
//! for through the session, hand back the answer, until it is done. Also the two call forms
//! of a create or quote.

use super::bindings::sleep;
use super::convert::{from_js, member};
use super::session::Session;
use crate::classify::{transport_failure, Action, TransportFailure};
use crate::create::{CreateFlow, Step};
use crate::envelope::Envelope;
use crate::options::CreateOptions;
use crate::reconcile::Ledger;
use crate::value::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `crypto.getRandomValues`: every current runtime has it; where one does not (Node 18
    /// without the global), the call throws and `Math.random` stands in.
    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue>;
}

/// 32 random hex digits: this call's idempotency key, reused by its retries.
fn fresh_key() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = js_sys::Uint8Array::new_with_length(16);
    let crypto = get_random_values(&bytes).is_ok();
    let mut out = String::with_capacity(32);
    for i in 0..16 {
        let b = if crypto { bytes.get_index(i) } else { (js_sys::Math::random() * 256.0) as u8 };
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
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

/// The arguments of a create (`createGeneration`, `runWorkflow`), converted once: the payload
/// is read into the core's `Value` one time, and that snapshot is validated, priced, keyed
/// and sent (a getter or `toJSON` on the caller's object cannot change it in between).
pub struct Generation {
    pub model: String,
    pub payload: Rc<Value>,
    pub opts: JsValue,
}

impl Generation {
    pub fn from_args(first: &JsValue, second: JsValue, third: Option<JsValue>) -> Generation {
        let (model, payload, opts) = split_args(first, second, third);
        Generation { model, payload: Rc::new(from_js(&payload)), opts }
    }
}

impl Session {
    /// Records what the flow knows of its key (before each create is sent, and at the end).
    fn remember(&self, flow: &CreateFlow) {
        if let Some(sent) = flow.sent() {
            self.ledger.borrow_mut().record(sent);
        }
    }

    /// The whole create; see `crate::create`. `spent` grows by what the server charged.
    pub async fn create(&self, g: &Generation, opts: &CreateOptions) -> Envelope {
        let mut call = match self.call(&g.opts, &opts.call) {
            Ok(c) => c,
            Err(e) => return e.into(),
        };
        let key = fresh_key();
        let (mut flow, mut step) = CreateFlow::start(
            &self.config,
            &g.model,
            g.payload.clone(),
            &CreateOptions {
                server_deduplicates: opts.server_deduplicates || self.reconciles_keys.get(),
                ..opts.clone()
            },
            self.max_credits,
            js_sys::Date::now(),
            &key,
            &self.ledger.borrow(),
        );
        // Refused before anything could be sent (validation, budget): nothing to hold.
        if let Step::Done(env) = step {
            return env;
        }
        let key = flow.idempotency_key();
        if !self.ledger.borrow_mut().begin(&key) {
            return Ledger::in_flight(&key);
        }
        let env = loop {
            match step {
                Step::Done(env) => break env,
                Step::Send { request, action } => {
                    if action == Action::Create {
                        self.remember(&flow);
                    }
                    call.lost.set(false);
                    // A create is sent once per step: its retries are the flow's.
                    call.max_retries = if action == Action::Create { Some(0) } else { None };
                    let answer = self.execute(action, &request, None, &call).await;
                    if self.reconciles_keys.get() {
                        flow.server_reconciles_keys();
                    }
                    if action == Action::List {
                        flow.claimed_by_others(self.ledger.borrow().claimed_by_others(&key));
                    }
                    step = flow.on_answer(answer, call.lost.get(), js_sys::Math::random());
                }
                Step::Sleep(ms) => {
                    if sleep(ms, call.signal.as_ref()).await.is_err() {
                        break flow.abandoned(transport_failure(TransportFailure::Aborted, "", call.timeout_ms).into());
                    }
                    step = flow.after_sleep();
                }
            }
        };
        self.remember(&flow);
        self.ledger.borrow_mut().end(&key);
        // Each task is counted once, however many answers name it.
        if let (true, Some(task)) = (env.is_ok(), env.task_id.clone()) {
            let seen = self.counted.borrow().contains(&task);
            self.spent.set(self.spent.get() + flow.charged(seen));
            if !seen {
                self.counted.borrow_mut().push(task);
            }
        }
        env
    }
}
