//! Raw bindings to the few global JS APIs the edge uses, and RAII guards around them.
//!
//! Timers and listeners are released when their guard drops, so no timer outlives the
//! promise that needed it (a live timer would keep a Node process running).

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
    #[wasm_bindgen(method, getter)]
    pub fn aborted(this: &AbortSignal) -> bool;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &AbortSignal, kind: &str, f: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &AbortSignal, kind: &str, f: &Function);

    pub type AbortController;
    #[wasm_bindgen(constructor)]
    pub fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    pub fn signal(this: &AbortController) -> AbortSignal;
}

/// A `setTimeout` that is cleared when dropped.
pub struct Timer(JsValue);

impl Timer {
    pub fn start(handler: &Function, ms: f64) -> Timer {
        Timer(set_timeout(handler, ms.clamp(0.0, 2_147_483_647.0)))
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
    pub fn add(signal: &AbortSignal, handler: &Function) -> AbortListener {
        let signal: AbortSignal = signal.clone().unchecked_into();
        signal.add_event_listener("abort", handler);
        AbortListener { signal, handler: handler.clone() }
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        self.signal.remove_event_listener("abort", &self.handler);
    }
}

impl Clone for AbortSignal {
    fn clone(&self) -> Self {
        JsValue::from(self).unchecked_into()
    }
}

/// Reads `signal` from an options object: absent/null/undefined → `None`; anything that does
/// not look like an AbortSignal → `Err`.
pub fn signal_from(value: &JsValue) -> Result<Option<AbortSignal>, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let has_listener =
        js_sys::Reflect::get(value, &JsValue::from_str("addEventListener")).map(|f| f.is_function()).unwrap_or(false);
    if !value.is_object() || !has_listener {
        return Err("signal must be an AbortSignal".to_string());
    }
    Ok(Some(value.clone().unchecked_into()))
}

/// `controller.abort` bound to its controller, usable as a timer or listener callback.
pub fn abort_fn(ctrl: &AbortController) -> Function {
    let abort =
        js_sys::Reflect::get(ctrl, &JsValue::from_str("abort")).ok().and_then(|f| f.dyn_into::<Function>().ok());
    match abort {
        Some(f) => f.bind0(ctrl),
        None => Function::new_no_args(""),
    }
}

/// Sleeps `ms` on a JS timer. Resolves `Err(())` at once if `signal` fires first; the timer
/// and the listener are released either way, and also if this future is dropped.
pub async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<(), ()> {
    if signal.is_some_and(|s| s.aborted()) {
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
    let _listener = signal.map(|s| AbortListener::add(s, &reject));
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| ())
}
