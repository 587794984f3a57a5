// Browsers, Deno and bundlers: fetch and compile the .wasm next to this file, once, at import.
import init from "./aivideo.js";

await init({ module_or_path: new URL("./aivideo_bg.wasm", import.meta.url) });

export * from "./aivideo.js";
export { createProxyHandler } from "./proxy.js";
