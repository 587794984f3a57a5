//! Runs the core's create flow (`crate::create::CreateFlow`): send each request it asks
//! for through the session, hand back the answer, until it is done. Also the two call forms
//! of a create or quote.

use super::convert::{from_js, member};
use super::session::Session;
use crate::create::{CreateFlow, Step};
use crate::envelope::Envelope;
use crate::options::CreateOptions;
use crate::value::Value;
use std::rc::Rc;
use wasm_bindgen::JsValue;

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
    /// The whole create; see `crate::create`. `spent` grows by what the server charged.
    pub async fn create(&self, g: &Generation, opts: &CreateOptions) -> Envelope {
        let call = match self.call(&g.opts, &opts.call) {
            Ok(c) => c,
            Err(e) => return e.into(),
        };
        let (mut flow, mut step) =
            CreateFlow::start(&self.config, &g.model, g.payload.clone(), opts, self.max_credits, js_sys::Date::now());
        let env = loop {
            match step {
                Step::Done(env) => break env,
                Step::Send { request, action } => {
                    let answer = self.execute(action, &request, None, &call).await;
                    step = flow.on_answer(answer);
                }
            }
        };
        if env.is_ok() {
            let key = flow.idempotency_key();
            let seen = self.counted.borrow().contains(&key);
            self.spent.set(self.spent.get() + flow.charged(seen));
            if !seen {
                self.counted.borrow_mut().push(key);
            }
        }
        env
    }
}
