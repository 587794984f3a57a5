//! aivideo: the client for the AIVideoMaker video generation API.
//!
//! The crate is a pure core (every module here except `wasm`) that decides everything and
//! does no I/O, and a thin wasm edge (`src/wasm/`, wasm32 only) that converts JS values,
//! calls `fetch`, sleeps on `setTimeout` and reports. Time and randomness enter the core as
//! parameters, so every decision is testable on the host with `cargo test`.

pub mod budget;
pub mod classify;
pub mod contract;
pub mod create;
pub mod credits;
pub mod describe;
pub mod envelope;
pub mod error;
pub mod idempotency;
pub mod json;
pub mod limits;
pub mod media;
pub mod options;
pub mod poll;
pub mod reconcile;
pub mod request;
pub mod retry;
pub mod schedule;
pub mod schema;
pub mod server_body;
pub mod suggest;
pub mod task;
pub mod tick;
pub mod time;
pub mod url;
pub mod validate;
pub mod value;
pub mod wait;

#[cfg(target_arch = "wasm32")]
mod wasm;
