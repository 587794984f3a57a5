// The wasm embedded, gzipped, as base64 (wasm-base64.js): no asset to serve, no bundler
// configuration; the runtime inflates it (DecompressionStream) before compiling.
// Compiled asynchronously at import (browsers refuse synchronous compiles of more than 4 KB
// on the main thread). Use "aivideo" instead where the bundler emits the .wasm: it is smaller.
import init from "./aivideo.js";
import { wasmBytes } from "./wasm-base64.js";

await init({ module_or_path: await wasmBytes() });

export * from "./api.js";
