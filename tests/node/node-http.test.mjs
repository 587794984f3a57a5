// aivideo/proxy on node:http: toNodeHandler under http.createServer, Express (mounted with
// app.use, with and without a body parser before it) and Fastify (hijacked reply), loaded by
// import and by require; and in Hono as the README's one line (c.req.raw); a browser-shaped client runs a create and a wait through each, and
// the adapter's own edges hold (a foreign absolute request target, a body over the proxy's
// limit, anonymous callers keyed by the socket's peer, not a forgeable header).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { request as rawRequest } from "node:http";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { startSimulator, DEMO_KEY } from "../../sim/server.mjs";
import { lib, proxyLib, pkgDir } from "./pkg.mjs";

const require = createRequire(new URL("package.json", pkgDir));
const cjs = require("aivideo/proxy");
let sim;
before(async () => { sim = await startSimulator({ timeScale: 0.001, rateLimitPerMinute: 0 }); });
after(() => sim.close());

const settings = () => ({ AIVIDEO_API_KEY: DEMO_KEY, AIVIDEO_BASE_URL: sim.url, MAX_CREDITS_PER_TASK: "100", ALLOW_SERVER_REQUESTS: "true", MAX_BODY_BYTES: "65536" });

/** Listens on a free loopback port; resolves to [url, close]. */
function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve([`http://127.0.0.1:${server.address().port}`, () => new Promise((r) => server.close(r))])));
}

/** The workflow a page runs, through a proxy at `base`. */
async function workflow(base, label) {
  const client = lib.createClient({ baseUrl: base, timeoutMs: 5000 });
  const made = await client.createGeneration("t2v", { prompt: `a fox via ${label}`, aspectRatio: "16:9", duration: "5" }, { idempotencyScope: `${label}-${Date.now()}` });
  assert.equal(made.ok, true, `${label}: create: ${JSON.stringify(made)}`);
  const done = await client.waitForTask(made.taskId, { timeScale: 0.001, maxWaitMs: 20000 });
  assert.equal(done.status, "COMPLETED", `${label}: wait: ${JSON.stringify(done)}`);
  // A body over the proxy's limit (MAX_BODY_BYTES, here 64 KiB) is refused by the proxy
  // itself, streamed or parsed first, with the proxy's own answer.
  const big = await fetch(`${base}/api/v1/generate/t2v`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ prompt: "y".repeat(100_000) }) });
  assert.equal(big.status, 413, `${label}: oversized body: ${big.status}`);
  assert.match((await big.json()).message, /larger than 65536 bytes/);
}

for (const [name, mod] of [["import", proxyLib], ["require", cjs]]) {
  test(`http.createServer (${name}): a create and a wait; a foreign request target is refused`, async () => {
    const handler = mod.createProxyHandler({ allowAnonymous: true });
    const [url, close] = await listen(createServer(mod.toNodeHandler(handler, { env: settings() })));
    try {
      await workflow(url, `http-${name}`);
      // An absolute-form request target naming another host never becomes the proxy's URL.
      const status = await new Promise((resolve, reject) => {
        const r = rawRequest({ host: "127.0.0.1", port: new URL(url).port, path: "http://evil.example/api/v1/account" }, (res) => { res.resume(); resolve(res.statusCode); });
        r.on("error", reject);
        r.end();
      });
      assert.equal(status, 400);
    } finally {
      await close();
    }
  });
}

test("Express: mounted under /api/aivideo with app.use, behind express.json() or not", async () => {
  for (const parsed of [false, true]) {
    const app = express();
    if (parsed) app.use(express.json({ limit: "5mb" }));
    app.use("/api/aivideo", cjs.toNodeHandler(cjs.createProxyHandler({ allowAnonymous: true, basePath: "/api/aivideo" }), { env: settings() }));
    const [url, close] = await listen(createServer(app));
    try {
      await workflow(`${url}/api/aivideo`, `express${parsed ? "-json" : ""}`);
    } finally {
      await close();
    }
  }
});

test("Fastify: a hijacked reply, with the content-type parsers handed to the proxy", async () => {
  const app = Fastify();
  const listener = proxyLib.toNodeHandler(proxyLib.createProxyHandler({ allowAnonymous: true, basePath: "/api/aivideo" }), { env: settings() });
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, _payload, done) => done(null));
    scope.all("/api/aivideo/*", (request, reply) => { reply.hijack(); return listener(request.raw, reply.raw); });
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    await workflow(`http://127.0.0.1:${app.server.address().port}/api/aivideo`, "fastify");
  } finally {
    await app.close();
  }
});

test("anonymous callers are their socket's peer: X-Forwarded-For cannot make one caller many", async () => {
  const handler = proxyLib.createProxyHandler({ allowAnonymous: true });
  const env = { ...settings(), REQUESTS_PER_MINUTE: "3" };
  const [url, close] = await listen(createServer(proxyLib.toNodeHandler(handler, { env })));
  try {
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${url}/api/v1/tasks/task_none/status`, { headers: { "x-forwarded-for": `10.0.0.${i}` } });
      await r.arrayBuffer();
      codes.push(r.status);
    }
    assert.deepEqual(codes.filter((c) => c === 429).length, 2, `codes ${codes}`);
  } finally {
    await close();
  }
});

test("Hono: the README's one line (the handler takes c.req.raw)", async () => {
  const handler = proxyLib.createProxyHandler({ allowAnonymous: true, basePath: "/api/aivideo" });
  const app = new Hono();
  app.all("/api/aivideo/*", (c) => handler(c.req.raw, settings()));
  const client = lib.createClient({ baseUrl: "http://hono.test/api/aivideo", fetch: (url, init) => app.request(url, init) });
  const made = await client.createGeneration("t2v", { prompt: "a fox via hono", aspectRatio: "16:9", duration: "5" }, { idempotencyScope: `hono-${Date.now()}` });
  assert.equal(made.ok, true, JSON.stringify(made));
  const done = await client.waitForTask(made.taskId, { timeScale: 0.001, maxWaitMs: 20000 });
  assert.equal(done.status, "COMPLETED", JSON.stringify(done));
});
