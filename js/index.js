// Browsers, Deno and bundlers that understand `new URL("…", import.meta.url)` (Vite, webpack,
// Parcel): the .wasm next to this file is fetched and compiled once, at import. When that
// fails, the error says the two usual causes (a bundler that did not emit the file, a CSP).
import init from "./aivideo.js";

const wasmUrl = new URL("./aivideo_bg.wasm", import.meta.url);
try {
  await init({ module_or_path: wasmUrl });
} catch (cause) {
  throw new Error(
    `aivideo: could not load its WebAssembly from ${wasmUrl} (${cause && cause.message}). ` +
      "A bundler that does not emit files referenced by new URL(…, import.meta.url) (esbuild, Rollup) needs " +
      "\"aivideo/inline\" instead; a page with a Content-Security-Policy needs 'wasm-unsafe-eval' in script-src.",
    { cause },
  );
}

export * from "./api.js";
