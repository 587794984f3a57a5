// Source of the package's CommonJS entry (`require("aivideo")`, Jest): esbuild bundles this
// file with the glue into pkg/index.cjs (format cjs), so there is one copy of the
// glue and the wasm is read next to the file at require time. `__dirname` is CommonJS's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "../pkg/aivideo.js";

initSync({ module: readFileSync(join(__dirname, "aivideo_bg.wasm")) });

export * from "../pkg/api.js";
