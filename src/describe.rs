//! The contract as plain data for UIs: `describeModels()`.
//!
//! Owns: rendering the model tables (fields, types, allowed values, defaults, cross-field
//! rules in words, pricing in words) as a `Value`. Must not: validate or price.

use crate::contract::{Field, MediaKind, ModelSpec, Pricing, Rule, Type, MODELS};
use crate::media::DEFAULT_MAX_DATA_URI_BYTES;
use crate::value::{format_number, Value};

pub fn describe_models() -> Value {
    Value::Array(MODELS.iter().map(describe_model).collect())
}

fn describe_model(m: &ModelSpec) -> Value {
    Value::object(vec![
        ("model", Value::str(m.name)),
        ("title", Value::str(m.title)),
        ("fields", Value::Array(m.fields.iter().map(describe_field).collect())),
        ("rules", Value::Array(m.rules.iter().map(|r| Value::str(rule_text(r))).collect())),
        ("pricing", Value::str(pricing_text(m))),
        ("serverPricedOnly", Value::Bool(m.pricing == Pricing::ServerOnly)),
        ("expectedSeconds", Value::Number(f64::from(m.expected_seconds))),
    ])
}

fn describe_field(f: &Field) -> Value {
    let media = match f.ty {
        Type::Media(k) | Type::MediaList(k) | Type::MediaOrList(k) => Value::str(k.as_str()),
        _ => Value::Null,
    };
    let allowed = if !f.one_of.is_empty() {
        Value::Array(f.one_of.iter().map(|s| Value::str(*s)).collect())
    } else if !f.one_of_numbers.is_empty() {
        Value::Array(f.one_of_numbers.iter().map(|n| Value::Number(*n)).collect())
    } else {
        Value::Null
    };
    let default = f.default.map_or(Value::Null, |d| d.to_value());
    Value::object(vec![
        ("name", Value::str(f.name)),
        ("type", Value::str(f.ty.name())),
        ("required", Value::Bool(f.required)),
        ("nullable", Value::Bool(f.nullable)),
        ("default", default),
        ("allowed", allowed),
        ("min", f.range.map_or(Value::Null, |r| Value::Number(r.0))),
        ("max", f.range.map_or(Value::Null, |r| Value::Number(r.1))),
        ("maxItems", f.items.map_or(Value::Null, |i| Value::Number(i.1 as f64))),
        ("media", media),
        (
            "acceptsDataUri",
            Value::Bool(matches!(
                f.ty,
                Type::Media(MediaKind::Image) | Type::MediaList(MediaKind::Image) | Type::MediaOrList(MediaKind::Image)
            )),
        ),
        ("description", Value::str(f.doc)),
        ("label", Value::str(label(f.name))),
        ("help", Value::str(if f.doc.is_empty() { default_help(f.name) } else { f.doc })),
        (
            "maxDataUriBytes",
            if matches!(
                f.ty,
                Type::Media(MediaKind::Image) | Type::MediaList(MediaKind::Image) | Type::MediaOrList(MediaKind::Image)
            ) {
                Value::Number(DEFAULT_MAX_DATA_URI_BYTES as f64)
            } else {
                Value::Null
            },
        ),
    ])
}

/// A field's name for people (forms, errors read aloud).
fn label(name: &str) -> &'static str {
    match name {
        "prompt" | "content" => "Prompt",
        "aspectRatio" | "ratio" => "Aspect ratio",
        "duration" => "Duration (seconds)",
        "resolution" => "Resolution",
        "image" => "Image",
        "imageUrl" => "First frame",
        "lastFrameUrl" => "Last frame",
        "referenceImageUrls" => "Reference images",
        "referenceVideoUrl" => "Reference video",
        "referenceAudioUrls" => "Reference audio",
        "video" => "Video",
        "audio" => "Audio",
        "filterMode" => "Content filter",
        "promptExtend" => "Expand the prompt",
        "tier" => "Quality tier",
        _ => "Option",
    }
}

/// One line of help for fields whose table entry has none.
fn default_help(name: &str) -> &'static str {
    match name {
        "aspectRatio" | "ratio" => "The frame's shape: wide, tall or square.",
        "resolution" => "Higher costs more.",
        "promptExtend" => "Let the model add detail to a short prompt.",
        "tier" => "Faster or higher quality; priced by the server.",
        _ => "",
    }
}

fn rule_text(r: &Rule) -> String {
    match r {
        Rule::Exclusive { a, b } => format!("{} cannot be combined with {}", a.join(" / "), b.join(" / ")),
        Rule::AtLeastOne(f) => format!("at least one of {} is required", f.join(", ")),
        Rule::NotAlone { field, with } => {
            format!("{field} needs one of {} beside it", with.join(", "))
        }
    }
}

fn pricing_text(m: &ModelSpec) -> String {
    match m.pricing {
        Pricing::ServerOnly => "priced by the server only (use quote)".into(),
        Pricing::PerItem { field, rate } => format!("{rate} credits per {field} item"),
        Pricing::PerSecond { keys: [], rates } => {
            format!("{} credits per second", rates.first().map(|r| r.1).unwrap_or(0))
        }
        Pricing::PerSecond { keys, rates } => {
            let rows: Vec<String> = rates
                .iter()
                .map(|(sel, rate)| format!("{} {}", sel.join(" "), format_number(f64::from(*rate))))
                .collect();
            format!("credits per second by {}: {}", keys.join(" and "), rows.join(", "))
        }
    }
}
