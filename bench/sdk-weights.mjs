#!/usr/bin/env node
// sdk-weights.mjs — browser payload (gzip -9) of comparable video/AI API client SDKs.
//
// Every SDK gets a minimal, realistic browser entry (create a client, make one
// generation call, export the function so nothing is tree-shaken away). Each entry
// is bundled the same way with esbuild (bundle, minify, esm, platform=browser,
// target=es2020, tree shaking) and the output is measured raw and gzip -9.
//
// Packages are resolved from a given project root (its node_modules), not from
// where this script lives: entry files go into a fresh os.tmpdir() folder and
// esbuild finds the packages through `nodePaths`.
//
// Assets that a bundle fetches at run time instead of inlining (aivideo's
// `new URL("./aivideo_bg.wasm", import.meta.url)`, which esbuild leaves as-is)
// are counted from the package separately: `wasmGzipBytes`, and the sum in
// `totalGzipBytes`.
//
// Library:    import { sdkWeights } from "./sdk-weights.mjs";
//             const rows = await sdkWeights({ root: "/path/to/project" });
//             // -> [{ name, pkg, version, rawBytes, gzipBytes, wasmRawBytes,
//             //       wasmGzipBytes, totalGzipBytes, inputs, warnings }]
// Standalone: node sdk-weights.mjs [projectRoot] [--json]
//
// Dependency-free except esbuild (looked up next to this script first, then in
// the project root).

import { createRequire } from "node:module";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import zlib from "node:zlib";

/** The SDKs measured by default. `assets` are package-relative files the bundle loads at run time. */
export const DEFAULT_SDKS = [
  {
    name: "replicate",
    pkg: "replicate",
    entry: `import Replicate from "replicate";
export async function run(auth, prompt) {
  const replicate = new Replicate({ auth });
  return replicate.predictions.create({ model: "minimax/video-01", input: { prompt } });
}`,
  },
  {
    name: "runway",
    pkg: "@runwayml/sdk",
    entry: `import RunwayML from "@runwayml/sdk";
export async function run(apiKey, promptImage, promptText) {
  const client = new RunwayML({ apiKey });
  return client.imageToVideo.create({ model: "gen4_turbo", promptImage, promptText, ratio: "1280:720", duration: 5 });
}`,
  },
  {
    name: "fal",
    pkg: "@fal-ai/client",
    entry: `import { fal } from "@fal-ai/client";
export async function run(credentials, prompt, image_url) {
  fal.config({ credentials });
  return fal.subscribe("fal-ai/kling-video/v2.1/standard/image-to-video", { input: { prompt, image_url }, logs: true });
}`,
  },
  {
    name: "openai",
    pkg: "openai",
    entry: `import OpenAI from "openai";
export async function run(apiKey, prompt) {
  const client = new OpenAI({ apiKey, dangerouslyAllowBrowser: true });
  return client.videos.create({ model: "sora-2", prompt, seconds: "4", size: "1280x720" });
}`,
  },
  {
    name: "aivideo",
    pkg: "aivideo",
    entry: `import { validatePayload, createClient } from "aivideo";
export { validatePayload, createClient };`,
    // index.js does `await init(new URL("./aivideo_bg.wasm", import.meta.url))`: the wasm is a
    // separate download next to the bundle, and the module uses top-level await.
    assets: ["aivideo_bg.wasm"],
    esbuild: { supported: { "top-level-await": true } },
  },
  {
    name: "aivideo/validate",
    pkg: "aivideo",
    entry: `import { validatePayload } from "aivideo/validate";
export { validatePayload };`,
    // The offline contract alone: its own, smaller .wasm beside the bundle.
    assets: ["validate/aivideo_bg.wasm"],
    esbuild: { supported: { "top-level-await": true } },
  },
  {
    name: "aivideo/inline",
    pkg: "aivideo",
    entry: `import { validatePayload, createClient } from "aivideo/inline";
export { validatePayload, createClient };`,
    // The wasm inside the bundle (gzipped, as base64): nothing fetched beside it.
    assets: [],
    esbuild: { supported: { "top-level-await": true } },
  },
];

/** The shared esbuild options: every SDK is bundled exactly this way. */
export const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  write: false,
  treeShaking: true,
  logLevel: "silent",
};

const gzipLen = (buf) => zlib.gzipSync(buf, { level: 9 }).length;

async function loadEsbuild(roots) {
  try {
    return await import("esbuild");
  } catch {}
  for (const root of roots) {
    try {
      const req = createRequire(path.join(root, "package.json"));
      return await import(pathToFileURL(req.resolve("esbuild")).href);
    } catch {}
  }
  throw new Error(`esbuild not found next to ${fileURLToPath(import.meta.url)} nor under ${roots.join(", ")}`);
}

/** Directory of `pkg` in the first of `nodePaths` that has it, or null. */
function findPackageDir(pkg, nodePaths) {
  for (const dir of nodePaths) {
    const candidate = path.join(dir, ...pkg.split("/"));
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
  }
  return null;
}

/**
 * Bundle and measure each SDK.
 * @param {object} [opts]
 * @param {string} [opts.root=process.cwd()]   project root whose node_modules to resolve from
 * @param {string[]} [opts.nodePaths]          node_modules folders to resolve from (default [root/node_modules])
 * @param {Array} [opts.sdks=DEFAULT_SDKS]     { name, pkg, entry, assets?, esbuild? }
 * @param {object} [opts.esbuild]              an esbuild module to use instead of looking one up
 * @param {(msg: string) => void} [opts.log]   told about skipped (not installed) packages
 * @returns {Promise<Array<{name, pkg, version, rawBytes, gzipBytes, wasmRawBytes, wasmGzipBytes, totalGzipBytes, inputs, warnings}>>}
 */
export async function sdkWeights({ root = process.cwd(), nodePaths, sdks = DEFAULT_SDKS, esbuild, log = () => {} } = {}) {
  root = path.resolve(root);
  nodePaths = (nodePaths ?? [path.join(root, "node_modules")]).map((p) => path.resolve(p));
  esbuild ??= await loadEsbuild([root, ...nodePaths.map((p) => path.dirname(p))]);

  const tmp = await mkdtemp(path.join(os.tmpdir(), "sdk-weights-"));
  const rows = [];
  try {
    for (const sdk of sdks) {
      const pkgDir = findPackageDir(sdk.pkg, nodePaths);
      if (!pkgDir) {
        log(`skipped ${sdk.name}: ${sdk.pkg} is not installed under ${nodePaths.join(", ")}`);
        continue;
      }
      const { version } = JSON.parse(await readFile(path.join(pkgDir, "package.json"), "utf8"));

      const entryFile = path.join(tmp, `${sdk.name.replace(/[^\w.-]/g, "_")}.entry.mjs`);
      await writeFile(entryFile, sdk.entry + "\n");

      let result;
      try {
        result = await esbuild.build({
          ...BUILD_OPTIONS,
          ...sdk.esbuild,
          entryPoints: [entryFile],
          absWorkingDir: tmp,
          nodePaths,
          outdir: tmp,
          metafile: true,
        });
      } catch (err) {
        const msgs = (err.errors ?? []).map((e) => `  ${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ""}`);
        throw new Error(`esbuild failed for ${sdk.name} (${sdk.pkg}@${version}):\n${msgs.join("\n") || err.message}`);
      }

      const js = result.outputFiles.filter((f) => f.path.endsWith(".js"));
      const other = result.outputFiles.filter((f) => !f.path.endsWith(".js"));
      const jsBuf = Buffer.concat(js.map((f) => f.contents));
      // Assets emitted by a loader (e.g. `loader: {".wasm": "file"}`) plus the ones the package
      // fetches at run time.
      const assetBufs = other.map((f) => Buffer.from(f.contents));
      for (const asset of sdk.assets ?? []) assetBufs.push(await readFile(path.join(pkgDir, asset)));
      const wasmRawBytes = assetBufs.reduce((n, b) => n + b.length, 0);
      const wasmGzipBytes = assetBufs.reduce((n, b) => n + gzipLen(b), 0);
      const gzipBytes = gzipLen(jsBuf);

      rows.push({
        name: sdk.name,
        pkg: sdk.pkg,
        version,
        rawBytes: jsBuf.length,
        gzipBytes,
        wasmRawBytes,
        wasmGzipBytes,
        totalGzipBytes: gzipBytes + wasmGzipBytes,
        inputs: Object.keys(result.metafile.inputs).length,
        warnings: result.warnings.length,
      });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return rows;
}

/** Plain-text table of `sdkWeights` rows. */
export function formatTable(rows) {
  const kb = (n) => (n ? (n / 1000).toFixed(1) : "-");
  const header = ["sdk", "package@version", "js raw kB", "js gzip kB", "wasm raw kB", "wasm gzip kB", "total gzip kB", "modules"];
  const body = rows.map((r) => [
    r.name,
    `${r.pkg}@${r.version}`,
    kb(r.rawBytes),
    kb(r.gzipBytes),
    kb(r.wasmRawBytes),
    kb(r.wasmGzipBytes),
    kb(r.totalGzipBytes),
    String(r.inputs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

const isMain = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (isMain) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const root = args.find((a) => !a.startsWith("--")) ?? process.cwd();
  const rows = await sdkWeights({ root, log: (m) => console.error(m) });
  if (json) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log(`browser payload, esbuild ${BUILD_OPTIONS.format}/${BUILD_OPTIONS.platform}/${BUILD_OPTIONS.target} minified, gzip -9 (kB = 1000 B)`);
    console.log(formatTable(rows));
  }
}
