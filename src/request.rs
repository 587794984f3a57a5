//! Client options and request building for the seven endpoints.
//!
//! Owns: validated client configuration (`ClientConfig`), base URL rules, task id checks
//! and percent-encoding, and `ApiRequest` (method, URL, headers, body, whether it may be
//! retried) for each endpoint. Must not: perform I/O or read the clock. Follow-up URLs are
//! always built from the configured base URL, never from URLs found in responses, so the key
//! is sent to that one origin only.
//!
//! Size: 253 lines of code; the rest is its unit tests, kept beside what they test.

use crate::error::ArgumentError;
use crate::idempotency::check_idempotency_key;
use crate::url::{check_http_url, encode_model, encode_task_id, normalize_base_url, percent_encode_segment};
use crate::value::Value;
use std::rc::Rc;

pub const DEFAULT_BASE_URL: &str = "https://aivideomaker.ai";
pub const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
pub const DEFAULT_MAX_RETRIES: u32 = 3;
pub const DEFAULT_MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// Options accepted by `createClient`, already checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    api_key: String,
    pub base_url: String,
    pub timeout_ms: f64,
    pub max_retries: u32,
    pub max_retry_after_ms: f64,
}

/// Raw option values as the caller gave them (`None` = not given).
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub api_key: Option<Value>,
    pub base_url: Option<Value>,
    pub timeout_ms: Option<Value>,
    pub max_retries: Option<Value>,
    pub max_retry_after_ms: Option<Value>,
}

impl ClientConfig {
    pub fn from_options(opts: &ClientOptions) -> Result<ClientConfig, ArgumentError> {
        let api_key = match &opts.api_key {
            None | Some(Value::Null) => String::new(),
            // `apiKey: process.env.X` with X set but empty reads as "no key", not as a key.
            Some(Value::String(s)) if s.is_empty() => String::new(),
            Some(Value::String(s)) => {
                if s.chars().any(|c| c.is_control() || c == ' ') {
                    return Err(ArgumentError::new(
                        "apiKey must not contain spaces or control characters (send the raw ak_… key, without \"Bearer \")",
                    ));
                }
                s.clone()
            }
            Some(other) => {
                return Err(ArgumentError::new(format!("apiKey must be a string, got {}", other.type_name())))
            }
        };
        let base_url = match &opts.base_url {
            None | Some(Value::Null) => DEFAULT_BASE_URL.to_string(),
            Some(Value::String(s)) => normalize_base_url(s, !api_key.is_empty())?,
            Some(other) => {
                return Err(ArgumentError::new(format!("baseUrl must be a string, got {}", other.type_name())))
            }
        };
        let timeout_ms = positive_ms("timeoutMs", opts.timeout_ms.as_ref(), DEFAULT_TIMEOUT_MS)?;
        let max_retry_after_ms =
            positive_ms("maxRetryAfterMs", opts.max_retry_after_ms.as_ref(), DEFAULT_MAX_RETRY_AFTER_MS)?;
        let max_retries = match &opts.max_retries {
            None | Some(Value::Null) => DEFAULT_MAX_RETRIES,
            Some(Value::Number(n)) if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n <= 20.0 => *n as u32,
            Some(other) => {
                return Err(ArgumentError::new(format!(
                    "maxRetries must be an integer from 0 to 20, got {}",
                    other.describe()
                )))
            }
        };
        // A keyless client only makes sense behind a proxy that adds the key; one pointed at
        // the live API is a configuration mistake (typically an unset environment variable).
        if api_key.is_empty() && base_url == DEFAULT_BASE_URL {
            return Err(ArgumentError::new(
                "no apiKey: pass createClient({ apiKey: \"ak_…\" }) (is AIVIDEO_API_KEY set?), or the baseUrl of a proxy \
                 that adds the key",
            ));
        }
        Ok(ClientConfig { api_key, base_url, timeout_ms, max_retries, max_retry_after_ms })
    }

    pub fn has_key(&self) -> bool {
        !self.api_key.is_empty()
    }

    /// Replaces every occurrence of the key in `text` (an error text from the runtime, a URL
    /// echoed by a server) with a mask.
    pub fn redact(&self, text: &str) -> String {
        if self.api_key.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.api_key, &mask_key(&self.api_key))
    }

    /// `redact` over every string of a value (keys and values), in place.
    pub fn redact_value(&self, v: &mut Value) {
        if self.api_key.len() < 4 {
            return;
        }
        match v {
            Value::String(s) if s.contains(&self.api_key) => *s = self.redact(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.redact_value(i)),
            Value::Object(entries) => {
                for (k, item) in entries.iter_mut() {
                    if k.contains(&self.api_key) {
                        *k = self.redact(k);
                    }
                    self.redact_value(item);
                }
            }
            _ => {}
        }
    }

    fn request(&self, method: Method, path: String, retry: RetryClass) -> ApiRequest {
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        if self.has_key() {
            headers.push(("key".to_string(), self.api_key.clone()));
        }
        ApiRequest { method, url: format!("{}{}", self.base_url, path), headers, body: None, retry }
    }

    pub fn get_status(&self, task_id: &str) -> Result<ApiRequest, ArgumentError> {
        let id = encode_task_id(task_id)?;
        Ok(self.request(Method::Get, format!("/api/v1/tasks/{id}/status"), RetryClass::Safe))
    }

    /// A coordinated proxy's long poll: answers `{status}` once the task's status differs
    /// from `after`, or after about `hold_ms` with the status unchanged.
    pub fn wait_status(&self, task_id: &str, after: &str, hold_ms: u64) -> Result<ApiRequest, ArgumentError> {
        let id = encode_task_id(task_id)?;
        let after = percent_encode_segment(after);
        Ok(self.request(
            Method::Get,
            format!("/api/v1/tasks/{id}/wait?after={after}&holdMs={hold_ms}"),
            RetryClass::Safe,
        ))
    }

    pub fn get_task(&self, task_id: &str) -> Result<ApiRequest, ArgumentError> {
        let id = encode_task_id(task_id)?;
        Ok(self.request(Method::Get, format!("/api/v1/tasks/{id}"), RetryClass::Safe))
    }

    /// Cancel is never retried: a lost answer is settled by reading the task's status.
    pub fn cancel_task(&self, task_id: &str) -> Result<ApiRequest, ArgumentError> {
        let id = encode_task_id(task_id)?;
        Ok(self.request(Method::Put, format!("/api/v1/tasks/{id}/cancel"), RetryClass::Never))
    }

    pub fn list_tasks(&self) -> ApiRequest {
        self.request(Method::Get, "/api/v1/tasks".to_string(), RetryClass::Safe)
    }

    pub fn get_account(&self) -> ApiRequest {
        self.request(Method::Get, "/api/v1/account".to_string(), RetryClass::Safe)
    }

    /// Quote never creates or charges, so it is as safe to retry as a GET.
    pub fn quote(&self, model: &str, payload: &Rc<Value>) -> Result<ApiRequest, ArgumentError> {
        let m = encode_model(model)?;
        let mut req = self.request(Method::Post, format!("/api/v1/quote/{m}"), RetryClass::Safe);
        req.set_json_body(payload);
        Ok(req)
    }

    /// Create is retried only when it carries an idempotency key: the server then answers a
    /// repeat with the original task instead of billing again.
    pub fn generate(
        &self,
        model: &str,
        payload: &Rc<Value>,
        extra: &GenerateHeaders,
    ) -> Result<ApiRequest, ArgumentError> {
        let m = encode_model(model)?;
        let retry = if extra.idempotency_key.is_some() { RetryClass::Safe } else { RetryClass::Never };
        let mut req = self.request(Method::Post, format!("/api/v1/generate/{m}"), retry);
        req.set_json_body(payload);
        if let Some(k) = &extra.idempotency_key {
            check_idempotency_key(k)?;
            req.headers.push(("idempotency-key".to_string(), k.clone()));
        }
        if let Some(c) = extra.max_credits {
            req.headers.push(("x-max-credits".to_string(), c.to_string()));
        }
        if let Some(w) = &extra.webhook_url {
            check_http_url(w).map_err(|e| ArgumentError::new(format!("webhookUrl {e}")))?;
            req.headers.push(("webhookUrl".to_string(), w.clone()));
        }
        Ok(req)
    }
}

/// Optional headers of a create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerateHeaders {
    pub idempotency_key: Option<String>,
    pub max_credits: Option<u64>,
    pub webhook_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// Whether a request may be sent again after a lost or failed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Reads, quotes, and creates carrying an idempotency key.
    Safe,
    /// Cancel, and creates without a key.
    Never,
}

/// One HTTP request, as data. The edge sends it exactly as built.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The JSON body, shared rather than copied (payloads can hold megabytes of data URI);
    /// the edge serializes it with the runtime's `JSON.stringify`.
    pub body: Option<Rc<Value>>,
    pub retry: RetryClass,
}

impl ApiRequest {
    fn set_json_body(&mut self, payload: &Rc<Value>) {
        self.body = Some(payload.clone());
        self.headers.push(("content-type".to_string(), "application/json".to_string()));
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `GET https://…/api/v1/tasks/abc/status key=ak_…1234`: safe for logs.
    pub fn log_line(&self) -> String {
        let key = self.header("key").map(mask_key).unwrap_or_else(|| "none".to_string());
        format!("{} {} key={}", self.method.as_str(), self.url, key)
    }
}

/// `ak_live_abcdef123456` → `ak_…3456`; short keys are fully masked.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "***".to_string();
    }
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    let head: String = chars.iter().take(3).collect();
    format!("{head}…{tail}")
}

fn positive_ms(name: &str, v: Option<&Value>, default: f64) -> Result<f64, ArgumentError> {
    match v {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) if n.is_finite() && *n > 0.0 && *n <= 86_400_000.0 => Ok(*n),
        Some(other) => Err(ArgumentError::new(format!(
            "{name} must be a number of milliseconds above 0 and at most 86400000, got {}",
            other.describe()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(base: &str) -> ClientConfig {
        ClientConfig::from_options(&ClientOptions {
            api_key: Some(Value::str("ak_test_0123456789abcdef")),
            base_url: Some(Value::str(base)),
            ..Default::default()
        })
        .unwrap() // ok: test
    }

    #[test]
    fn defaults_match_the_vendor_script() {
        let c = ClientConfig::from_options(&ClientOptions {
            api_key: Some(Value::str("ak_test_0123456789abcdef")),
            ..Default::default()
        })
        .unwrap(); // ok: test
        assert_eq!(c.base_url, "https://aivideomaker.ai");
        assert_eq!(c.timeout_ms, 30_000.0);
        assert_eq!(c.max_retries, 3);
        assert!(c.has_key());
    }

    #[test]
    fn every_endpoint_builds_its_method_path_and_headers() {
        let c = cfg("https://api.example.com/");
        let r = c.get_status("t 1/x").unwrap(); // ok: test
        assert_eq!((r.method, r.url.as_str()), (Method::Get, "https://api.example.com/api/v1/tasks/t%201%2Fx/status"));
        assert_eq!(r.header("key"), Some("ak_test_0123456789abcdef"));
        assert_eq!(r.retry, RetryClass::Safe);
        let r = c.get_task("abc").unwrap(); // ok: test
        assert_eq!(r.url, "https://api.example.com/api/v1/tasks/abc");
        let r = c.cancel_task("abc").unwrap(); // ok: test
        assert_eq!((r.method, r.retry), (Method::Put, RetryClass::Never));
        assert_eq!(r.url, "https://api.example.com/api/v1/tasks/abc/cancel");
        assert_eq!(c.list_tasks().url, "https://api.example.com/api/v1/tasks");
        assert_eq!(c.get_account().url, "https://api.example.com/api/v1/account");
        let p = Rc::new(Value::object(vec![("prompt", Value::str("cat"))]));
        let r = c.quote("t2v", &p).unwrap(); // ok: test
        assert_eq!((r.method, r.url.as_str()), (Method::Post, "https://api.example.com/api/v1/quote/t2v"));
        assert_eq!(r.body.as_ref().map(|b| b.to_json()).as_deref(), Some(r#"{"prompt":"cat"}"#));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = c.generate("t2v", &p, &GenerateHeaders::default()).unwrap(); // ok: test
        assert_eq!(r.retry, RetryClass::Never, "no key: never retried");
        assert_eq!(r.header("idempotency-key"), None);
        let h = GenerateHeaders {
            idempotency_key: Some("k-12345678".into()),
            max_credits: Some(40),
            webhook_url: Some("https://hooks.example.com/x".into()),
        };
        let r = c.generate("t2v", &p, &h).unwrap(); // ok: test
        assert_eq!(r.retry, RetryClass::Safe);
        assert_eq!(r.header("Idempotency-Key"), Some("k-12345678"));
        assert_eq!(r.header("X-Max-Credits"), Some("40"));
        assert_eq!(r.header("webhookUrl"), Some("https://hooks.example.com/x"));
    }

    #[test]
    fn a_client_needs_a_key_or_a_proxy() {
        let opts = |key: Option<&str>, base: Option<&str>| ClientOptions {
            api_key: key.map(Value::str),
            base_url: base.map(Value::str),
            ..Default::default()
        };
        for (key, base) in [(None, None), (Some(""), None), (None, Some("https://aivideomaker.ai/"))] {
            let e = ClientConfig::from_options(&opts(key, base)).unwrap_err();
            assert!(e.message.starts_with("no apiKey"), "{}", e.message);
        }
        assert!(ClientConfig::from_options(&opts(Some("ak_0123456789"), None)).is_ok());
        assert!(ClientConfig::from_options(&opts(None, Some("/api/aivideo"))).is_ok());
        assert!(ClientConfig::from_options(&opts(None, Some("http://proxy.internal:8787"))).is_ok());
        assert!(ClientConfig::from_options(&opts(Some("ak_0123456789"), Some("http://proxy.internal:8787"))).is_err());
    }

    #[test]
    fn bad_options_name_the_option() {
        let e =
            ClientConfig::from_options(&ClientOptions { timeout_ms: Some(Value::Number(-1.0)), ..Default::default() })
                .unwrap_err();
        assert!(e.message.starts_with("timeoutMs"), "{}", e.message);
        let e =
            ClientConfig::from_options(&ClientOptions { max_retries: Some(Value::Number(1.5)), ..Default::default() })
                .unwrap_err();
        assert!(e.message.starts_with("maxRetries"), "{}", e.message);
        let e = ClientConfig::from_options(&ClientOptions { api_key: Some(Value::Number(1.0)), ..Default::default() })
            .unwrap_err();
        assert!(e.message.starts_with("apiKey"), "{}", e.message);
        let e = ClientConfig::from_options(&ClientOptions {
            api_key: Some(Value::str("Bearer ak_x")),
            ..Default::default()
        })
        .unwrap_err();
        assert!(!e.message.contains("ak_x"), "key echoed: {}", e.message);
    }

    #[test]
    fn key_is_masked_in_logs_and_redacted_from_text() {
        let c = cfg("https://api.example.com");
        let line = c.get_account().log_line();
        assert!(!line.contains("0123456789abcdef"), "{line}");
        assert!(line.ends_with("key=ak_…cdef"), "{line}");
        assert_eq!(c.redact("bad key ak_test_0123456789abcdef!"), "bad key ak_…cdef!");
    }
}
