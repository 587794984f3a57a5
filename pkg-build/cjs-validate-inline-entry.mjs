// Source of `require("aivideo/validate/inline")` (pkg/validate/inline.cjs): the same with the
// validate-only wasm embedded, for CommonJS server bundles that do not copy the .wasm.
import { initSync } from "../pkg/validate/aivideo.js";
import { wasmBytes } from "../pkg/validate/wasm-base64.js";

initSync({ module: wasmBytes() });

export * from "../pkg/validate/api.js";
