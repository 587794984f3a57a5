//! What a finished create reports: its handle, the charge it counts (never 0 while an
//! estimate, quote or budget is known) and the recovery a failure names. Must not: perform
//! I/O or read the clock.

use super::CreateFlow;
use crate::credits::Estimate;
use crate::envelope::Envelope;
use crate::error::ErrorCode;
use crate::poll::expected_run_ms;
use crate::time;
use crate::value::Value;

/// The charge an answer states: a finite number ≥ 0, else none (then the estimate counts).
pub fn stated_charge(data: &Value) -> Option<f64> {
    data.get("creditsCharged").and_then(Value::as_f64).filter(|c| c.is_finite() && *c >= 0.0)
}

impl CreateFlow {
    /// The resumable handle: with a task, when this call started (a wait's schedule starts
    /// there); without one (`maybeCreated`), when the key was first sent, so that the `handle`
    /// option adopts whatever that send made.
    pub(super) fn handle(&self, task_id: Option<String>) -> Value {
        let created_at = if task_id.is_some() { self.now_ms } else { self.sent.first_sent_ms };
        let expected = self.spec.map_or(300_000.0, |s| expected_run_ms(s, &self.payload));
        Value::object(vec![
            ("taskId", Value::opt_str(task_id)),
            ("model", Value::str(self.model.clone())),
            ("idempotencyKey", Value::str(self.key())),
            ("createdAt", Value::str(time::format_iso8601(created_at))),
            ("estimate", self.estimate.as_ref().map_or(Value::Null, Estimate::to_value)),
            ("expectedMs", Value::Number(expected)),
        ])
    }

    /// What a create counts when its answer states no usable charge: the estimate, else the
    /// quote, else the budget it was sent under; never 0 while any of them is known.
    pub(super) fn assumed_charge(&self) -> f64 {
        let local = self.estimate.as_ref().and_then(|e| e.credits);
        local.or(self.quoted).or(self.max_credits).map_or(0.0, |c| c as f64)
    }

    pub(super) fn on_created(&mut self, mut env: Envelope, answer_lost: bool) -> Envelope {
        let assumed = self.assumed_charge();
        match &mut env.outcome {
            Ok(reply) => {
                let replay = reply.data.get("idempotentReplay") == Some(&Value::Bool(true));
                let credits = stated_charge(&reply.data).unwrap_or(assumed);
                self.charge = Some((credits, replay));
                self.sent.task_id.clone_from(&env.task_id);
                let handle = self.handle(env.task_id.clone());
                if let Value::Object(entries) = &mut reply.data {
                    entries.push(("handle".to_string(), handle));
                }
            }
            Err(e) if e.code == ErrorCode::IdempotencyConflict => {
                e.message = format!(
                    "the idempotency key {} was already used with a different payload, so the server refused to \
                     create a second task under it; nothing was charged. Pass a new idempotencyKey (or an \
                     idempotencyScope) for a new generation, or resend the original payload to get its task back",
                    self.key()
                );
            }
            // Only when an answer was lost: a 429 (or any answered refusal) created nothing.
            Err(e) if answer_lost && (crate::retry::is_transient(e.code) || e.code == ErrorCode::Aborted) => {
                // The server may have created (and billed) the task before the answer was lost.
                let key = self.key();
                e.message = format!(
                    "{}. The task may have been created before the answer was lost: create again with \
                     idempotencyKey \"{key}\" (or this envelope's data.handle as the handle option) to get it back \
                     without a second charge",
                    e.message
                );
                e.data = Value::object(vec![
                    ("idempotencyKey", Value::str(key)),
                    ("maybeCreated", Value::Bool(true)),
                    ("handle", self.handle(None)),
                ]);
            }
            Err(_) => {}
        }
        env
    }
}
