// Source of pkg/glue.cjs: the wasm-bindgen glue as CommonJS, initialized at require time from
// the .wasm beside the file (`__dirname` is CommonJS's). index.cjs and proxy.cjs require it,
// so they share one instance.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { webcrypto } from "node:crypto";
import { initSync } from "../pkg/aivideo.js";

// Node 18 has WebCrypto but not as a global (the proxy's HMACs and jose use globalThis.crypto).
globalThis.crypto ??= webcrypto;

initSync({ module: readFileSync(join(__dirname, "aivideo_bg.wasm")) });

export * from "../pkg/aivideo.js";
