//! The wasm edge: converts JS values, calls `fetch`, sleeps on `setTimeout`, reports.
//!
//! Everything that decides lives in the pure core; this layer must stay thin. It binds only
//! global-scope functions (`fetch`, `setTimeout`, `AbortController`), never `window`, so the
//! same build runs in browsers, Workers, Node and Deno.

//!
//! Without the `client` feature (the `aivideo/validate` build) only the offline contract is
//! exported: `offline` and the conversions it needs.

// The offline contract: validatePayload, estimateCredits, modelNames (describeModels and
// jsonSchema are data written at build time: examples/schema.rs).
mod convert;
mod offline;
mod typescript;

// The client: actions over fetch, waits on timers, the internal exports of the proxy and
// the coordinator.
#[cfg(feature = "client")]
mod bindings;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod create;
#[cfg(feature = "client")]
mod factory;
#[cfg(feature = "client")]
mod internal;
#[cfg(feature = "client")]
mod look;
#[cfg(feature = "client")]
mod session;
#[cfg(feature = "client")]
mod transport;
#[cfg(feature = "client")]
mod wait;
