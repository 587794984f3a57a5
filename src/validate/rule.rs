//! Cross-field rules of a model table (one of, not both, together), checked after the
//! fields themselves.

use super::issue::{Issue, IssueCode, Report};
use crate::contract::Rule;
use crate::value::Value;

/// Given: present, not null, and not an empty list.
fn given(payload: &Value, name: &str) -> bool {
    match payload.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

pub(super) fn check_rule(rule: &Rule, payload: &Value, out: &mut Report) {
    match rule {
        Rule::Exclusive { a, b } => {
            let in_a: Vec<&str> = a.iter().copied().filter(|f| given(payload, f)).collect();
            let in_b: Vec<&str> = b.iter().copied().filter(|f| given(payload, f)).collect();
            if let (Some(_), Some(first_b)) = (in_a.first(), in_b.first()) {
                out.issues.push(Issue {
                    path: (*first_b).to_string(),
                    code: IssueCode::Conflict,
                    expected: format!("either {} or {}", a.join("/"), b.join("/")),
                    actual: format!("{} with {}", in_a.join(", "), in_b.join(", ")),
                    value: Value::Null,
                    message: format!(
                        "frame inputs ({}) and reference assets ({}) cannot be combined: keep one kind",
                        in_a.join(", "),
                        in_b.join(", ")
                    ),
                });
            }
        }
        Rule::AtLeastOne(fields) => {
            if !fields.iter().any(|f| given(payload, f)) {
                out.issues.push(Issue {
                    path: fields.first().copied().unwrap_or("").to_string(),
                    code: IssueCode::Required,
                    expected: format!("at least one of {}", fields.join(", ")),
                    actual: "none given".into(),
                    value: Value::Null,
                    message: format!("give at least one of {}", fields.join(", ")),
                });
            }
        }
        Rule::NotAlone { field, with } => {
            if given(payload, field) && !with.iter().any(|f| given(payload, f)) {
                out.issues.push(Issue {
                    path: (*field).to_string(),
                    code: IssueCode::Conflict,
                    expected: format!("{field} together with one of {}", with.join(", ")),
                    actual: format!("only {field}"),
                    value: Value::Null,
                    message: format!("{field} cannot be the only input: add one of {}", with.join(", ")),
                });
            }
        }
    }
}
