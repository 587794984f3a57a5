// Source of `require("aivideo/inline")` (pkg/inline.cjs): require("aivideo") itself. Its glue
// (glue.cjs) reads the .wasm beside it and, where there is none (a CommonJS server bundle
// that did not copy it: esbuild --platform=node, webpack target node), requires the embedded
// copy (wasm-base64.js), which a bundler folds into the bundle. So both names share one
// module and one wasm instance, and the package holds the glue and the API once.
export * from "../pkg/api.js";
