// Browsers, Deno and bundlers that understand `new URL("…", import.meta.url)` (Vite, webpack,
// Parcel): the .wasm next to this file is fetched and compiled once, at import.
import init from "./aivideo.js";

await init({ module_or_path: new URL("./aivideo_bg.wasm", import.meta.url) });

export * from "./api.js";
