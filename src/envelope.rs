//! The one result shape every action resolves to, and the stable error codes.
//!
//! Owns: `Envelope` (`{ok, status, taskId, data, errorCode, errorMessage, retryAfter,
//! httpStatus, suggestions}`), `ErrorCode` with its wire strings, and the suggested next steps
//! per code. Must not: know about HTTP or JS; messages built here never contain the API key
//! (callers pass only redacted text).

use crate::value::Value;

/// Stable error codes. JS callers branch on the string; new codes may be added, existing
/// strings never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    InvalidModel,
    InvalidPayload,
    AuthFailed,
    InsufficientCredits,
    TaskNotFound,
    IdempotencyConflict,
    BudgetExceeded,
    ContentRejected,
    RateLimited,
    UpstreamError,
    NetworkError,
    UnknownError,
    Aborted,
    InvalidArgument,
    GenerationFailed,
    Cancelled,
    PollTimeout,
    TaskNotCancellable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidModel => "INVALID_MODEL",
            ErrorCode::InvalidPayload => "INVALID_PAYLOAD",
            ErrorCode::AuthFailed => "AUTH_FAILED",
            ErrorCode::InsufficientCredits => "INSUFFICIENT_CREDITS",
            ErrorCode::TaskNotFound => "TASK_NOT_FOUND",
            ErrorCode::IdempotencyConflict => "IDEMPOTENCY_CONFLICT",
            ErrorCode::BudgetExceeded => "BUDGET_EXCEEDED",
            ErrorCode::ContentRejected => "CONTENT_REJECTED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::UpstreamError => "UPSTREAM_ERROR",
            ErrorCode::NetworkError => "NETWORK_ERROR",
            ErrorCode::UnknownError => "UNKNOWN_ERROR",
            ErrorCode::Aborted => "ABORTED",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::GenerationFailed => "GENERATION_FAILED",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::PollTimeout => "POLL_TIMEOUT",
            ErrorCode::TaskNotCancellable => "TASK_NOT_CANCELLABLE",
        }
    }

    /// Reads a server-sent `errorCode`. Codes we do not know stay unknown to the caller as
    /// `None`, and classification falls back to the HTTP status.
    pub fn from_wire(code: &str) -> Option<ErrorCode> {
        Some(match code {
            "INVALID_MODEL" => ErrorCode::InvalidModel,
            "INVALID_PAYLOAD" => ErrorCode::InvalidPayload,
            "AUTH_FAILED" | "UNAUTHORIZED" | "FORBIDDEN" => ErrorCode::AuthFailed,
            "INSUFFICIENT_CREDITS" => ErrorCode::InsufficientCredits,
            "TASK_NOT_FOUND" | "NOT_FOUND" => ErrorCode::TaskNotFound,
            "IDEMPOTENCY_CONFLICT" => ErrorCode::IdempotencyConflict,
            "BUDGET_EXCEEDED" => ErrorCode::BudgetExceeded,
            "CONTENT_REJECTED" => ErrorCode::ContentRejected,
            "RATE_LIMITED" => ErrorCode::RateLimited,
            "UPSTREAM_ERROR" => ErrorCode::UpstreamError,
            _ => return None,
        })
    }

    /// What the caller can do next, in plain words.
    pub fn suggestions(self) -> &'static [&'static str] {
        match self {
            ErrorCode::InvalidModel => &["Use one of the supported models (getAccount() lists what the server accepts)."],
            ErrorCode::InvalidPayload => &["Fix the fields named in data.details; validatePayload(model, payload) checks them offline."],
            ErrorCode::AuthFailed => &["Check the API key (AIVIDEO_API_KEY): it must be the raw ak_… key, sent without a Bearer prefix."],
            ErrorCode::InsufficientCredits => &[
                "Top up credits at https://aivideomaker.ai.",
                "Or use a cheaper model or a shorter duration; estimateCredits() and quote() show the price first.",
            ],
            ErrorCode::TaskNotFound => &["Check the task id; tasks are visible only to the key that created them."],
            ErrorCode::IdempotencyConflict => &["This idempotency key was already used with a different payload: use a new key (or idempotencyScope) for a new generation, or resend the original payload."],
            ErrorCode::BudgetExceeded => &["Raise maxCredits, or choose a cheaper model, resolution or duration."],
            ErrorCode::ContentRejected => &["The prompt or media was rejected by the content filter: rephrase or change the inputs."],
            ErrorCode::RateLimited => &["Poll less often, or wait retryAfter seconds before the next request."],
            ErrorCode::UpstreamError => &["The service had a problem; retry later. A create with an idempotency key is safe to retry."],
            ErrorCode::NetworkError => &["Check connectivity and baseUrl, or raise timeoutMs; a create with an idempotency key is safe to retry."],
            ErrorCode::UnknownError => &["Retry later; if it persists, report the httpStatus and errorMessage."],
            ErrorCode::Aborted => &["The request was aborted by the caller's signal."],
            ErrorCode::InvalidArgument => &["Fix the argument named in errorMessage."],
            ErrorCode::GenerationFailed => &["Check the inputs (prompt, images) and try again; failed tasks are refunded automatically."],
            ErrorCode::Cancelled => &["The task was cancelled and refunded."],
            ErrorCode::TaskNotCancellable => &["Only a SUBMITTED task can be cancelled: this one has started, so wait for it (waitForTask) or let it finish."],
            ErrorCode::PollTimeout => &["The task is still running: call waitForTask again with the same taskId (it is not lost), or raise maxWaitMs."],
        }
    }
}

/// The normalized result of every action.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub ok: bool,
    pub status: Option<String>,
    pub task_id: Option<String>,
    pub data: Value,
    pub error_code: Option<ErrorCode>,
    pub error_message: Option<String>,
    /// Seconds, as the server's `Retry-After` said (capped by the client's policy).
    pub retry_after: Option<f64>,
    pub http_status: Option<u16>,
}

impl Envelope {
    pub fn success(status: Option<String>, task_id: Option<String>, data: Value, http: u16) -> Self {
        Envelope {
            ok: true,
            status,
            task_id,
            data,
            error_code: None,
            error_message: None,
            retry_after: None,
            http_status: Some(http),
        }
    }

    pub fn failure(code: ErrorCode, message: impl Into<String>) -> Self {
        Envelope {
            ok: false,
            status: Some("FAILED".to_string()),
            task_id: None,
            data: Value::Null,
            error_code: Some(code),
            error_message: Some(message.into()),
            retry_after: None,
            http_status: None,
        }
    }

    pub fn with_task_id(mut self, task_id: Option<String>) -> Self {
        if self.task_id.is_none() {
            self.task_id = task_id;
        }
        self
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    /// The plain object handed to JS. Every key is always present (null when absent) so
    /// callers can destructure without checks.
    pub fn to_value(&self) -> Value {
        let suggestions =
            self.error_code.map(|c| c.suggestions().iter().map(|s| Value::str(*s)).collect()).unwrap_or_default();
        Value::object(vec![
            ("ok", Value::Bool(self.ok)),
            ("status", Value::opt_str(self.status.clone())),
            ("taskId", Value::opt_str(self.task_id.clone())),
            ("data", self.data.clone()),
            ("errorCode", Value::opt_str(self.error_code.map(|c| c.as_str()))),
            ("errorMessage", Value::opt_str(self.error_message.clone())),
            ("retryAfter", self.retry_after.map_or(Value::Null, Value::Number)),
            ("httpStatus", self.http_status.map_or(Value::Null, |s| Value::Number(s as f64))),
            ("suggestions", Value::Array(suggestions)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_wire_string_where_servers_send_it() {
        for code in [
            ErrorCode::InvalidModel,
            ErrorCode::InvalidPayload,
            ErrorCode::InsufficientCredits,
            ErrorCode::IdempotencyConflict,
            ErrorCode::BudgetExceeded,
            ErrorCode::RateLimited,
        ] {
            assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
            assert!(!code.suggestions().is_empty());
        }
        assert_eq!(ErrorCode::from_wire("SOMETHING_NEW"), None);
    }

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
}
