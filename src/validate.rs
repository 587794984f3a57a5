//! Validation of a payload against its model's table: every problem at once.
//!
//! Owns: walking a `ModelSpec` over a payload `Value` and producing `Issue`s with a path, a
//! stable code, what was expected, what was given and a message that says how to fix it.
//! Must not: know any model by name (everything model-specific is in the tables), perform
//! I/O, or panic on any input.

use crate::contract::{self, Field, ModelSpec, Rule, Type};
use crate::credits::{estimate, Estimate};
use crate::error::ErrorCode;
use crate::media::{check_media, Media, DEFAULT_MAX_DATA_URI_BYTES};
use crate::value::{format_number, Value};

/// Stable issue codes; JS callers may branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueCode {
    Required,
    WrongType,
    NotAllowed,
    OutOfRange,
    TooMany,
    Empty,
    UnknownField,
    BadMedia,
    Conflict,
}

impl IssueCode {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Required => "required",
            IssueCode::WrongType => "wrong_type",
            IssueCode::NotAllowed => "not_allowed",
            IssueCode::OutOfRange => "out_of_range",
            IssueCode::TooMany => "too_many",
            IssueCode::Empty => "empty",
            IssueCode::UnknownField => "unknown_field",
            IssueCode::BadMedia => "bad_media",
            IssueCode::Conflict => "conflict",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// `duration`, `referenceImageUrls[4]`; empty for the payload itself.
    pub path: String,
    pub code: IssueCode,
    pub expected: String,
    pub actual: String,
    pub message: String,
}

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
    pub issues: Vec<Issue>,
}

impl Rejection {
    /// `{ ok: false, errorCode, errorMessage, issues, details }` (`details` is the vendor
    /// script's `[{field, expected, actual}]`, kept for compatibility).
    pub fn to_value(&self) -> Value {
        Value::object(vec![
            ("ok", Value::Bool(false)),
            ("errorCode", Value::str(self.code.as_str())),
            ("errorMessage", Value::str(self.message.clone())),
            ("issues", issues_value(&self.issues)),
            ("details", details_value(&self.issues)),
        ])
    }
}

pub fn issues_value(issues: &[Issue]) -> Value {
    Value::Array(
        issues
            .iter()
            .map(|i| {
                Value::object(vec![
                    ("path", Value::str(i.path.clone())),
                    ("code", Value::str(i.code.as_str())),
                    ("expected", Value::str(i.expected.clone())),
                    ("actual", Value::str(i.actual.clone())),
                    ("message", Value::str(i.message.clone())),
                ])
            })
            .collect(),
    )
}

pub fn details_value(issues: &[Issue]) -> Value {
    Value::Array(
        issues
            .iter()
            .map(|i| {
                Value::object(vec![
                    ("field", Value::str(i.path.clone())),
                    ("expected", Value::str(i.expected.clone())),
                    ("actual", Value::str(i.actual.clone())),
                ])
            })
            .collect(),
    )
}

/// Finds the model or explains which names exist and which is nearest.
pub fn find_model(name: &str) -> Result<&'static ModelSpec, Rejection> {
    contract::model(name).ok_or_else(|| {
        let names: Vec<&str> = contract::model_names().collect();
        let hint = nearest(name, &names).map(|n| format!(" Did you mean \"{n}\"?")).unwrap_or_default();
        Rejection {
            code: ErrorCode::InvalidModel,
            message: format!(
                "Unknown model {}. Supported models: {}.{hint}",
                Value::str(name).describe(),
                names.join(", ")
            ),
            issues: Vec::new(),
        }
    })
}

/// Validates `payload` for `model`; on success gives the credit estimate.
pub fn validate_payload(model: &str, payload: &Value, opts: &ValidateOptions) -> Result<Validated, Rejection> {
    let spec = find_model(model)?;
    let Report { issues, media } = check_all(spec, payload, opts);
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
        issues,
    })
}

/// What `validatePayload` returns: `{ ok: true, model, payload, estimate }` or `{ ok: false,
/// model, errorCode, errorMessage, issues, details }`, with `ok` alongside for convenience.
/// `with_payload: false` leaves `payload` null (the wasm edge puts the caller's own object
/// there instead of a copy).
pub fn validation_report(model: &str, payload: &Value, opts: &ValidateOptions, with_payload: bool) -> (bool, Value) {
    match validate_payload(model, payload, opts) {
        Ok(v) => {
            let mut fields = vec![("ok", Value::Bool(true)), ("model", Value::str(model))];
            fields.push(("payload", if with_payload { payload.clone() } else { Value::Null }));
            fields.push(("estimate", v.estimate.to_value()));
            fields.push(("media", Value::Array(v.media.iter().map(MediaInfo::to_value).collect())));
            (true, Value::object(fields))
        }
        Err(rej) => {
            let mut v = rej.to_value();
            if let Value::Object(entries) = &mut v {
                entries.insert(1, ("model".to_string(), Value::str(model)));
            }
            (false, v)
        }
    }
}

/// Every issue of `payload` against `spec`, in a stable order: fields in table order,
/// then unknown fields in input order, then cross-field rules.
pub fn check(spec: &ModelSpec, payload: &Value, opts: &ValidateOptions) -> Vec<Issue> {
    check_all(spec, payload, opts).issues
}

/// A media input that passed: where it is, what it is, and for a data URI its decoded size.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub path: String,
    pub kind: contract::MediaKind,
    /// `image/png` for a data URI; `None` for a URL.
    pub mime_type: Option<String>,
    /// Decoded bytes of a data URI (measured, never decoded); `None` for a URL.
    pub bytes: Option<usize>,
}

impl MediaInfo {
    pub fn to_value(&self) -> Value {
        Value::object(vec![
            ("path", Value::str(self.path.clone())),
            ("kind", Value::str(self.kind.as_str())),
            ("source", Value::str(if self.bytes.is_some() { "dataUri" } else { "url" })),
            ("mimeType", Value::opt_str(self.mime_type.clone())),
            ("bytes", self.bytes.map_or(Value::Null, |b| Value::Number(b as f64))),
        ])
    }
}

/// Everything one walk finds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub issues: Vec<Issue>,
    pub media: Vec<MediaInfo>,
}

pub fn check_all(spec: &ModelSpec, payload: &Value, opts: &ValidateOptions) -> Report {
    let mut out = Report::default();
    let Value::Object(entries) = payload else {
        out.issues.push(Issue {
            path: String::new(),
            code: IssueCode::WrongType,
            expected: "object".into(),
            actual: payload.type_name().into(),
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
                        message: format!("{} is required ({})", field.name, expected_text(field)),
                    });
                }
            }
            Some(v) => check_field(field, v, field.name, opts, &mut out),
        }
    }
    for (key, _) in entries {
        if spec.field(key).is_none() {
            out.issues.push(unknown_field(spec, key));
        }
    }
    for rule in spec.rules {
        check_rule(rule, payload, &mut out);
    }
    out
}

fn expected_text(field: &Field) -> String {
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

fn issue(path: &str, code: IssueCode, expected: String, actual: &Value, message: String) -> Issue {
    Issue { path: path.into(), code, expected, actual: actual.describe(), message }
}

fn check_field(field: &Field, v: &Value, path: &str, opts: &ValidateOptions, out: &mut Report) {
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
    let Value::String(s) = v else {
        out.issues.push(issue(
            path,
            IssueCode::WrongType,
            expected,
            v,
            format!("must be a string, got {}", v.describe()),
        ));
        return;
    };
    match check_media(s, kind, opts.max_data_uri_bytes) {
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
                v,
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
                Value::String(_) => {}
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

fn unknown_field(spec: &ModelSpec, key: &str) -> Issue {
    let known: Vec<&str> = spec.fields.iter().map(|f| f.name).collect();
    let suggestion = spec
        .renames
        .iter()
        .find(|(from, to)| *from == key && spec.field(to).is_some())
        .map(|(_, to)| *to)
        .or_else(|| nearest(key, &known));
    let message = match suggestion {
        Some(s) => format!("{} does not take \"{key}\": use \"{s}\"", spec.name),
        None => format!("{} does not take \"{key}\"; its fields are {}", spec.name, known.join(", ")),
    };
    Issue {
        path: key.to_string(),
        code: IssueCode::UnknownField,
        expected: suggestion.map(|s| format!("\"{s}\"")).unwrap_or_else(|| format!("one of {}", known.join(", "))),
        actual: format!("\"{key}\""),
        message,
    }
}

/// Given: present, not null, and not an empty list.
fn given(payload: &Value, name: &str) -> bool {
    match payload.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn check_rule(rule: &Rule, payload: &Value, out: &mut Report) {
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
                    message: format!("{field} cannot be the only input: add one of {}", with.join(", ")),
                });
            }
        }
    }
}

/// The closest name: equal once case and separators are ignored, else within edit distance 2.
pub fn nearest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let n = norm(name);
    if n.is_empty() || name.len() > 64 {
        return None;
    }
    if let Some(c) = candidates.iter().find(|c| norm(c) == n) {
        return Some(c);
    }
    candidates
        .iter()
        .map(|c| (levenshtein(&n, &norm(c)), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
