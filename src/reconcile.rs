//! Which task a lost or repeated create may have made, and what a client remembers of the
//! idempotency keys it has sent.
//!
//! Owns the money-safety invariant's two halves that are not the flow itself:
//! - **adoption**: a task in `GET /tasks` is this create's only if this key was sent before
//!   (a key never sent adopts nothing), the task was created after the key's first send less
//!   `CLOCK_SKEW_MS`, it has the create's model and input, it carries this key or no key at
//!   all, and no other key of this client claims it;
//! - **the ledger**: per key, when it was first sent, the task it made (once an answer named
//!   one) and whether the server has answered a replay for it (then it deduplicates). Bounded;
//!   the oldest keys are forgotten first.
//!
//! Must not: perform I/O or read the clock (times are passed in).

use crate::envelope::Envelope;
use crate::error::{Error, ErrorCode};
use crate::value::Value;

/// The clock difference allowed between this machine and the server when a task's
/// `createdAt` is compared with the first send of a key: two minutes.
pub const CLOCK_SKEW_MS: f64 = 120_000.0;

/// Keys a client remembers (each a few dozen bytes); the oldest are forgotten first.
pub const LEDGER_KEYS: usize = 2_000;

/// What is known of one idempotency key that was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub key: String,
    /// When the key was first sent (ms since the epoch, this machine's clock).
    pub first_sent_ms: f64,
    /// The task an answer (or an adoption) named for this key.
    pub task_id: Option<String>,
    /// The server answered a repeat of this key as a replay: it deduplicates it.
    pub deduplicated: bool,
    /// The request sent under the key (`crate::idempotency::request_digest`), when this
    /// client sent it.
    pub digest: Option<String>,
}

impl Sent {
    /// Two records of one key, merged: the earlier first send, any task and replay seen.
    pub fn merge(&mut self, other: &Sent) {
        self.first_sent_ms = self.first_sent_ms.min(other.first_sent_ms);
        if self.task_id.is_none() {
            self.task_id.clone_from(&other.task_id);
        }
        self.deduplicated |= other.deduplicated;
        if self.digest.is_none() {
            self.digest.clone_from(&other.digest);
        }
    }
}

/// The keys one client has sent, in the order they were first sent, and the keys of its
/// creates in flight.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    entries: Vec<Sent>,
    in_flight: Vec<String>,
}

impl Ledger {
    /// A create under `key` starts: false (send nothing; answer `in_flight(key)`) while
    /// another create of this client is in flight under the same key, since neither could
    /// show what the other made. Every `true` must be followed by `end(key)`.
    pub fn begin(&mut self, key: &str) -> bool {
        if !key.is_empty() && self.in_flight.iter().any(|k| k == key) {
            return false;
        }
        self.in_flight.push(key.to_string());
        true
    }

    /// The answer to a create refused by `begin`.
    pub fn in_flight(key: &str) -> Envelope {
        let msg = format!(
            "a create with idempotency key {key} is already in flight on this client: nothing was sent. Wait for \
             its result (a repeat afterwards gets the same task)"
        );
        Envelope::from(Error::new(ErrorCode::IdempotencyConflict, msg))
    }

    pub fn end(&mut self, key: &str) {
        if let Some(i) = self.in_flight.iter().position(|k| k == key) {
            self.in_flight.swap_remove(i);
        }
    }

    pub fn get(&self, key: &str) -> Option<&Sent> {
        self.entries.iter().find(|s| s.key == key)
    }

    /// Records what a create knows of its key (merged with what was known before).
    pub fn record(&mut self, sent: &Sent) {
        match self.entries.iter_mut().find(|s| s.key == sent.key) {
            Some(known) => known.merge(sent),
            None => {
                if self.entries.len() >= LEDGER_KEYS {
                    self.entries.remove(0);
                }
                self.entries.push(sent.clone());
            }
        }
    }

    /// The tasks other keys than `key` made: never adopted for `key`.
    pub fn claimed_by_others(&self, key: &str) -> Vec<String> {
        self.entries.iter().filter(|s| s.key != key).filter_map(|s| s.task_id.clone()).collect()
    }
}

/// What a list answer says about the task a create may have made.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// This task: adopt it.
    Task(Value),
    /// The list was read and holds no task of this create: sending again cannot charge twice.
    Absent,
    /// The list could not be read (or not understood): nothing can be shown either way.
    Unknown,
}

/// The create a list answer is searched for.
pub struct Search<'a> {
    pub sent: &'a Sent,
    pub model: &'a str,
    /// The payload in canonical JSON.
    pub input: &'a str,
    /// Tasks other keys of this client (or other users of a proxy) made.
    pub claimed: &'a [String],
}

impl Search<'_> {
    pub fn find(&self, list: &Envelope) -> Found {
        let Ok(reply) = &list.outcome else { return Found::Unknown };
        let Some(Value::Array(tasks)) = reply.data.get("tasks") else { return Found::Unknown };
        match tasks.iter().find(|t| self.is_ours(t)) {
            Some(task) => Found::Task(task.clone()),
            None => Found::Absent,
        }
    }

    fn is_ours(&self, task: &Value) -> bool {
        let Some(id) = task.get("id").and_then(Value::as_str) else { return false };
        if self.claimed.iter().any(|c| c == id) {
            return false;
        }
        let same_input = || task.get("input").is_some_and(|i| i.to_canonical_json() == self.input);
        match task.get("idempotencyKey").and_then(Value::as_str) {
            // The server kept our key: ours when the input is ours too (else its 409 to give).
            Some(k) if k == self.sent.key => return same_input(),
            Some(_) => return false,
            None => {}
        }
        // A server that ignores keys: our model and input, created since our first send.
        // The model as created, or its live variant name (`minimax-h3` for `minimax`); never
        // another model that shares a prefix (`t2v_v3` is not `t2v`).
        let model_matches = task
            .get("model")
            .and_then(Value::as_str)
            .is_some_and(|m| m == self.model || m.strip_prefix(self.model).is_some_and(|rest| rest.starts_with('-')));
        let created = task.get("createdAt").and_then(Value::as_str).and_then(crate::time::parse_iso8601);
        let since = created.is_some_and(|t| t >= self.sent.first_sent_ms - CLOCK_SKEW_MS);
        model_matches && since && same_input()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{classify, Action, Body, HttpResponse};
    use crate::error::ErrorCode;
    use crate::value::test_json::json;

    const INPUT: &str = r#"{"aspectRatio":"16:9","duration":"5","prompt":"a fox"}"#;

    fn sent(first: f64) -> Sent {
        Sent { key: "job-12345".into(), first_sent_ms: first, task_id: None, deduplicated: false, digest: None }
    }

    fn list(body: &str) -> Envelope {
        classify(Action::List, &HttpResponse::new(200, None, Body::Json(json(body))), None, 0.0)
    }

    fn task(id: &str, created: &str, key: &str) -> String {
        format!(r#"{{"id":"{id}","model":"t2v","createdAt":"{created}","idempotencyKey":{key},"input":{INPUT}}}"#)
    }

    #[test]
    fn only_a_task_created_since_the_first_send_with_our_input_and_no_other_key_is_ours() {
        // 1970-01-01T00:16:40Z = 1_000_000 ms; the first send at 1_100_000 (skew 120 s).
        let s = sent(1_100_000.0);
        let search = Search { sent: &s, model: "t2v", input: INPUT, claimed: &[] };
        let at = |body: String| search.find(&list(&format!(r#"{{"tasks":[{body}]}}"#)));
        assert!(matches!(at(task("t1", "1970-01-01T00:16:40.000Z", "null")), Found::Task(_)), "within the skew");
        assert_eq!(at(task("t1", "1970-01-01T00:15:00.000Z", "null")), Found::Absent, "before the first send");
        assert_eq!(at(task("t1", "1970-01-01T00:16:40.000Z", "\"other-key\"")), Found::Absent, "another key");
        assert!(matches!(at(task("t1", "1970-01-01T00:00:00.000Z", "\"job-12345\"")), Found::Task(_)), "our key");
        let other_model = task("t1", "1970-01-01T00:20:00.000Z", "null").replace("\"t2v\"", "\"t2v_v3\"");
        assert_eq!(at(other_model), Found::Absent, "another model sharing a prefix");
        let live_name = task("t1", "1970-01-01T00:20:00.000Z", "null").replace("\"t2v\"", "\"t2v-h3\"");
        assert!(matches!(at(live_name), Found::Task(_)), "the live variant name of the model");
        let other_input = r#"{"id":"t1","model":"t2v","createdAt":"1970-01-01T00:20:00.000Z","input":{"prompt":"b"}}"#;
        assert_eq!(at(other_input.to_string()), Found::Absent);
        let claimed = ["t1".to_string()];
        let search = Search { sent: &s, model: "t2v", input: INPUT, claimed: &claimed };
        let body = format!(r#"{{"tasks":[{}]}}"#, task("t1", "1970-01-01T00:20:00.000Z", "null"));
        assert_eq!(search.find(&list(&body)), Found::Absent, "another key of this client made it");
    }

    #[test]
    fn a_list_that_failed_or_is_not_understood_shows_nothing_either_way() {
        let s = sent(0.0);
        let search = Search { sent: &s, model: "t2v", input: INPUT, claimed: &[] };
        assert_eq!(search.find(&Envelope::failure(ErrorCode::UpstreamError, "503")), Found::Unknown);
        assert_eq!(search.find(&list(r#"{"items":[]}"#)), Found::Unknown);
        assert_eq!(search.find(&list(r#"{"tasks":[]}"#)), Found::Absent);
    }

    #[test]
    fn the_ledger_merges_what_each_create_learns_and_forgets_the_oldest_keys() {
        let mut ledger = Ledger::default();
        ledger.record(&sent(50.0));
        ledger.record(&Sent { task_id: Some("t1".into()), deduplicated: true, ..sent(70.0) });
        let known = ledger.get("job-12345").cloned().unwrap_or_else(|| sent(-1.0));
        assert_eq!((known.first_sent_ms, known.task_id.as_deref(), known.deduplicated), (50.0, Some("t1"), true));
        assert_eq!(ledger.claimed_by_others("another"), vec!["t1".to_string()]);
        assert!(ledger.claimed_by_others("job-12345").is_empty());
        for i in 0..LEDGER_KEYS {
            ledger.record(&Sent { key: format!("k{i}"), ..sent(0.0) });
        }
        assert!(ledger.get("job-12345").is_none(), "the oldest key was forgotten");
        assert!(ledger.get("k1").is_some());
    }

    #[test]
    fn a_second_create_under_a_key_in_flight_is_refused_until_the_first_ends() {
        let mut ledger = Ledger::default();
        assert!(ledger.begin("job-1"));
        assert!(!ledger.begin("job-1"));
        assert_eq!(Ledger::in_flight("job-1").code(), Some(ErrorCode::IdempotencyConflict));
        assert!(ledger.begin("job-2"), "another key");
        ledger.end("job-1");
        assert!(ledger.begin("job-1"));
    }
}
