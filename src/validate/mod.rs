//! Validation of a payload against its model's table: every problem at once.
//!
//! Owns: walking a `ModelSpec` over a payload `Value` and producing `Issue`s with a path, a
//! stable code, what was expected, what was given and a message that says how to fix it.
//! Must not: know any model by name (everything model-specific is in the tables), perform
//! I/O, or panic on any input.

mod field;
mod issue;
mod report;
mod rule;

pub use issue::{details_value, issues_value, nearest, Issue, IssueCode, MediaInfo, Report};
pub use report::validation_report_json;

use crate::contract::{self, ModelSpec};
use crate::credits::{estimate, Estimate};
use crate::error::{Error, ErrorCode};
use crate::limits::MAX_ISSUES;
use crate::media::DEFAULT_MAX_DATA_URI_BYTES;
use crate::value::Value;
use field::{check_field, expected_text};
use issue::unknown_field;
use rule::check_rule;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidateOptions {
    pub max_data_uri_bytes: usize,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions { max_data_uri_bytes: DEFAULT_MAX_DATA_URI_BYTES }
    }
}

/// A payload that passed: its credit estimate and what its media inputs are.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub spec: &'static ModelSpec,
    pub estimate: Estimate,
    pub media: Vec<MediaInfo>,
}

/// Why a payload was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub code: ErrorCode,
    pub message: String,
    /// The first `MAX_ISSUES` issues.
    pub issues: Vec<Issue>,
    /// How many more there were.
    pub omitted: usize,
}

impl From<Rejection> for Error {
    /// `data` holds every issue (`issues`) and the short form (`details`).
    fn from(rej: Rejection) -> Error {
        let data = Value::object(vec![
            ("issues", issues_value(&rej.issues)),
            ("details", details_value(&rej.issues)),
            ("omittedIssues", Value::Number(rej.omitted as f64)),
        ]);
        Error::new(rej.code, rej.message).with_data(data)
    }
}

impl From<Rejection> for crate::envelope::Envelope {
    fn from(rej: Rejection) -> crate::envelope::Envelope {
        Error::from(rej).into()
    }
}

/// Finds the model or explains which names exist and which is nearest.
pub fn find_model(name: &str) -> Result<&'static ModelSpec, Rejection> {
    contract::model(name).ok_or_else(|| {
        let names: Vec<&str> = contract::model_names().collect();
        let hint = nearest(name, &names).map(|n| format!(" Did you mean \"{n}\"?")).unwrap_or_default();
        let message =
            format!("Unknown model {}. Supported models: {}.{hint}", Value::str(name).describe(), names.join(", "));
        // One issue for the model itself, so `details` names it and what it may be.
        let model_issue = Issue {
            path: "model".into(),
            code: IssueCode::NotAllowed,
            expected: format!("one of {}", names.join(", ")),
            actual: Value::str(name).describe(),
            value: issue::shown(&Value::str(name)),
            message: message.clone(),
        };
        Rejection { code: ErrorCode::InvalidModel, message, issues: vec![model_issue], omitted: 0 }
    })
}

/// Validates `payload` for `model`; on success gives the credit estimate.
pub fn validate_payload(model: &str, payload: &Value, opts: &ValidateOptions) -> Result<Validated, Rejection> {
    let spec = find_model(model)?;
    let Report { mut issues, media } = check_all(spec, payload, opts);
    if issues.is_empty() {
        return Ok(Validated { spec, estimate: estimate(spec, payload), media });
    }
    let n = issues.len();
    let first: Vec<String> = issues
        .iter()
        .take(3)
        .map(|i| if i.path.is_empty() { i.message.clone() } else { format!("{}: {}", i.path, i.message) })
        .collect();
    let more = if n > 3 { format!("; and {} more", n - 3) } else { String::new() };
    Err(Rejection {
        code: ErrorCode::InvalidPayload,
        message: format!(
            "{n} problem{} in the {model} payload: {}{more}",
            if n == 1 { "" } else { "s" },
            first.join("; ")
        ),
        omitted: n.saturating_sub(MAX_ISSUES),
        issues: {
            issues.truncate(MAX_ISSUES);
            issues
        },
    })
}

/// Every issue of `payload` against `spec`, in a stable order: fields in table order,
/// then unknown fields in input order, then cross-field rules.
pub fn check(spec: &ModelSpec, payload: &Value, opts: &ValidateOptions) -> Vec<Issue> {
    check_all(spec, payload, opts).issues
}

pub fn check_all(spec: &ModelSpec, payload: &Value, opts: &ValidateOptions) -> Report {
    let mut out = Report::default();
    let Value::Object(entries) = payload else {
        out.issues.push(Issue {
            path: String::new(),
            code: IssueCode::WrongType,
            expected: "object".into(),
            actual: payload.type_name().into(),
            value: issue::shown(payload),
            message: format!("the payload must be a JSON object of {} fields, got {}", spec.name, payload.describe()),
        });
        return out;
    };
    for field in spec.fields {
        match payload.get(field.name) {
            None => {
                if field.required {
                    out.issues.push(Issue {
                        path: field.name.into(),
                        code: IssueCode::Required,
                        expected: expected_text(field),
                        actual: "missing".into(),
                        value: Value::Null,
                        message: format!("{} is required ({})", field.name, expected_text(field)),
                    });
                }
            }
            Some(v) => check_field(field, v, field.name, opts, &mut out),
        }
    }
    for (key, given) in entries {
        if spec.field(key).is_none() {
            out.issues.push(unknown_field(spec, key, given));
        }
    }
    for rule in spec.rules {
        check_rule(rule, payload, &mut out);
    }
    out
}
