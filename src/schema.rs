//! The contract as JSON Schema (draft 2020-12): `jsonSchema(model)` for form builders,
//! OpenAPI documents and tool-calling models, and the MCP server's tool input schemas.
//!
//! Owns: rendering a model table (fields, types, allowed values, ranges, list bounds,
//! nullability, cross-field rules) as a schema, and the schema of a whole generation
//! (`{model, payload}`, one branch per model). Must not: validate; the validator stays the
//! judge. Every payload the validator accepts, the schema accepts (a test walks the corpus);
//! the reverse does not hold where JSON Schema cannot say the rule: URL syntax past the scheme,
//! a data URI's base64 and its decoded size (20 MiB), which only `validatePayload` checks.

use crate::contract::{Field, MediaKind, ModelSpec, Rule, Type, MODELS};
use crate::value::Value;

/// The JSON Schema dialect every schema here names.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A string holding something other than whitespace: the characters `str::trim` removes (the
/// Unicode `White_Space` set), written out, since a regex's `\s` differs from it (U+FEFF).
const NOT_BLANK: &str =
    "[^\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
/// An http(s) URL's scheme, in any case (the validator takes `HTTPS://`).
const HTTP_URL: &str = "^[hH][tT][tT][pP][sS]?://";
/// A data URI's scheme, in any case; the rest (`image/<type>;base64,`) the validator checks.
const DATA_URI: &str = "^[dD][aA][tT][aA]:";

/// One model's payload schema, or `None` for a name the contract does not have.
pub fn model_schema(name: &str) -> Option<Value> {
    MODELS.iter().find(|m| m.name == name).map(|m| with_dialect(payload_schema(m)))
}

/// The schema of a generation: `{model, payload}`, `model` one of the nine names and `payload`
/// that model's schema (one `oneOf` branch per model, keyed by `model`'s `const`). Each
/// model's payload schema is in `$defs` under its name, as `model_schema` gives it.
pub fn generation_schema() -> Value {
    let branches = MODELS
        .iter()
        .map(|m| {
            Value::object(vec![
                ("title", Value::str(m.name)),
                (
                    "properties",
                    Value::object(vec![
                        ("model", Value::object(vec![("const", Value::str(m.name))])),
                        ("payload", Value::object(vec![("$ref", Value::str(format!("#/$defs/{}", m.name)))])),
                    ]),
                ),
            ])
        })
        .collect();
    with_dialect(Value::object(vec![
        ("type", Value::str("object")),
        (
            "properties",
            Value::object(vec![
                (
                    "model",
                    Value::object(vec![
                        ("type", Value::str("string")),
                        ("enum", Value::Array(MODELS.iter().map(|m| Value::str(m.name)).collect())),
                        ("description", Value::str("The model: it decides the payload's fields.")),
                    ]),
                ),
                (
                    "payload",
                    Value::object(vec![
                        ("type", Value::str("object")),
                        ("description", Value::str("The model's input; its fields depend on `model`.")),
                    ]),
                ),
            ]),
        ),
        ("required", strings(&["model", "payload"])),
        ("oneOf", Value::Array(branches)),
        ("$defs", Value::object(MODELS.iter().map(|m| (m.name, payload_schema(m))).collect())),
    ]))
}

fn with_dialect(schema: Value) -> Value {
    match schema {
        Value::Object(mut entries) => {
            entries.insert(0, ("$schema".to_string(), Value::str(DIALECT)));
            Value::Object(entries)
        }
        other => other,
    }
}

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::str(*s)).collect())
}

fn payload_schema(m: &ModelSpec) -> Value {
    let properties = m.fields.iter().map(|f| (f.name, field_schema(f))).collect();
    let required: Vec<&str> = m.fields.iter().filter(|f| f.required).map(|f| f.name).collect();
    let mut entries = vec![
        ("title", Value::str(format!("{}: {}", m.name, m.title))),
        ("type", Value::str("object")),
        ("properties", Value::object(properties)),
        ("required", strings(&required)),
        ("additionalProperties", Value::Bool(false)),
    ];
    if !m.rules.is_empty() {
        entries.push(("allOf", Value::Array(m.rules.iter().flat_map(rule_schemas).collect())));
    }
    Value::object(entries)
}

fn field_schema(f: &Field) -> Value {
    let shape = match f.ty {
        Type::MediaOrList(kind) => {
            Value::object(vec![("anyOf", Value::Array(vec![media_schema(kind), list_schema(f, media_schema(kind))]))])
        }
        _ => type_schema(f),
    };
    let schema = if f.nullable {
        Value::object(vec![("anyOf", Value::Array(vec![shape, Value::object(vec![("type", Value::str("null"))])]))])
    } else {
        shape
    };
    described(f, schema)
}

/// Adds the field's description (before what its shape says, if anything) and default.
fn described(f: &Field, schema: Value) -> Value {
    let Value::Object(mut entries) = schema else { return schema };
    if !f.doc.is_empty() {
        match entries.iter_mut().find(|(k, _)| k == "description") {
            Some((_, Value::String(said))) => *said = format!("{} {said}", f.doc),
            _ => entries.push(("description".to_string(), Value::str(f.doc))),
        }
    }
    if let Some(d) = f.default {
        entries.push(("default".to_string(), d.to_value()));
    }
    Value::Object(entries)
}

fn type_schema(f: &Field) -> Value {
    match f.ty {
        Type::String => {
            let mut e = vec![("type", Value::str("string"))];
            if !f.one_of.is_empty() {
                e.push(("enum", strings(f.one_of)));
            } else if f.non_empty {
                e.push(("pattern", Value::str(NOT_BLANK)));
            }
            Value::object(e)
        }
        Type::Integer | Type::Number => {
            let mut e = vec![("type", Value::str(if f.ty == Type::Integer { "integer" } else { "number" }))];
            if !f.one_of_numbers.is_empty() {
                e.push(("enum", Value::Array(f.one_of_numbers.iter().map(|n| Value::Number(*n)).collect())));
            }
            if let Some((lo, hi)) = f.range {
                e.push(("minimum", Value::Number(lo)));
                e.push(("maximum", Value::Number(hi)));
            }
            Value::object(e)
        }
        Type::Boolean => Value::object(vec![("type", Value::str("boolean"))]),
        Type::StringList => {
            list_schema(f, Value::object(vec![("type", Value::str("string")), ("pattern", Value::str(NOT_BLANK))]))
        }
        Type::Media(kind) => media_schema(kind),
        Type::MediaList(kind) | Type::MediaOrList(kind) => list_schema(f, media_schema(kind)),
    }
}

fn list_schema(f: &Field, items: Value) -> Value {
    let (min, max) = f.items.unwrap_or((0, usize::MAX));
    let min = if f.non_empty { min.max(1) } else { min };
    let mut e = vec![("type", Value::str("array")), ("items", items)];
    if min > 0 {
        e.push(("minItems", Value::Number(min as f64)));
    }
    if max != usize::MAX {
        e.push(("maxItems", Value::Number(max as f64)));
    }
    Value::object(e)
}

fn media_schema(kind: MediaKind) -> Value {
    match kind {
        MediaKind::Image => Value::object(vec![
            ("type", Value::str("string")),
            ("anyOf", Value::Array(vec![pattern(HTTP_URL), pattern(DATA_URI)])),
            (
                "description",
                Value::str(
                    "An http(s) URL, or a data:image/<type>;base64, URI decoding to at most 20 MiB \
                     (the size and the base64 are checked by validatePayload, not by this schema).",
                ),
            ),
        ]),
        _ => Value::object(vec![
            ("type", Value::str("string")),
            ("pattern", Value::str(HTTP_URL)),
            ("description", Value::str(format!("An http(s) URL of the {}.", kind.as_str()))),
        ]),
    }
}

fn pattern(p: &str) -> Value {
    Value::object(vec![("pattern", Value::str(p))])
}

/// `given` as the validator means it: present, not null, not an empty list.
fn given(name: &str) -> Value {
    let absent_like = Value::object(vec![(
        "anyOf",
        Value::Array(vec![
            Value::object(vec![("type", Value::str("null"))]),
            Value::object(vec![("type", Value::str("array")), ("maxItems", Value::Number(0.0))]),
        ]),
    )]);
    Value::object(vec![
        ("required", strings(&[name])),
        ("properties", Value::object(vec![(name, Value::object(vec![("not", absent_like)]))])),
    ])
}

fn not(schema: Value) -> Value {
    Value::object(vec![("not", schema)])
}

fn rule_schemas(rule: &Rule) -> Vec<Value> {
    match rule {
        Rule::Exclusive { a, b } => a
            .iter()
            .flat_map(|x| {
                b.iter().map(move |y| not(Value::object(vec![("allOf", Value::Array(vec![given(x), given(y)]))])))
            })
            .collect(),
        Rule::AtLeastOne(fields) => {
            vec![Value::object(vec![("anyOf", Value::Array(fields.iter().map(|f| given(f)).collect()))])]
        }
        Rule::NotAlone { field, with } => {
            let mut options = vec![not(given(field))];
            options.extend(with.iter().map(|w| given(w)));
            vec![Value::object(vec![("anyOf", Value::Array(options))])]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_has_an_object_schema_that_closes_its_fields() {
        for m in MODELS {
            let s = model_schema(m.name).map(|v| v.to_json()).unwrap_or_default();
            assert!(s.starts_with(&format!("{{\"$schema\":\"{DIALECT}\"")), "{s}");
            assert!(s.contains("\"additionalProperties\":false"), "{}", m.name);
        }
        assert!(model_schema("sora").is_none());
    }

    #[test]
    fn the_generation_schema_names_every_model() {
        let s = generation_schema().to_json();
        for m in MODELS {
            assert!(s.contains(&format!("{{\"const\":\"{}\"}}", m.name)), "{}", m.name);
            assert!(s.contains(&format!("{{\"$ref\":\"#/$defs/{}\"}}", m.name)), "{}", m.name);
        }
    }

    #[test]
    fn nullable_fields_take_null_and_rules_become_schemas() {
        let s = model_schema("seedance20").map(|v| v.to_json()).unwrap_or_default();
        assert!(s.contains("{\"type\":\"null\"}"), "{s}");
        assert!(s.contains("\"allOf\""), "{s}");
        let t = model_schema("t2v").map(|v| v.to_json()).unwrap_or_default();
        assert!(t.contains("\"enum\":[\"5\",\"8\"]"), "{t}");
        assert!(!t.contains("allOf"), "{t}");
    }
}
