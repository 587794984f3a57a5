//! One HTTP attempt through the configured `fetch`, with a per-attempt timeout.
//!
//! Sends the `ApiRequest` exactly as the core built it, with `redirect: "manual"` (a
//! redirect is reported, never followed: the key would go with it) and no `mode`,
//! `credentials` or `referrer` (Workers reject them). The body is read through its stream
//! with a running count and abandoned past `max_bytes` (so a gzip bomb is never inflated
//! past the cap). An `AbortController` aborts the attempt when its timer fires or the
//! caller's signal does; both are released when the attempt ends. Every call into caller
//! code (`fetch`, a fake Response) is caught.

use super::bindings::{abort_fn, promise_resolve, AbortController, AbortListener, AbortSignal, Timer};
use super::convert::{from_js, function_member, member};
use crate::classify::{Body, HttpResponse, TransportFailure};
use crate::request::ApiRequest;
use js_sys::{Function, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    type TextDecoder;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<TextDecoder, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn decode(this: &TextDecoder, chunk: &JsValue, opts: &JsValue) -> Result<JsString, JsValue>;
    /// `JSON.parse` of a JS string: the body is parsed where it is, never copied whole into
    /// the wasm memory (only the parsed values are, within `crate::limits`).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
    /// `new Blob(parts)`: a body whose long data URIs stay the caller's strings.
    type Blob;
    #[wasm_bindgen(constructor, catch, js_class = "Blob")]
    fn new_blob(parts: &js_sys::Array) -> Result<Blob, JsValue>;
}

/// A request body as JSON text, except that long data URIs kept in JS
/// (`Value::CheckedDataUri`) are taken by reference: the body is then a `Blob` of the text
/// around them and the strings themselves, so the wasm never holds them and JS copies them
/// once (into the Blob), not into a joined string and again into UTF-8.
struct BodyParts {
    text: String,
    parts: js_sys::Array,
}

impl crate::value::JsonSink for BodyParts {
    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn external(&mut self, source: &crate::value::External) -> bool {
        let Some(js) = super::convert::external_js(source) else { return false };
        self.parts.push(&JsValue::from_str(&std::mem::take(&mut self.text)));
        self.parts.push(&js);
        true
    }
}

fn request_body(body: &crate::value::Value) -> JsValue {
    let mut out = BodyParts { text: String::new(), parts: js_sys::Array::new() };
    body.write_json(&mut out, false, &crate::value::Numbers::With(&super::convert::js_number));
    if out.parts.length() == 0 {
        return JsValue::from_str(&out.text);
    }
    out.parts.push(&JsValue::from_str(&out.text));
    match Blob::new_blob(&out.parts) {
        Ok(blob) => blob.into(),
        // No Blob (none of the supported runtimes lacks it): the parts joined.
        Err(_) => out.parts.join("").into(),
    }
}

pub struct Failure {
    pub kind: TransportFailure,
    pub detail: String,
}

/// Awaits a value that may be a promise or a thenable, catching whatever it throws.
async fn settle(v: &JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(promise_resolve(v)?).await
}

pub async fn send(
    fetch: &Function,
    req: &ApiRequest,
    timeout_ms: f64,
    signal: Option<&AbortSignal>,
    max_bytes: f64,
) -> Result<HttpResponse, Failure> {
    if signal.is_some_and(AbortSignal::is_aborted) {
        return Err(Failure { kind: TransportFailure::Aborted, detail: String::new() });
    }
    let ctrl = AbortController::new();
    let abort = abort_fn(&ctrl);
    let _timer = Timer::start(&abort, timeout_ms);
    let _listener = signal.and_then(|s| AbortListener::add(s, &abort));
    let why = |err: JsValue| -> Failure {
        let kind = if signal.is_some_and(AbortSignal::is_aborted) {
            TransportFailure::Aborted
        } else if ctrl.signal().is_aborted() {
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
    if let Some(body) = &req.body {
        // Serialized from the very value that was validated and priced, so what is sent is
        // what was checked (a getter or `toJSON` cannot change it in between); non-integers
        // are formatted by the runtime (`String(n)`, as JSON.stringify writes them).
        set("body", &request_body(body));
    }
    set("redirect", &JsValue::from_str("manual"));
    set("signal", &ctrl.signal());

    // Called unbound (`this` undefined), as Workers require for the global fetch.
    let pending = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init).map_err(why)?;
    let resp = settle(&pending).await.map_err(why)?;
    if !resp.is_object() {
        return Err(Failure {
            kind: TransportFailure::Network,
            detail: "fetch resolved to something that is not a Response".into(),
        });
    }
    let field = |k: &str| member(&resp, k);
    let status = field("status").and_then(|s| s.as_f64()).filter(|s| s.is_finite()).unwrap_or(0.0);
    let opaque_redirect = field("type").and_then(|t| t.as_string()).as_deref() == Some("opaqueredirect");
    let retry_after = header(&resp, "retry-after");
    let long_poll = header(&resp, "x-aivideo-wait").is_some_and(|v| v.trim().eq_ignore_ascii_case("long-poll"));
    let reconciles_keys =
        header(&resp, "x-aivideo-idempotency").is_some_and(|v| v.trim().eq_ignore_ascii_case("reconciled"));
    if opaque_redirect || (300.0..400.0).contains(&status) {
        // Not followed, and its body is not read.
        return Ok(HttpResponse {
            status: if opaque_redirect { 302 } else { status as u16 },
            retry_after,
            body: Body::Empty,
            redirect_to: Some(header(&resp, "location").unwrap_or_default()),
            long_poll,
            reconciles_keys,
        });
    }
    if let Some(len) = header(&resp, "content-length").and_then(|l| crate::value::parse_decimal(l.trim())) {
        if len > max_bytes {
            cancel_body(&resp);
            return Err(too_large(max_bytes));
        }
    }
    let text = read_text(&resp, max_bytes).await.map_err(|e| match e {
        Read::TooLarge => too_large(max_bytes),
        Read::Failed(err) => why(err),
    })?;
    let body = if text.trim().length() == 0 {
        Body::Empty
    } else {
        match json_parse(&text) {
            Ok(v) => Body::Json(from_js(&v)),
            // Kept for the error message only: its head is enough.
            Err(_) => Body::Text(text.slice(0, 2000).as_string().unwrap_or_default()),
        }
    };
    Ok(HttpResponse {
        status: status.clamp(0.0, 999.0) as u16,
        retry_after,
        body,
        redirect_to: None,
        long_poll,
        reconciles_keys,
    })
}

fn too_large(max_bytes: f64) -> Failure {
    Failure {
        kind: TransportFailure::TooLarge,
        detail: format!("the response body is larger than {} bytes (maxResponseBytes)", max_bytes.round() as u64),
    }
}

enum Read {
    TooLarge,
    Failed(JsValue),
}

/// A rejected cancel must not surface as an unhandled rejection (a Node process run with
/// `--unhandled-rejections=strict` would exit).
fn swallow(p: &JsValue) {
    if let Ok(p) = promise_resolve(p) {
        if let Ok(Some(catch)) = function_member(&p, "catch") {
            let _ = catch.call1(&p, &Closure::once_into_js(|_: JsValue| {}));
        }
    }
}

fn cancel_body(resp: &JsValue) {
    if let Some(body) = member(resp, "body") {
        if let Ok(Some(cancel)) = function_member(&body, "cancel") {
            if let Ok(p) = cancel.call0(&body) {
                swallow(&p);
            }
        }
    }
}

/// The body as a JS string, read chunk by chunk with a running byte count; past
/// `max_bytes` the stream is cancelled. A Response without a stream (a caller's minimal
/// fake) is read with `text()` and measured after.
async fn read_text(resp: &JsValue, max_bytes: f64) -> Result<JsString, Read> {
    let reader = member(resp, "body")
        .and_then(|b| function_member(&b, "getReader").ok().flatten().and_then(|f| f.call0(&b).ok()));
    let Some(reader) = reader.filter(JsValue::is_object) else {
        let Ok(Some(text_fn)) = function_member(resp, "text") else {
            return Ok(JsString::from(""));
        };
        let p = text_fn.call0(resp).map_err(Read::Failed)?;
        let text = settle(&p).await.map_err(Read::Failed)?;
        if !text.is_string() {
            return Ok(JsString::from(""));
        }
        let text: JsString = text.unchecked_into();
        return if f64::from(text.length()) > max_bytes { Err(Read::TooLarge) } else { Ok(text) };
    };
    let read = function_member(&reader, "read").ok().flatten().ok_or(Read::Failed(JsValue::NULL))?;
    let decoder = TextDecoder::new().map_err(Read::Failed)?;
    let stream = Object::new();
    let _ = Reflect::set(&stream, &"stream".into(), &JsValue::TRUE);
    let mut total = 0.0;
    let mut text = JsString::from("");
    loop {
        let p = read.call0(&reader).map_err(Read::Failed)?;
        let chunk = settle(&p).await.map_err(Read::Failed)?;
        if member(&chunk, "done").and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        let value = member(&chunk, "value").unwrap_or(JsValue::UNDEFINED);
        total += member(&value, "byteLength").and_then(|n| n.as_f64()).unwrap_or(0.0);
        if total > max_bytes {
            if let Ok(Some(cancel)) = function_member(&reader, "cancel") {
                if let Ok(p) = cancel.call0(&reader) {
                    swallow(&p);
                }
            }
            return Err(Read::TooLarge);
        }
        text = text.concat(&decoder.decode(&value, &stream).map_err(Read::Failed)?.into());
    }
    if let Ok(rest) = decoder.decode(&JsValue::UNDEFINED, &JsValue::UNDEFINED) {
        text = text.concat(&rest.into());
    }
    Ok(text)
}

fn header(resp: &JsValue, name: &str) -> Option<String> {
    let headers = member(resp, "headers")?;
    let get = function_member(&headers, "get").ok()??;
    get.call1(&headers, &JsValue::from_str(name)).ok()?.as_string()
}

/// The message of a thrown JS value, for `NETWORK_ERROR` texts.
pub fn error_text(err: &JsValue) -> String {
    if let Some(s) = err.as_string() {
        return s;
    }
    let field = |k: &str| member(err, k).and_then(|v| v.as_string());
    let mut text = field("message").unwrap_or_else(|| "unknown error".to_string());
    // Node's fetch hides the real reason (ECONNRESET, ECONNREFUSED) in `cause`.
    if let Some(c) = member(err, "cause").and_then(|cause| member(&cause, "code")).and_then(|v| v.as_string()) {
        text = format!("{text} ({c})");
    }
    text
}
