// Source of pkg/glue.cjs: the wasm-bindgen glue as CommonJS, initialized at require time from
// the .wasm beside the file (`__dirname` is CommonJS's). index.cjs and proxy.cjs require it,
// so they share one instance. Where the .wasm is not beside it (a single-file CommonJS server
// bundle copied alone), the embedded copy is required instead: lazily, so plain Node never
// loads it when the file is there (a bundler folds it into the bundle).
import { initSync } from "../pkg/aivideo.js";
import { wasmBytes } from "./cjs-wasm-bytes.mjs";

// Node 18 has WebCrypto but not as a global (the proxy's HMACs and jose use globalThis.crypto).
// Asked with `in`: reading `globalThis.crypto` runs Node's lazy getter, which loads WebCrypto
// at every start-up (~1 ms) whether or not anything uses it.
if (!("crypto" in globalThis)) globalThis.crypto = require("node:crypto").webcrypto;

initSync({ module: wasmBytes(__dirname, () => require("../pkg/wasm-base64.js")) });

export * from "../pkg/aivideo.js";
