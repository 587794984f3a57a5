//! Checks of one field's value against its table entry: type, allowed values, ranges,
//! lists and media inputs, with messages that say how to fix each problem.

use super::issue::{issue, IssueCode, MediaInfo, Report};
use super::ValidateOptions;
use crate::contract::{self, Field, Type};
use crate::media::{check_media, Media};
use crate::value::{format_number, Value};

pub(super) fn expected_text(field: &Field) -> String {
    let mut s = field.ty.name().to_string();
    if !field.one_of.is_empty() {
        s = format!("one of {}", field.one_of.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", "));
        s.push_str(" (string)");
    } else if !field.one_of_numbers.is_empty() {
        s = format!(
            "one of {} (number)",
            field.one_of_numbers.iter().map(|n| format_number(*n)).collect::<Vec<_>>().join(", ")
        );
    } else if let Some((lo, hi)) = field.range {
        s = format!("{} from {} to {}", field.ty.name(), format_number(lo), format_number(hi));
    } else if let Type::Media(k) = field.ty {
        s = match k {
            contract::MediaKind::Image => "image URL (http/https) or data:image/…;base64, URI".into(),
            _ => format!("{} URL (http/https)", k.as_str()),
        };
    }
    if field.nullable {
        s.push_str(" or null");
    }
    s
}

pub(super) fn check_field(field: &Field, v: &Value, path: &str, opts: &ValidateOptions, out: &mut Report) {
    if v.is_null() {
        if !field.nullable {
            let why = if field.required {
                "is required and may not be null"
            } else {
                "may not be null (leave it out instead)"
            };
            out.issues.push(issue(
                path,
                IssueCode::WrongType,
                expected_text(field),
                v,
                format!("{} {why}", field.name),
            ));
        }
        return;
    }
    match field.ty {
        Type::String => check_string(field, v, path, out),
        Type::Integer | Type::Number => check_number(field, v, path, out),
        Type::Boolean => {
            if !matches!(v, Value::Bool(_)) {
                let hint = match v.as_str() {
                    Some("true") | Some("false") => {
                        format!(": use {} without quotes", v.as_str().unwrap_or(""))
                    }
                    _ => String::new(),
                };
                out.issues.push(issue(
                    path,
                    IssueCode::WrongType,
                    "boolean".into(),
                    v,
                    format!("must be true or false, got {}{hint}", v.describe()),
                ));
            }
        }
        Type::Media(kind) => check_media_value(kind, v, path, opts, out),
        Type::StringList | Type::MediaList(_) => check_list(field, v, path, opts, out),
        Type::MediaOrList(kind) => match v {
            Value::Array(_) => check_list(field, v, path, opts, out),
            _ => check_media_value(kind, v, path, opts, out),
        },
    }
}

fn check_string(field: &Field, v: &Value, path: &str, out: &mut Report) {
    if let Value::CheckedDataUri { .. } = v {
        // A long data URI in a text field: a non-empty string, never one of a field's choices.
        if !field.one_of.is_empty() {
            let expected = expected_text(field);
            let message = format!("{} must be {expected}, got {}", field.name, v.describe());
            out.issues.push(issue(path, IssueCode::NotAllowed, expected, v, message));
        }
        return;
    }
    let Value::String(s) = v else {
        let hint = match v {
            Value::Number(n) if field.one_of.contains(&format_number(*n).as_str()) => {
                format!(
                    ": {} takes the string \"{}\", not the number {}",
                    field.name,
                    format_number(*n),
                    format_number(*n)
                )
            }
            Value::Number(n) => {
                match field.one_of.iter().find(|a| a.to_ascii_lowercase().trim_end_matches('p') == format_number(*n)) {
                    Some(a) => format!(": use the string \"{a}\""),
                    None => String::new(),
                }
            }
            _ => String::new(),
        };
        out.issues.push(issue(
            path,
            IssueCode::WrongType,
            expected_text(field),
            v,
            format!("must be a string, got {}{hint}", v.describe()),
        ));
        return;
    };
    if field.non_empty && s.trim().is_empty() {
        out.issues.push(issue(
            path,
            IssueCode::Empty,
            "non-empty string".into(),
            v,
            format!("{} must not be empty", field.name),
        ));
        return;
    }
    if !field.one_of.is_empty() && !field.one_of.contains(&s.as_str()) {
        let hint = match field.one_of.iter().find(|a| a.eq_ignore_ascii_case(s.trim())) {
            Some(a) => format!(": use \"{a}\" (exact case)"),
            None => String::new(),
        };
        out.issues.push(issue(
            path,
            IssueCode::NotAllowed,
            expected_text(field),
            v,
            format!("{} must be {}, got {}{hint}", field.name, expected_text(field), v.describe()),
        ));
    }
}

fn check_number(field: &Field, v: &Value, path: &str, out: &mut Report) {
    let want = if field.ty == Type::Integer { "an integer" } else { "a number" };
    let n = match v {
        Value::Number(n) if n.is_finite() => *n,
        _ => {
            let hint = match v.as_str().map(str::trim) {
                Some(s) => {
                    let digits = s.trim_end_matches(['p', 'P']);
                    match crate::value::parse_decimal(digits) {
                        Some(n) if n.is_finite() => {
                            format!(": {} takes the number {} without quotes", field.name, format_number(n))
                        }
                        _ => String::new(),
                    }
                }
                None => String::new(),
            };
            out.issues.push(issue(
                path,
                IssueCode::WrongType,
                expected_text(field),
                v,
                format!("must be {want}, got {}{hint}", v.describe()),
            ));
            return;
        }
    };
    if field.ty == Type::Integer && n.fract() != 0.0 {
        out.issues.push(issue(
            path,
            IssueCode::WrongType,
            expected_text(field),
            v,
            format!("must be a whole number of seconds, got {}", format_number(n)),
        ));
        return;
    }
    if !field.one_of_numbers.is_empty() && !field.one_of_numbers.contains(&n) {
        out.issues.push(issue(
            path,
            IssueCode::NotAllowed,
            expected_text(field),
            v,
            format!("{} must be {}, got {}", field.name, expected_text(field), format_number(n)),
        ));
        return;
    }
    if let Some((lo, hi)) = field.range {
        if n < lo || n > hi {
            out.issues.push(issue(
                path,
                IssueCode::OutOfRange,
                expected_text(field),
                v,
                format!(
                    "{} must be from {} to {}, got {}",
                    field.name,
                    format_number(lo),
                    format_number(hi),
                    format_number(n)
                ),
            ));
        }
    }
}

fn check_media_value(kind: contract::MediaKind, v: &Value, path: &str, opts: &ValidateOptions, out: &mut Report) {
    let expected = match kind {
        contract::MediaKind::Image => "image URL (http/https) or data:image/…;base64, URI".to_string(),
        _ => format!("{} URL (http/https)", kind.as_str()),
    };
    let checked = match v {
        Value::String(s) => check_media(s, kind, opts.max_data_uri_bytes),
        Value::CheckedDataUri { head, bytes, .. } => {
            crate::media::check_checked_data_uri(head, *bytes, kind, opts.max_data_uri_bytes)
        }
        _ => {
            out.issues.push(issue(
                path,
                IssueCode::WrongType,
                expected,
                v,
                format!("must be a string, got {}", v.describe()),
            ));
            return;
        }
    };
    match checked {
        Err(e) => out.issues.push(issue(path, IssueCode::BadMedia, expected, v, e.message(kind))),
        Ok(Media::Url) => out.media.push(MediaInfo { path: path.into(), kind, mime_type: None, bytes: None }),
        Ok(Media::DataUri { subtype, bytes }) => out.media.push(MediaInfo {
            path: path.into(),
            kind,
            mime_type: Some(format!("image/{subtype}")),
            bytes: Some(bytes),
        }),
    }
}

fn check_list(field: &Field, v: &Value, path: &str, opts: &ValidateOptions, out: &mut Report) {
    let Value::Array(items) = v else {
        let hint =
            if v.as_str().is_some() { format!(": wrap it in a list, [{}]", v.describe()) } else { String::new() };
        out.issues.push(issue(
            path,
            IssueCode::WrongType,
            expected_text(field),
            v,
            format!("must be a list, got {}{hint}", v.describe()),
        ));
        return;
    };
    let (min, max) = field.items.unwrap_or((0, usize::MAX));
    if items.is_empty() && (min > 0 || field.non_empty) {
        out.issues.push(issue(
            path,
            IssueCode::Empty,
            format!("at least {} item", min.max(1)),
            v,
            format!("{} must not be an empty list", field.name),
        ));
        return;
    }
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        if i >= max {
            out.issues.push(issue(
                &item_path,
                IssueCode::TooMany,
                format!("at most {max} items"),
                item,
                format!("{} takes at most {max} items; remove this one", field.name),
            ));
            continue;
        }
        match field.ty {
            Type::StringList => match item {
                Value::String(s) if s.trim().is_empty() => out.issues.push(issue(
                    &item_path,
                    IssueCode::Empty,
                    "non-empty string".into(),
                    item,
                    "this item must not be empty".into(),
                )),
                Value::String(_) | Value::CheckedDataUri { .. } => {}
                _ => out.issues.push(issue(
                    &item_path,
                    IssueCode::WrongType,
                    "string".into(),
                    item,
                    format!("each item must be a string, got {}", item.describe()),
                )),
            },
            Type::MediaList(kind) | Type::MediaOrList(kind) => check_media_value(kind, item, &item_path, opts, out),
            _ => {}
        }
    }
}
