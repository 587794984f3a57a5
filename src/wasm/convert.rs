//! JS values in and out of the core's `Value`.
//!
//! In: never throws and never recurses without bound. What JSON cannot hold becomes
//! `Value::Unsupported(kind)` so validation can name it; `undefined` object members are
//! dropped as `JSON.stringify` drops them. Out: plain objects and arrays (JSON-compatible),
//! with a `__proto__` key defined as data, never as the prototype.

use crate::value::Value;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`: one call per object (getters run here, so it may throw), instead
    /// of a catching `Reflect.get` per member.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(obj: &JsValue) -> Result<Array, JsValue>;
}

/// Deeper than this is refused as `Unsupported` (the stack of a wasm instance is small).
const MAX_DEPTH: usize = 64;

pub fn from_js(v: &JsValue) -> Value {
    from_js_at(v, 0)
}

fn from_js_at(v: &JsValue, depth: usize) -> Value {
    // Most common first: every check is a call across the JS boundary.
    if let Some(s) = v.as_string() {
        return Value::String(s);
    }
    if let Some(n) = v.as_f64() {
        return Value::Number(n);
    }
    if v.is_object() && !Array::is_array(v) && !v.is_function() {
        return object_from_js(v, depth);
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
    if depth >= MAX_DEPTH {
        return Value::Unsupported(format!("value nested deeper than {MAX_DEPTH} levels"));
    }
    if Array::is_array(v) {
        let arr: &Array = v.unchecked_ref();
        return Value::Array(arr.iter().map(|item| from_js_at(&item, depth + 1)).collect());
    }
    object_from_js(v, depth)
}

fn object_from_js(v: &JsValue, depth: usize) -> Value {
    if depth >= MAX_DEPTH {
        return Value::Unsupported(format!("value nested deeper than {MAX_DEPTH} levels"));
    }
    let entries = match object_entries(v) {
        Ok(e) => e,
        Err(_) => return Value::Unsupported("object whose getter throws".into()),
    };
    let mut out = Vec::with_capacity(entries.length() as usize);
    for pair in entries.iter() {
        let pair: Array = pair.unchecked_into();
        let Some(name) = pair.get(0).as_string() else { continue };
        let item = pair.get(1);
        if !item.is_undefined() {
            out.push((name, from_js_at(&item, depth + 1)));
        }
    }
    Value::Object(out)
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
        Value::String(s) => JsValue::from_str(s),
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

/// Reads one member of an options object (`None` when the object or member is absent).
pub fn member(obj: &JsValue, name: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}
