// Source of `require("aivideo/validate")` (pkg/validate/index.cjs): the offline contract over
// the validate-only glue, initialized at require time from the .wasm beside the file, or, where
// it is not there (a single-file CommonJS bundle copied alone), from the embedded copy,
// required lazily (plain Node never loads it when the file is there).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "../pkg/validate/aivideo.js";

function besideThisFile() {
  try {
    return readFileSync(join(__dirname, "aivideo_bg.wasm"));
  } catch {
    return null;
  }
}

initSync({ module: besideThisFile() ?? require("node:zlib").gunzipSync(require("../pkg/validate/wasm-base64.js").gzipped()) });

export * from "../pkg/validate/api.js";
