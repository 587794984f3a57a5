//! The crate's one error type, and the stable error codes.
//!
//! Owns: `ErrorCode` (wire strings, what a server's code maps to, the HTTP status a proxy
//! answers with) and `Error` (code, message, HTTP status, Retry-After, data). Every layer
//! works in `Result<_, Error>` with `?`; the sources (`ArgumentError` in `request`,
//! validation's `Rejection`) convert with `From`, implemented beside each source. The envelope is built from a
//! `Result` once (`envelope.rs`), so `ok` can never contradict `errorCode`. Must not: know
//! about JS; messages built here never contain the API key.

use crate::value::Value;
use std::fmt;

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
    /// The task COMPLETED (and is paid for) but its result could not be read in time.
    ResultUnavailable,
    /// The server has no such endpoint (a 404 for `/account`, `/quote`, `/tasks`).
    UnsupportedByServer,
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
            ErrorCode::ResultUnavailable => "RESULT_UNAVAILABLE",
            ErrorCode::UnsupportedByServer => "UNSUPPORTED_BY_SERVER",
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

    /// The code named by its wire string, including the ones only this client produces.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The HTTP status a proxy answers with when it turns this failure back into the API's
    /// wire format (the browser's client classifies it again). A failure that came with a
    /// status keeps its own; this is for failures decided locally.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidModel | ErrorCode::InvalidPayload | ErrorCode::InvalidArgument => 400,
            ErrorCode::AuthFailed => 401,
            ErrorCode::InsufficientCredits => 402,
            ErrorCode::TaskNotFound | ErrorCode::UnsupportedByServer => 404,
            ErrorCode::IdempotencyConflict | ErrorCode::TaskNotCancellable => 409,
            ErrorCode::BudgetExceeded | ErrorCode::ContentRejected => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Aborted => 499,
            ErrorCode::UpstreamError
            | ErrorCode::NetworkError
            | ErrorCode::UnknownError
            | ErrorCode::GenerationFailed
            | ErrorCode::Cancelled
            | ErrorCode::PollTimeout
            | ErrorCode::ResultUnavailable => 502,
        }
    }

    /// Every code, for tables and tests.
    pub const ALL: [ErrorCode; 20] = [
        ErrorCode::InvalidModel,
        ErrorCode::InvalidPayload,
        ErrorCode::AuthFailed,
        ErrorCode::InsufficientCredits,
        ErrorCode::TaskNotFound,
        ErrorCode::IdempotencyConflict,
        ErrorCode::BudgetExceeded,
        ErrorCode::ContentRejected,
        ErrorCode::RateLimited,
        ErrorCode::UpstreamError,
        ErrorCode::NetworkError,
        ErrorCode::UnknownError,
        ErrorCode::Aborted,
        ErrorCode::InvalidArgument,
        ErrorCode::GenerationFailed,
        ErrorCode::Cancelled,
        ErrorCode::PollTimeout,
        ErrorCode::TaskNotCancellable,
        ErrorCode::ResultUnavailable,
        ErrorCode::UnsupportedByServer,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, with everything the envelope reports about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The HTTP status of the answer that carried the failure, when there was one.
    pub http_status: Option<u16>,
    /// Seconds the server asked to wait (`Retry-After`).
    pub retry_after: Option<f64>,
    /// Details for the caller (`FailureData` in the TypeScript types); `Null` when none.
    pub data: Value,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into(), http_status: None, retry_after: None, data: Value::Null }
    }

    pub fn with_data(mut self, data: Value) -> Error {
        self.data = data;
        self
    }

    pub fn with_http(mut self, status: u16, retry_after: Option<f64>) -> Error {
        self.http_status = Some(status);
        self.retry_after = retry_after;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// A problem with an argument, reported as `INVALID_ARGUMENT` and naming the argument.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgumentError {
    pub message: String,
}

impl std::fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArgumentError {}

impl From<ArgumentError> for Error {
    fn from(e: ArgumentError) -> Error {
        Error::new(ErrorCode::InvalidArgument, e.message)
    }
}

impl ArgumentError {
    pub fn new(message: impl Into<String>) -> Self {
        ArgumentError { message: message.into() }
    }
}

/// Server and runtime texts in messages: one line, at most 500 characters.
pub fn clip(s: &str) -> String {
    const MAX_MESSAGE_CHARS: usize = 500;
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_MESSAGE_CHARS).collect();
    if s.chars().count() > MAX_MESSAGE_CHARS {
        format!("{one_line}…")
    } else {
        one_line
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
        }
        assert_eq!(ErrorCode::from_wire("SOMETHING_NEW"), None);
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
    }

    #[test]
    fn errors_display_code_and_message() {
        let e = Error::new(ErrorCode::RateLimited, "slow down");
        assert_eq!(e.to_string(), "RATE_LIMITED: slow down");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().contains("slow down"));
    }
}
