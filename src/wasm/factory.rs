//! `createClient` and `clientFromEnv`: the only exports that throw (a `TypeError` naming the
//! option), since a half-configured client is a programming mistake, not a runtime outcome.

use super::client::Client;
use super::convert::{from_js, function_member, member, object_entries};
use super::session::Session;
use crate::error::ArgumentError;
use crate::options::{self, ClientLimits};
use crate::request::{ClientConfig, ClientOptions};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

/// Creates a client. Throws a `TypeError` naming the option when an option is invalid, or
/// when there is neither a key nor a proxy `baseUrl`.
#[wasm_bindgen(js_name = createClient)]
pub fn create_client(
    #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
) -> Result<Client, JsValue> {
    build_client(&options).map_err(|e| js_sys::TypeError::new(&format!("aivideo: {}", e.message)).into())
}

/// Creates a client from an environment object (`process.env`, a Worker's `env`,
/// `Deno.env.toObject()`): `AIVIDEO_API_KEY`, `AIVIDEO_BASE_URL`, `AIVIDEO_TIMEOUT_MS`,
/// `AIVIDEO_MAX_RETRIES`. `overrides` takes the same options as `createClient`.
#[wasm_bindgen(js_name = clientFromEnv)]
pub fn client_from_env(
    #[wasm_bindgen(unchecked_param_type = "Record<string, string | undefined>")] env: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ClientOptions | undefined")] overrides: JsValue,
) -> Result<Client, JsValue> {
    let opts = js_sys::Object::new();
    let text = |k: &str| member(&env, k).and_then(|v| v.as_string()).filter(|s| !s.trim().is_empty());
    let number = |k: &str| -> Result<Option<JsValue>, JsValue> {
        match text(k) {
            None => Ok(None),
            Some(s) => crate::value::parse_decimal(&s)
                .map(|n| Some(JsValue::from_f64(n)))
                .ok_or_else(|| js_sys::TypeError::new(&format!("aivideo: {k} must be a number, got \"{s}\"")).into()),
        }
    };
    let mut pairs: Vec<(&str, JsValue)> = Vec::new();
    if let Some(k) = text("AIVIDEO_API_KEY") {
        pairs.push(("apiKey", JsValue::from_str(k.trim())));
    }
    if let Some(u) = text("AIVIDEO_BASE_URL") {
        pairs.push(("baseUrl", JsValue::from_str(&u)));
    }
    if let Some(n) = number("AIVIDEO_TIMEOUT_MS")? {
        pairs.push(("timeoutMs", n));
    }
    if let Some(n) = number("AIVIDEO_MAX_RETRIES")? {
        pairs.push(("maxRetries", n));
    }
    for (k, v) in pairs {
        let _ = Reflect::set(&opts, &JsValue::from_str(k), &v);
    }
    if overrides.is_object() {
        let entries = object_entries(&overrides)
            .map_err(|_| js_sys::TypeError::new("aivideo: overrides must be a plain object (reading it threw)"))?;
        for pair in entries.iter() {
            let pair: js_sys::Array = pair.unchecked_into();
            let _ = Reflect::set(&opts, &pair.get(0), &pair.get(1));
        }
    }
    if member(&opts, "apiKey").is_none() && member(&opts, "baseUrl").is_none() {
        return Err(js_sys::TypeError::new("aivideo: AIVIDEO_API_KEY is not set").into());
    }
    create_client(opts.into())
}

fn build_client(options: &JsValue) -> Result<Client, ArgumentError> {
    let bag = from_js(options);
    options::check_keys(&bag, &[options::CLIENT_KEYS])?;
    // `token` is the JS entry's (`token.js` turns it into a `fetch` before this runs): here it
    // came through `clientFromEnv`, which reads a key from the environment instead.
    if bag.get("token").is_some_and(|t| !matches!(t, crate::value::Value::Null)) {
        return Err(ArgumentError::new(
            "token is a createClient option (for a client of an aivideo proxy); clientFromEnv reads AIVIDEO_API_KEY",
        ));
    }
    let get = |k: &str| bag.get(k).cloned();
    let config = ClientConfig::from_options(&ClientOptions {
        api_key: get("apiKey"),
        base_url: get("baseUrl"),
        timeout_ms: get("timeoutMs"),
        max_retries: get("maxRetries"),
        max_retry_after_ms: get("maxRetryAfterMs"),
    })?;
    let limits = ClientLimits::read(&bag)?;
    let fetch = match function_member(options, "fetch").map_err(|()| ArgumentError::new("fetch must be a function"))? {
        Some(f) => f,
        None => function_member(&js_sys::global(), "fetch")
            .ok()
            .flatten()
            .ok_or_else(|| ArgumentError::new("no global fetch in this runtime: pass options.fetch"))?,
    };
    let on_log = function_member(options, "onLog").map_err(|()| ArgumentError::new("onLog must be a function"))?;
    Ok(Client::new(Session::new(config, fetch, on_log, limits)))
}
