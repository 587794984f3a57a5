#!/usr/bin/env node
// `make demo`: starts the simulator, the edge proxy in real workerd (simulator upstream,
// demo key in its env, callers authenticated by tokens), and the page with its tiny backend
// (sign-in that mints a token; the page and the built package served by sirv); runs one
// complete workflow from the CLI through the proxy with a demo token; prints the URL to open.
// Ctrl-C, or the death of any part, stops everything. `--once` exits after the CLI run.
//
//   node tools/demo.mjs [--sim-port 8787] [--proxy-port 8788] [--page-port 8080] [--time-scale 0.02] [--once]
//   (or DEMO_SIM_PORT, DEMO_PROXY_PORT, DEMO_PAGE_PORT; 0 picks a free port)
import { spawn } from "node:child_process";
import http from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import sirv from "sirv";
import { startSimulator, DEMO_KEY } from "../sim/server.mjs";
import { startWorkerd, freePort } from "./workerd.mjs";
import { bundleWorker } from "./worker-bundle.mjs";

const ROOT = new URL("../", import.meta.url).pathname;

/** The page's backend: a demo sign-in (a name, no password) that mints a short-lived proxy token. */
function startPage({ port, proxyUrl, timeScale, tokenSecret, mintProxyToken }) {
  const www = sirv(join(ROOT, "www"), { dev: true, etag: true });
  const pkg = sirv(join(ROOT, "pkg"), { dev: true, etag: true });
  const json = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://page");
      decodeURIComponent(url.pathname); // a malformed escape is the client's error, not a crash
      if (url.pathname === "/config.json") return json(res, 200, { proxyUrl, timeScale });
      if (url.pathname === "/session" && req.method === "POST") {
        let raw = "";
        for await (const c of req) {
          raw += c;
          if (raw.length > 4096) return json(res, 413, { error: "too large" });
        }
        let name = "";
        try { name = String(JSON.parse(raw).name ?? "").trim(); } catch {}
        if (!name || name.length > 40) return json(res, 400, { error: "Enter a name of 1 to 40 characters." });
        const userId = `demo:${name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-")}`;
        const token = await mintProxyToken({ secret: tokenSecret, userId, expiresIn: "15m" });
        return json(res, 200, { token, userId, name, expiresInSeconds: 900 });
      }
      const serve = url.pathname.startsWith("/pkg/") ? ((req.url = req.url.slice(4)), pkg) : www;
      serve(req, res, () => json(res, 404, { error: "not found" }));
    } catch {
      if (!res.headersSent) json(res, 400, { error: "bad request" });
      else res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
    }));
  });
}

export async function startDemo({ timeScale = 0.02, simPort = 0, proxyPort = 0, pagePort = 0, maxCreditsPerTask = 500, creditsPerDay = 300 } = {}) {
  const sim = await startSimulator({ timeScale, port: simPort });
  const pagePortFinal = pagePort || (await freePort());
  const pageOrigin = `http://127.0.0.1:${pagePortFinal}`;
  // The proxy Worker bundled as wrangler bundles it, run in workerd; its token secret is
  // shared with the page's backend (a fresh one per run).
  const tokenSecret = randomBytes(32).toString("base64url");
  const bundle = await bundleWorker({ source: readFileSync(join(ROOT, "www", "worker.mjs"), "utf8"), dir: join(ROOT, "target"), name: "demo-proxy", alias: join(ROOT, "pkg") });
  const proxy = await startWorkerd({
    dir: join(ROOT, "target"),
    port: proxyPort || undefined,
    modules: bundle.modules,
    flags: ["enable_request_signal"],
    bindings: [
      ["AIVIDEO_API_KEY", DEMO_KEY],
      ["AIVIDEO_BASE_URL", sim.url],
      ["AIVIDEO_TOKEN_SECRET", tokenSecret],
      ["ALLOWED_ORIGINS", pageOrigin],
      ["MAX_CREDITS_PER_TASK", String(maxCreditsPerTask)],
      ["CREDITS_PER_DAY", String(creditsPerDay)],
      // Authenticated callers without a browser (the command line below) are welcome too.
      ["ALLOW_SERVER_REQUESTS", "true"],
    ],
  });
  const { mintProxyToken } = await import(join(ROOT, "pkg", "proxy.js"));
  const page = await startPage({ port: pagePortFinal, proxyUrl: proxy.url, timeScale, tokenSecret, mintProxyToken });
  const token = (userId = "demo:cli") => mintProxyToken({ secret: tokenSecret, userId, expiresIn: "15m" }).then((t) => ({ token: t, expiresInSeconds: 900 }));
  let stopping = null;
  const stop = () => (stopping ??= Promise.allSettled([page.close(), proxy.stop(), sim.close()]));
  return { sim, proxy, page, token, stop, exited: proxy.exited };
}

function runCli(proxyUrl, token, timeScale) {
  return new Promise((resolve) => {
    const payload = JSON.stringify({ prompt: "A lighthouse on a cliff at dusk, waves crashing, cinematic", aspectRatio: "16:9", duration: "5" });
    const p = spawn(process.execPath, [join(ROOT, "pkg", "cli.js"), "--model", "t2v", "--payload", payload, "--max-credits", "20", "--time-scale", String(timeScale)], {
      env: { ...process.env, AIVIDEO_API_KEY: "", AIVIDEO_PROXY_TOKEN: token, AIVIDEO_BASE_URL: proxyUrl },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, out }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      "sim-port": { type: "string", default: process.env.DEMO_SIM_PORT ?? "8787" },
      "proxy-port": { type: "string", default: process.env.DEMO_PROXY_PORT ?? "8788" },
      "page-port": { type: "string", default: process.env.DEMO_PAGE_PORT ?? "8080" },
      "time-scale": { type: "string", default: "0.02" },
      once: { type: "boolean", default: false },
    },
  });
  const port = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0 || n > 65535) { console.error(`--${name} must be a port number (0 picks a free one)`); process.exit(2); }
    return n;
  };
  const timeScale = Number(values["time-scale"]);
  let demo;
  try {
    demo = await startDemo({ timeScale, simPort: port("sim-port"), proxyPort: port("proxy-port"), pagePort: port("page-port") });
  } catch (e) {
    console.error(`demo: could not start (${e.code === "EADDRINUSE" ? "a port is taken: pass --sim-port/--proxy-port/--page-port, or 0 for free ones" : e.message})`);
    process.exit(1);
  }
  // One stops, all stop: Ctrl-C, a kill, the proxy dying, or this process failing.
  let down = false;
  const shutdown = async (code, why) => {
    if (down) return;
    down = true;
    if (why) console.error(`demo: ${why}; stopping everything`);
    await demo.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => shutdown(0));
  process.on("SIGTERM", () => shutdown(0));
  process.on("uncaughtException", (e) => shutdown(1, `error: ${e.message}`));
  demo.exited.then(({ code, signal }) => shutdown(1, `the proxy (workerd) exited (${signal || code})`));

  console.log(`simulator  ${demo.sim.url}   (demo key ${DEMO_KEY}, 1 simulated minute = ${(60 * timeScale).toFixed(1)} s)`);
  console.log(`proxy      ${demo.proxy.url}   (workerd, holds the key; callers need a token; allows ${demo.page.url})`);
  console.log(`\nA complete workflow from the CLI through the proxy, as a signed-in demo user (t2v, 5 s, budget 20 credits):`);
  console.log(`  AIVIDEO_PROXY_TOKEN=<token> aivideo --base-url ${demo.proxy.url} --model t2v --payload '{"prompt":"A lighthouse…","aspectRatio":"16:9","duration":"5"}' --max-credits 20\n`);
  const t0 = Date.now();
  const { code, out } = await runCli(demo.proxy.url, (await demo.token()).token, timeScale);
  let res = {};
  try { res = JSON.parse(out); } catch {}
  console.log(out.trim());
  console.log(`\nexit ${code}: ${res.ok ? `COMPLETED in ${((Date.now() - t0) / 1000).toFixed(1)} s, video at ${res.data.output.url}` : `${res.errorCode}: ${res.errorMessage}`}`);
  console.log(`\nOpen the demo page: ${demo.page.url}  (sign in with any name)\n`);
  if (values.once || code !== 0) await shutdown(code);
  else console.log("Ctrl-C to stop.");
}
