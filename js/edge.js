// Next.js's edge runtime (and Vercel's Edge Functions): like Workers, it refuses to compile
// wasm from bytes at run time, and its bundlers (Turbopack, webpack) hand over a compiled
// WebAssembly.Module for an import with the `?module` suffix. That Module comes from another
// realm than the sandbox's `WebAssembly`, so the glue's `instanceof` check would take it for
// bytes: it is given the sandbox's prototype (the engine checks the Module itself, not that).
import wasm from "./aivideo_bg.wasm?module";
import { initSync } from "./aivideo.js";

if (!(wasm instanceof WebAssembly.Module) && Object.prototype.toString.call(wasm) === "[object WebAssembly.Module]") {
  Object.setPrototypeOf(wasm, WebAssembly.Module.prototype);
}
initSync({ module: wasm });

export * from "./api.js";
