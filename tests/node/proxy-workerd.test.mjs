// The public proxy as an attacker meets it: bundled like wrangler bundles it, running in real
// workerd, in front of the simulator. Anonymous and forged-Origin callers get nothing; users
// cannot touch each other's tasks or idempotency keys; quotas answer 429 at once and a flood
// does not starve anyone; huge bodies are refused with bounded memory; the key never leaves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { lib, proxyLib } from "./pkg.mjs";
import { startSimulator, DEMO_KEY } from "../../sim/server.mjs";
import { startWorkerd } from "../../tools/workerd.mjs";
import { bundleWorker } from "../../tools/worker-bundle.mjs";

const CONSUMER = fileURLToPath(new URL("../artifacts/consumer/", import.meta.url));
const ORIGIN = "https://app.example";
const SECRET = "test-token-secret-0123456789abcdef";
const T2V = { prompt: "a fox in snow", aspectRatio: "16:9", duration: "5" }; // 15 credits

// Three handlers in one Worker: the main one; one whose upstream budget is one request per
// 2.5 s (a queue forms); one with no per-task cap configured (must refuse to start).
const WORKER = `
import { createProxyHandler, jwtAuthorizer } from "aivideo/proxy";
const authorize = jwtAuthorizer();
const common = { authorize, allowedOrigins: ["${ORIGIN}"], clientOptions: { rateLimitPerMinute: 6000 } };
const main = createProxyHandler({ ...common, maxCreditsPerTask: 100, requestsPerMinute: 40, creditsPerDay: 200 });
const slow = createProxyHandler({ ...common, basePath: "/slow", maxCreditsPerTask: 100, timeoutMs: 10000, clientOptions: { rateLimitPerMinute: 1, rateLimitWindowMs: 2500 } });
const uncapped = createProxyHandler({ ...common, basePath: "/uncapped" });
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const path = url.pathname;
    // A visitor who leaves: local workerd does not notice an HTTP/1.1 client's FIN while a
    // handler runs, so the cancellation comes the way Cloudflare's front line delivers it, over
    // a service binding, as an abort of the request's signal.
    if (path === "/__leave") {
      const gone = new AbortController();
      setTimeout(() => gone.abort(), Number(url.searchParams.get("after")));
      try {
        await env.SELF.fetch(new Request(new URL(url.searchParams.get("path"), url), { headers: request.headers, signal: gone.signal }));
        return new Response("answered");
      } catch (e) {
        return new Response(e.name);
      }
    }
    const h = path.startsWith("/slow/") ? slow : path.startsWith("/uncapped/") ? uncapped : main;
    return h(request, env, ctx);
  },
};
`;

let sim, worker, tokens;
before(async () => {
  sim = await startSimulator({ timeScale: 0.005 });
  const bundle = await bundleWorker({ source: WORKER, dir: CONSUMER, name: "proxy-workerd-test" });
  worker = await startWorkerd({
    dir: CONSUMER, modules: bundle.modules, flags: ["enable_request_signal"], services: [["SELF", "main"]],
    bindings: [["AIVIDEO_API_KEY", DEMO_KEY], ["AIVIDEO_BASE_URL", sim.url], ["AIVIDEO_TOKEN_SECRET", SECRET]],
  });
  const mint = (userId, extra = {}) => proxyLib.mintProxyToken({ secret: SECRET, userId, ...extra });
  tokens = { alice: await mint("alice"), bob: await mint("bob"), carol: await mint("carol", { limits: { creditsPerDay: 20 } }), ops: await mint("ops", { admin: true }), mallory: await mint("mallory") };
});
after(async () => { await worker?.stop(); await sim?.close(); });

const call = (path, { token, headers = {}, ...init } = {}) =>
  fetch(worker.url + path, { ...init, headers: { origin: ORIGIN, "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
const generate = (token, body = T2V, headers = {}) => call("/api/v1/generate/t2v", { method: "POST", token, headers, body: JSON.stringify(body) });
const upstream = async (endpoint) => (await sim.log()).filter((e) => !endpoint || e.path.includes(endpoint));
/** The page's client, as a signed-in user's browser runs it: no key, a bearer token. */
const clientFor = (token) => lib.createClient({ baseUrl: worker.url, fetch: (u, i) => fetch(u, { ...i, headers: { ...i.headers, origin: ORIGIN, authorization: `Bearer ${token}` } }) });

test("no token, a forged Origin, a forged token: 401 and nothing goes upstream", async () => {
  await sim.reset();
  const anonymous = await fetch(`${worker.url}/api/v1/generate/t2v`, { method: "POST", body: JSON.stringify(T2V) });
  assert.equal(anonymous.status, 403, "no Origin and no server-request opt-in");
  const forgedOrigin = await generate(undefined);
  assert.equal(forgedOrigin.status, 401);
  assert.equal((await forgedOrigin.json()).errorCode, "AUTH_FAILED");
  const forgedToken = await generate(await proxyLib.mintProxyToken({ secret: "x".repeat(40), userId: "mallory" }));
  assert.equal(forgedToken.status, 401);
  for (const path of ["/api/v1/account", "/api/v1/tasks", "/api/v1/tasks/task_1/status"]) assert.equal((await call(path)).status, 401, path);
  assert.equal((await upstream()).length, 0, "nothing reached the API");
  // The preflight needs no token, and allows the Authorization header.
  const pre = await fetch(`${worker.url}/api/v1/generate/t2v`, { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get("access-control-allow-headers"), /authorization/);
});

test("ownership: Bob cannot read, wait on or cancel Alice's task, nor list or read the account; Alice's client waits through the proxy", async () => {
  await sim.reset();
  const alice = clientFor(tokens.alice);
  const bob = clientFor(tokens.bob);
  const created = await alice.createGeneration("t2v", T2V);
  assert.equal(created.ok, true, JSON.stringify(created));
  const id = created.taskId;
  const raw = id.slice(0, id.lastIndexOf("."));
  assert.match(raw, /^task_/);
  assert.notEqual(id, raw, "the id handed out is bound to Alice");
  for (const [name, r] of [["status", await bob.getStatus(id)], ["task", await bob.getTask(id)], ["cancel", await bob.cancelTask(id)], ["raw status", await bob.getStatus(raw)], ["wait", await bob.waitForTask(id, { maxWaitMs: 3000 })]]) {
    assert.equal(r.errorCode, "TASK_NOT_FOUND", `${name}: ${JSON.stringify(r)}`);
  }
  const forged = await bob.getStatus(`${raw}.${"A".repeat(22)}`);
  assert.equal(forged.errorCode, "TASK_NOT_FOUND");
  assert.equal((await bob.listTasks()).errorCode, "AUTH_FAILED");
  assert.equal((await bob.getAccount()).errorCode, "AUTH_FAILED");
  assert.equal((await upstream(`/tasks/${raw}`)).length, 0, "none of Bob's attempts reached the API");
  // Alice waits (two waits at once: the client would batch on the task list, which the proxy
  // refuses; it then asks each task itself) and reads her task, bound ids throughout.
  const second = await alice.createGeneration("t2v", { ...T2V, prompt: "a second fox" });
  const [done, done2] = await Promise.all([alice.waitForTask(id, { maxWaitMs: 20000 }), alice.waitForTask(second.taskId, { maxWaitMs: 20000 })]);
  assert.equal(done.ok, true, JSON.stringify(done));
  assert.equal(done2.ok, true, JSON.stringify(done2));
  assert.equal(done.data.status, "COMPLETED");
  assert.equal(done.data.id, id);
  assert.ok(!("idempotencyKey" in done.data), "the upstream key stays behind the proxy");
  assert.ok((await upstream("/api/v1/tasks?")).length + (await sim.log()).filter((e) => e.path === "/api/v1/tasks").length <= 1, "the list was asked at most once");
  // The operator's admin token can read the account and any raw id.
  const ops = clientFor(tokens.ops);
  assert.equal((await ops.getAccount()).ok, true);
  assert.equal((await ops.getStatus(raw)).ok, true);
});

test("one user's flood gets 429s at once while another is answered promptly", async () => {
  await sim.reset();
  const bob = clientFor(tokens.bob);
  const made = await bob.createGeneration("t2v", T2V);
  assert.equal(made.ok, true, JSON.stringify(made));
  const mallory = await clientFor(tokens.mallory).createGeneration("t2v", { ...T2V, prompt: "flood target" });
  const t0 = Date.now();
  const flood = Promise.all(Array.from({ length: 200 }, () => call(`/api/v1/tasks/${encodeURIComponent(mallory.taskId)}/status`, { token: tokens.mallory }).then((r) => r.status)));
  await new Promise((r) => setTimeout(r, 20));
  const b0 = Date.now();
  const bobs = await Promise.all([1, 2, 3].map(() => bob.getStatus(made.taskId)));
  const bobMs = Date.now() - b0;
  const statuses = await flood;
  const floodMs = Date.now() - t0;
  const limited = statuses.filter((s) => s === 429).length;
  assert.ok(bobs.every((r) => r.ok), JSON.stringify(bobs));
  assert.ok(limited >= 150, `429s for the flood: ${limited} of 200 (${JSON.stringify(statuses.slice(0, 10))}…)`);
  assert.ok(statuses.every((s) => s === 200 || s === 429), [...new Set(statuses)].join());
  assert.ok((await upstream(`/status`)).length <= 43, "at most A's per-minute quota (and B's) went upstream");
  assert.ok(bobMs < 5000, `B answered in ${bobMs} ms (the flood took ${floodMs} ms)`);
  const retry = await call(`/api/v1/tasks/${encodeURIComponent(mallory.taskId)}/status`, { token: tokens.mallory });
  assert.equal(retry.status, 429);
  assert.ok(Number(retry.headers.get("retry-after")) >= 1 && Number(retry.headers.get("retry-after")) <= 60);
});

test("daily credits: a caller over its quota is refused before anything goes upstream", async () => {
  await sim.reset();
  const first = await generate(tokens.carol);
  assert.equal(first.status, 200, await first.clone().text());
  const second = await generate(tokens.carol, { ...T2V, prompt: "another" });
  assert.equal(second.status, 429);
  const body = await second.json();
  assert.equal(body.errorCode, "BUDGET_EXCEEDED");
  assert.match(body.message, /daily credit quota/);
  assert.ok(Number(second.headers.get("retry-after")) > 0);
  assert.equal((await upstream("/generate/")).length, 1, "the refused create never reached the API");
  // The deployment's per-task cap holds for everyone (happyhorse 15 s 1080P is over 100 credits).
  const big = await call("/api/v1/generate/happyhorse", { method: "POST", token: tokens.alice, body: JSON.stringify({ prompt: "x", duration: 15, resolution: "1080P" }) });
  assert.equal(big.status, 422);
  assert.equal((await big.json()).errorCode, "BUDGET_EXCEEDED");
  // The browser's client reads the 429 as what it is.
  const r = await clientFor(tokens.carol).createGeneration("t2v", { ...T2V, prompt: "third" });
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, "BUDGET_EXCEEDED", JSON.stringify(r));
  assert.ok(r.retryAfter > 0, "with the seconds to wait");
});

test("idempotency keys are namespaced per user: A cannot poison B's key, and equal payloads never share a task", async () => {
  await sim.reset();
  const KEYED = "checkout-7f3a9c21";
  // Mallory (alice) claims Bob's key first, with a different body.
  const poison = await generate(tokens.alice, { ...T2V, prompt: "poison" }, { "idempotency-key": KEYED });
  assert.equal(poison.status, 200);
  const bobs = await generate(tokens.bob, T2V, { "idempotency-key": KEYED });
  const bobBody = await bobs.json();
  assert.equal(bobs.status, 200, JSON.stringify(bobBody));
  assert.equal(bobBody.idempotentReplay, false, "Bob got his own task, not a 409 nor Alice's");
  const again = await generate(tokens.bob, T2V, { "idempotency-key": KEYED });
  const againBody = await again.json();
  assert.equal(againBody.taskId, bobBody.taskId, "Bob's retry replays Bob's task");
  assert.equal(againBody.idempotentReplay, true);
  const sent = (await upstream("/generate/")).map((e) => e.headers["idempotency-key"]);
  assert.equal(new Set(sent).size, 2, JSON.stringify(sent));
  assert.ok(sent.every((k) => k !== KEYED && /^px1-/.test(k)), JSON.stringify(sent));
});

/** POSTs up to `mb` MiB in 1 MiB chunks, stopping as soon as the answer comes. */
function push(headers, mb) {
  return new Promise((resolve, reject) => {
    const r = http.request(`${worker.url}/api/v1/generate/t2v`, { method: "POST", headers: { origin: ORIGIN, authorization: `Bearer ${tokens.alice}`, ...headers } });
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    r.on("response", (res) => { answered = true; res.resume(); resolve({ status: res.statusCode, sent }); r.destroy(); });
    // A server that stops reading a body it refuses may reset the connection before its 413
    // is read (the sender's next write gets EPIPE): that too is a refusal mid-stream.
    r.on("error", (e) => !answered && (["EPIPE", "ECONNRESET"].includes(e.code) ? resolve({ status: "reset", sent, code: e.code }) : reject(e)));
    r.flushHeaders();
    (async () => {
      while (!answered && sent < mb * 1024 * 1024) {
        if (!r.write(chunk)) await new Promise((d) => r.once("drain", d));
        sent += chunk.length;
      }
      if (!answered && mb) r.end();
    })().catch(() => {});
  });
}

test("fails closed: no per-task cap refuses to serve, naming the setting; bodies over the cap get 413 with bounded memory", async () => {
  const uncapped = await generate(tokens.alice, T2V).then(() => call("/uncapped/api/v1/generate/t2v", { method: "POST", token: tokens.alice, body: JSON.stringify(T2V) }));
  assert.equal(uncapped.status, 500);
  assert.match((await uncapped.json()).message, /MAX_CREDITS_PER_TASK is not set/);
  await sim.reset();
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, "utf8"))[1]) / 1024;
  const before = rss();
  // 50 MB declared: refused from the header, before a byte of the body is sent.
  const declared = await push({ "content-length": String(50 * 1024 * 1024) }, 0);
  assert.equal(declared.status, 413, `declared: ${JSON.stringify(declared)}`);
  assert.equal(declared.sent, 0);
  // 50 MB streamed with no length: refused once 12 MiB were read, the rest never sent.
  const streamed = await push({ "transfer-encoding": "chunked" }, 50);
  assert.ok(streamed.status === 413 || streamed.status === "reset", `streamed: ${JSON.stringify(streamed)}`);
  // Refused mid-stream: the sender was stopped well before its 50 MB (socket buffers and a busy
  // machine let some megabytes past the 12 MiB the proxy read).
  assert.ok(streamed.sent < 45 * 1024 * 1024, `stopped after ${streamed.sent} bytes`);
  const grew = rss() - before;
  // Before the cap, a 98 MB body took 1.6 GB of memory in workerd.
  assert.ok(grew < 100, `workerd grew by ${grew.toFixed(0)} MB for 100 MB of refused bodies`);
  assert.equal((await upstream("/generate/")).length, 0);
  assert.equal((await call("/api/v1/usage", { token: tokens.alice })).status, 200, "the worker still answers");
});

test("the key never leaves, even when the upstream echoes it", async () => {
  await sim.reset();
  const made = await generate(tokens.alice);
  const { taskId } = await made.json();
  const raw = taskId.slice(0, taskId.lastIndexOf("."));
  await sim.faults(
    { endpoint: "task", kind: "status", status: 200, body: { id: raw, status: "PROGRESS", debug: `called with key=${DEMO_KEY}` } },
    { endpoint: "status", kind: "status", status: 400, message: `bad key ${DEMO_KEY}` },
  );
  const task = await call(`/api/v1/tasks/${encodeURIComponent(taskId)}`, { token: tokens.alice });
  const status = await call(`/api/v1/tasks/${encodeURIComponent(taskId)}/status`, { token: tokens.alice });
  const texts = [await task.text(), await status.text(), JSON.stringify([...task.headers, ...status.headers])];
  assert.equal(task.status, 200, texts[0]);
  assert.ok(texts.every((t) => !t.includes(DEMO_KEY)), texts.join("\n"));
  assert.match(texts[0], /key=(ak_…cdef|\[redacted\])/, "the echo was there, and was scrubbed");
});

test("a caller who disconnects while queued never reaches the API", async () => {
  await sim.reset();
  const made = await generate(tokens.bob);
  const { taskId } = await made.json();
  const raw = taskId.slice(0, taskId.lastIndexOf("."));
  await sim.reset(); // forget the create, keep nothing: the status route 404s upstream, which is fine
  const path = `/slow/api/v1/tasks/${encodeURIComponent(taskId)}/status`;
  const first = await call(path, { token: tokens.bob }); // takes the slow handler's one request per 2.5 s
  assert.ok([200, 404].includes(first.status), String(first.status));
  const queued = await call(`/__leave?after=300&path=${encodeURIComponent(path)}`, { token: tokens.bob });
  assert.equal(await queued.text(), "AbortError", "the visitor left while its request waited for the upstream budget");
  await new Promise((r) => setTimeout(r, 3500)); // past the window in which it would have gone
  const sent = (await upstream(`/tasks/${raw}/status`)).length;
  assert.equal(sent, 1, "only the first status request went upstream");
  // A caller who stays is served once the window passes.
  const third = await call(path, { token: tokens.bob });
  assert.ok([200, 404].includes(third.status), String(third.status));
  assert.equal((await upstream(`/tasks/${raw}/status`)).length, 2);
});

test("MCP at /mcp in workerd: an agent with a token creates and reads its task through the proxy's rules; no token, 401", async () => {
  await sim.reset();
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
  const agent = new Client({ name: "workerd-test", version: "1" });
  // An agent runs on a server: no Origin header.
  await agent.connect(new StreamableHTTPClientTransport(new URL("/mcp", worker.url), { requestInit: { headers: { authorization: `Bearer ${tokens.alice}` } } }));
  try {
    assert.equal(agent.getServerVersion().name, "aivideo");
    const made = await agent.callTool({ name: "create_generation", arguments: { model: "t2v", payload: T2V, idempotencyScope: `workerd-${Date.now()}` } });
    assert.equal(made.isError, false, made.content[0].text);
    const st = await agent.callTool({ name: "get_status", arguments: { taskId: made.structuredContent.taskId } });
    assert.equal(st.isError, false, st.content[0].text);
    // Bob's browser client cannot read the task Alice's agent made.
    assert.equal((await clientFor(tokens.bob).getStatus(made.structuredContent.taskId)).errorCode, "TASK_NOT_FOUND");
    // The per-task cap holds for agents too.
    const dear = await agent.callTool({ name: "create_generation", arguments: { model: "wan27", payload: { prompt: "a fox", duration: "15", resolution: "1080P", ratio: "16:9" } } }); // 225 credits
    assert.equal(dear.isError, true);
    assert.equal(dear.structuredContent.errorCode, "BUDGET_EXCEEDED", dear.content[0].text);
  } finally {
    await agent.close();
  }
  const anonymous = await fetch(`${worker.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }) });
  assert.equal(anonymous.status, 401);
});
