//! The one result shape every action resolves to.
//!
//! Owns: `Envelope` (`{ok, status, taskId, data, errorCode, errorMessage, retryAfter,
//! httpStatus, suggestions}`), built from a `Result` so `ok` and `errorCode` cannot disagree,
//! and flattened to the plain object once (`to_value`). Must not: know about HTTP or JS.

use crate::error::{ArgumentError, Error, ErrorCode};
use crate::value::Value;

/// A successful answer: its data and the HTTP status it came with.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub data: Value,
    /// `None` for a result decided locally (an offline validation).
    pub http_status: Option<u16>,
}

/// The normalized result of every action.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub status: Option<String>,
    pub task_id: Option<String>,
    pub outcome: Result<Reply, Error>,
}

impl From<Error> for Envelope {
    fn from(e: Error) -> Envelope {
        Envelope { status: Some("FAILED".to_string()), task_id: None, outcome: Err(e) }
    }
}

impl From<ArgumentError> for Envelope {
    fn from(e: ArgumentError) -> Envelope {
        Error::from(e).into()
    }
}

impl Envelope {
    pub fn success(status: Option<String>, task_id: Option<String>, data: Value, http: u16) -> Self {
        Envelope { status, task_id, outcome: Ok(Reply { data, http_status: Some(http) }) }
    }

    /// A success decided without asking the server (no status, no HTTP status).
    pub fn local(data: Value) -> Self {
        Envelope { status: None, task_id: None, outcome: Ok(Reply { data, http_status: None }) }
    }

    pub fn failure(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::new(code, message).into()
    }

    pub fn is_ok(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The error code of a failure; `None` on success.
    pub fn code(&self) -> Option<ErrorCode> {
        self.outcome.as_ref().err().map(|e| e.code)
    }

    pub fn error(&self) -> Option<&Error> {
        self.outcome.as_ref().err()
    }

    pub fn error_mut(&mut self) -> Option<&mut Error> {
        self.outcome.as_mut().err()
    }

    pub fn message(&self) -> Option<&str> {
        self.error().map(|e| e.message.as_str())
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match &self.outcome {
            Ok(r) => r.http_status,
            Err(e) => e.http_status,
        }
    }

    pub fn retry_after(&self) -> Option<f64> {
        self.error().and_then(|e| e.retry_after)
    }

    /// The success data, or the failure's data.
    pub fn data(&self) -> &Value {
        match &self.outcome {
            Ok(r) => &r.data,
            Err(e) => &e.data,
        }
    }

    pub fn data_mut(&mut self) -> &mut Value {
        match &mut self.outcome {
            Ok(r) => &mut r.data,
            Err(e) => &mut e.data,
        }
    }

    pub fn with_task_id(mut self, task_id: Option<String>) -> Self {
        if self.task_id.is_none() {
            self.task_id = task_id;
        }
        self
    }

    pub fn with_data(mut self, data: Value) -> Self {
        *self.data_mut() = data;
        self
    }

    /// Turns a success into a failure (a task read that contradicts what the poll said),
    /// keeping the data, status and HTTP status the answer came with.
    pub fn fail(&mut self, code: ErrorCode, message: impl Into<String>) {
        let (data, http) = match &mut self.outcome {
            Ok(r) => (std::mem::take(&mut r.data), r.http_status),
            Err(e) => (std::mem::take(&mut e.data), e.http_status),
        };
        let mut err = Error::new(code, message).with_data(data);
        err.http_status = http;
        self.outcome = Err(err);
    }

    /// The plain object handed to JS. Every key is always present (null when absent) so
    /// callers can destructure without checks.
    pub fn to_value(&self) -> Value {
        let (ok, data, code, message, retry_after, http) = match &self.outcome {
            Ok(r) => (true, &r.data, None, None, None, r.http_status),
            Err(e) => (false, &e.data, Some(e.code), Some(e.message.clone()), e.retry_after, e.http_status),
        };
        let suggestions =
            code.map(|c| crate::suggest::suggestions(c).iter().map(|s| Value::str(*s)).collect()).unwrap_or_default();
        Value::object(vec![
            ("ok", Value::Bool(ok)),
            ("status", Value::opt_str(self.status.clone())),
            ("taskId", Value::opt_str(self.task_id.clone())),
            ("data", data.clone()),
            ("errorCode", Value::opt_str(code.map(|c| c.as_str()))),
            ("errorMessage", Value::opt_str(message)),
            ("retryAfter", retry_after.map_or(Value::Null, Value::Number)),
            ("httpStatus", http.map_or(Value::Null, |s| Value::Number(f64::from(s)))),
            ("suggestions", Value::Array(suggestions)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_object_has_every_key() {
        let v = Envelope::failure(ErrorCode::RateLimited, "slow down").to_value();
        for key in
            ["ok", "status", "taskId", "data", "errorCode", "errorMessage", "retryAfter", "httpStatus", "suggestions"]
        {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v.get("errorCode").and_then(Value::as_str), Some("RATE_LIMITED"));
        assert!(matches!(v.get("suggestions"), Some(Value::Array(s)) if !s.is_empty()));
    }

    #[test]
    fn ok_and_error_code_cannot_disagree() {
        let mut env = Envelope::success(Some("COMPLETED".into()), Some("t".into()), Value::object(vec![]), 200);
        assert_eq!(env.to_value().get("errorCode"), Some(&Value::Null));
        env.fail(ErrorCode::UpstreamError, "no output URL");
        let v = env.to_value();
        assert_eq!(v.get("ok"), Some(&Value::Bool(false)));
        assert_eq!(v.get("errorCode").and_then(Value::as_str), Some("UPSTREAM_ERROR"));
        assert_eq!(v.get("httpStatus").and_then(Value::as_f64), Some(200.0));
    }
}
