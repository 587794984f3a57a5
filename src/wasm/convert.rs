//! JS values in and out of the core's `Value`.
//!
//! In: never throws, never recurses without bound, never copies past `crate::limits`. Every
//! read that can run caller code (getters, Proxy traps) goes through a `catch` binding; what
//! JSON cannot hold, what throws and what is too large becomes `Value::Unsupported(kind)` so
//! validation can name it; `undefined` object members are dropped as `JSON.stringify` drops
//! them. Out: plain objects and arrays (JSON-compatible), with a `__proto__` key defined as
//! data, never as the prototype.

use crate::limits::{EXTERNAL_STRING_CHARS, MAX_INPUT_DEPTH, MAX_INPUT_STRING_CHARS, MAX_INPUT_VALUES};
use crate::value::{External, JsonSink, TextSource, Value};
use js_sys::{Array, JsString, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// `api.js`'s data-URI check (`__useDataUriCheck`): `s => [first64, decodedBytes]` for a
    /// long string that is a valid base64 image data URI, else undefined.
    static DATA_URI_CHECK: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Called once by `api.js` on first use: one check, written in JS (it runs at the runtime's
/// native speed there), for both of `validatePayload`'s paths and for creates. Answers the
/// limits it works with, `[EXTERNAL_STRING_CHARS, MAX_INPUT_STRING_CHARS]`, so they have one
/// source.
#[wasm_bindgen(js_name = __useDataUriCheck, skip_typescript)]
pub fn use_data_uri_check(check: js_sys::Function) -> Vec<u32> {
    DATA_URI_CHECK.with(|c| *c.borrow_mut() = Some(check));
    vec![EXTERNAL_STRING_CHARS as u32, MAX_INPUT_STRING_CHARS as u32]
}

/// A JS string the core refers to instead of holding (`Value::CheckedDataUri`).
struct JsText(JsString);

impl TextSource for JsText {
    fn write_to(&self, out: &mut dyn JsonSink) {
        // In pieces, so hashing a 20 MB data URI never holds it in the wasm memory.
        const PIECE: u32 = 1 << 16;
        let n = self.0.length();
        let mut at = 0;
        while at < n {
            let end = at.saturating_add(PIECE).min(n);
            out.push_str(&String::from(self.0.slice(at, end)));
            at = end;
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The JS string behind a `Value::CheckedDataUri` made here.
pub fn external_js(source: &External) -> Option<JsValue> {
    source.0.as_any().downcast_ref::<JsText>().map(|t| t.0.clone().into())
}

/// A long string as a checked data URI kept in JS, when it is one.
fn checked_data_uri(v: &JsValue) -> Option<Value> {
    let check = DATA_URI_CHECK.with(|c| c.borrow().clone())?;
    let found: Array = check.call1(&JsValue::UNDEFINED, v).ok()?.dyn_into().ok()?;
    let head = found.get(0).as_string()?;
    let bytes = found.get(1).as_f64().filter(|b| b.is_finite() && *b >= 0.0)? as usize;
    let source = External(Rc::new(JsText(v.clone().unchecked_into())));
    Some(Value::CheckedDataUri { head, bytes, source: Some(source) })
}

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`: one call per object (getters run here, so it may throw), instead
    /// of a catching `Reflect.get` per member.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    pub fn object_entries(obj: &JsValue) -> Result<Array, JsValue>;
    /// `Array.isArray`: throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// `Array.from`: a real array of the items (runs a Proxy's traps, so it may throw).
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(v: &JsValue) -> Result<Array, JsValue>;
    /// `ArrayBuffer.isView`: a Buffer or typed array (megabytes of members, none of them JSON).
    #[wasm_bindgen(catch, js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view(v: &JsValue) -> Result<bool, JsValue>;
    /// `Object.prototype.toString.call(v)`: `[object String]` for a boxed string, and so on.
    #[wasm_bindgen(catch, js_namespace = ["Object", "prototype", "toString"], js_name = call)]
    fn object_tag(v: &JsValue) -> Result<JsString, JsValue>;
}

/// One walk of a JS value, counting what it copied.
struct Reader {
    values: usize,
}

pub fn from_js(v: &JsValue) -> Value {
    Reader { values: 0 }.read(v, 0)
}

impl Reader {
    fn read(&mut self, v: &JsValue, depth: usize) -> Value {
        self.values += 1;
        if self.values > MAX_INPUT_VALUES {
            return Value::Unsupported(format!("more than {MAX_INPUT_VALUES} values"));
        }
        // Most common first: every check is a call across the JS boundary.
        if v.is_string() {
            let chars = v.unchecked_ref::<JsString>().length() as usize;
            // A data URI of any length is measured in JS, never copied: one over the cap is
            // then reported as too large, not as a string too long to read.
            if chars > EXTERNAL_STRING_CHARS {
                if let Some(uri) = checked_data_uri(v) {
                    return uri;
                }
            }
            if chars > MAX_INPUT_STRING_CHARS {
                return Value::Unsupported(format!(
                    "string too long to read ({chars} characters, at most {MAX_INPUT_STRING_CHARS})"
                ));
            }
            return v.as_string().map_or(Value::Null, Value::String);
        }
        if let Some(n) = v.as_f64() {
            return Value::Number(n);
        }
        if v.is_null() || v.is_undefined() {
            return Value::Null;
        }
        if let Some(b) = v.as_bool() {
            return Value::Bool(b);
        }
        if v.is_bigint() {
            return Value::Unsupported("bigint".into());
        }
        if v.is_symbol() {
            return Value::Unsupported("symbol".into());
        }
        if v.is_function() {
            return Value::Unsupported("function".into());
        }
        if !v.is_object() {
            return Value::Unsupported("unknown JS value".into());
        }
        if depth >= MAX_INPUT_DEPTH {
            return Value::Unsupported(format!("value nested deeper than {MAX_INPUT_DEPTH} levels"));
        }
        // Read before their members are listed: a 5 MB Buffer or `new String` of a data URI
        // would be millions of members (and none of it is what JSON.stringify writes).
        if is_view(v).unwrap_or(false) {
            return Value::Unsupported("binary data (a Buffer or typed array): pass a data URI or a URL".into());
        }
        if let Some(boxed) = object_tag(v).ok().and_then(|t| match String::from(t).as_str() {
            "[object String]" => Some("boxed string (new String(…)): pass the string itself"),
            "[object Number]" => Some("boxed number (new Number(…)): pass the number itself"),
            "[object Boolean]" => Some("boxed boolean (new Boolean(…)): pass true or false"),
            _ => None,
        }) {
            return Value::Unsupported(boxed.into());
        }
        match is_array(v) {
            Ok(true) => self.array(v, depth),
            Ok(false) => self.object(v, depth),
            Err(_) => Value::Unsupported("object whose traps throw (a revoked Proxy?)".into()),
        }
    }

    fn array(&mut self, v: &JsValue, depth: usize) -> Value {
        // The length first: `Array.from` of a sparse array of 1e8 would make 1e8 items.
        let len = Reflect::get(v, &JsValue::from_str("length")).ok().and_then(|l| l.as_f64()).unwrap_or(0.0);
        if len > MAX_INPUT_VALUES as f64 {
            return Value::Unsupported(format!("array of {} items (at most {MAX_INPUT_VALUES})", len as u64));
        }
        let Ok(items) = array_from(v) else {
            return Value::Unsupported("array whose items cannot be read".into());
        };
        let n = items.length();
        let mut out = Vec::with_capacity((n as usize).min(64));
        for i in 0..n {
            if self.values >= MAX_INPUT_VALUES {
                out.push(Value::Unsupported(format!("more than {MAX_INPUT_VALUES} values")));
                break;
            }
            out.push(self.read(&items.get(i), depth + 1));
        }
        Value::Array(out)
    }

    fn object(&mut self, v: &JsValue, depth: usize) -> Value {
        let Ok(entries) = object_entries(v) else {
            return Value::Unsupported("object whose getter throws".into());
        };
        let n = entries.length();
        let mut out = Vec::with_capacity((n as usize).min(64));
        for i in 0..n {
            if self.values >= MAX_INPUT_VALUES {
                out.push(("…".to_string(), Value::Unsupported(format!("more than {MAX_INPUT_VALUES} values"))));
                break;
            }
            // `entries` is a real array of real [key, value] pairs: reading it runs no caller code.
            let pair: Array = entries.get(i).unchecked_into();
            let Some(name) = pair.get(0).as_string() else { continue };
            let item = pair.get(1);
            if !item.is_undefined() {
                out.push((name, self.read(&item, depth + 1)));
            }
        }
        Value::Object(out)
    }
}

/// Through the runtime's `JSON.parse`: one boundary crossing instead of one per member, and
/// non-integers formatted by the runtime itself, so nothing is lost.
pub fn to_js_via_json(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_json_with(&js_number)).unwrap_or_else(|_| to_js(v))
}

/// `String(n)`: what JSON.stringify writes for a finite number.
pub fn js_number(n: f64) -> String {
    js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_else(|_| "null".to_string())
}

pub fn to_js(v: &Value) -> JsValue {
    match v {
        Value::Null | Value::Unsupported(_) => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) if n.is_finite() => JsValue::from_f64(*n),
        Value::Number(_) => JsValue::NULL,
        Value::String(s) | Value::CheckedDataUri { head: s, source: None, .. } => JsValue::from_str(s),
        Value::CheckedDataUri { head, source: Some(source), .. } => {
            external_js(source).unwrap_or_else(|| JsValue::from_str(head))
        }
        Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
        Value::Object(entries) => {
            let obj = Object::new();
            for (k, item) in entries {
                let key = JsValue::from_str(k);
                if k == "__proto__" {
                    let desc = Object::new();
                    let _ = Reflect::set(&desc, &"value".into(), &to_js(item));
                    let _ = Reflect::set(&desc, &"enumerable".into(), &JsValue::TRUE);
                    let _ = Reflect::set(&desc, &"writable".into(), &JsValue::TRUE);
                    let _ = Reflect::set(&desc, &"configurable".into(), &JsValue::TRUE);
                    let _ = Reflect::define_property(&obj, &key, &desc);
                } else {
                    let _ = Reflect::set(&obj, &key, &to_js(item));
                }
            }
            obj.into()
        }
    }
}

/// Reads one member of an options object (`None` when the object or member is absent, or
/// reading it threw).
#[cfg(feature = "client")]
pub fn member(obj: &JsValue, name: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

/// `member` as a function (`None` also when it is something else).
#[cfg(feature = "client")]
pub fn function_member(obj: &JsValue, name: &str) -> Result<Option<js_sys::Function>, ()> {
    match member(obj, name) {
        None => Ok(None),
        Some(f) if f.is_function() => Ok(Some(f.unchecked_into())),
        Some(_) => Err(()),
    }
}
