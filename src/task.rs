//! Tasks as the server reports them: the status vocabulary and the normalized task.
//!
//! Owns: `TaskStatus` (the five statuses the contract names, and anything else passed
//! through), which statuses end a task (`Terminal`), `output.url` and `expiresAt`
//! normalization, and the failure text of a failed task. Must not: read the clock.

use crate::error::clip;
use crate::time::{format_iso8601, parse_iso8601};
use crate::value::Value;

/// How long the service keeps a finished video.
pub const OUTPUT_RETENTION_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// A task's status. Unknown strings are kept as they came and never mean success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    Submitted,
    Progress,
    Completed,
    Failed,
    Cancelled,
    Other(String),
}

impl TaskStatus {
    pub fn parse(s: &str) -> TaskStatus {
        match s {
            "SUBMITTED" => TaskStatus::Submitted,
            "PROGRESS" => TaskStatus::Progress,
            "COMPLETED" => TaskStatus::Completed,
            "FAILED" => TaskStatus::Failed,
            "CANCEL" | "CANCELLED" | "CANCELED" => TaskStatus::Cancelled,
            other => TaskStatus::Other(other.to_string()),
        }
    }

    /// The wire string (`CANCEL` for a cancelled task, as the contract spells it).
    pub fn as_str(&self) -> &str {
        match self {
            TaskStatus::Submitted => "SUBMITTED",
            TaskStatus::Progress => "PROGRESS",
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Cancelled => "CANCEL",
            TaskStatus::Other(s) => s,
        }
    }

    /// Only a task that has not started can be cancelled (and refunded).
    pub fn is_cancellable(&self) -> bool {
        *self == TaskStatus::Submitted
    }
}

/// Terminal outcomes of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    Completed,
    Failed,
    Cancelled,
}

/// Reads a status string. Anything unknown is not terminal and never success.
pub fn terminal(status: &str) -> Option<Terminal> {
    match TaskStatus::parse(status) {
        TaskStatus::Completed => Some(Terminal::Completed),
        TaskStatus::Failed => Some(Terminal::Failed),
        TaskStatus::Cancelled => Some(Terminal::Cancelled),
        _ => None,
    }
}

/// Puts the video location at `output.url` (from `url`, the older `videoUrl`, or a bare
/// string output) and adds `expiresAt` (completion + 24 h) when the completion time is known.
pub fn normalize_task(task: Value) -> Value {
    let Value::Object(mut entries) = task else {
        return task;
    };
    let output_url = |out: &Value| -> Option<String> {
        match out {
            Value::String(s) => Some(s.clone()),
            Value::Object(_) => out
                .get("url")
                .and_then(Value::as_str)
                .or_else(|| out.get("videoUrl").and_then(Value::as_str))
                .map(str::to_string),
            _ => None,
        }
    };
    let mut expires_at = Value::Null;
    for (k, v) in entries.iter_mut() {
        if k == "output" {
            if let Some(url) = output_url(v) {
                match v {
                    Value::Object(fields) => match fields.iter_mut().find(|(fk, _)| fk == "url") {
                        Some((_, u)) => *u = Value::String(url),
                        None => fields.push(("url".to_string(), Value::String(url))),
                    },
                    _ => *v = Value::object(vec![("url", Value::String(url))]),
                }
            }
        }
        if k == "completedAt" {
            if let Some(done) = v.as_str().and_then(parse_iso8601) {
                expires_at = Value::String(format_iso8601(done + OUTPUT_RETENTION_MS));
            }
        }
    }
    entries.retain(|(k, _)| k != "expiresAt");
    entries.push(("expiresAt".to_string(), expires_at));
    Value::Object(entries)
}

/// The failure text of a FAILED task: `output.error`, then `output.msg`, then a default.
pub fn task_error_text(task: &Value) -> String {
    let out = task.get("output");
    fn text(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str).filter(|m| !m.trim().is_empty())
    }
    text(out.and_then(|o| o.get("error")))
        .or_else(|| text(out.and_then(|o| o.get("msg"))))
        .or_else(|| text(task.get("message")))
        .map(clip)
        .unwrap_or_else(|| "the generation failed (credits are refunded automatically)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_never_end_a_task() {
        for s in ["SUBMITTED", "PROGRESS", "COMPLETED", "FAILED", "CANCEL"] {
            assert_eq!(TaskStatus::parse(s).as_str(), s);
        }
        assert_eq!(TaskStatus::parse("CANCELLED"), TaskStatus::Cancelled);
        assert_eq!(TaskStatus::parse("QUEUED").as_str(), "QUEUED");
        assert_eq!(terminal("QUEUED"), None);
        assert!(TaskStatus::parse("SUBMITTED").is_cancellable() && !TaskStatus::Progress.is_cancellable());
    }
}
