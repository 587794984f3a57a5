//! One reader per JS options bag, with its key list beside its struct.
//!
//! Owns: which keys each bag accepts (`KEYS`, diffed against the TypeScript interfaces by a
//! native test), the two number rules (milliseconds; whole credits) with one message each,
//! and the defaults. The edge converts the caller's object to a `Value` once and hands it
//! here; members that are JS objects the core cannot hold (`signal`, `onProgress`, `fetch`,
//! `onLog`) are listed so they are accepted, and the edge reads them itself.
//! Must not: read JS values or the clock.
//!
//! Size: 283 lines of code; the rest is its unit tests, kept beside what they test.

use crate::error::ArgumentError;
use crate::reconcile::Sent;
use crate::validate::ValidateOptions;
use crate::value::Value;

/// The longest duration any option may name: 24 hours (a larger one is a unit mistake).
pub const MAX_MS: f64 = 86_400_000.0;

/// Refuses what is not an object (or absent) and any key outside `allowed`.
pub fn check_keys(bag: &Value, allowed: &[&[&str]]) -> Result<(), ArgumentError> {
    match bag {
        Value::Null => Ok(()),
        Value::Object(entries) => {
            for (k, _) in entries {
                if !allowed.iter().any(|keys| keys.contains(&k.as_str())) {
                    let known: Vec<&str> = allowed.iter().flat_map(|keys| keys.iter().copied()).collect();
                    return Err(ArgumentError::new(format!(
                        "unknown option {} (known: {})",
                        Value::str(k.clone()).describe(),
                        known.join(", ")
                    )));
                }
            }
            Ok(())
        }
        other => Err(ArgumentError::new(format!("options must be an object, got {}", other.type_name()))),
    }
}

/// The longest a wait may be told to last or to expect: 30 days.
pub const MAX_WAIT_MS: f64 = 30.0 * MAX_MS;

/// A duration in milliseconds: above 0, at most 24 hours (timeouts, windows).
pub fn ms(bag: &Value, name: &str) -> Result<Option<f64>, ArgumentError> {
    ms_up_to(bag, name, MAX_MS)
}

fn ms_up_to(bag: &Value, name: &str, max: f64) -> Result<Option<f64>, ArgumentError> {
    match bag.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_finite() && *n > 0.0 && *n <= max => Ok(Some(*n)),
        Some(v) => Err(ArgumentError::new(format!(
            "{name} must be a number of milliseconds above 0 and at most {}, got {}",
            crate::value::format_number(max),
            v.describe()
        ))),
    }
}

/// A duration of a wait: up to 30 days; 0 is meaningful where `zero_ok` (`maxWaitMs: 0` = no
/// deadline).
pub fn wait_ms(bag: &Value, name: &str, zero_ok: bool) -> Result<Option<f64>, ArgumentError> {
    match bag.get(name) {
        Some(Value::Number(n)) if *n == 0.0 && zero_ok => Ok(Some(0.0)),
        _ => ms_up_to(bag, name, MAX_WAIT_MS),
    }
}

/// A positive factor (`timeScale`).
pub fn factor(bag: &Value, name: &str) -> Result<Option<f64>, ArgumentError> {
    match bag.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_finite() && *n > 0.0 && *n <= 1000.0 => Ok(Some(*n)),
        Some(v) => Err(ArgumentError::new(format!("{name} must be a number above 0, got {}", v.describe()))),
    }
}

/// A whole number of credits, 0 or more.
pub fn credits(bag: &Value, name: &str) -> Result<Option<u64>, ArgumentError> {
    match bag.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n <= 1e15 => Ok(Some(*n as u64)),
        Some(v) => Err(ArgumentError::new(format!(
            "{name} must be a whole number of credits, 0 or more, got {}",
            v.describe()
        ))),
    }
}

pub fn text(bag: &Value, name: &str) -> Result<Option<String>, ArgumentError> {
    match bag.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(ArgumentError::new(format!("{name} must be a string, got {}", v.type_name()))),
    }
}

pub fn flag(bag: &Value, name: &str) -> Result<Option<bool>, ArgumentError> {
    match bag.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(ArgumentError::new(format!("{name} must be true or false, got {}", v.describe()))),
    }
}

/// `{ signal, timeoutMs }`, taken by every call.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CallOptions {
    /// Per attempt; `None` = the client's `timeoutMs`.
    pub timeout_ms: Option<f64>,
}

impl CallOptions {
    pub const KEYS: &'static [&'static str] = &["signal", "timeoutMs"];

    /// The options bag of a call that takes only these (getStatus, listTasks, …).
    pub fn read(bag: &Value) -> Result<CallOptions, ArgumentError> {
        check_keys(bag, &[CallOptions::KEYS])?;
        CallOptions::values(bag)
    }

    /// These options out of a larger bag whose keys the caller checked.
    fn values(bag: &Value) -> Result<CallOptions, ArgumentError> {
        Ok(CallOptions { timeout_ms: ms(bag, "timeoutMs")? })
    }
}

/// `{ maxDataUriBytes }`: limits of offline validation.
pub const VALIDATE_KEYS: &[&str] = &["maxDataUriBytes"];

pub fn read_validate(bag: &Value) -> Result<ValidateOptions, ArgumentError> {
    let mut o = ValidateOptions::default();
    match bag.get("maxDataUriBytes") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.is_finite() && *n >= 0.0 => {
            o.max_data_uri_bytes = n.min(usize::MAX as f64) as usize
        }
        Some(v) => {
            return Err(ArgumentError::new(format!("maxDataUriBytes must be a number of bytes, got {}", v.describe())))
        }
    }
    Ok(o)
}

/// `validatePayload`'s options: unusable values fall back to the defaults (it never throws).
pub fn read_validate_lenient(bag: &Value) -> ValidateOptions {
    read_validate(bag).unwrap_or_default()
}

/// `quote`'s options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuoteOptions {
    pub call: CallOptions,
    /// `false` skips local validation (models added upstream after this release).
    pub validate: bool,
    pub limits: ValidateOptions,
}

impl QuoteOptions {
    pub const KEYS: &'static [&'static str] = &["validate"];

    pub fn read(bag: &Value) -> Result<QuoteOptions, ArgumentError> {
        check_keys(bag, &[CallOptions::KEYS, QuoteOptions::KEYS, VALIDATE_KEYS])?;
        Ok(QuoteOptions {
            call: CallOptions::values(bag)?,
            validate: flag(bag, "validate")?.unwrap_or(true),
            limits: read_validate(bag)?,
        })
    }
}

/// `createGeneration`'s options (and the create half of `runWorkflow`'s).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateOptions {
    pub call: CallOptions,
    pub idempotency_key: Option<String>,
    pub idempotency_scope: Option<String>,
    pub max_credits: Option<u64>,
    pub quote_first: bool,
    pub webhook_url: Option<String>,
    pub validate: bool,
    pub limits: ValidateOptions,
    /// Look for the task in `GET /tasks` when a key sent before is sent again, and after a
    /// lost answer (default true). Off, a lost answer ends the create with `maybeCreated`
    /// unless the server is known to deduplicate the key.
    pub reconcile: bool,
    /// The caller declares that the server deduplicates `Idempotency-Key`: a lost answer is
    /// sent again under the same key without reading the list first.
    pub server_deduplicates: bool,
    /// An earlier attempt of this create (its `handle`, or a journal record): its key, when
    /// it was first sent and the task it made, if known.
    pub handle: Option<Sent>,
}

impl CreateOptions {
    pub const KEYS: &'static [&'static str] = &[
        "idempotencyKey",
        "idempotencyScope",
        "maxCredits",
        "quoteFirst",
        "webhookUrl",
        "validate",
        "reconcile",
        "serverDeduplicates",
        "handle",
    ];

    pub fn read(bag: &Value) -> Result<CreateOptions, ArgumentError> {
        check_keys(bag, &[CallOptions::KEYS, CreateOptions::KEYS, VALIDATE_KEYS])?;
        CreateOptions::read_unchecked(bag)
    }

    fn read_unchecked(bag: &Value) -> Result<CreateOptions, ArgumentError> {
        Ok(CreateOptions {
            call: CallOptions::values(bag)?,
            idempotency_key: text(bag, "idempotencyKey")?,
            idempotency_scope: text(bag, "idempotencyScope")?,
            max_credits: credits(bag, "maxCredits")?,
            quote_first: flag(bag, "quoteFirst")?.unwrap_or(false),
            webhook_url: text(bag, "webhookUrl")?,
            validate: flag(bag, "validate")?.unwrap_or(true),
            limits: read_validate(bag)?,
            reconcile: flag(bag, "reconcile")?.unwrap_or(true),
            server_deduplicates: flag(bag, "serverDeduplicates")?.unwrap_or(false),
            handle: handle(bag)?,
        })
    }
}

/// `handle`: `{ idempotencyKey, createdAt, taskId? }` (an envelope's `data.handle`); other
/// members are ignored. `createdAt` is an ISO 8601 time or ms since the epoch.
fn handle(bag: &Value) -> Result<Option<Sent>, ArgumentError> {
    let h = match bag.get("handle") {
        None | Some(Value::Null) => return Ok(None),
        Some(h @ Value::Object(_)) => h,
        Some(v) => return Err(ArgumentError::new(format!("handle must be an object, got {}", v.describe()))),
    };
    let bad = |what: &str| {
        ArgumentError::new(format!(
            "handle.{what} (pass the handle of an earlier create's envelope as it is: {{ idempotencyKey, createdAt, taskId }})"
        ))
    };
    let key = text(h, "idempotencyKey").map_err(|_| bad("idempotencyKey must be a string"))?;
    let key = key.ok_or_else(|| bad("idempotencyKey is missing"))?;
    let first_sent_ms = match h.get("createdAt") {
        Some(Value::String(s)) => crate::time::parse_iso8601(s),
        Some(Value::Number(n)) if n.is_finite() && *n >= 0.0 => Some(*n),
        _ => None,
    }
    .ok_or_else(|| bad("createdAt must be an ISO 8601 time or ms since the epoch"))?;
    let task_id = text(h, "taskId").map_err(|_| bad("taskId must be a string or null"))?;
    Ok(Some(Sent { key, first_sent_ms, task_id, deduplicated: false, digest: None }))
}

/// `waitForTask`'s options (and the wait half of `runWorkflow`'s). `onProgress` is read by
/// the edge.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WaitOptions {
    pub call: CallOptions,
    pub interval_ms: Option<f64>,
    pub max_interval_ms: Option<f64>,
    pub min_interval_ms: Option<f64>,
    pub first_interval_ms: Option<f64>,
    /// `Some(0)` = no deadline.
    pub max_wait_ms: Option<f64>,
    pub time_scale: Option<f64>,
    pub expected_ms: Option<f64>,
    pub cancel_on_abort: bool,
}

impl WaitOptions {
    pub const KEYS: &'static [&'static str] = &[
        "intervalMs",
        "minIntervalMs",
        "firstIntervalMs",
        "maxIntervalMs",
        "maxWaitMs",
        "onProgress",
        "cancelOnAbort",
        "timeScale",
        "expectedMs",
    ];

    pub fn read(bag: &Value) -> Result<WaitOptions, ArgumentError> {
        check_keys(bag, &[CallOptions::KEYS, WaitOptions::KEYS])?;
        WaitOptions::read_unchecked(bag)
    }

    fn read_unchecked(bag: &Value) -> Result<WaitOptions, ArgumentError> {
        Ok(WaitOptions {
            call: CallOptions::values(bag)?,
            interval_ms: wait_ms(bag, "intervalMs", false)?,
            max_interval_ms: wait_ms(bag, "maxIntervalMs", false)?,
            min_interval_ms: wait_ms(bag, "minIntervalMs", false)?,
            first_interval_ms: wait_ms(bag, "firstIntervalMs", false)?,
            max_wait_ms: wait_ms(bag, "maxWaitMs", true)?,
            time_scale: factor(bag, "timeScale")?,
            expected_ms: wait_ms(bag, "expectedMs", false)?,
            cancel_on_abort: flag(bag, "cancelOnAbort")?.unwrap_or(false),
        })
    }
}

/// `runWorkflow`'s options: the union of create's and wait's.
pub fn read_workflow(bag: &Value) -> Result<(CreateOptions, WaitOptions), ArgumentError> {
    check_keys(bag, &[CallOptions::KEYS, CreateOptions::KEYS, VALIDATE_KEYS, WaitOptions::KEYS])?;
    Ok((CreateOptions::read_unchecked(bag)?, WaitOptions::read_unchecked(bag)?))
}

/// The options of `createClient` that the edge reads itself (functions), beside the ones
/// `ClientConfig::from_options` and `ClientLimits::read` check.
pub const CLIENT_KEYS: &[&str] = &[
    "apiKey",
    "baseUrl",
    "timeoutMs",
    "maxRetries",
    "maxRetryAfterMs",
    "fetch",
    "onLog",
    "rateLimitPerMinute",
    "rateLimitWindowMs",
    "maxCredits",
    "maxResponseBytes",
    // Turned into `fetch` by the JS entry (`token.js`) before the options reach the edge.
    "token",
];

/// `createClient`'s budget options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientLimits {
    pub rate_per_window: f64,
    pub window_ms: f64,
    /// Default per-create budget; a per-call `maxCredits` can only lower it.
    pub max_credits: Option<u64>,
    /// The largest response body read, in bytes.
    pub max_response_bytes: f64,
}

impl ClientLimits {
    pub fn read(bag: &Value) -> Result<ClientLimits, ArgumentError> {
        let rate_per_window = match bag.get("rateLimitPerMinute") {
            None | Some(Value::Null) => 60.0,
            Some(Value::Number(n)) if n.is_finite() && *n >= 1.0 && *n <= 1e6 => *n,
            Some(v) => {
                return Err(ArgumentError::new(format!(
                    "rateLimitPerMinute must be a number of at least 1, got {}",
                    v.describe()
                )))
            }
        };
        Ok(ClientLimits {
            rate_per_window,
            window_ms: ms(bag, "rateLimitWindowMs")?.unwrap_or(60_000.0),
            max_credits: credits(bag, "maxCredits")?,
            max_response_bytes: match bag.get("maxResponseBytes") {
                None | Some(Value::Null) => crate::limits::DEFAULT_MAX_RESPONSE_BYTES,
                Some(Value::Number(n)) if n.is_finite() && *n >= 1024.0 => *n,
                Some(v) => {
                    return Err(ArgumentError::new(format!(
                        "maxResponseBytes must be a number of bytes, at least 1024, got {}",
                        v.describe()
                    )))
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_json::json;

    #[test]
    fn unknown_keys_and_non_objects_are_refused() {
        let e = CreateOptions::read(&json(r#"{"idempotencyKy":"x"}"#)).unwrap_err();
        assert!(e.message.starts_with("unknown option \"idempotencyKy\""), "{}", e.message);
        assert!(CreateOptions::read(&Value::Number(1.0)).is_err());
        assert!(CreateOptions::read(&Value::Null).is_ok());
        assert!(WaitOptions::read(&json(r#"{"maxCredits":1}"#)).is_err(), "create options are not wait options");
        assert!(read_workflow(&json(r#"{"maxCredits":1,"maxWaitMs":0}"#)).is_ok());
    }

    #[test]
    fn one_rule_per_kind_of_number() {
        for bad in ["0", "-1", "1e300", "\"5\"", "true"] {
            let e = CallOptions::read(&json(&format!(r#"{{"timeoutMs":{bad}}}"#))).unwrap_err();
            assert!(e.message.starts_with("timeoutMs must be a number of milliseconds"), "{}", e.message);
        }
        let w = WaitOptions::read(&json(r#"{"maxWaitMs":0,"intervalMs":500,"timeScale":0.01}"#)).unwrap(); // ok: test
        assert_eq!((w.max_wait_ms, w.interval_ms, w.time_scale), (Some(0.0), Some(500.0), Some(0.01)));
        let e = CreateOptions::read(&json(r#"{"maxCredits":1.5}"#)).unwrap_err();
        assert!(e.message.starts_with("maxCredits must be a whole number of credits"), "{}", e.message);
        let e = CreateOptions::read(&json(r#"{"quoteFirst":"yes"}"#)).unwrap_err();
        assert!(e.message.starts_with("quoteFirst must be true or false"), "{}", e.message);
    }
}
