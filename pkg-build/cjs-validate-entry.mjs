// Source of `require("aivideo/validate")` (pkg/validate/index.cjs): the offline contract over
// the validate-only glue, initialized at require time from the .wasm beside the file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "../pkg/validate/aivideo.js";

initSync({ module: readFileSync(join(__dirname, "aivideo_bg.wasm")) });

export * from "../pkg/validate/api.js";
