// The public API, named once. Every entry (index.js, node.js, workerd.js, inline.js and the
// CommonJS build) initializes the wasm and re-exports exactly this list; the glue's `Client`
// class, `initSync` and default `init` stay private. The edge proxy is `aivideo/proxy`.
export { createClient, clientFromEnv, validatePayload, estimateCredits, describeModels, modelNames } from "./aivideo.js";
