// The frameworks leg: a Next.js app (tests/frameworks/next) that uses the packed package with
// no configuration for it: a client component (prerendered on the server, then hydrated), a
// server component, and aivideo/proxy mounted as a route handler on the app's own site. Built
// with Turbopack and with webpack (`next build`, `next build --webpack`), served with
// `next start`, and asked over HTTP; the proxy first, before any page has loaded the package
// (a bundler that drops aivideo/proxy's own import of the wasm fails there).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { makeConsumer, ROOT } from "./consumer.mjs";
import { run } from "./spawn.mjs";
import { freePort } from "./workerd.mjs";

const NEXT = join(ROOT, "node_modules", ".bin", "next");
const KEY = "ak_demo_0123456789abcdef";

/** `next start` on a free loopback port until `fn(url)` is done. */
async function served(dir, simUrl, fn) {
  const port = await freePort();
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: simUrl };
  const p = spawn(NEXT, ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  p.stdout.on("data", (d) => { log += d; });
  p.stderr.on("data", (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100 && !/Ready|started server/i.test(log); i++) await new Promise((r) => setTimeout(r, 200));
    return await fn(url, () => log);
  } finally {
    p.kill("SIGTERM");
  }
}

/** The checks against one running build: `check(ok, what, got)` records each. */
async function probe(url, check) {
  const h = { "x-forwarded-for": "127.0.0.1", "content-type": "application/json" };
  const made = await fetch(`${url}/api/aivideo/api/v1/generate/t2v`, { method: "POST", headers: { ...h, "idempotency-key": `next-${Date.now()}-key` }, body: JSON.stringify({ prompt: "a cat", aspectRatio: "16:9", duration: "5" }) });
  const body = await made.json().catch(() => null);
  check(made.status === 200 && typeof body?.taskId === "string", "a create through the proxy route, first request", { status: made.status, body });
  const st = await fetch(`${url}/api/aivideo/api/v1/tasks/${encodeURIComponent(body?.taskId ?? "none")}/status`, { headers: h });
  check(st.status === 200, "the task's status through the proxy route", { status: st.status, body: await st.text() });
  for (const [path, id] of [["/", "client"], ["/server", "server"]]) {
    const r = await fetch(url + path);
    const html = await r.text();
    const m = new RegExp(`<pre id="${id}">([^<]*)</pre>`).exec(html);
    const seen = m ? JSON.parse(m[1].replace(/&quot;/g, '"')) : null;
    check(r.status === 200 && seen?.good === true && seen?.bad === false && seen?.credits === 15, `${id} component validates`, { status: r.status, seen, html: m ? undefined : html.slice(0, 300) });
  }
}

export async function runFrameworks(simUrl) {
  const dir = makeConsumer("next", join(ROOT, "tests", "frameworks", "next"));
  let count = 0;
  const failures = [];
  const times = [];
  for (const [name, flags] of [["Turbopack", []], ["webpack", ["--webpack"]]]) {
    const t0 = Date.now();
    const built = await run(NEXT, ["build", ...flags], { cwd: dir, timeout: 300000, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    count++;
    if (built.status !== 0) {
      failures.push(`next build (${name}): exit ${built.status}: ${built.out.slice(-2500)}`);
      continue;
    }
    await served(dir, simUrl, async (url, log) => {
      const before = failures.length;
      await probe(url, (ok, what, got) => { count++; if (!ok) failures.push(`next (${name}): ${what}: got ${JSON.stringify(got).slice(0, 600)}`); });
      if (failures.length > before) failures.push(`next (${name}) server log: ${log().slice(-1500)}`);
    });
    times.push(`next ${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  return { count, failures, times };
}
