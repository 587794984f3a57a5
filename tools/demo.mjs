#!/usr/bin/env node
// `make demo`: starts the simulator, the edge proxy in real workerd (simulator upstream,
// demo key in its env, callers authenticated by tokens), serves www/ with the package and a
// token endpoint, runs one complete workflow from the CLI through the proxy with a demo
// token, and prints the URL to open. Ctrl-C stops everything. `--once` exits after the CLI run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startSimulator, DEMO_KEY } from "../sim/server.mjs";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { startWorkerd, freePort } from "./workerd.mjs";
import { serveStatic } from "./static.mjs";
import { bundleWorker } from "./worker-bundle.mjs";

const ROOT = new URL("../", import.meta.url).pathname;

export async function startDemo({ timeScale = 0.02, simPort = 0, proxyPort, pagePort = 0, maxCreditsPerTask = 500 } = {}) {
  const sim = await startSimulator({ timeScale, port: simPort });
  const pagePortFinal = pagePort || (await freePort());
  const pageOrigin = `http://127.0.0.1:${pagePortFinal}`;
  // The proxy Worker bundled as wrangler bundles it, run in workerd; its token secret is
  // shared with the page's "backend" below (a fresh one per run).
  const tokenSecret = randomBytes(32).toString("base64url");
  const bundle = await bundleWorker({ source: readFileSync(join(ROOT, "www", "worker.mjs"), "utf8"), dir: join(ROOT, "target"), name: "demo-proxy", alias: join(ROOT, "pkg") });
  const proxy = await startWorkerd({
    dir: join(ROOT, "target"),
    port: proxyPort,
    modules: bundle.modules,
    flags: ["enable_request_signal"],
    bindings: [
      ["AIVIDEO_API_KEY", DEMO_KEY],
      ["AIVIDEO_BASE_URL", sim.url],
      ["AIVIDEO_TOKEN_SECRET", tokenSecret],
      ["ALLOWED_ORIGINS", pageOrigin],
      ["MAX_CREDITS_PER_TASK", String(maxCreditsPerTask)],
      // Authenticated callers without a browser (the command line below) are welcome too.
      ["ALLOW_SERVER_REQUESTS", "true"],
    ],
  });
  // The app's backend: its session endpoint mints a short-lived token for the signed-in user
  // (the demo signs everyone in as "demo-user").
  const { mintProxyToken } = await import(join(ROOT, "pkg", "proxy.js"));
  const token = () => mintProxyToken({ secret: tokenSecret, userId: "demo-user", expiresIn: "15m" }).then((t) => ({ token: t, expiresInSeconds: 900 }));
  // www/ at /, the built package at /pkg/, the page's settings at /config.json, tokens at /session/token.
  const page = await serveStatic(join(ROOT, "www"), pagePortFinal, {
    mounts: { "/pkg/": join(ROOT, "pkg") },
    json: { "/config.json": { proxyUrl: proxy.url, timeScale }, "/session/token": token },
  });
  return {
    sim, proxy, page, token,
    stop: async () => { await page.close(); await proxy.stop(); await sim.close(); },
  };
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
  const once = process.argv.includes("--once");
  const timeScale = 0.02;
  const demo = await startDemo({ timeScale, simPort: 8787, proxyPort: 8788, pagePort: 8080 });
  console.log(`simulator  ${demo.sim.url}   (demo key ${DEMO_KEY}, 1 simulated minute = ${(60 * timeScale).toFixed(1)} s)`);
  console.log(`proxy      ${demo.proxy.url}   (workerd, holds the key; callers need a token; allows ${demo.page.url})`);
  console.log(`\nA complete workflow from the CLI through the proxy, as the signed-in demo user (t2v, 5 s, budget 20 credits):`);
  console.log(`  AIVIDEO_PROXY_TOKEN=<token> aivideo --base-url ${demo.proxy.url} --model t2v --payload '{"prompt":"A lighthouse…","aspectRatio":"16:9","duration":"5"}' --max-credits 20\n`);
  const t0 = Date.now();
  const { code, out } = await runCli(demo.proxy.url, (await demo.token()).token, timeScale);
  const res = JSON.parse(out);
  console.log(out.trim());
  console.log(`\nexit ${code}: ${res.ok ? `COMPLETED in ${((Date.now() - t0) / 1000).toFixed(1)} s, video at ${res.data.output.url}` : `${res.errorCode}: ${res.errorMessage}`}`);
  console.log(`\nOpen the demo page: ${demo.page.url}\n`);
  if (once || code !== 0) {
    await demo.stop();
    process.exit(code);
  }
  console.log("Ctrl-C to stop.");
  process.on("SIGINT", async () => { await demo.stop(); process.exit(0); });
}
