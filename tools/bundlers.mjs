// The bundler leg: a consumer installs the packed tarball and builds the app in
// tests/bundlers/ with Vite, webpack, esbuild and Rollup in production mode (browser targets,
// plus esbuild and webpack server bundles for Node), then runs each bundle for real: the browser
// ones in Chromium, the Node ones with node; plus a CommonJS consumer and a Jest test that
// require() the package. Each must complete a workflow against the simulator.
import { run } from "./spawn.mjs";
import { mkdirSync, writeFileSync, mkdtempSync, copyFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, basename, dirname } from "node:path";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { makeConsumer, ROOT } from "./consumer.mjs";
import { serveStatic } from "./static.mjs";
import { launchChromium } from "./chromium.mjs";

const TESTS = join(ROOT, "tests");
const require = createRequire(join(ROOT, "package.json"));

const page = (label) => `<!doctype html><html><head><meta charset="utf-8"><title>${label}</title>
<script>globalThis.BUNDLER_LABEL = ${JSON.stringify(label)};</script></head>
<body><script type="module" src="./main.js"></script></body></html>`;

/** Each build returns the folder to serve (browser) or the file to run (node). */
const BUILDS = {
  async vite(dir) {
    const { build } = await import("vite");
    const out = join(dir, "dist-vite");
    writeFileSync(join(dir, "index.html"), page("vite"));
    await build({ root: dir, mode: "production", logLevel: "error", configFile: false, build: { outDir: out, emptyOutDir: true } });
    return { serve: out };
  },
  async webpack(dir, target = "web", entry = "./server.js") {
    const webpack = (await import("webpack")).default;
    const out = join(dir, target === "web" ? "dist-webpack" : `dist-webpack-node-${entry.replace(/\W/g, "")}`);
    const stats = await new Promise((resolve, reject) =>
      webpack({
        mode: "production",
        target,
        context: dir,
        entry: target === "web" ? "./main.js" : entry,
        output: { path: out, filename: target === "web" ? "main.js" : "server.cjs", clean: true },
        // webpack's own condition names per target and per import/require: as users get them.
        // A server bundle is one file: the app's dynamic import is folded in, not split out.
        plugins: target === "web" ? [] : [new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 })],
      }, (err, s) => (err ? reject(err) : resolve(s))));
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    if (target !== "web") return { node: join(out, "server.cjs") };
    writeFileSync(join(out, "index.html"), page("webpack").replace('type="module" ', ""));
    return { serve: out };
  },
  // arch-allow: params (a build's knobs, each with its default)
  async esbuild(dir, platform = "browser", format = "esm", plain = null) {
    const esbuild = await import("esbuild");
    const out = join(dir, `dist-esbuild-${platform}-${format}${plain ? `-${plain.replace(/\W/g, "")}` : ""}`);
    mkdirSync(out, { recursive: true });
    const entry = plain ?? (platform === "browser" ? "main-inline.js" : format === "esm" ? "server-inline.js" : "server-inline.cjs");
    const file = platform === "browser" ? "main.js" : format === "esm" ? "server.mjs" : "server.cjs";
    await esbuild.build({ absWorkingDir: dir, entryPoints: [entry], bundle: true, minify: true, format, platform, logLevel: "error", outfile: join(out, file) });
    if (platform !== "browser") return { node: join(out, file) };
    writeFileSync(join(out, "index.html"), page("esbuild"));
    return { serve: out };
  },
  async rollup(dir) {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const out = join(dir, "dist-rollup");
    const bundle = await rollup({ input: join(dir, "main-inline.js"), plugins: [nodeResolve({ browser: true })], onwarn() {} });
    await bundle.write({ file: join(out, "main.js"), format: "es" });
    await bundle.close();
    writeFileSync(join(out, "index.html"), page("rollup"));
    return { serve: out };
  },
};

export async function runBundlers(simUrl) {
  let count = 0;
  const failures = [];
  const times = [];
  const dir = makeConsumer("bundlers", join(TESTS, "bundlers"));
  const browser = await launchChromium();
  const timed = async (label, fn) => {
    const t0 = Date.now();
    try {
      const r = await fn();
      count += r.count;
      failures.push(...r.failures);
      if (!r.count) failures.push(`${label}: no assertions ran`);
    } catch (e) {
      failures.push(`${label}: ${e && e.stack ? e.stack.split("\n").slice(0, 8).join("\n") : e}`);
    }
    times.push(`${label} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  };
  const inBrowser = async (label, serveDir, { client = true } = {}) => {
    const site = await serveStatic(serveDir);
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(`${label}: page error ${e}`));
    // Chromium asks for /favicon.ico on its own; every other failed load is the bundle's.
    tab.on("console", (m) => m.type() === "error" && !/favicon\.ico$/.test(m.location().url || "") && errors.push(`${label}: console ${m.text()} ${m.location().url || ""}`));
    try {
      await tab.goto(`${site.url}/index.html?sim=${encodeURIComponent(simUrl)}`);
      await tab.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 }).catch(() => {});
      const r = (await tab.evaluate(() => window.__result)) || { count: 0, failures: [`${label}: the page never finished`] };
      r.failures.push(...errors);
      // Browser bundles never carry the edge proxy (it lives in aivideo/proxy, with jose).
      const js = readdirSync(serveDir, { recursive: true }).filter((f) => /\.m?js$/.test(f));
      const carried = js.filter((f) => readFileSync(join(serveDir, f), "utf8").includes("aivideo-proxy"));
      r.count += 1;
      if (!js.length || carried.length) r.failures.push(`${label}: ${js.length ? `the proxy is in the browser bundle (${carried})` : "no script found"}`);
      // A validate-only page carries neither the client nor the full wasm.
      if (!client) {
        const files = readdirSync(serveDir, { recursive: true }).map(String);
        const full = files.filter((f) => /\.(m?js|wasm)$/.test(f) && /createGeneration|waitForTask/.test(readFileSync(join(serveDir, f), "latin1")));
        r.count += 1;
        if (full.length) r.failures.push(`${label}: the client is in the validate-only page (${full})`);
      }
      return r;
    } finally {
      await tab.close();
      await site.close();
    }
  };
  /** Runs a server bundle; `alone` copies it by itself to a fresh folder first (a
   * single-file bundle must not need anything beside it). */
  const inNode = async (label, file, alone = false) => {
    const lone = alone ? mkdtempSync(join(tmpdir(), "aivideo-bundle-")) : null;
    if (lone) {
      copyFileSync(file, join(lone, basename(file)));
      file = join(lone, basename(file));
    }
    const p = await run("node", [file, simUrl, label], { cwd: dirname(file), timeout: 60000 });
    if (lone) rmSync(lone, { recursive: true, force: true });
    const line = p.out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
    return line ? JSON.parse(line) : { count: 0, failures: [`${label}: exit ${p.status}: ${p.out.slice(-1500)}`] };
  };
  try {
    for (const name of ["vite", "webpack", "esbuild", "rollup"]) {
      await timed(`${name} (browser)`, async () => inBrowser(name, (await BUILDS[name](dir)).serve));
    }
    // A form that only validates (tests/bundlers/validate): aivideo/validate, its own wasm.
    const form = join(dir, "validate");
    for (const name of ["vite", "webpack", "esbuild", "rollup"]) {
      await timed(`${name} (browser, validate)`, async () => inBrowser(`${name} (validate)`, (await BUILDS[name](form)).serve, { client: false }));
    }
    await timed("esbuild (node, esm, aivideo/validate)", async () => inNode("esbuild node esm bundle of aivideo/validate", (await BUILDS.esbuild(form, "node", "esm", "server.js")).node, true));
    await timed("commonjs require (aivideo/validate)", () => inNode("commonjs (aivideo/validate)", join(form, "server.cjs")));
    await timed("esbuild (node, esm)", async () => inNode("esbuild node esm bundle", (await BUILDS.esbuild(dir, "node", "esm")).node, true));
    // The plain entries (not aivideo/inline) bundled into one file and copied alone: the wasm
    // is not beside it, and the Node entry falls back to the embedded copy.
    await timed("esbuild (node, esm, plain aivideo)", async () => inNode("esbuild node esm bundle of aivideo", (await BUILDS.esbuild(dir, "node", "esm", "server.js")).node, true));
    await timed("esbuild (node, esm, aivideo/proxy)", async () => inNode("esbuild node esm bundle of aivideo/proxy", (await BUILDS.esbuild(dir, "node", "esm", "proxy-server.js")).node, true));
    await timed("esbuild (node, cjs, aivideo/proxy)", async () => inNode("esbuild node cjs bundle of aivideo/proxy", (await BUILDS.esbuild(dir, "node", "cjs", "proxy-server.cjs")).node, true));
    await timed("esbuild (node, cjs)", async () => inNode("esbuild node cjs bundle", (await BUILDS.esbuild(dir, "node", "cjs")).node, true));
    await timed("webpack (node)", async () => inNode("webpack node bundle", (await BUILDS.webpack(dir, "node")).node));
    await timed("webpack (node, cjs)", async () => inNode("webpack node cjs bundle", (await BUILDS.webpack(dir, "node", "./server-inline.cjs")).node, true));
    await timed("commonjs require", () => inNode("commonjs", join(dir, "commonjs.cjs")));
    await timed("jest", async () => {
      const jest = join(require.resolve("jest/package.json"), "..", "bin", "jest.js");
      const p = await run("node", [jest, "--rootDir", dir, "--testMatch", "**/aivideo.test.cjs", "--transform", "{}", "--json", "--ci", "--silent"],
        { cwd: dir, timeout: 90000, env: { ...process.env, SIM_URL: simUrl } });
      const json = p.out.slice(p.out.indexOf('{"num'));
      let r;
      try { r = JSON.parse(json.slice(0, json.lastIndexOf("}") + 1)); } catch { return { count: 0, failures: [`jest: exit ${p.status}: ${p.out.slice(-2000)}`] }; }
      const fails = r.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status !== "passed").map((a) => `jest: ${a.fullName}: ${a.failureMessages.join(" ").slice(0, 600)}`));
      if (r.numFailedTestSuites) fails.push(...r.testResults.filter((f) => f.status !== "passed" && f.message).map((f) => `jest: ${f.message.slice(0, 800)}`));
      return { count: r.numTotalTests, failures: fails };
    });
  } finally {
    await browser.close();
  }
  return { count, failures, times };
}
