// The frameworks leg: apps that use the packed package with no configuration for it, built
// and started for real, asked over HTTP and driven in Chromium.
// - Next.js (tests/frameworks/next), built with Turbopack and with webpack: a client component
//   (prerendered on the server, then hydrated), a server component, an edge route, and
//   aivideo/proxy mounted as route handlers in the Node and the edge runtimes.
// - Astro (tests/frameworks/astro), server output on the Node adapter: validatePayload in a
//   page's frontmatter, a client script, and the proxy mounted as an endpoint. (Its server
//   output imports `cookie` from the app's node_modules: the repository pins the version Astro
//   wants at the top level, as a fresh Astro app has it.)
// In each, the proxy is asked first, before any page has loaded the package (a bundler that
// drops aivideo/proxy's own import of the wasm fails there), then a page on the app's own site
// creates and waits through the mounted proxy in Chromium (a same-site POST, nothing
// configured for it).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { makeConsumer, ROOT } from "./consumer.mjs";
import { run } from "./spawn.mjs";
import { freePort } from "./workerd.mjs";
import { launchChromium } from "./chromium.mjs";

const BIN = join(ROOT, "node_modules", ".bin");
const KEY = "ak_demo_0123456789abcdef";

/** `start(port)` ([command, args, env]) in `dir` until its log says `ready`, then `fn(url, log)`. */
async function served({ dir, simUrl, start, ready }, fn) {
  const port = await freePort();
  const [cmd, args, extra] = start(port);
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ASTRO_TELEMETRY_DISABLED: "1", AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: simUrl, ...extra };
  const p = spawn(cmd, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  p.stdout.on("data", (d) => { log += d; });
  p.stderr.on("data", (d) => { log += d; });
  try {
    for (let i = 0; i < 150 && !ready.test(log); i++) await new Promise((r) => setTimeout(r, 200));
    return await fn(`http://127.0.0.1:${port}`, () => log);
  } finally {
    p.kill("SIGTERM");
  }
}

/** A create and a status read through a proxy mounted at `mount`. */
async function throughProxy(url, mount, label, check) {
  const h = { "x-forwarded-for": "127.0.0.1", "content-type": "application/json" };
  const made = await fetch(`${url}${mount}/api/v1/generate/t2v`, { method: "POST", headers: { ...h, "idempotency-key": `fw-${Date.now()}-${label.replace(/\W/g, "")}` }, body: JSON.stringify({ prompt: "a cat", aspectRatio: "16:9", duration: "5" }) });
  const body = await made.json().catch(() => null);
  check(made.status === 200 && typeof body?.taskId === "string", `a create through the ${label} proxy route`, { status: made.status, body });
  const st = await fetch(`${url}${mount}/api/v1/tasks/${encodeURIComponent(body?.taskId ?? "none")}/status`, { headers: h });
  check(st.status === 200, `the task's status through the ${label} proxy route`, { status: st.status, body: await st.text() });
}

/** The JSON a page shows in <pre id="…">, as served (HTML-escaped). */
function shown(html, id) {
  const m = new RegExp(`<pre id="${id}"[^>]*>([^<]*)</pre>`).exec(html);
  try {
    return m ? JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&#34;/g, '"')) : null;
  } catch {
    return null;
  }
}

/** The page at `path` runs a workflow in Chromium and shows its result in <pre id="workflow">. */
async function pageWorkflow(browser, url, path, check) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}${path}`);
    await page.waitForFunction(() => document.querySelector("#workflow")?.textContent !== "running", null, { timeout: 30000 }).catch(() => {});
    const text = await page.textContent("#workflow").catch((e) => String(e));
    const r = (() => { try { return JSON.parse(text); } catch { return { text }; } })();
    check(r.ok === true && r.status === "COMPLETED" && /\.mp4$/.test(r.url ?? ""), "a page's same-site create and wait through the mounted proxy (Chromium)", r);
  } finally {
    await page.close();
  }
}

async function probeNext(url, check, browser) {
  await throughProxy(url, "/api/aivideo", "Node", check);
  await throughProxy(url, "/api/edge", "edge runtime", check);
  const edge = await fetch(`${url}/edge`);
  const seen = await edge.json().catch(() => null);
  check(edge.status === 200 && seen?.good === true && seen?.bad === false && seen?.credits === 15, "validatePayload in an edge route", { status: edge.status, seen });
  await pageWorkflow(browser, url, "/workflow", check);
  for (const [path, id] of [["/", "client"], ["/server", "server"]]) {
    const r = await fetch(url + path);
    const html = await r.text();
    const got = shown(html, id);
    check(r.status === 200 && got?.good === true && got?.bad === false && got?.credits === 15, `${id} component validates`, { status: r.status, got, html: got ? undefined : html.slice(0, 300) });
  }
}

async function probeAstro(url, check, browser) {
  await throughProxy(url, "/api/aivideo", "Astro endpoint", check);
  const r = await fetch(url);
  const html = await r.text();
  const got = shown(html, "server");
  check(r.status === 200 && got?.good === true && got?.bad === false && got?.credits === 15, "the page's frontmatter validates", { status: r.status, got, html: got ? undefined : html.slice(0, 300) });
  await pageWorkflow(browser, url, "/", check);
}

/** One build (`build` args in `dir`), served, probed; its checks counted into `r`. */
async function buildAndProbe(r, { name, dir, simUrl, build, start, ready, probe, browser }) {
  const t0 = Date.now();
  const built = await run(build[0], build.slice(1), { cwd: dir, timeout: 300000, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ASTRO_TELEMETRY_DISABLED: "1" } });
  r.count++;
  if (built.status !== 0) return void r.failures.push(`${name} build: exit ${built.status}: ${built.out.slice(-2500)}`);
  await served({ dir, simUrl, start, ready }, async (url, log) => {
    const before = r.failures.length;
    const check = (ok, what, got) => { r.count++; if (!ok) r.failures.push(`${name}: ${what}: got ${JSON.stringify(got).slice(0, 600)}`); };
    await probe(url, check, browser).catch((e) => check(false, "the probe ran to its end", String(e && e.stack)));
    if (r.failures.length > before) r.failures.push(`${name} server log: ${log().slice(-1500)}`);
  });
  r.times.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

export async function runFrameworks(simUrl) {
  const r = { count: 0, failures: [], times: [] };
  const next = makeConsumer("next", join(ROOT, "tests", "frameworks", "next"));
  // As create-next-app writes it: no "type" (next build --webpack cannot build an edge route
  // handler in a "type": "module" app: ENOENT …route_client-reference-manifest.js, with or
  // without this package).
  const pkgFile = join(next, "package.json");
  const { type, ...pkg } = JSON.parse(readFileSync(pkgFile, "utf8"));
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const astro = makeConsumer("astro", join(ROOT, "tests", "frameworks", "astro"));
  const browser = await launchChromium();
  try {
    const nextStart = (port) => [join(BIN, "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {}];
    for (const [name, flags] of [["next Turbopack", []], ["next webpack", ["--webpack"]]]) {
      await buildAndProbe(r, { name, dir: next, simUrl, build: [join(BIN, "next"), "build", ...flags], start: nextStart, ready: /Ready|started server/i, probe: probeNext, browser });
    }
    const astroStart = (port) => [process.execPath, ["dist/server/entry.mjs"], { HOST: "127.0.0.1", PORT: String(port) }];
    await buildAndProbe(r, { name: "astro", dir: astro, simUrl, build: [join(BIN, "astro"), "build"], start: astroStart, ready: /listening/i, probe: probeAstro, browser });
  } finally {
    await browser.close();
  }
  return r;
}
