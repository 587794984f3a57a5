//! URLs the client builds: the base URL rules, task ids and model names as path segments,
//! and the webhook URL check.
//!
//! Owns: what counts as loopback (exactly `localhost`, 127.0.0.0/8, `::1`), when plain http
//! is allowed (loopback with a key; anywhere without one), same-origin proxy paths, and
//! percent-encoding of one path segment. Must not: read JS values or perform I/O.

use crate::error::ArgumentError;
use crate::value::Value;

/// The longest task id accepted.
pub const MAX_TASK_ID_LEN: usize = 128;

/// Accepts `https://host[:port][/prefix]`. Without a key (a client behind a proxy that adds
/// it) also `http://` to any host and a same-origin path (`/api/aivideo`); with a key, plain
/// `http://` only to loopback hosts, so the key never travels in clear text off the machine.
/// Trailing slashes are removed; query strings, fragments and credentials are refused.
pub fn normalize_base_url(raw: &str, has_key: bool) -> Result<String, ArgumentError> {
    let s = raw.trim();
    if s.starts_with('/') && !s.starts_with("//") && !s.starts_with("/\\") {
        if has_key {
            return Err(ArgumentError::new(
                "a relative baseUrl is for keyless clients behind a same-origin proxy: give an https:// URL with the key",
            ));
        }
        if s.contains(['?', '#', '\\']) || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ArgumentError::new("baseUrl must be a plain path: no query, fragment or spaces"));
        }
        let path = s.trim_end_matches('/');
        return Ok(path.to_string());
    }
    let (scheme, rest) = if let Some(r) = strip_prefix_ci(s, "https://") {
        ("https", r)
    } else if let Some(r) = strip_prefix_ci(s, "http://") {
        ("http", r)
    } else {
        return Err(ArgumentError::new(format!(
            "baseUrl must start with https:// (http:// only for localhost, or without a key), got {}",
            Value::str(raw).describe()
        )));
    };
    if rest.contains(['?', '#', '@', '\\']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ArgumentError::new(
            "baseUrl must be a plain origin with an optional path: no query, fragment, credentials or spaces",
        ));
    }
    let authority = rest.split('/').next().unwrap_or("");
    let host = host_of(authority);
    if host.is_empty() {
        return Err(ArgumentError::new("baseUrl has no host"));
    }
    if scheme == "http" && has_key && !is_loopback(host) {
        return Err(ArgumentError::new(format!(
            "baseUrl must use https for non-loopback hosts (the API key travels in a header), got http://{host}"
        )));
    }
    Ok(format!("{scheme}://{}", rest.trim_end_matches('/')))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn host_of(authority: &str) -> &str {
    if let Some(inner) = authority.strip_prefix('[') {
        return inner.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

/// Exactly `localhost`, a dotted-quad address in 127.0.0.0/8 or `::1`: never a DNS name
/// that merely starts with `127.` (`127.0.0.1.evil.example` is someone else's host).
pub fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" {
        return true;
    }
    let octets: Vec<&str> = h.split('.').collect();
    octets.len() == 4
        && octets.first() == Some(&"127")
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
        && octets.iter().all(|o| o.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// Checks a task id and percent-encodes it for use as one path segment.
pub fn encode_task_id(task_id: &str) -> Result<String, ArgumentError> {
    if task_id.trim().is_empty() {
        return Err(ArgumentError::new("taskId must be a non-empty string"));
    }
    if task_id.chars().count() > MAX_TASK_ID_LEN {
        return Err(ArgumentError::new(format!(
            "taskId must be at most {MAX_TASK_ID_LEN} characters, got {}",
            task_id.chars().count()
        )));
    }
    if task_id.chars().any(char::is_control) {
        return Err(ArgumentError::new("taskId must not contain control characters"));
    }
    // `.` and `..` are dot segments even percent-encoded: `/tasks/../cancel` is `/cancel`.
    if task_id == "." || task_id == ".." {
        return Err(ArgumentError::new(format!("taskId \"{task_id}\" is not a task id (a dot segment)")));
    }
    Ok(percent_encode_segment(task_id))
}

pub fn encode_model(model: &str) -> Result<String, ArgumentError> {
    if model.is_empty() || model.len() > 64 || model.chars().any(char::is_control) {
        return Err(ArgumentError::new("model must be a non-empty name of at most 64 characters"));
    }
    Ok(percent_encode_segment(model))
}

/// An absolute http(s) URL without credentials.
pub fn check_http_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "must be an absolute http(s) URL".to_string())?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("must not contain credentials (user:password@)".to_string());
    }
    if host_of(authority).is_empty() {
        return Err("has no host".to_string());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".to_string());
    }
    Ok(())
}

/// RFC 3986 unreserved characters pass; every other byte becomes `%XX`.
pub fn percent_encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_are_checked_locally() {
        assert!(encode_task_id("").is_err());
        assert!(encode_task_id("   ").is_err());
        assert!(encode_task_id(&"a".repeat(129)).is_err());
        assert!(encode_task_id(&"a".repeat(128)).is_ok());
        assert!(encode_task_id("a\nb").is_err());
        assert!(encode_task_id("..").is_err() && encode_task_id(".").is_err(), "dot segments escape /tasks/");
        assert_eq!(encode_task_id("...").unwrap(), "..."); // ok: test
        assert_eq!(encode_task_id("../account").unwrap(), "..%2Faccount"); // ok: test
        assert_eq!(encode_task_id("é").unwrap(), "%C3%A9"); // ok: test
    }

    #[test]
    fn base_url_rules() {
        let keyed = |s: &str| normalize_base_url(s, true);
        assert_eq!(keyed("http://127.0.0.1:8787/").unwrap(), "http://127.0.0.1:8787"); // ok: test
        assert_eq!(keyed("http://127.1.2.3").unwrap(), "http://127.1.2.3"); // ok: test
        assert_eq!(keyed("http://localhost:1").unwrap(), "http://localhost:1"); // ok: test
        assert_eq!(keyed("http://[::1]:9").unwrap(), "http://[::1]:9"); // ok: test
        assert_eq!(keyed("https://x.test/proxy/").unwrap(), "https://x.test/proxy"); // ok: test
        for bad in [
            "http://example.com",
            "http://127.0.0.1.evil.example",
            "http://127.evil.example",
            "http://127.0.0.1x",
            "http://127.0.0.256",
            "http://localhost.evil.example",
            "http://x.localhost",
            "ftp://x",
            "x.test",
            "https://u:p@x.test",
            "https://x.test?a=1",
            "https://",
            "/api/aivideo",
            "//evil.example",
        ] {
            assert!(keyed(bad).is_err(), "{bad} accepted with a key");
        }
        // Without a key: a proxy on any host, plain http or a same-origin path.
        let keyless = |s: &str| normalize_base_url(s, false);
        assert_eq!(keyless("http://proxy:8787/").unwrap(), "http://proxy:8787"); // ok: test
        assert_eq!(keyless("/api/aivideo/").unwrap(), "/api/aivideo"); // ok: test
        for bad in ["//evil.example", "/\\evil.example", "/a?b", "api/aivideo", "https://u:p@x.test"] {
            assert!(keyless(bad).is_err(), "{bad} accepted without a key");
        }
    }
}
