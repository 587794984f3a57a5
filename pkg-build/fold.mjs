// Folds the modules only the public API imports (token.js, validation.js, schemas.js) into
// pkg/api.js, and validation.js and schemas.js into pkg/validate/api.js, after the CommonJS
// builds have read them (pkg-build/cjs.mjs), then drops them from the package. Node's module
// loader costs about 0.7 ms a module at import (bench: start-up), and every entry loads
// api.js; bundlers tree-shake the folded module as they did the separate ones (jsonSchema's
// text stays out of bundles that never call it: the Vite page weights hold that). The glue
// (./aivideo.js) stays its own module: the proxy, the coordinator and the CLI import its
// internal exports, and one module instance means one wasm instance.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("../pkg/", import.meta.url));
for (const [dir, folded] of [["", ["token.js", "validation.js", "schemas.js"]], ["validate/", ["validation.js", "schemas.js"]]]) {
  const file = `${PKG}${dir}api.js`;
  // The source's header comment, kept on the built file (esbuild drops comments).
  const header = readFileSync(file, "utf8").match(/^(\/\/.*\n)+/)?.[0] ?? "";
  await build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    format: "esm",
    external: ["./aivideo.js"],
    banner: { js: `${header}// Built by pkg-build/fold.mjs with ${folded.join(", ")} folded in.` },
    logLevel: "warning",
  });
  for (const f of folded) rmSync(`${PKG}${dir}${f}`);
}
