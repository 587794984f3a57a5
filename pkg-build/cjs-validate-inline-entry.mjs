// Source of `require("aivideo/validate/inline")` (pkg/validate/inline.cjs):
// require("aivideo/validate") itself, whose initialization falls back to the embedded
// validate-only wasm where the .wasm is not beside it (see cjs-inline-entry.mjs).
export * from "../pkg/validate/api.js";
