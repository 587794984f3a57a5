//! Turning what came back (or did not) into the envelope.
//!
//! Owns: classification of a response by server `errorCode`, then HTTP status, then message
//! (contract §6); normalization of successful bodies per action (`data.output.url`,
//! `data.expiresAt`); transport failures (network, timeout, abort). Must not: perform I/O,
//! read the clock, or echo the API key (callers redact runtime error text first).
//!
//! Size: 216 lines of code; the rest is its unit tests, kept beside what they test.

use crate::envelope::Envelope;
use crate::error::{clip, Error, ErrorCode};
use crate::retry::parse_retry_after;
use crate::task::{normalize_task, task_error_text, terminal, Terminal};
use crate::value::Value;

/// Which action a response answers; it decides how a success is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Status,
    Task,
    Cancel,
    List,
    Account,
    Quote,
}

impl Action {
    /// Every endpoint the client calls (the proxy's route table is tested against this).
    pub const ALL: [Action; 7] =
        [Action::Create, Action::Status, Action::Task, Action::Cancel, Action::List, Action::Account, Action::Quote];

    /// The client method that calls it.
    pub fn client_method(self) -> &'static str {
        match self {
            Action::Create => "createGeneration",
            Action::Status => "getStatus",
            Action::Task => "getTask",
            Action::Cancel => "cancelTask",
            Action::List => "listTasks",
            Action::Account => "getAccount",
            Action::Quote => "quote",
        }
    }

    /// The HTTP method and path template.
    pub fn route(self) -> (&'static str, &'static str) {
        match self {
            Action::Create => ("POST", "/api/v1/generate/{model}"),
            Action::Status => ("GET", "/api/v1/tasks/{id}/status"),
            Action::Task => ("GET", "/api/v1/tasks/{id}"),
            Action::Cancel => ("PUT", "/api/v1/tasks/{id}/cancel"),
            Action::List => ("GET", "/api/v1/tasks"),
            Action::Account => ("GET", "/api/v1/account"),
            Action::Quote => ("POST", "/api/v1/quote/{model}"),
        }
    }

    /// Whether it counts against the key's query budget (the reads; creates have their own
    /// limit, cancels and quotes none).
    pub fn is_query(self) -> bool {
        matches!(self, Action::Status | Action::Task | Action::List | Action::Account)
    }

    /// The endpoint, for messages.
    pub fn path(self) -> &'static str {
        match self {
            Action::Create => "/generate",
            Action::Status => "/tasks/{id}/status",
            Action::Task => "/tasks/{id}",
            Action::Cancel => "/tasks/{id}/cancel",
            Action::List => "/tasks",
            Action::Account => "/account",
            Action::Quote => "/quote",
        }
    }
}

/// A response body as the edge found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    /// Not JSON (an HTML gateway page, a truncated body); the text is kept for the message.
    Text(String),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Body,
    /// A redirect the edge did not follow (3xx, or a browser's opaque redirect): where to.
    pub redirect_to: Option<String>,
    /// The server is an aivideo proxy with a coordinator (`X-Aivideo-Wait: long-poll`): waits
    /// may use its long-poll route instead of polling.
    pub long_poll: bool,
    /// The server reconciles creates by idempotency key itself (`X-Aivideo-Idempotency:
    /// reconciled`, an aivideo proxy): a repeat of a key is never a second charge there.
    pub reconciles_keys: bool,
}

impl HttpResponse {
    pub fn new(status: u16, retry_after: Option<String>, body: Body) -> HttpResponse {
        HttpResponse { status, retry_after, body, redirect_to: None, long_poll: false, reconciles_keys: false }
    }
}

/// A request that produced no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// The per-attempt timeout fired.
    Timeout,
    /// The caller's signal fired.
    Aborted,
    /// fetch rejected: DNS, refused, reset, CORS, or the body stream broke.
    Network,
    /// The body was larger than the client reads (`maxResponseBytes`).
    TooLarge,
}

pub fn transport_failure(kind: TransportFailure, detail: &str, timeout_ms: f64) -> Error {
    match kind {
        TransportFailure::Timeout => Error::new(
            ErrorCode::NetworkError,
            format!("no response within {} ms (timeoutMs)", crate::value::format_number(timeout_ms)),
        ),
        TransportFailure::Aborted => Error::new(ErrorCode::Aborted, "aborted by the caller's signal"),
        TransportFailure::Network => Error::new(ErrorCode::NetworkError, format!("request failed: {}", clip(detail))),
        TransportFailure::TooLarge => Error::new(ErrorCode::UpstreamError, clip(detail)),
    }
}

/// Classifies one response. `task_id` is the id the request was about, if any; `now_ms` is
/// needed only to read an HTTP-date `Retry-After`.
pub fn classify(action: Action, resp: &HttpResponse, task_id: Option<&str>, now_ms: f64) -> Envelope {
    let retry_after_s =
        resp.retry_after.as_deref().and_then(|h| parse_retry_after(h, now_ms)).map(crate::retry::seconds);
    let task_id = task_id.map(str::to_string);
    if let Some(to) = &resp.redirect_to {
        // Never followed: the key would go with it, possibly to another host.
        let target = if to.is_empty() { String::new() } else { format!(" to {}", clip(to)) };
        let msg = format!(
            "the server answered HTTP {} with a redirect{target}; redirects are not followed (the API key would go \
             with them): check baseUrl",
            resp.status
        );
        return Envelope::from(Error::new(ErrorCode::UnknownError, msg).with_http(resp.status, None))
            .with_task_id(task_id);
    }
    let success = (200..300).contains(&resp.status);

    let body = match &resp.body {
        Body::Json(v @ Value::Object(_)) => v,
        Body::Json(Value::Array(_)) if success && action == Action::List => {
            // Tolerate a bare array for the task list.
            return shape_success(action, &resp.body, resp.status, task_id);
        }
        other => {
            let err = if resp.status == 429 {
                Error::new(ErrorCode::RateLimited, "rate limited (HTTP 429)")
            } else if resp.status == 404
                && matches!(action, Action::Account | Action::Quote | Action::List | Action::Create)
            {
                Error::new(
                    ErrorCode::UnsupportedByServer,
                    format!("this server has no {} endpoint (HTTP 404)", action.path()),
                )
            } else {
                let what = match other {
                    Body::Empty => "an empty body".to_string(),
                    Body::Text(t) if looks_like_html(t) => "an HTML page (a gateway or proxy error)".to_string(),
                    Body::Text(t) => format!("a body that is not JSON: {}", clip(t)),
                    Body::Json(v) => format!("JSON {} where an object was expected", v.type_name()),
                };
                Error::new(ErrorCode::UpstreamError, format!("HTTP {} with {what}", resp.status))
            };
            return Envelope::from(err.with_http(resp.status, retry_after_s)).with_task_id(task_id);
        }
    };

    let status_field = body.get("status").and_then(Value::as_str);
    let is_error_body = !success || (status_field == Some("FAILED") && is_error_shape(action, body));
    if !is_error_body {
        if status_field == Some("FAILED") && matches!(action, Action::Status | Action::Task) {
            // A task that failed is not an API error, but it is not a success either.
            let task = shape_success(action, &resp.body, resp.status, None).outcome.map(|r| r.data).unwrap_or_default();
            let err = Error::new(ErrorCode::GenerationFailed, task_error_text(body)).with_http(resp.status, None);
            return Envelope::from(err.with_data(task)).with_task_id(task_id);
        }
        let env = shape_success(action, &resp.body, resp.status, task_id);
        if action == Action::Cancel && terminal(env.status.as_deref().unwrap_or("")) != Some(Terminal::Cancelled) {
            // A 200 that does not say CANCEL is a refusal (the task had started), never a success.
            let said = env.status.clone().unwrap_or_default();
            let msg = format!("the cancel was answered with status {said}, not CANCEL: the task was not cancelled");
            let data = Value::object(vec![("status", Value::opt_str(env.status.clone()))]);
            let err = Error::new(ErrorCode::TaskNotCancellable, msg).with_data(data).with_http(resp.status, None);
            let mut out = Envelope::from(err).with_task_id(env.task_id.clone());
            out.status = env.status;
            return out;
        }
        return env;
    }

    let message = error_text(body).map(|m| clip(&m));
    let code = body
        .get("errorCode")
        .and_then(Value::as_str)
        .and_then(ErrorCode::from_wire)
        .map(|c| refine_server_code(c, resp.status))
        .unwrap_or_else(|| code_from_status_and_message(resp.status, message.as_deref()));
    // No task is named by /account, /quote, /tasks or a create: their 404 is a missing
    // endpoint (or a model this server does not have), never TASK_NOT_FOUND.
    let code =
        if resp.status == 404 && matches!(action, Action::Account | Action::Quote | Action::List | Action::Create) {
            ErrorCode::UnsupportedByServer
        } else {
            code
        };
    // Cancel refused because the task already started: not a payload problem.
    let code =
        if action == Action::Cancel && (success || matches!(resp.status, 400 | 409)) && code != ErrorCode::TaskNotFound
        {
            ErrorCode::TaskNotCancellable
        } else {
            code
        };
    let default_msg = if action == Action::Cancel {
        let said = status_field.map(|s| format!(", status {}", clip(s))).unwrap_or_default();
        format!("the cancel was refused (HTTP {}{said}): the task was not cancelled", resp.status)
    } else {
        format!("{} (HTTP {})", code.as_str(), resp.status)
    };
    // What the server said stays in `data`: the field problems it named, and its body.
    let details = crate::server_body::field_details(body);
    let message = match (&details, message) {
        (Some(Value::Array(d)), Some(m)) if code == ErrorCode::InvalidPayload => Some(with_fields(&m, d)),
        (_, m) => m,
    };
    let mut err = Error::new(code, message.unwrap_or(default_msg)).with_http(resp.status, retry_after_s);
    let mut data = Vec::new();
    if let Some(d) = details {
        data.push(("details", d));
    }
    data.push(("body", crate::server_body::bounded_body(body)));
    err.data = Value::object(data);
    Envelope::from(err).with_task_id(task_id)
}

/// A server's message with the first fields it named (`Invalid input` says little alone).
fn with_fields(message: &str, details: &[Value]) -> String {
    let named: Vec<String> = details
        .iter()
        .take(3)
        .filter_map(|d| {
            let field = d.get("field").and_then(Value::as_str)?;
            let said = d.get("message").and_then(Value::as_str).filter(|m| !m.is_empty()).unwrap_or("invalid");
            Some(format!("{field}: {said}"))
        })
        .collect();
    if named.is_empty() || named.iter().all(|n| message.contains(n.as_str())) {
        return message.to_string();
    }
    clip(&format!("{message} ({})", named.join("; ")))
}

/// A 200 carrying `status: "FAILED"` is an error when it looks like the Error schema rather
/// than a task (tasks have an `id`).
fn is_error_shape(action: Action, body: &Value) -> bool {
    match action {
        Action::Task => body.get("id").is_none(),
        Action::Status => {
            body.get("errorCode").is_some() || body.get("message").is_some() || body.get("error").is_some()
        }
        _ => true,
    }
}

/// A 422 that names some other code than the budget one is the content filter speaking.
fn refine_server_code(code: ErrorCode, status: u16) -> ErrorCode {
    if status == 422 && code != ErrorCode::BudgetExceeded && code != ErrorCode::InsufficientCredits {
        return ErrorCode::ContentRejected;
    }
    code
}

fn code_from_status_and_message(status: u16, message: Option<&str>) -> ErrorCode {
    let lower = message.map(str::to_ascii_lowercase).unwrap_or_default();
    match status {
        401 | 403 => return ErrorCode::AuthFailed,
        402 => return ErrorCode::InsufficientCredits,
        404 => return ErrorCode::TaskNotFound,
        409 => return ErrorCode::IdempotencyConflict,
        422 if lower.contains("budget") || lower.contains("max-credits") || lower.contains("max credits") => {
            return ErrorCode::BudgetExceeded
        }
        422 => return ErrorCode::ContentRejected,
        429 => return ErrorCode::RateLimited,
        500..=599 => return ErrorCode::UpstreamError,
        _ => {}
    }
    if lower.contains("insufficient credits") || lower.contains("insufficient credit") {
        return ErrorCode::InsufficientCredits;
    }
    if lower.contains("unsupported model") || lower.contains("invalid model") {
        return ErrorCode::InvalidModel;
    }
    if status == 400 {
        return ErrorCode::InvalidPayload;
    }
    if lower.contains("rate limit") || lower.contains("too many requests") {
        return ErrorCode::RateLimited;
    }
    ErrorCode::UnknownError
}

/// The message of an error body in the shapes servers use: `message`, `error` (a string or
/// `{message}`), tRPC's `error.json.message`, zod's `issues[].message`.
fn error_text(body: &Value) -> Option<String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|m| !m.trim().is_empty()).map(str::to_string);
    let error = body.get("error");
    text(body.get("message"))
        .or_else(|| text(error))
        .or_else(|| text(error.and_then(|e| e.get("message"))))
        .or_else(|| text(error.and_then(|e| e.get("json")).and_then(|j| j.get("message"))))
        .or_else(|| match body.get("issues") {
            Some(Value::Array(items)) => {
                let all: Vec<String> = items.iter().filter_map(|i| text(i.get("message"))).take(5).collect();
                (!all.is_empty()).then(|| all.join("; "))
            }
            _ => None,
        })
}

fn shape_success(action: Action, body: &Body, http: u16, task_id: Option<String>) -> Envelope {
    let data = match body {
        Body::Json(v) => v.clone(),
        _ => Value::Null,
    };
    // A task's status, only from the endpoints that are about one task (a list's own
    // `status: "OK"` is not a task status).
    let status = match action {
        Action::List | Action::Account | Action::Quote => None,
        _ => data.get("status").and_then(Value::as_str).map(str::to_string),
    };
    let id = data
        .get("taskId")
        .or_else(|| if action == Action::Task { data.get("id") } else { None })
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(task_id);
    let data = match action {
        Action::Task => normalize_task(data),
        Action::List => match normalize_list(data) {
            Some(list) => list,
            // Never read as an empty list: an empty list is what lets a lost create be sent again.
            None => {
                let msg = format!("HTTP {http} with a task list answer that holds no list of tasks");
                return Envelope::from(Error::new(ErrorCode::UpstreamError, msg).with_http(http, None));
            }
        },
        _ => data,
    };
    Envelope::success(status, id, data, http)
}

fn normalize_list(data: Value) -> Option<Value> {
    let items = match data {
        Value::Array(items) => items,
        Value::Object(entries) => match entries.into_iter().find(|(k, _)| k == "tasks") {
            Some((_, Value::Array(items))) => items,
            _ => return None,
        },
        _ => return None,
    };
    Some(Value::object(vec![("tasks", Value::Array(items.into_iter().map(normalize_task).collect()))]))
}

fn looks_like_html(t: &str) -> bool {
    let head = t.trim_start().get(..15).unwrap_or(t.trim_start()).to_ascii_lowercase();
    head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with('<')
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_action_route_is_what_the_request_builders_send() {
        use crate::request::{ClientConfig, ClientOptions, GenerateHeaders};
        use std::rc::Rc;
        let c = ClientConfig::from_options(&ClientOptions {
            api_key: Some(Value::str("ak_test_0123456789abcdef")),
            base_url: Some(Value::str("https://api.test")),
            ..Default::default()
        })
        .unwrap(); // ok: test
        let payload = Rc::new(Value::object(vec![("prompt", Value::str("a"))]));
        for action in Action::ALL {
            let req = match action {
                Action::Create => c.generate("t2v", &payload, &GenerateHeaders::default()),
                Action::Status => c.get_status("t1"),
                Action::Task => c.get_task("t1"),
                Action::Cancel => c.cancel_task("t1"),
                Action::List => Ok(c.list_tasks()),
                Action::Account => Ok(c.get_account()),
                Action::Quote => c.quote("t2v", &payload),
            }
            .unwrap(); // ok: test
            let (method, path) = action.route();
            let want = format!("https://api.test{}", path.replace("{model}", "t2v").replace("{id}", "t1"));
            assert_eq!((req.method.as_str(), req.url.as_str()), (method, want.as_str()), "{action:?}");
        }
    }

    use super::*;
    use crate::value::test_json::json;

    fn resp(status: u16, body: &str) -> HttpResponse {
        let body = if body.is_empty() {
            Body::Empty
        } else {
            match serde_json::from_str::<serde_json::Value>(body) {
                Ok(v) => Body::Json(crate::value::test_json::from_serde(&v)),
                Err(_) => Body::Text(body.to_string()),
            }
        };
        HttpResponse::new(status, None, body)
    }

    fn code(action: Action, status: u16, body: &str) -> Option<&'static str> {
        classify(action, &resp(status, body), None, 0.0).code().map(|c| c.as_str())
    }

    #[test]
    fn contract_section_6_every_row() {
        use Action::*;
        let rows: &[(Action, u16, &str, &str)] = &[
            (
                Create,
                400,
                r#"{"status":"FAILED","errorCode":"INVALID_MODEL","message":"Unsupported model: x"}"#,
                "INVALID_MODEL",
            ),
            (Create, 400, r#"{"status":"FAILED","message":"Unsupported model: x"}"#, "INVALID_MODEL"),
            (
                Create,
                400,
                r#"{"status":"FAILED","errorCode":"INVALID_PAYLOAD","message":"duration must be a string"}"#,
                "INVALID_PAYLOAD",
            ),
            (Create, 400, r#"{"status":"FAILED","message":"prompt is required"}"#, "INVALID_PAYLOAD"),
            (Account, 401, r#"{"status":"FAILED","message":"Invalid API key"}"#, "AUTH_FAILED"),
            (Account, 403, r#"{"status":"FAILED"}"#, "AUTH_FAILED"),
            (Create, 402, r#"{"status":"FAILED","message":"pay up"}"#, "INSUFFICIENT_CREDITS"),
            (Create, 400, r#"{"status":"FAILED","message":"Insufficient credits: need 15"}"#, "INSUFFICIENT_CREDITS"),
            (Create, 200, r#"{"status":"FAILED","message":"Insufficient credits"}"#, "INSUFFICIENT_CREDITS"),
            (Task, 404, r#"{"status":"FAILED","message":"Task not found"}"#, "TASK_NOT_FOUND"),
            (Create, 409, r#"{"status":"FAILED","errorCode":"IDEMPOTENCY_CONFLICT"}"#, "IDEMPOTENCY_CONFLICT"),
            (Create, 409, r#"{"status":"FAILED"}"#, "IDEMPOTENCY_CONFLICT"),
            (
                Create,
                422,
                r#"{"status":"FAILED","errorCode":"BUDGET_EXCEEDED","message":"quote 30 > 10"}"#,
                "BUDGET_EXCEEDED",
            ),
            (Create, 422, r#"{"status":"FAILED","errorCode":"NSFW_BLOCKED","message":"rejected"}"#, "CONTENT_REJECTED"),
            (Create, 422, r#"{"status":"FAILED","message":"content rejected"}"#, "CONTENT_REJECTED"),
            (Status, 429, r#"{"status":"FAILED","errorCode":"RATE_LIMITED"}"#, "RATE_LIMITED"),
            (Status, 429, "<html>slow down</html>", "RATE_LIMITED"),
            (Status, 500, r#"{"status":"FAILED","message":"boom"}"#, "UPSTREAM_ERROR"),
            (Status, 502, "<!DOCTYPE html><html><body>Bad gateway</body></html>", "UPSTREAM_ERROR"),
            (Status, 200, "<!DOCTYPE html><html></html>", "UPSTREAM_ERROR"),
            (Status, 200, r#"{"status":"SUBM"#, "UPSTREAM_ERROR"),
            (Status, 200, "", "UPSTREAM_ERROR"),
            (Status, 200, "[1,2]", "UPSTREAM_ERROR"),
            (Status, 418, r#"{"status":"FAILED","message":"teapot"}"#, "UNKNOWN_ERROR"),
            (Create, 401, r#"{"status":"FAILED","errorCode":"AUTH_FAILED"}"#, "AUTH_FAILED"),
            (Create, 402, r#"{"status":"FAILED","errorCode":"INSUFFICIENT_CREDITS"}"#, "INSUFFICIENT_CREDITS"),
            (
                Cancel,
                400,
                r#"{"status":"FAILED","message":"Task can only be cancelled while SUBMITTED"}"#,
                "TASK_NOT_CANCELLABLE",
            ),
            (Cancel, 404, r#"{"status":"FAILED","message":"Task not found"}"#, "TASK_NOT_FOUND"),
        ];
        for (action, status, body, want) in rows {
            assert_eq!(code(*action, *status, body), Some(*want), "{status} {body}");
        }
    }

    #[test]
    fn empty_server_messages_fall_back_to_a_default() {
        let e = classify(Action::Create, &resp(300, r#"{"message":""}"#), None, 0.0);
        assert_eq!(e.message(), Some("UNKNOWN_ERROR (HTTP 300)"));
        let e =
            classify(Action::Create, &resp(402, r#"{"status":"FAILED","message":"  ","error":"no funds"}"#), None, 0.0);
        assert_eq!(e.message(), Some("no funds"));
        let t = classify(Action::Task, &resp(200, r#"{"id":"t","status":"FAILED","output":{"error":""}}"#), None, 0.0);
        assert!(t.message().is_some_and(|m| m.contains("refunded")));
    }

    #[test]
    fn server_error_code_wins_over_status() {
        assert_eq!(
            code(Action::Create, 400, r#"{"status":"FAILED","errorCode":"INSUFFICIENT_CREDITS"}"#),
            Some("INSUFFICIENT_CREDITS")
        );
        // An unknown server code falls back to the status.
        assert_eq!(
            code(Action::Create, 402, r#"{"status":"FAILED","errorCode":"NEW_THING"}"#),
            Some("INSUFFICIENT_CREDITS")
        );
    }

    #[test]
    fn retry_after_seconds_and_dates_reach_the_envelope() {
        let mut r = resp(429, r#"{"status":"FAILED","errorCode":"RATE_LIMITED"}"#);
        r.retry_after = Some("2".into());
        assert_eq!(classify(Action::Status, &r, None, 0.0).retry_after(), Some(2.0));
        r.retry_after = Some("Thu, 01 Jan 1970 00:00:05 GMT".into());
        assert_eq!(classify(Action::Status, &r, None, 1000.0).retry_after(), Some(4.0));
        r.retry_after = Some("garbage".into());
        assert_eq!(classify(Action::Status, &r, None, 0.0).retry_after(), None);
    }

    #[test]
    fn successes_per_action() {
        let e = classify(Action::Status, &resp(200, r#"{"status":"PROGRESS"}"#), Some("t1"), 0.0);
        assert!(e.is_ok());
        assert_eq!(
            (e.status.as_deref(), e.task_id.as_deref(), e.http_status()),
            (Some("PROGRESS"), Some("t1"), Some(200))
        );
        let e = classify(
            Action::Create,
            &resp(200, r#"{"status":"SUBMITTED","taskId":"t9","creditsCharged":15,"idempotentReplay":false}"#),
            None,
            0.0,
        );
        assert_eq!((e.is_ok(), e.task_id.as_deref()), (true, Some("t9")));
        let e = classify(Action::Status, &resp(200, r#"{"status":"WEIRD_NEW"}"#), Some("t1"), 0.0);
        assert_eq!(
            (e.is_ok(), e.status.as_deref()),
            (true, Some("WEIRD_NEW")),
            "unknown statuses pass through as they came"
        );
    }

    #[test]
    fn failed_task_is_generation_failed_with_the_task() {
        let e = classify(
            Action::Task,
            &resp(200, r#"{"id":"t1","status":"FAILED","output":{"error":"nsfw input"},"creditsRefunded":15}"#),
            Some("t1"),
            0.0,
        );
        assert!(!e.is_ok());
        assert_eq!(e.code(), Some(ErrorCode::GenerationFailed));
        assert_eq!(e.message(), Some("nsfw input"));
        assert_eq!(e.task_id.as_deref(), Some("t1"));
        assert_eq!(e.data().get("creditsRefunded"), Some(&Value::Number(15.0)));
        let e = classify(Action::Status, &resp(200, r#"{"status":"FAILED"}"#), Some("t1"), 0.0);
        assert_eq!(e.code(), Some(ErrorCode::GenerationFailed));
    }

    #[test]
    fn task_output_is_normalized() {
        let t = normalize_task(json(
            r#"{"id":"a","output":{"videoUrl":"https://v/x.mp4"},"completedAt":"2026-09-14T10:00:00Z"}"#,
        ));
        assert_eq!(t.get("output").and_then(|o| o.get("url")).and_then(Value::as_str), Some("https://v/x.mp4"));
        assert_eq!(t.get("expiresAt").and_then(Value::as_str), Some("2026-09-15T10:00:00.000Z"));
        let t = normalize_task(json(r#"{"id":"a","output":"https://v/y.mp4","completedAt":null}"#));
        assert_eq!(t.get("output").and_then(|o| o.get("url")).and_then(Value::as_str), Some("https://v/y.mp4"));
        assert_eq!(t.get("expiresAt"), Some(&Value::Null));
        let t = normalize_task(json(r#"{"id":"a","output":{"url":"https://v/z.mp4","videoUrl":"https://old"}}"#));
        assert_eq!(t.get("output").and_then(|o| o.get("url")).and_then(Value::as_str), Some("https://v/z.mp4"));
        let t = normalize_task(json(r#"{"id":"a","output":null}"#));
        assert_eq!(t.get("output"), Some(&Value::Null));
    }

    #[test]
    fn servers_that_differ_from_the_contract() {
        let c = |action, status, body| classify(action, &resp(status, body), Some("t1"), 0.0);
        // A cancel is ok only when the answer says CANCEL.
        let refused = c(Action::Cancel, 200, r#"{"status":"PROGRESS"}"#);
        assert_eq!(
            (refused.code(), refused.status.as_deref()),
            (Some(ErrorCode::TaskNotCancellable), Some("PROGRESS"))
        );
        assert_eq!(c(Action::Cancel, 200, r#"{"status":"FAILED"}"#).code(), Some(ErrorCode::TaskNotCancellable));
        assert!(c(Action::Cancel, 200, r#"{"status":"CANCEL","taskId":"t1"}"#).is_ok());
        // A missing endpoint is not a missing task.
        assert_eq!(c(Action::Account, 404, r#"{"message":"Not Found"}"#).code(), Some(ErrorCode::UnsupportedByServer));
        assert_eq!(c(Action::Quote, 404, "<html>404</html>").code(), Some(ErrorCode::UnsupportedByServer));
        assert_eq!(c(Action::Task, 404, r#"{"message":"Not Found"}"#).code(), Some(ErrorCode::TaskNotFound));
        assert_eq!(c(Action::Create, 404, r#"{"message":"Not Found"}"#).code(), Some(ErrorCode::UnsupportedByServer));
        // A cancel answered FAILED says so, with what the server sent.
        let failed = c(Action::Cancel, 200, r#"{"status":"FAILED"}"#);
        assert_eq!(
            failed.message(),
            Some("the cancel was refused (HTTP 200, status FAILED): the task was not cancelled")
        );
        // Messages in tRPC and zod shapes survive.
        let trpc = c(Action::Create, 500, r#"{"error":{"json":{"message":"Internal boom","code":-32603}}}"#);
        assert_eq!(trpc.message(), Some("Internal boom"));
        let zod = c(Action::Create, 400, r#"{"issues":[{"message":"prompt too long"},{"message":"bad ratio"}]}"#);
        assert_eq!(zod.message(), Some("prompt too long; bad ratio"));
        // A zod-shaped 400 keeps its paths and the body: what the server said stays.
        let zod = c(
            Action::Create,
            400,
            r#"{"message":"Invalid input","issues":[{"path":["duration"],"message":"Expected string, received number","expected":"string","received":"number"}]}"#,
        );
        assert_eq!(zod.message(), Some("Invalid input (duration: Expected string, received number)"));
        let json = zod.to_value().to_json();
        assert!(json.contains(r#""details":[{"field":"duration","expected":"string","actual":"number""#), "{json}");
        assert!(json.contains(r#""body":{"message":"Invalid input","issues":["#), "{json}");
        // A list's own status is not a task status.
        assert_eq!(c(Action::List, 200, r#"{"status":"OK","tasks":[]}"#).status, None);
    }

    #[test]
    fn transport_failures() {
        assert_eq!(transport_failure(TransportFailure::Timeout, "", 5000.0).code, ErrorCode::NetworkError);
        assert_eq!(transport_failure(TransportFailure::Aborted, "", 5000.0).code, ErrorCode::Aborted);
        let e = transport_failure(TransportFailure::Network, "ECONNRESET\nat x", 1.0);
        assert_eq!(e.message, "request failed: ECONNRESET at x");
    }
}
