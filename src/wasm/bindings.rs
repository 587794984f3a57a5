//! Raw bindings to the few global JS APIs the edge uses, and RAII guards around them.
//!
//! Every import that can run caller code (a getter, a Proxy trap, a fake AbortSignal's
//! method, a thenable's `then`) is bound with `catch`, so a JS exception becomes a `Result`
//! here and never unwinds through Rust frames (which would leak the shadow stack and, after
//! a few thousand throws, trap the instance for every later call). Timers and listeners are
//! released when their guard drops, so no timer outlives the promise that needed it (a live
//! timer would keep a Node process running).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);

    pub type AbortSignal;
    #[wasm_bindgen(catch, method, getter)]
    fn aborted(this: &AbortSignal) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, method, js_name = addEventListener)]
    fn add_event_listener(this: &AbortSignal, kind: &str, f: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, method, js_name = removeEventListener)]
    fn remove_event_listener(this: &AbortSignal, kind: &str, f: &Function) -> Result<(), JsValue>;

    pub type AbortController;
    #[wasm_bindgen(constructor)]
    pub fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    pub fn signal(this: &AbortController) -> AbortSignal;

    /// `Promise.resolve(x)`: reads `x.then`, which a hostile thenable can make throw.
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    pub fn promise_resolve(x: &JsValue) -> Result<Promise, JsValue>;
}

impl AbortSignal {
    /// Whether the signal fired. A signal whose `aborted` throws counts as fired: the call
    /// stops rather than running on with a broken signal.
    pub fn is_aborted(&self) -> bool {
        self.aborted().unwrap_or(true)
    }
}

/// A `setTimeout` that is cleared when dropped.
pub struct Timer(JsValue);

impl Timer {
    pub fn start(handler: &Function, ms: f64) -> Timer {
        Timer(set_timeout(handler, if ms.is_finite() { ms.clamp(0.0, 2_147_483_647.0) } else { 0.0 }))
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

/// An `abort` listener that is removed when dropped.
pub struct AbortListener {
    signal: AbortSignal,
    handler: Function,
}

impl AbortListener {
    /// `None` when the signal refused the listener (a fake signal whose method throws).
    pub fn add(signal: &AbortSignal, handler: &Function) -> Option<AbortListener> {
        let signal: AbortSignal = signal.clone().unchecked_into();
        signal.add_event_listener("abort", handler).ok()?;
        Some(AbortListener { signal, handler: handler.clone() })
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        let _ = self.signal.remove_event_listener("abort", &self.handler);
    }
}

impl Clone for AbortSignal {
    fn clone(&self) -> Self {
        JsValue::from(self).unchecked_into()
    }
}

/// Reads `signal` from an options object: absent/null/undefined → `None`; anything that does
/// not behave like an AbortSignal (no `addEventListener`, an `aborted` that throws) → `Err`.
pub fn signal_from(value: &JsValue) -> Result<Option<AbortSignal>, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let has_listener =
        js_sys::Reflect::get(value, &JsValue::from_str("addEventListener")).map(|f| f.is_function()).unwrap_or(false);
    if !value.is_object() || !has_listener {
        return Err("signal must be an AbortSignal".to_string());
    }
    let signal: AbortSignal = value.clone().unchecked_into();
    signal.aborted().map_err(|_| "signal must be an AbortSignal (reading its aborted flag threw)".to_string())?;
    Ok(Some(signal))
}

/// `controller.abort` bound to its controller, usable as a timer or listener callback.
pub fn abort_fn(ctrl: &AbortController) -> Function {
    match js_sys::Reflect::get(ctrl, &JsValue::from_str("abort")) {
        Ok(f) if f.is_function() => f.unchecked_into::<Function>().bind0(ctrl),
        _ => Function::new_no_args(""),
    }
}

/// Sleeps `ms` on a JS timer. Resolves `Err(())` at once if `signal` fires first; the timer
/// and the listener are released either way, and also if this future is dropped.
pub async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<(), ()> {
    if signal.is_some_and(AbortSignal::is_aborted) {
        return Err(());
    }
    let mut resolve: Option<Function> = None;
    let mut reject: Option<Function> = None;
    let promise = Promise::new(&mut |res, rej| {
        resolve = Some(res);
        reject = Some(rej);
    });
    let (Some(resolve), Some(reject)) = (resolve, reject) else {
        return Err(());
    };
    let _timer = Timer::start(&resolve, ms);
    let _listener = signal.and_then(|s| AbortListener::add(s, &reject));
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| ())
}
