//! What validation reports: issue codes, issues, the media inputs that passed, and their
//! plain-object forms. Also the nearest-name hint for misspelt models and fields.

use crate::contract::{self, ModelSpec};
use crate::value::Value;

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
    /// What was given, as a value (`details[].actual`): strings over `SHOWN_CHARS` clipped, a
    /// long data URI as its start; `null` when nothing was given. (Lists and objects as given:
    /// the input is bounded already, `crate::limits`.)
    pub value: Value,
    pub message: String,
}

/// Characters of a given string kept in `details[].actual`.
const SHOWN_CHARS: usize = 200;

/// `v` as `details[].actual` shows it: bounded, never a whole data URI.
pub fn shown(v: &Value) -> Value {
    match v {
        Value::String(s) if s.chars().count() > SHOWN_CHARS => {
            Value::String(format!("{}…", s.chars().take(SHOWN_CHARS).collect::<String>()))
        }
        Value::CheckedDataUri { head, .. } => Value::String(format!("{head}…")),
        Value::Unsupported(kind) => Value::String(kind.clone()),
        other => other.clone(),
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
                    ("actual", i.value.clone()),
                ])
            })
            .collect(),
    )
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

/// Everything one walk finds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub issues: Vec<Issue>,
    pub media: Vec<MediaInfo>,
}

pub(super) fn issue(path: &str, code: IssueCode, expected: String, actual: &Value, message: String) -> Issue {
    Issue { path: path.into(), code, expected, actual: actual.describe(), value: shown(actual), message }
}

pub(super) fn unknown_field(spec: &ModelSpec, key: &str, given: &Value) -> Issue {
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
        value: shown(given),
        message,
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
