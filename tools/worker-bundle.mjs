// Bundles a Worker the way wrangler does (esbuild, the `workerd`/`worker` export conditions,
// `.wasm` imports left as Worker modules), and lists the modules workerd should load.
import { build } from "esbuild";
import { writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";

/**
 * source: the worker's code; dir: a folder from which "aivideo" resolves (a project with it
 * installed), or pass `alias` to point "aivideo" at a built package folder.
 * Returns [[name, path, kind]] for startWorkerd, relative to dir.
 */
export async function bundleWorker({ source, dir, name = "proxy-worker", alias }) {
  const out = join(dir, `${name}-dist`);
  mkdirSync(out, { recursive: true });
  const entry = join(dir, `${name}.src.mjs`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry], bundle: true, format: "esm", platform: "browser", target: "es2022",
    conditions: ["workerd", "worker"], external: ["*.wasm"], outfile: join(out, "worker.js"),
    metafile: true, logLevel: "error", ...(alias ? { alias: { aivideo: alias } } : {}),
  });
  // The one wasm module the bundle imports (as "./aivideo_bg.wasm"), copied beside it.
  const wasm = Object.values(result.metafile.outputs)[0].imports.filter((i) => i.path.endsWith(".wasm"));
  const pkg = alias ?? join(dir, "node_modules", "aivideo");
  copyFileSync(join(pkg, "aivideo_bg.wasm"), join(out, "aivideo_bg.wasm"));
  return {
    modules: [["worker.js", `${name}-dist/worker.js`], ...wasm.map((w) => [w.path.replace(/^\.\//, ""), `${name}-dist/aivideo_bg.wasm`, "wasm"])],
    bytes: Object.values(result.metafile.outputs)[0].bytes,
  };
}
