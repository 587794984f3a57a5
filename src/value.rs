//! The JSON value the core works on, and its serialization.
//!
//! Owns: a small JSON tree (`Value`) that both the wasm edge (from JS objects) and native
//! tests (from serde_json) build, plus compact and canonical (sorted-key) JSON output.
//! Must not: parse text (the edge uses the runtime's `JSON.parse`), allocate per lookup, or
//! panic on any input.

use std::fmt::Write as _;

/// A JSON value. Objects keep insertion order; JS objects cannot hold duplicate keys.
///
/// `Unsupported` carries the JS type name of something JSON cannot hold (a function, a
/// symbol, a BigInt), so validation can say what it was instead of failing to convert.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
    Unsupported(String),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The JSON type name used in messages: `string`, `number`, `integer` is never reported
    /// (a JSON number is a number), `array`, `object`, `boolean`, `null`, or the JS type.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if !n.is_finite() => "non-finite number",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Unsupported(kind) => kind,
        }
    }

    pub fn object(entries: Vec<(&str, Value)>) -> Value {
        Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn opt_str(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// Compact JSON, keys in insertion order. Non-finite numbers and unsupported values are
    /// written as `null`, as `JSON.stringify` does.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, false);
        out
    }

    /// Compact JSON with object keys sorted: the same logical value always gives the same
    /// text, whatever order its keys were written in.
    pub fn to_canonical_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out, true);
        out
    }

    /// A short, single-line rendering for messages (`"5"`, `5`, `an array of 3`), truncated.
    pub fn describe(&self) -> String {
        match self {
            Value::String(s) => {
                let mut q = String::from("\"");
                for (i, c) in s.chars().enumerate() {
                    if i >= 40 {
                        q.push('…');
                        break;
                    }
                    q.push(c);
                }
                q.push('"');
                q
            }
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".to_string(),
            Value::Array(items) => format!("an array of {}", items.len()),
            Value::Object(_) => "an object".to_string(),
            Value::Unsupported(kind) => format!("a {kind}"),
        }
    }
}

/// Formats a number the way JavaScript prints it for the common cases: integers without a
/// fractional part, everything else with Rust's shortest round-trip form.
pub fn format_number(n: f64) -> String {
    if !n.is_finite() {
        return if n.is_nan() {
            "NaN".into()
        } else if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn write_json(v: &Value, out: &mut String, sorted: bool) {
    match v {
        Value::Null | Value::Unsupported(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_finite() => out.push_str(&format_number(*n)),
        Value::Number(_) => out.push_str("null"),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, sorted);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            let mut refs: Vec<&(String, Value)> = entries.iter().collect();
            if sorted {
                refs.sort_by(|a, b| a.0.cmp(&b.0));
            }
            for (i, (k, item)) in refs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(item, out, sorted);
            }
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
pub(crate) mod test_json {
    use super::Value;

    /// Native tests build `Value`s from serde_json literals.
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
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => from_serde(&v),
            Err(e) => panic!("bad test JSON {text}: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_json::json;
    use super::*;

    #[test]
    fn compact_json_round_trips_through_serde() {
        let v = json(r#"{"b":[1,2.5,"x\"y\n"],"a":{"n":null,"t":true},"c":"\u0001é"}"#);
        let text = v.to_json();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(super::test_json::from_serde(&back), v);
        assert!(text.starts_with(r#"{"b":"#), "insertion order kept: {text}");
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a = json(r#"{"b":1,"a":{"z":1,"y":2}}"#);
        let b = json(r#"{"a":{"y":2,"z":1},"b":1}"#);
        assert_eq!(a.to_canonical_json(), b.to_canonical_json());
        assert_eq!(a.to_canonical_json(), r#"{"a":{"y":2,"z":1},"b":1}"#);
    }

    #[test]
    fn non_json_values_serialize_as_null() {
        let v = Value::Array(vec![
            Value::Number(f64::NAN),
            Value::Number(f64::INFINITY),
            Value::Unsupported("function".into()),
        ]);
        assert_eq!(v.to_json(), "[null,null,null]");
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(format_number(5.0), "5");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(f64::NAN), "NaN");
    }

    #[test]
    fn describe_truncates_long_strings() {
        let long = Value::String("x".repeat(100));
        assert_eq!(long.describe().chars().count(), 43);
        assert_eq!(Value::str("5").describe(), "\"5\"");
    }
}
