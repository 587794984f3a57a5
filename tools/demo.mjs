#!/usr/bin/env node
// `make demo`: starts the simulator, the edge proxy in real workerd (simulator upstream,
// demo key in its env), serves www/ with the package, runs one complete workflow from the
// CLI, and prints the URL to open. Ctrl-C stops everything. `--once` exits after the CLI run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startSimulator, DEMO_KEY } from "../sim/server.mjs";
import { startWorkerd, freePort } from "./workerd.mjs";
import { serveStatic } from "./static.mjs";

const ROOT = new URL("../", import.meta.url).pathname;

export async function startDemo({ timeScale = 0.02, simPort = 0, proxyPort, pagePort = 0, maxCreditsPerTask = 500 } = {}) {
  const sim = await startSimulator({ timeScale, port: simPort });
  const pagePortFinal = pagePort || (await freePort());
  const pageOrigin = `http://127.0.0.1:${pagePortFinal}`;
  const proxy = await startWorkerd({
    dir: join(ROOT, "target"),
    port: proxyPort,
    modules: [
      ["worker.mjs", "../www/worker.mjs"],
      ["aivideo", "../pkg/workerd.js"],
      ["aivideo.js", "../pkg/aivideo.js"],
      ["api.js", "../pkg/api.js"],
      ["proxy.js", "../pkg/proxy.js"],
      ["aivideo_bg.wasm", "../pkg/aivideo_bg.wasm", "wasm"],
    ],
    bindings: [
      ["AIVIDEO_API_KEY", DEMO_KEY],
      ["AIVIDEO_BASE_URL", sim.url],
      ["ALLOWED_ORIGINS", pageOrigin],
      ["MAX_CREDITS_PER_TASK", String(maxCreditsPerTask)],
    ],
  });
  // www/ at /, the built package at /pkg/, and the page's settings at /config.json.
  const page = await serveStatic(join(ROOT, "www"), pagePortFinal, {
    mounts: { "/pkg/": join(ROOT, "pkg") },
    json: { "/config.json": { proxyUrl: proxy.url, timeScale } },
  });
  return {
    sim, proxy, page,
    stop: async () => { await page.close(); await proxy.stop(); await sim.close(); },
  };
}

function runCli(simUrl, timeScale) {
  return new Promise((resolve) => {
    const payload = JSON.stringify({ prompt: "A lighthouse on a cliff at dusk, waves crashing, cinematic", aspectRatio: "16:9", duration: "5" });
    const p = spawn(process.execPath, [join(ROOT, "pkg", "cli.js"), "--model", "t2v", "--payload", payload, "--max-credits", "20", "--time-scale", String(timeScale)], {
      env: { ...process.env, AIVIDEO_API_KEY: DEMO_KEY, AIVIDEO_BASE_URL: simUrl },
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
  console.log(`proxy      ${demo.proxy.url}   (workerd, holds the key, allows ${demo.page.url})`);
  console.log(`\nA complete workflow from the CLI (t2v, 5 s, budget 20 credits):`);
  console.log(`  aivideo --model t2v --payload '{"prompt":"A lighthouse…","aspectRatio":"16:9","duration":"5"}' --max-credits 20\n`);
  const t0 = Date.now();
  const { code, out } = await runCli(demo.sim.url, timeScale);
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
