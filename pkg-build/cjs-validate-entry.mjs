// Source of `require("aivideo/validate")` (pkg/validate/index.cjs): the offline contract over
// the validate-only glue, initialized at require time from the .wasm beside the file, or, where
// it is not there (a single-file CommonJS bundle copied alone), from the embedded copy,
// required lazily (plain Node never loads it when the file is there).
import { initSync } from "../pkg/validate/aivideo.js";
import { wasmBytes } from "./cjs-wasm-bytes.mjs";

initSync({ module: wasmBytes(__dirname, () => require("../pkg/validate/wasm-base64.js")) });

export * from "../pkg/validate/api.js";
