//! What a server's error body says beyond its message, kept for the caller.
//!
//! Owns: the field problems in the shapes servers send them (zod's `issues[]`, tRPC's
//! `zodError.fieldErrors`, plain `details`/`errors` lists), turned into the envelope's
//! `details` (`{field, expected, actual, message}`, paths written as the validator writes
//! them: `image`, `referenceImageUrls[4]`); and the body itself, bounded, for `data.body`.
//! Must not: pick the error code (`crate::classify`) or redact the key (the edge redacts every
//! envelope before it leaves).

use crate::error::clip;
use crate::value::{format_number, Value};

/// At most this many values of a body are kept in `data.body` (a body is a few dozen).
const MAX_BODY_VALUES: usize = 200;
/// At most this many field problems are read.
const MAX_DETAILS: usize = 100;

/// The field problems a body names, or `None` when it names none.
pub fn field_details(body: &Value) -> Option<Value> {
    let error = body.get("error");
    let trpc = error.and_then(|e| e.get("json")).or(error);
    let zod_error = trpc.and_then(|e| e.get("data")).and_then(|d| d.get("zodError"));
    let found = [
        body.get("issues"),
        error.and_then(|e| e.get("issues")),
        body.get("details"),
        body.get("errors"),
        zod_error.and_then(|z| z.get("fieldErrors")),
    ]
    .into_iter()
    .flatten()
    .map(details_of)
    .find(|d| !d.is_empty())?;
    Some(Value::Array(found))
}

/// `[{path, message, expected, received}]` (zod), `[{field, …}]` (already ours), or
/// `{field: [messages]}` (tRPC's fieldErrors).
fn details_of(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.iter().take(MAX_DETAILS).filter_map(detail).collect(),
        Value::Object(fields) => fields
            .iter()
            .take(MAX_DETAILS)
            .map(|(field, messages)| {
                let message = match messages {
                    Value::Array(m) => m.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
                    other => other.as_str().unwrap_or("").to_string(),
                };
                entry(field.clone(), Value::Null, Value::Null, clip(&message))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn detail(item: &Value) -> Option<Value> {
    let field = match item.get("path").or_else(|| item.get("field")) {
        Some(Value::Array(parts)) => path_text(parts),
        Some(Value::String(s)) => s.clone(),
        _ => return None,
    };
    let text = |k: &str| item.get(k).and_then(Value::as_str).map(clip);
    let message = text("message").unwrap_or_default();
    // zod 3 says `received`, zod 4 `input`; ours says `actual`. The value is kept as it came.
    let actual = item.get("actual").or_else(|| item.get("received")).or_else(|| item.get("input"));
    let expected = item.get("expected").map(|e| bounded(e, &mut 20)).unwrap_or(Value::Null);
    Some(entry(field, expected, actual.map(|a| bounded(a, &mut 20)).unwrap_or(Value::Null), message))
}

fn entry(field: String, expected: Value, actual: Value, message: String) -> Value {
    Value::object(vec![
        ("field", Value::str(field)),
        ("expected", expected),
        ("actual", actual),
        ("message", Value::str(message)),
    ])
}

/// `["referenceImageUrls", 4, "url"]` → `referenceImageUrls[4].url`.
fn path_text(parts: &[Value]) -> String {
    let mut out = String::new();
    for p in parts.iter().take(32) {
        match p {
            Value::Number(n) => {
                out.push('[');
                out.push_str(&format_number(*n));
                out.push(']');
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(other.as_str().unwrap_or("?"));
            }
        }
    }
    out
}

/// The body for `data.body`: at most `MAX_BODY_VALUES` values, strings clipped.
pub fn bounded_body(body: &Value) -> Value {
    let mut left = MAX_BODY_VALUES;
    bounded(body, &mut left)
}

fn bounded(v: &Value, left: &mut usize) -> Value {
    if *left == 0 {
        return Value::Null;
    }
    *left -= 1;
    match v {
        Value::String(s) => Value::str(clip(s)),
        Value::Array(items) => {
            let mut out = Vec::new();
            for i in items {
                if *left == 0 {
                    break;
                }
                out.push(bounded(i, left));
            }
            Value::Array(out)
        }
        Value::Object(entries) => {
            let mut out = Vec::new();
            for (k, i) in entries {
                if *left == 0 {
                    break;
                }
                out.push((clip(k), bounded(i, left)));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn details(body: &str) -> String {
        parse(body).and_then(|b| field_details(&b)).map(|d| d.to_json()).unwrap_or_default()
    }

    #[test]
    fn zod_issues_keep_their_paths_and_raw_values() {
        let d = details(
            r#"{"message":"Invalid input","issues":[{"code":"invalid_type","expected":"string","received":"number","path":["duration"],"message":"Expected string, received number"},{"path":["referenceImageUrls",4],"message":"Too many"}]}"#,
        );
        assert!(d.contains(r#"{"field":"duration","expected":"string","actual":"number","message":"Expected string, received number"}"#), "{d}");
        assert!(d.contains(r#""field":"referenceImageUrls[4]""#), "{d}");
    }

    #[test]
    fn trpc_field_errors_and_plain_lists() {
        let d = details(
            r#"{"error":{"json":{"message":"bad","data":{"zodError":{"formErrors":[],"fieldErrors":{"ratio":["Invalid enum value"]}}}}}}"#,
        );
        assert!(d.contains(r#"{"field":"ratio","expected":null,"actual":null,"message":"Invalid enum value"}"#), "{d}");
        let ours = details(r#"{"details":[{"field":"prompt","expected":"string","actual":5}]}"#);
        assert!(ours.contains(r#""actual":5"#), "{ours}");
        assert_eq!(details(r#"{"message":"nope"}"#), "");
    }

    #[test]
    fn bodies_are_bounded() {
        let big = format!("[{}]", vec!["1"; 1000].join(","));
        let b = bounded_body(&parse(&big).unwrap_or(Value::Null));
        let Value::Array(items) = b else { panic!() };
        assert_eq!(items.len(), MAX_BODY_VALUES - 1);
    }
}
