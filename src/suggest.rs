//! The next steps an envelope suggests, in plain words, per error code. Kept apart from the
//! codes themselves: wording changes often, the codes never.

use crate::error::ErrorCode;

/// What the caller can do next, in plain words, per error code.
pub fn suggestions(code: ErrorCode) -> &'static [&'static str] {
    match code {
        ErrorCode::InvalidModel => &["Use one of the models errorMessage lists (modelNames() gives them; getAccount() lists what the server accepts)."],
        ErrorCode::InvalidPayload => &["Fix the fields named in data.details; validatePayload(model, payload) checks them offline."],
        ErrorCode::AuthFailed => &["Check the credential: the API key (AIVIDEO_API_KEY, the raw ak_… key, without a Bearer prefix), or, behind an aivideo proxy, its token (AIVIDEO_PROXY_TOKEN, or the token option)."],
        ErrorCode::InsufficientCredits => &[
            "Top up credits at https://aivideomaker.ai.",
            "Or use a cheaper model or a shorter duration; estimateCredits() and quote() show the price first.",
        ],
        ErrorCode::TaskNotFound => &["Check the task id; tasks are visible only to the key that created them."],
        ErrorCode::IdempotencyConflict => &["This idempotency key was already used with a different payload: use a new key (or idempotencyScope) for a new generation, or resend the original payload."],
        ErrorCode::BudgetExceeded => &["Raise maxCredits, or choose a cheaper model, resolution or duration."],
        ErrorCode::ContentRejected => &["The prompt or media was rejected by the content filter: rephrase or change the inputs."],
        ErrorCode::RateLimited => &["Wait retryAfter seconds before the next request (a create resent with its idempotency key is not charged twice); waits sharing one client share its budget."],
        ErrorCode::UpstreamError => &["The service had a problem; retry later. A create with an idempotency key is safe to retry."],
        ErrorCode::NetworkError => &["Check connectivity and baseUrl, or raise timeoutMs; a create with an idempotency key is safe to retry."],
        ErrorCode::UnknownError => &["Retry later; if it persists, report the httpStatus and errorMessage."],
        ErrorCode::Aborted => &["The request was aborted by the caller's signal."],
        ErrorCode::InvalidArgument => &["Fix the argument named in errorMessage."],
        ErrorCode::GenerationFailed => &["Check the inputs (prompt, images) and try again; failed tasks are refunded automatically."],
        ErrorCode::Cancelled => &["The task was cancelled and refunded."],
        ErrorCode::TaskNotCancellable => &["Only a SUBMITTED task can be cancelled: this one has started, so wait for it (waitForTask) or let it finish."],
        ErrorCode::ResultUnavailable => &["The task COMPLETED and is paid for: read it with getTask(taskId), or waitForTask(handle), before it expires (24 h after completion)."],
        ErrorCode::UnsupportedByServer => &["This server does not offer the endpoint: check baseUrl, or do without it (a budget is then checked against the local estimate)."],
        ErrorCode::PollTimeout => &["The task is still running: call waitForTask again with the same taskId (it is not lost), or raise maxWaitMs."],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_next_step() {
        for code in ErrorCode::ALL {
            assert!(!suggestions(code).is_empty(), "{code} has no suggestion");
        }
    }
}
