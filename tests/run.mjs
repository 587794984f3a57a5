// `make test` after the Rust checks: builds a consumer project from the packed tarball and
// runs every JS-side suite. Prints one line per runtime with its assertion count; any
// runtime that cannot run fails the whole run (nothing is skipped silently).
import { execFileSync } from "node:child_process";
import { run } from "../tools/spawn.mjs";
import { join } from "node:path";
import { readFileSync, rmSync, cpSync } from "node:fs";
import { makeConsumer, ROOT } from "../tools/consumer.mjs";
import { serveStatic } from "../tools/static.mjs";
import { startWorkerd, workerdEntry } from "../tools/workerd.mjs";
import { launchChromium } from "../tools/chromium.mjs";
import { startSimulator } from "../sim/server.mjs";
import { runBundlers } from "../tools/bundlers.mjs";
import { runFrameworks } from "../tools/frameworks.mjs";
import { checkReadme } from "../tools/readme.mjs";
import { startHostile } from "../tools/hostile-server.mjs";

const BIN = join(ROOT, "node_modules", ".bin");
const results = [];
let failed = false;

function report(name, r) {
  results.push([name, r.count, r.failures.length]);
  console.log(`${r.failures.length ? "FAIL" : "ok  "} ${name.padEnd(28)} ${r.count} assertions${r.failures.length ? `, ${r.failures.length} failed` : ""}`);
  for (const f of r.failures) console.log(`     - ${f}`);
  if (r.failures.length || r.count === 0) failed = true;
}

function parseLastJson(text, name) {
  const line = text.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) return { count: 0, failures: [`${name} printed no result:\n${text.slice(-3000)}`] };
  return JSON.parse(line);
}

// LEGS=node,deno,… runs only the legs whose names start so (a development shortcut; make test
// and CI set nothing and run every leg).
const only = process.env.LEGS ? process.env.LEGS.split(",") : null;

async function leg(name, fn) {
  if (only && !only.some((l) => name.startsWith(l))) return;
  const t0 = Date.now();
  try {
    const r = await fn();
    report(`${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`, r);
  } catch (e) {
    report(name, { count: 0, failures: [String(e && e.stack || e)] });
  }
}

const consumer = makeConsumer();
const sim = await startSimulator({ timeScale: 0.001, cors: true });

/** The runtime suite in Node, in the consumer project `dir`. */
async function nodeSuite(dir, name) {
  const p = await run("node", ["node-entry.mjs", sim.url], { cwd: dir, timeout: 60000 });
  return parseLastJson(p.stdout + p.stderr, name);
}

await leg("node", () => nodeSuite(consumer, "node"));

// The stable-toolchain fallback build (make pkg-stable): the same package with its glue and
// wasm swapped for target/stable's, through the same Node suite.
await leg("node (stable build)", async () => {
  const dir = join(ROOT, "tests", "artifacts", "consumer-stable");
  rmSync(dir, { recursive: true, force: true });
  cpSync(consumer, dir, { recursive: true });
  for (const f of ["aivideo.js", "aivideo_bg.wasm"]) cpSync(join(ROOT, "target", "stable", f), join(dir, "node_modules", "aivideo", f));
  return nodeSuite(dir, "node (stable build)");
});

await leg("deno", async () => {
  const p = await run(join(BIN, "deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "--no-prompt", "deno-entry.mjs", sim.url], {
    cwd: consumer, timeout: 120000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(consumer, ".deno") },
  });
  return parseLastJson(p.stdout + p.stderr, "deno");
});

// The hostile suite's second runtime (Node runs it in tests/node/hostile.test.mjs).
await leg("deno-hostile", async () => {
  const hostile = await startHostile();
  try {
    const p = await run(join(BIN, "deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "--no-prompt", "deno-hostile.mjs", hostile.url], {
      cwd: consumer, timeout: 240000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(consumer, ".deno") },
    });
    return parseLastJson(p.stdout + p.stderr, "deno hostile");
  } finally {
    await hostile.close();
  }
});

await leg("workerd", async () => {
  const pkgDir = join(consumer, "node_modules", "aivideo");
  const entry = workerdEntry(pkgDir);
  const w = await startWorkerd({
    dir: consumer,
    modules: [
      ["worker.mjs", "worker.mjs"],
      ["suite.mjs", "suite.mjs"],
      ["validate-suite.mjs", "validate-suite.mjs"],
      // aivideo/validate: its workerd entry and the files beside it (named as wrangler would resolve them).
      ["aivideo/validate", "node_modules/aivideo/validate/workerd.js"],
      ["aivideo/aivideo.js", "node_modules/aivideo/validate/aivideo.js"],
      ["aivideo/api.js", "node_modules/aivideo/validate/api.js"],
      ["aivideo/aivideo_bg.wasm", "node_modules/aivideo/validate/aivideo_bg.wasm", "wasm"],
      ["aivideo", join("node_modules/aivideo", entry)],
      ["aivideo.js", "node_modules/aivideo/aivideo.js"],
      ["api.js", "node_modules/aivideo/api.js"],
      ["proxy.js", "node_modules/aivideo/proxy.js"],
      ["aivideo_bg.wasm", "node_modules/aivideo/aivideo_bg.wasm", "wasm"],
    ],
  });
  try {
    const r = await fetch(`${w.url}/run?sim=${encodeURIComponent(sim.url)}`);
    const text = await r.text();
    return text.startsWith("{") ? JSON.parse(text) : { count: 0, failures: [`workerd answered ${r.status}: ${text}\n${w.output()}`] };
  } finally {
    await w.stop();
  }
});

await leg("chromium", async () => {
  const site = await serveStatic(consumer);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/browser.html?sim=${encodeURIComponent(sim.url)}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
    const r = await page.evaluate(() => window.__result);
    r.failures.push(...errors);
    return r;
  } finally {
    await browser.close();
    await site.close();
  }
});

// Production bundles (Vite, webpack, esbuild, Rollup; browser and Node), CommonJS and Jest.
await leg("bundlers", async () => {
  const r = await runBundlers(sim.url);
  console.log(`     ${r.times.join(", ")}`);
  return r;
});

// Full-stack frameworks, no configuration for the package: Next.js (Turbopack and webpack, the
// Node and edge runtimes) and Astro (Node adapter), each with a page driven in Chromium.
await leg("frameworks", async () => {
  const r = await runFrameworks(sim.url);
  console.log(`     ${r.times.join(", ")}`);
  return r;
});

await sim.close();

// TypeScript declarations are part of the contract: type-check a consumer file in which every
// `@ts-expect-error` line must fail to compile.
await leg("typescript (tsc --noEmit)", async () => {
  const p = await run(join(BIN, "tsc"), ["-p", "tsconfig.json"], { cwd: consumer, timeout: 120000 });
  const src = readFileSync(join(consumer, "types.test.ts"), "utf8");
  const expectErrors = (src.match(/@ts-expect-error/g) || []).length;
  const calls = (src.match(/^\s*(await |const |if |validatePayload|createClient|clientFromEnv)/gm) || []).length;
  // aivideo/proxy's declarations against its code (tests/runtime/proxy-impl.test.ts).
  const proxy = await run(join(BIN, "tsc"), ["-p", "tsconfig.proxy.json"], { cwd: consumer, timeout: 120000 });
  // moduleResolution node10 (typesVersions) and toNodeHandler against @types/node.
  const node10 = await run(join(BIN, "tsc"), ["-p", "tsconfig.node10.json"], { cwd: consumer, timeout: 120000 });
  const failures = [p, proxy, node10].filter((r) => r.status !== 0).map((r) => r.stdout + r.stderr);
  return { count: expectErrors + calls + 5, failures };
});

// Every TypeScript/JavaScript block of README.md compiles under strict, three resolutions.
await leg("readme (tsc --strict)", async () => checkReadme());

// Node-only suites (node --test), each file against its own simulator.
await leg("node --test suites", async () => {
  const p = await run("node", ["--unhandled-rejections=strict", "--test", "--test-reporter=tap", "--test-concurrency=2", ...listTests()], { cwd: ROOT, timeout: 15 * 60000 });
  const out = p.stdout + p.stderr;
  const pass = Number((out.match(/^# pass (\d+)/m) || [])[1] || 0);
  const fail = Number((out.match(/^# fail (\d+)/m) || [])[1] || 0);
  const failures = fail || p.status ? [out.split("\n").filter((l) => /^\s*not ok|error:|Error|expected|actual/.test(l)).slice(0, 60).join("\n") || out.slice(-4000)] : [];
  return { count: pass + fail, failures };
});

function listTests() {
  const out = execFileSync("bash", ["-c", "ls tests/node/*.test.mjs 2>/dev/null || true"], { cwd: ROOT, encoding: "utf8" });
  return out.split("\n").filter(Boolean);
}

console.log("\nsummary: " + results.map(([n, c, f]) => `${n.split(" ")[0]}=${c}${f ? `(${f} failed)` : ""}`).join(" "));
process.exit(failed ? 1 : 0);
