//! The sizes the client accepts, in one place, each with the reason for its number.
//!
//! A payload, an options object or a server's answer can be arbitrarily large or deep; on
//! Workers an isolate has 128 MB, so the edge copies nothing past these bounds into the
//! wasm memory and the validator reports a bounded number of issues.

/// Values (objects, arrays, strings, numbers…) read from one JS argument. The largest valid
/// payload has a few dozen; an object of 100 000 junk keys is refused after these.
pub const MAX_INPUT_VALUES: usize = 10_000;

/// Characters of one string read from JS: room for the largest image data URI the contract
/// allows (20 MiB decoded is 26.7 M characters of base64) and no more.
pub const MAX_INPUT_STRING_CHARS: usize = 28 * 1024 * 1024;

/// Strings longer than this that are checked data URIs stay in JS (`Value::CheckedDataUri`):
/// their text is never copied whole into the wasm memory (`api.js` is told it at first use).
pub const EXTERNAL_STRING_CHARS: usize = 65_536;

/// Nesting read from JS (the wasm stack is small; no valid payload nests beyond 3).
pub const MAX_INPUT_DEPTH: usize = 64;

/// Issues listed in one validation result; the rest are counted (`omittedIssues`).
pub const MAX_ISSUES: usize = 100;

/// Bytes of one response body read (after decompression): the largest answer of the API,
/// a task list, is a few hundred KB. Configurable per client (`maxResponseBytes`).
pub const DEFAULT_MAX_RESPONSE_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// The longest `Retry-After` taken from a server, in ms: a day. Larger values (`1e26`, a
/// date in 9999) are read as "a day", never as an overflow.
pub const MAX_RETRY_AFTER_MS: f64 = 86_400_000.0;
