// Source of `require("aivideo/inline")` (pkg/inline.cjs): the CommonJS build with the wasm
// embedded, for CommonJS server bundles (esbuild --platform=node, webpack target node) that
// would not copy the .wasm beside the bundle. Node compiles it synchronously at require time.
import { initSync } from "../pkg/aivideo.js";
import { wasmBytes } from "../pkg/wasm-base64.js";

initSync({ module: wasmBytes() });

export * from "../pkg/api.js";
