//! One HTTP attempt through the configured `fetch`, with a per-attempt timeout.
//!
//! Sends the `ApiRequest` exactly as the core built it: no `mode`, `credentials` or
//! `referrer` (Workers reject them). An `AbortController` aborts the attempt when its timer
//! fires or the caller's signal does; both are released when the attempt ends.

use super::bindings::{abort_fn, AbortController, AbortListener, AbortSignal, Timer};
use super::convert::from_js;
use crate::classify::{Body, HttpResponse, TransportFailure};
use crate::request::ApiRequest;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub struct Failure {
    pub kind: TransportFailure,
    pub detail: String,
}

pub async fn send(
    fetch: &Function,
    req: &ApiRequest,
    timeout_ms: f64,
    signal: Option<&AbortSignal>,
    raw_body: Option<&JsValue>,
) -> Result<HttpResponse, Failure> {
    if signal.is_some_and(|s| s.aborted()) {
        return Err(Failure { kind: TransportFailure::Aborted, detail: String::new() });
    }
    let ctrl = AbortController::new();
    let abort = abort_fn(&ctrl);
    let _timer = Timer::start(&abort, timeout_ms);
    let _listener = signal.map(|s| AbortListener::add(s, &abort));
    let why = |err: JsValue| -> Failure {
        let kind = if signal.is_some_and(|s| s.aborted()) {
            TransportFailure::Aborted
        } else if ctrl.signal().aborted() {
            TransportFailure::Timeout
        } else {
            TransportFailure::Network
        };
        Failure { kind, detail: error_text(&err) }
    };

    let init = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&init, &JsValue::from_str(k), v);
    };
    set("method", &JsValue::from_str(req.method.as_str()));
    let headers = Object::new();
    for (k, v) in &req.headers {
        let _ = Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    set("headers", &headers);
    let raw_text = raw_body.and_then(|v| js_sys::JSON::stringify(v).ok()).map(JsValue::from);
    if let (Some(text), Some(_)) = (raw_text, &req.body) {
        set("body", &text);
    } else if let Some(body) = &req.body {
        // Serialized once, straight into the body string; non-integers formatted by the
        // runtime (`String(n)` is what JSON.stringify writes), so no float code in the wasm.
        set("body", &JsValue::from_str(&body.to_json_with(&super::convert::js_number)));
    }
    set("signal", &ctrl.signal());

    // Called unbound (`this` undefined), as Workers require for the global fetch.
    let pending = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init).map_err(why)?;
    let resp = JsFuture::from(Promise::resolve(&pending)).await.map_err(why)?;
    if !resp.is_object() {
        return Err(Failure {
            kind: TransportFailure::Network,
            detail: "fetch resolved to something that is not a Response".into(),
        });
    }
    let status = Reflect::get(&resp, &"status".into()).ok().and_then(|s| s.as_f64()).unwrap_or(0.0);
    let retry_after = header(&resp, "retry-after");
    let text_fn = Reflect::get(&resp, &"text".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let text = match text_fn {
        Some(f) => {
            let p = f.call0(&resp).map_err(why)?;
            JsFuture::from(Promise::resolve(&p)).await.map_err(why)?.as_string().unwrap_or_default()
        }
        None => String::new(),
    };
    let body = if text.trim().is_empty() {
        Body::Empty
    } else {
        match js_sys::JSON::parse(&text) {
            Ok(v) => Body::Json(from_js(&v)),
            Err(_) => Body::Text(text),
        }
    };
    Ok(HttpResponse { status: status.clamp(0.0, 999.0) as u16, retry_after, body })
}

fn header(resp: &JsValue, name: &str) -> Option<String> {
    let headers = Reflect::get(resp, &"headers".into()).ok()?;
    let get = Reflect::get(&headers, &"get".into()).ok()?.dyn_into::<Function>().ok()?;
    get.call1(&headers, &JsValue::from_str(name)).ok()?.as_string()
}

/// The message of a thrown JS value, for `NETWORK_ERROR` texts.
pub fn error_text(err: &JsValue) -> String {
    if let Some(s) = err.as_string() {
        return s;
    }
    let field = |k: &str| Reflect::get(err, &JsValue::from_str(k)).ok().and_then(|v| v.as_string());
    let mut text = field("message").unwrap_or_else(|| "unknown error".to_string());
    // Node's fetch hides the real reason (ECONNRESET, ECONNREFUSED) in `cause`.
    if let Ok(cause) = Reflect::get(err, &"cause".into()) {
        if let Some(c) = Reflect::get(&cause, &"code".into()).ok().and_then(|v| v.as_string()) {
            text = format!("{text} ({c})");
        }
    }
    text
}
