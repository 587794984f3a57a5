// Node (ES modules): read the .wasm next to this file and instantiate synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "./aivideo.js";

initSync({ module: readFileSync(new URL("./aivideo_bg.wasm", import.meta.url)) });

export * from "./api.js";
