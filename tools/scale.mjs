#!/usr/bin/env node
// `make scale`: N simulated browsers create a task each (arriving at a steady rate, under the
// key's generation limit) and wait for it through two proxy services (separate isolates) in
// real workerd, against the simulator at its real per-key limits on a compressed clock; once
// with the Durable Object coordinator, once without. Prints upstream query requests per
// simulated minute, 429s, mean and p95 detection delay (from the task's end to the browser
// knowing), and one summary line. Then the `live` profile, coordinated, without and with
// webhook hints: the `scale-live` line.
//
//   node tools/scale.mjs [--waits 1000] [--isolates 2] [--time-scale 0.02] [--live-waits 30]
import { parseArgs } from "node:util";
import { rmSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, DEMO_KEY } from "../sim/server.mjs";
import { startCluster, freePort } from "./workerd.mjs";
import { bundleWorker } from "./worker-bundle.mjs";
import { makeConsumer, ROOT } from "./consumer.mjs";

const SECRET = "scale-token-secret-0123456789abcdef";
const MINUTE = 60_000;

/** One run. `onCreated(cluster)` is called once every create has returned (the waits go on). */
export async function runScale({ dir, lib, proxyLib, bundle, waits, isolates, timeScale, coordinated, onCreated, profile = "spec", env = {}, model = "t2v" }) {
  const name = coordinated ? "coordinated" : "uncoordinated";
  const sim = await startSimulator({ timeScale, profile });
  const { cluster, urls } = await startProxies({
    dir, bundle, isolates, coordinated, name,
    env: { AIVIDEO_BASE_URL: sim.url, TIME_SCALE: String(timeScale), REQUESTS_PER_MINUTE: "unlimited", CREDITS_PER_DAY: "unlimited", ...env },
  });

  const t0 = Date.now();
  // Arrivals at 25 creates per simulated minute (the key allows 30).
  const spacing = (MINUTE * timeScale) / 25;
  const results = [];
  let created = 0;
  let allCreated;
  const createdAll = new Promise((r) => (allCreated = r));
  const browser = async (i) => {
    await new Promise((r) => setTimeout(r, i * spacing));
    const token = await proxyLib.mintProxyToken({ secret: SECRET, userId: `user-${i}`, expiresIn: "2h" });
    const trace = [];
    const client = lib.createClient({
      baseUrl: urls[i % urls.length], rateLimitWindowMs: MINUTE * timeScale, timeoutMs: 60_000, maxRetries: 8,
      fetch: async (u, init) => {
        const at = sim.simNow();
        const r = await fetch(u, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } });
        if (process.env.SCALE_DEBUG) trace.push(`${u.replace(/.*v1\/(tasks\/[^/]+\/)?/, "")}@${((at - sim.state.epoch) / 1000).toFixed(0)}-${((sim.simNow() - sim.state.epoch) / 1000).toFixed(0)}:${r.status}`);
        return r;
      },
    });
    try {
      const made = await client.createGeneration("t2v", { prompt: `browser ${i}`, aspectRatio: "16:9", duration: "5" });
      if (++created === waits) allCreated();
      if (!made.ok) return results.push({ i, ok: false, why: `create ${made.errorCode}: ${made.errorMessage}` });
      const done = await client.waitForTask(made.taskId, { timeScale, maxWaitMs: 90 * MINUTE * timeScale });
      const seenAt = sim.simNow();
      const raw = made.taskId.slice(0, made.taskId.lastIndexOf("."));
      const t = sim.state.tasks.get(raw);
      results.push({ i, ok: done.ok, why: done.ok ? null : `${done.errorCode}: ${done.errorMessage}`, delayS: t && t.completedAt ? (seenAt - t.completedAt) / 1000 : null });
      if (process.env.SCALE_DEBUG && t && (seenAt - t.completedAt) / 1000 > 30) console.log(`slow ${i}: ${((seenAt - t.completedAt) / 1000).toFixed(0)} s, status ${done.data?.status} created ${((t.createdAt - sim.state.epoch) / 1000).toFixed(0)} done ${((t.completedAt - sim.state.epoch) / 1000).toFixed(0)} seen ${((seenAt - sim.state.epoch) / 1000).toFixed(0)} log ${trace.join(" ")}`);
    } finally {
      client.free();
    }
  };
  const all = Promise.all(Array.from({ length: waits }, (_, i) => browser(i)));
  if (onCreated) await Promise.race([createdAll.then(() => onCreated(cluster)), all]);
  await all;
  const wallS = (Date.now() - t0) / 1000;
  const log = await sim.log();
  await cluster.stop();
  await sim.close();

  // Upstream query requests (rejected ones included) in any 60 simulated seconds.
  const queries = log.filter((e) => e.method === "GET" && /^\/api\/v1\/(account|tasks)/.test(e.path)).map((e) => e.at).sort((a, b) => a - b);
  const windowReal = MINUTE * timeScale;
  let maxRpm = 0;
  for (let lo = 0, hi = 0; hi < queries.length; hi++) {
    while (queries[hi] - queries[lo] >= windowReal) lo++;
    maxRpm = Math.max(maxRpm, hi - lo + 1);
  }
  const delays = results.filter((r) => r.ok && r.delayS != null).map((r) => r.delayS).sort((a, b) => a - b);
  const pct = (p) => (delays.length ? delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] : NaN);
  const spanMin = queries.length > 1 ? (queries.at(-1) - queries[0]) / windowReal : 1;
  return {
    name, waits, completed: results.filter((r) => r.ok).length, failures: results.filter((r) => !r.ok).map((r) => `browser ${r.i}: ${r.why}`),
    maxRpm, meanRpm: queries.length / Math.max(spanMin, 1), r429: log.filter((e) => e.status === 429).length,
    limited: log.filter((e) => e.status === 429).map((e) => `${e.method} ${e.path} at ${((e.at - log[0].at) / MINUTE / timeScale).toFixed(2)} sim-min`),
    queries: queries.length, meanDelayS: delays.reduce((a, b) => a + b, 0) / (delays.length || 1), p95DelayS: pct(0.95), wallS,
    log, tasks: [...sim.state.tasks.values()], epoch: sim.state.epoch,
  };
}

/**
 * The proxy Worker as `isolates` services of one workerd (each its own isolate), with the
 * coordinator as another service (storage on local disk, fresh) when `coordinated`.
 * env: extra bindings over the defaults (demo key, token secret, compressed clock from TIME_SCALE).
 */
export async function startProxies({ dir, bundle, isolates = 2, coordinated = true, name = "cluster", env = {} }) {
  const timeScale = Number(env.TIME_SCALE || 1);
  const bindings = Object.entries({
    AIVIDEO_API_KEY: DEMO_KEY, AIVIDEO_TOKEN_SECRET: SECRET, MAX_CREDITS_PER_TASK: "100", ALLOW_SERVER_REQUESTS: "true",
    UPSTREAM_WINDOW_MS: String(MINUTE * timeScale), POLL_INTERVAL_MS: String(5000 * timeScale),
    // On a compressed clock a stall of this busy machine is long in simulated time (300 ms at
    // 0.02 is 15 simulated seconds): the coordinator counts its window 30 % longer here.
    UPSTREAM_MARGIN_MS: String(0.3 * MINUTE * timeScale), ...env,
  });
  rmSync(join(dir, `do-${name}-coordinator`), { recursive: true, force: true });
  const ports = [];
  for (let i = 0; i < isolates; i++) ports.push(await freePort());
  // Webhooks on: the first isolate's own URL is the proxy's public URL.
  for (const b of bindings) if (b[0] === "AIVIDEO_WEBHOOK_URL" && b[1] === "self") b[1] = `http://127.0.0.1:${ports[0]}`;
  const proxies = ports.map((port, i) => ({
    name: `${name}-proxy-${i}`, modules: bundle.modules, bindings, flags: ["enable_request_signal"],
    useDurableObjects: coordinated ? [["AIVIDEO_COORDINATOR", "AivideoCoordinator", `${name}-coordinator`]] : [],
  }));
  const cluster = await startCluster({
    dir, configName: `workerd-${name}`,
    services: [...(coordinated ? [{ name: `${name}-coordinator`, modules: bundle.modules, bindings, durableObjects: ["AivideoCoordinator"] }] : []), ...proxies],
    sockets: proxies.map((p, i) => [p.name, ports[i]]),
  });
  return { cluster, urls: proxies.map((p) => cluster.urls[p.name]) };
}

export const TOKEN_SECRET = SECRET;

/** The package as installed from the tarball, and the proxy Worker bundled like wrangler does. */
export async function prepare(name = "scale") {
  const dir = process.env.SCALE_REUSE ? join(ROOT, "tests", "artifacts", name) : makeConsumer(name, null);
  const pkg = join(dir, "node_modules", "aivideo");
  const lib = await import(join(pkg, "node.js"));
  const proxyLib = await import(join(pkg, "proxy.js"));
  const bundle = await bundleWorker({
    dir, name: "scale-proxy",
    source: `import { createProxyHandler, jwtAuthorizer, AivideoCoordinator } from "aivideo/proxy";
export { AivideoCoordinator };
let handler;
export default {
  fetch(request, env, ctx) {
    // A compressed clock: the proxy's own upstream budget (without a coordinator) runs on it too.
    // Limits come from the env (MAX_CREDITS_PER_TASK, REQUESTS_PER_MINUTE, CREDITS_PER_DAY, …).
    handler ??= createProxyHandler({ authorize: jwtAuthorizer(), clientOptions: { rateLimitWindowMs: 60000 * Number(env.TIME_SCALE || 1) } });
    return handler(request, env, ctx);
  },
};
`,
  });
  mkdirSync(dir, { recursive: true });
  return { dir, lib, proxyLib, bundle };
}

export const line = (waits, isolates, c, u) =>
  `scale: waits=${waits} isolates=${isolates} coordinated: max_rpm=${c.maxRpm} 429s=${c.r429} p95_delay_s=${c.p95DelayS.toFixed(1)} | uncoordinated: max_rpm=${u.maxRpm} 429s=${u.r429} p95_delay_s=${u.p95DelayS.toFixed(1)}`;

export const liveLine = (waits, isolates, off, on) =>
  `scale-live: waits=${waits} isolates=${isolates} webhooks=off p95_delay_s=${off.p95DelayS.toFixed(1)} 429s=${off.r429} | webhooks=on p95_delay_s=${on.p95DelayS.toFixed(1)} 429s=${on.r429}`;

export const describe = (r) =>
  `${r.name.padEnd(13)} completed ${r.completed}/${r.waits}, upstream queries ${r.queries} (mean ${r.meanRpm.toFixed(1)}/min, max ${r.maxRpm} in any 60 s), 429s ${r.r429}, detection delay mean ${r.meanDelayS.toFixed(1)} s, p95 ${r.p95DelayS.toFixed(1)} s (simulated); ${r.wallS.toFixed(0)} s wall`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { waits: { type: "string", default: "1000" }, isolates: { type: "string", default: "2" }, "time-scale": { type: "string", default: "0.02" }, "live-waits": { type: "string", default: "30" } } });
  const waits = Number(values.waits);
  const isolates = Number(values.isolates);
  const timeScale = Number(values["time-scale"]);
  const ctx = await prepare();
  const c = await runScale({ ...ctx, waits, isolates, timeScale, coordinated: true });
  console.log(describe(c));
  const u = await runScale({ ...ctx, waits, isolates, timeScale, coordinated: false });
  console.log(describe(u));
  for (const f of [...c.failures, ...u.failures].slice(0, 10)) console.log(`  ${f}`);
  const summary = line(waits, isolates, c, u);
  console.log(summary);
  // The live profile (a list that repeats each task's last own read), natural endings, the
  // coordinator bound; once without webhook hints, once with. A slower clock (1:10) and the
  // production margin (5 % of the window).
  const liveWaits = Number(values["live-waits"]);
  const liveEnv = { UPSTREAM_MARGIN_MS: String(0.05 * MINUTE * 0.1) };
  const off = await runScale({ ...ctx, waits: liveWaits, isolates, timeScale: 0.1, coordinated: true, profile: "live", env: liveEnv });
  console.log(describe(off));
  const on = await runScale({ ...ctx, waits: liveWaits, isolates, timeScale: 0.1, coordinated: true, profile: "live", env: { ...liveEnv, AIVIDEO_WEBHOOK_URL: "self" } });
  console.log(describe(on));
  const liveSummary = liveLine(liveWaits, isolates, off, on);
  console.log(liveSummary);
  // The figures go into bench/RESULTS.md, in their own section (make bench keeps it).
  const file = join(ROOT, "bench", "RESULTS.md");
  const section = [
    "<!-- scale:start -->",
    "## Scale: many browsers on one key (`make scale`)",
    "",
    `Run: \`make scale\` (${waits} waits, ${isolates} proxy isolates in workerd, simulator at 60 queries and 30 creates per simulated minute, time scale ${timeScale}), ${new Date().toISOString().slice(0, 10)}. Browsers arrive at 25 creates per simulated minute and wait with the package's client.`,
    "",
    "| run | completed | upstream queries | mean /min | max in any 60 s | 429s | mean delay s | p95 delay s | wall s |",
    "|---|---|---|---|---|---|---|---|---|",
    ...[c, u].map((r) => `| ${r.name} | ${r.completed}/${r.waits} | ${r.queries} | ${r.meanRpm.toFixed(1)} | ${r.maxRpm} | ${r.r429} | ${r.meanDelayS.toFixed(1)} | ${r.p95DelayS.toFixed(1)} | ${r.wallS.toFixed(0)} |`),
    "",
    "`" + summary + "`",
    "",
    `The live profile, ${liveWaits} waits with natural endings (t2v, run times ±20 %), the coordinator bound, time scale 0.1, once without and once with webhook hints:`,
    "",
    "| run | completed | upstream queries | mean /min | max in any 60 s | 429s | mean delay s | p95 delay s | wall s |",
    "|---|---|---|---|---|---|---|---|---|",
    ...[["live, webhooks off", off], ["live, webhooks on", on]].map(([n, r]) => `| ${n} | ${r.completed}/${r.waits} | ${r.queries} | ${r.meanRpm.toFixed(1)} | ${r.maxRpm} | ${r.r429} | ${r.meanDelayS.toFixed(1)} | ${r.p95DelayS.toFixed(1)} | ${r.wallS.toFixed(0)} |`),
    "",
    "`" + liveSummary + "`",
    "",
    "Detection delay: simulated seconds from a task's end to its browser's wait resolving. Uncoordinated, each isolate keeps its own 60/minute budget, so together they exceed the key's limit, collect 429s, and every browser polls on its own.",
    "<!-- scale:end -->",
  ].join("\n");
  let text = "";
  try { text = readFileSync(file, "utf8"); } catch {}
  text = /<!-- scale:start -->[\s\S]*<!-- scale:end -->/.test(text) ? text.replace(/<!-- scale:start -->[\s\S]*<!-- scale:end -->/, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
  console.log("written to bench/RESULTS.md");
}
