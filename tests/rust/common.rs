//! Test helpers shared by the native tests, the lib's unit tests and examples/corpus.rs:
//! `Value`s from serde_json.
#![allow(dead_code)]
use super::Value;

pub fn from_serde(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect()),
    }
}

pub fn json(text: &str) -> Value {
    from_serde(&serde_json::from_str(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e}")))
}
