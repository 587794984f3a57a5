//! The wasm edge: converts JS values, calls `fetch`, sleeps on `setTimeout`, reports.
//!
//! Everything that decides lives in the pure core; this layer must stay thin. It binds only
//! global-scope functions (`fetch`, `setTimeout`, `AbortController`), never `window`, so the
//! same build runs in browsers, Workers, Node and Deno.

mod bindings;
mod client;
mod convert;
mod create;
mod factory;
mod internal;
mod look;
mod offline;
mod session;
mod transport;
mod typescript;
mod wait;
