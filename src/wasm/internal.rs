//! Exports for the package's own JavaScript (the CLI and the proxy), so the envelope and the
//! code→HTTP-status table have one source, the core. Not part of the public API: `api.js`
//! does not re-export them and they have no TypeScript declarations.

use super::convert::{from_js, to_js_via_json};
use crate::envelope::Envelope;
use crate::error::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

/// The envelope of a result decided outside a client call: a failure when `code` is one of
/// the stable codes, else a local success carrying `data`.
#[wasm_bindgen(js_name = __envelope, skip_typescript)]
pub fn envelope(code: Option<String>, message: Option<String>, data: JsValue) -> JsValue {
    let data = from_js(&data);
    let env = match code.as_deref().and_then(ErrorCode::from_name) {
        Some(code) => Envelope::from(Error::new(code, message.unwrap_or_default()).with_data(data)),
        None => Envelope::local(data),
    };
    to_js_via_json(&env.to_value())
}

/// The HTTP status a proxy answers with for a failure that came without one.
#[wasm_bindgen(js_name = __httpStatusFor, skip_typescript)]
pub fn http_status_for(code: String) -> u16 {
    ErrorCode::from_name(&code).map_or(502, ErrorCode::http_status)
}

/// Bytes of the instance's linear memory, for the hostile suite's memory bound.
#[wasm_bindgen(js_name = __memoryBytes, skip_typescript)]
pub fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    js_sys::ArrayBuffer::from(memory.buffer()).byte_length() as f64
}

/// The idempotency key `idempotencyKey: "derived"` stands for (the CLI's journal is keyed by
/// it): the core's derivation, not a copy.
#[wasm_bindgen(js_name = __derivedKey, skip_typescript)]
pub fn derived_key(model: String, payload: JsValue, scope: Option<String>) -> String {
    crate::idempotency::derive_key(&model, &from_js(&payload), scope.as_deref())
}

/// Whether a task status ends the task (`COMPLETED`, `FAILED`, `CANCEL` and its spellings):
/// the core's rule (`crate::task::terminal`), for the coordinator's records.
#[wasm_bindgen(js_name = __isTerminal, skip_typescript)]
pub fn is_terminal(status: String) -> bool {
    crate::task::terminal(&status).is_some()
}

/// The message refusing an idempotency key, or `undefined` for a valid one (the proxy checks
/// its callers' keys with the core's rule).
#[wasm_bindgen(js_name = __idempotencyKeyProblem, skip_typescript)]
pub fn idempotency_key_problem(key: String) -> Option<String> {
    crate::idempotency::check_idempotency_key(&key).err().map(|e| e.message)
}

/// The coordinator's tick (`crate::tick::plan`): `{tasks, list, lastListAt, now, reads,
/// scale}` in, `{readList, reads, nextAt}` out. The loop holds the records; the core decides.
#[wasm_bindgen(js_name = __planTick, skip_typescript)]
pub fn plan_tick(input: JsValue) -> JsValue {
    use crate::value::Value;
    let v = from_js(&input);
    let num = |k: &str| v.get(k).and_then(Value::as_f64).filter(|n| n.is_finite());
    let list = crate::schedule::ListTrust::from_value(v.get("list").unwrap_or(&Value::Null));
    let tasks = crate::tick::tasks_from(&v);
    let reads = num("reads").map_or(0, |n| n.clamp(0.0, 1e4) as usize);
    let plan = crate::tick::plan(
        &tasks,
        &list,
        num("lastListAt"),
        num("now").unwrap_or(0.0),
        reads,
        num("scale").unwrap_or(1.0),
    );
    to_js_via_json(&plan.to_value())
}

/// What one observation does to the task list's standing (`crate::schedule::ListTrust`):
/// `state` as `__listSeen` last returned it (or anything, read as new); `event` one of
/// `{listed: [[known, listed], …]}`, `{contradiction: inARow, prevOwnAt, listedAt, ownAt}` (an
/// own read at `ownAt` that found a change the list read at `listedAt` did not show, the task's
/// previous own read at `prevOwnAt`), `{tooLarge: true}`,
/// `{refused: true}`; `now` and `scale` for how long a list over the cap is left alone.
#[wasm_bindgen(js_name = __listSeen, skip_typescript)]
pub fn list_seen(state: JsValue, event: JsValue, now: f64, scale: f64) -> JsValue {
    use crate::value::Value;
    let mut list = crate::schedule::ListTrust::from_value(&from_js(&state));
    let event = from_js(&event);
    if let Some(Value::Array(pairs)) = event.get("listed") {
        for pair in pairs {
            if let Value::Array(two) = pair {
                if let Some(listed) = two.get(1).and_then(Value::as_str) {
                    list.on_listed(two.first().and_then(Value::as_str), listed);
                }
            }
        }
    }
    if let Some(n) = event.get("contradiction").and_then(Value::as_f64).filter(|n| n.is_finite() && *n >= 0.0) {
        let num = |k: &str| event.get(k).and_then(Value::as_f64).filter(|n| n.is_finite());
        let chance = match (num("prevOwnAt"), num("listedAt"), num("ownAt")) {
            (Some(prev), Some(listed), Some(own)) => crate::schedule::miss_chance(prev, listed, own),
            _ => None,
        };
        list.on_contradiction(n.min(1e6) as u32, chance);
    }
    if matches!(event.get("tooLarge"), Some(Value::Bool(true))) {
        let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
        let skip = crate::schedule::TOO_LARGE_SKIP_LOOKS * crate::poll::MAX_LOOK_INTERVAL_MS * scale;
        list.on_too_large(if now.is_finite() { now } else { 0.0 }, skip);
    }
    if matches!(event.get("refused"), Some(Value::Bool(true))) {
        list.on_refused();
    }
    let mut out = list.to_value();
    if let (Value::Object(fields), Some(off)) = (&mut out, list.off(now)) {
        fields.push(("off".into(), Value::str(off.as_str())));
    }
    to_js_via_json(&out)
}

/// Every endpoint the client calls: `[{ method, http, path, query }]` (the client method, the
/// HTTP method, the path template, whether it counts against the query budget), for the
/// proxy's and the coordinator's tables and the test that holds them to the core.
#[wasm_bindgen(js_name = __endpoints, skip_typescript)]
pub fn endpoints() -> JsValue {
    use crate::classify::Action;
    use crate::value::Value;
    let list = Action::ALL
        .iter()
        .map(|a| {
            let (http, path) = a.route();
            Value::object(vec![
                ("method", Value::str(a.client_method())),
                ("http", Value::str(http)),
                ("path", Value::str(path)),
                ("query", Value::Bool(a.is_query())),
            ])
        })
        .collect();
    to_js_via_json(&Value::Array(list))
}

/// The waiting rules the coordinator shares with the client (`crate::wait`): how long a long
/// poll is held by default.
#[wasm_bindgen(js_name = __waitRules, skip_typescript)]
pub fn wait_rules() -> JsValue {
    use crate::value::Value;
    to_js_via_json(&Value::object(vec![("longPollHoldMs", Value::Number(crate::wait::LONG_POLL_HOLD_MS))]))
}

/// Whether a host is this machine (`crate::url`'s rule: `localhost`, 127.0.0.0/8, `::1`; a
/// URL's bracketed IPv6 host is taken as it is): the CLI's proxy token and the proxy's JWKS
/// URL go over plain http only there.
#[wasm_bindgen(js_name = __isLoopbackHost, skip_typescript)]
pub fn is_loopback_host(host: String) -> bool {
    crate::url::is_loopback(host.trim_start_matches('[').trim_end_matches(']'))
}

/// The charge an answer's `data` states, when usable (a finite number ≥ 0), else `undefined`:
/// the core's rule, for the proxy's daily-quota settlement.
#[wasm_bindgen(js_name = __statedCharge, skip_typescript)]
pub fn stated_charge(data: JsValue) -> Option<f64> {
    crate::create::outcome::stated_charge(&from_js(&data))
}

/// The crate's version, which package.json repeats (a test holds them equal): what the MCP
/// servers tell clients as `serverInfo.version`.
#[wasm_bindgen(js_name = __version, skip_typescript)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
