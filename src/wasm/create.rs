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
/// as the core's `Value` for validation and keys, and the caller's own object for sending.
pub struct Generation {
    pub model: String,
    pub payload: Rc<Value>,
    pub raw: JsValue,
    pub opts: JsValue,
}

impl Generation {
    pub fn from_args(first: &JsValue, second: JsValue, third: Option<JsValue>) -> Generation {
        let (model, payload, opts) = split_args(first, second, third);
        Generation { model, payload: Rc::new(from_js(&payload)), raw: payload, opts }
    }
}

impl Session {
    /// The whole create; see `crate::create`. `spent` grows by what the server charged.
    pub async fn create(&self, g: &Generation, opts: &CreateOptions) -> Envelope {
        let mut call = match self.call(&g.opts, &opts.call) {
            Ok(c) => c,
            Err(e) => return e.into(),
        };
        call.raw = Some(g.raw.clone());
        let (mut flow, mut step) =
            CreateFlow::start(&self.config, &g.model, g.payload.clone(), opts, self.max_credits, js_sys::Date::now());
        let env = loop {
            match step {
                Step::Done(env) => break env,
                Step::Send { request, action, raw_body } => {
                    call.raw_body = raw_body;
                    let answer = self.execute(action, &request, None, &call).await;
                    step = flow.on_answer(answer);
                }
            }
        };
        self.spent.set(self.spent.get() + flow.charged());
        env
    }
}
