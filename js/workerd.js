// Cloudflare Workers: they refuse to compile wasm from bytes at run time, so the module is
// imported statically (wrangler and workerd hand us a compiled WebAssembly.Module).
import wasm from "./aivideo_bg.wasm";
import { initSync } from "./aivideo.js";

initSync({ module: wasm });

export * from "./api.js";
