// The wasm's bytes for a CommonJS build's synchronous init (glue.cjs, validate/index.cjs): the
// .wasm beside the built file (`__dirname` is CommonJS's), or, where it is not there (a
// single-file CommonJS server bundle copied alone), the embedded copy, inflated with node:zlib.
// `embedded` requires that copy: each caller names its own with a literal require, which a
// bundler folds into the bundle and plain Node runs only when the file is missing.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function wasmBytes(dir, embedded) {
  try {
    return readFileSync(join(dir, "aivideo_bg.wasm"));
  } catch {
    return require("node:zlib").gunzipSync(embedded().gzipped());
  }
}
