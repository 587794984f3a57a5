// The simulator against the contract: bodies validate against the vendor's OpenAPI schemas,
// status codes match the contract table, and every fault mode is observable from a plain
// HTTP client (node:http and fetch, no aivideo code involved).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startSimulator, DEMO_KEY } from "../../sim/server.mjs";
import { schemaErrors } from "./openapi.mjs";

let sim;
const KEY = "ak_test_alice_0000000001";
const T2V = { prompt: "a fox in snow", aspectRatio: "16:9", duration: "5" };

before(async () => { sim = await startSimulator({ timeScale: 0.0005, rateLimitPerMinute: 0 }); });
after(() => sim.close());

async function call(method, path, { body, key = KEY, headers = {} } = {}) {
  const r = await fetch(sim.url + path, {
    method, headers: { ...(key ? { key } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch {}
  return { status: r.status, json, text, headers: r.headers };
}

const ok = (name, v) => assert.equal(schemaErrors(name, v), null, `${name}: ${JSON.stringify(v)}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("success bodies validate against the vendor schemas", async () => {
  await sim.reset();
  const q = await call("POST", "/api/v1/quote/t2v", { body: T2V });
  assert.equal(q.status, 200); ok("Quote", q.json);
  assert.equal(q.json.credits, 15);
  const c = await call("POST", "/api/v1/generate/t2v", { body: T2V, headers: { "idempotency-key": "key-00000001" } });
  assert.equal(c.status, 200); ok("SubmittedTask", c.json);
  assert.equal(c.json.idempotentReplay, false);
  const s = await call("GET", `/api/v1/tasks/${c.json.taskId}/status`);
  ok("TaskStatus", s.json.status);
  const t = await call("GET", `/api/v1/tasks/${c.json.taskId}`);
  ok("Task", t.json);
  const list = await call("GET", "/api/v1/tasks");
  list.json.tasks.forEach((x) => ok("Task", x));
  const a = await call("GET", "/api/v1/account");
  assert.equal(a.status, 200);
  assert.ok(a.json.ok && a.json.supportedModels.includes("minimax") && !a.json.supportedModels.includes("lv"));
  // Tasks move SUBMITTED → PROGRESS → COMPLETED on the compressed clock (6.5 min × 0.0005 ≈ 0.2 s).
  await sleep(450);
  const done = await call("GET", `/api/v1/tasks/${c.json.taskId}`);
  ok("Task", done.json);
  assert.equal(done.json.status, "COMPLETED");
  const video = await fetch(done.json.output.url);
  assert.equal(video.headers.get("content-type"), "video/mp4");
  const bytes = Buffer.from(await video.arrayBuffer());
  assert.equal(bytes.subarray(4, 8).toString(), "ftyp", "a real MP4");
});

test("error bodies validate against the Error schema with the contract's status codes", async () => {
  await sim.reset();
  const cases = [
    [await call("GET", "/api/v1/account", { key: null }), 401, "AUTH_FAILED"],
    [await call("GET", "/api/v1/account", { key: "ak_wrong" }), 401, "AUTH_FAILED"],
    [await call("POST", "/api/v1/generate/sora", { body: T2V }), 400, "INVALID_MODEL"],
    [await call("POST", "/api/v1/generate/t2v", { body: { ...T2V, duration: 5 } }), 400, "INVALID_PAYLOAD"],
    [await call("POST", "/api/v1/generate/t2v", { body: { ...T2V, aspect_ratio: "16:9" } }), 400, "INVALID_PAYLOAD"],
    [await call("POST", "/api/v1/generate/t2v", { body: "{not json" }), 400, "INVALID_PAYLOAD"],
    [await call("POST", "/api/v1/generate/t2v", { body: T2V, key: "ak_test_poor_0000000003" }), 402, "INSUFFICIENT_CREDITS"],
    [await call("POST", "/api/v1/generate/t2v", { body: T2V, headers: { "x-max-credits": "10" } }), 422, "BUDGET_EXCEEDED"],
    [await call("GET", "/api/v1/tasks/nope"), 404, "TASK_NOT_FOUND"],
    [await call("POST", "/api/v1/tasks/nope/cancel"), 405, "METHOD_NOT_ALLOWED"],
    [await call("DELETE", "/api/v1/tasks/nope/cancel"), 405, "METHOD_NOT_ALLOWED"],
  ];
  for (const [r, status, code] of cases) {
    assert.equal(r.status, status, JSON.stringify(r.json));
    assert.equal(r.json.errorCode, code);
    ok("Error", r.json);
  }
  const hint = cases[3][0].json;
  assert.deepEqual(hint.details.map((d) => d.field), ["duration"], "field hints");
  const ledger = await sim.ledger();
  assert.equal(ledger.tasks.length, 0, "nothing billed by any failure");
});

test("idempotency: same key and body replays, different body conflicts, no second charge", async () => {
  await sim.reset();
  const h = { "idempotency-key": "idem-abcdef-1" };
  const a = await call("POST", "/api/v1/generate/t2v", { body: T2V, headers: h });
  const b = await call("POST", "/api/v1/generate/t2v", { body: { duration: "5", aspectRatio: "16:9", prompt: "a fox in snow" }, headers: h });
  assert.equal(b.status, 200);
  assert.equal(b.json.taskId, a.json.taskId);
  assert.equal(b.json.idempotentReplay, true);
  const c = await call("POST", "/api/v1/generate/t2v", { body: { ...T2V, prompt: "other" }, headers: h });
  assert.equal(c.status, 409);
  assert.equal(c.json.errorCode, "IDEMPOTENCY_CONFLICT");
  const short = await call("POST", "/api/v1/generate/t2v", { body: T2V, headers: { "idempotency-key": "short" } });
  assert.equal(short.status, 400);
  const ledger = await sim.ledger();
  assert.equal(ledger.tasks.length, 1);
  assert.equal(ledger.billedCredits, 15);
});

test("ownership, cancel only while SUBMITTED with refunds, failures refund", async () => {
  await sim.reset();
  const a = await call("POST", "/api/v1/generate/i2v_v3", { body: { image: "https://x.test/a.png", duration: "5" } });
  assert.equal((await call("GET", `/api/v1/tasks/${a.json.taskId}`, { key: "ak_test_bob_00000000002" })).status, 404);
  const c = await call("PUT", `/api/v1/tasks/${a.json.taskId}/cancel`);
  assert.equal(c.status, 200);
  assert.deepEqual(c.json, { status: "CANCEL", taskId: a.json.taskId });
  const again = await call("PUT", `/api/v1/tasks/${a.json.taskId}/cancel`);
  assert.equal(again.status, 400);
  const t = await call("GET", `/api/v1/tasks/${a.json.taskId}`);
  assert.equal(t.json.creditsRefunded, t.json.creditsCharged);
  assert.equal(t.json.listValueCents, 0);
  await sim.configure({ failRate: 1 });
  const f = await call("POST", "/api/v1/generate/t2v", { body: T2V });
  await sleep(300);
  const ft = await call("GET", `/api/v1/tasks/${f.json.taskId}`);
  await sim.configure({ failRate: 0 });
  assert.equal(ft.json.status, "FAILED");
  assert.equal(ft.json.creditsRefunded, 15);
  assert.ok(ft.json.output.error);
  ok("Task", ft.json);
  const p = await call("PUT", `/api/v1/tasks/${f.json.taskId}/cancel`);
  assert.equal(p.status, 400, "cannot cancel a finished task");
});

test("rate limits: 60 query requests per simulated minute per IP with Retry-After; per-key generation limit", async () => {
  await sim.reset();
  await sim.configure({ rateLimitPerMinute: 60, timeScale: 1, generationPerMinute: 3 });
  try {
    const statuses = [];
    for (let i = 0; i < 62; i++) statuses.push((await call("GET", "/api/v1/tasks")).status);
    assert.equal(statuses.filter((s) => s === 200).length, 60);
    const limited = await call("GET", "/api/v1/account");
    assert.equal(limited.status, 429);
    assert.equal(limited.json.errorCode, "RATE_LIMITED");
    ok("Error", limited.json);
    const ra = Number(limited.headers.get("retry-after"));
    assert.ok(ra >= 1 && ra <= 60, `Retry-After ${ra}`);
    const gens = [];
    for (let i = 0; i < 4; i++) gens.push((await call("POST", "/api/v1/quote/t2v", { body: T2V })).status);
    assert.deepEqual(gens, [200, 200, 200, 200], "quote is not a query endpoint nor a generation");
    const g = [];
    for (let i = 0; i < 4; i++) g.push((await call("POST", "/api/v1/generate/t2v", { body: T2V })).status);
    assert.deepEqual(g, [200, 200, 200, 429]);
  } finally {
    await sim.configure({ rateLimitPerMinute: 0, timeScale: 0.0005, generationPerMinute: 30 });
  }
});

/** Raw HTTP so resets and hangs are seen as they are. */
function raw(path, { method = "GET", body, timeout = 1500 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(sim.url + path);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method, headers: { key: KEY, "content-type": "application/json" } }, (res) => {
      let text = "";
      const t0 = Date.now();
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text, headers: res.headers, bodyMs: Date.now() - t0 }));
      res.on("error", (e) => resolve({ error: e.code || e.message }));
    });
    req.setTimeout(timeout, () => { req.destroy(); resolve({ error: "TIMEOUT" }); });
    req.on("error", (e) => resolve({ error: e.code || e.message }));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

test("every fault mode, observed from a plain HTTP client", async () => {
  await sim.reset();
  const created = await call("POST", "/api/v1/generate/t2v", { body: T2V });
  const id = created.json.taskId;
  const S = `/api/v1/tasks/${id}/status`;
  const inject = (f) => sim.faults(f);

  await inject({ endpoint: "status", kind: "status", status: 429, errorCode: "RATE_LIMITED", headers: { "retry-after": "2" }, times: 3 });
  const burst = [await raw(S), await raw(S), await raw(S), await raw(S)];
  assert.deepEqual(burst.map((r) => r.status), [429, 429, 429, 200], "a 429 burst of 3");
  assert.equal(burst[0].headers["retry-after"], "2");

  for (const status of [500, 502, 503, 504]) {
    await inject({ endpoint: "status", kind: "status", status });
    assert.equal((await raw(S)).status, status);
  }
  await inject({ endpoint: "status", kind: "html" });
  const html = await raw(S);
  assert.equal(html.status, 502);
  assert.match(html.text, /<html/i);
  assert.match(html.headers["content-type"], /text\/html/);

  await inject({ endpoint: "status", kind: "invalid_json" });
  const bad = await raw(S);
  assert.equal(bad.status, 200);
  assert.throws(() => JSON.parse(bad.text));
  await inject({ endpoint: "status", kind: "truncated" });
  const truncated = (await raw(S)).text;
  assert.throws(() => JSON.parse(truncated));

  await inject({ endpoint: "status", kind: "reset" });
  assert.match((await raw(S)).error, /ECONNRESET|socket hang up/);

  await inject({ endpoint: "status", kind: "hang" });
  assert.equal((await raw(S, { timeout: 300 })).error, "TIMEOUT");

  await inject({ endpoint: "status", kind: "slow_body", ms: 400 });
  const slow = await raw(S);
  assert.equal(JSON.parse(slow.text).status, "PROGRESS");
  assert.ok(slow.bodyMs >= 250, `body trickled over ${slow.bodyMs} ms`);

  await inject({ endpoint: "status", kind: "unknown_status", status: "QUEUED" });
  assert.equal(JSON.parse((await raw(S)).text).status, "QUEUED");

  await inject({ endpoint: "task", kind: "missing_fields", fields: ["status", "output"] });
  const missing = JSON.parse((await raw(`/api/v1/tasks/${id}`)).text);
  assert.ok(!("status" in missing) && !("output" in missing) && missing.id === id);

  await inject({ endpoint: "status", kind: "delay", ms: 200 });
  const t0 = Date.now();
  assert.equal((await raw(S)).status, 200);
  assert.ok(Date.now() - t0 >= 180);

  // Faults after a create was committed: the task exists and is billed, the answer is lost.
  for (const f of [{ kind: "reset_after_commit" }, { kind: "status_after_commit", status: 502 }, { kind: "status_after_commit", status: 504 }, { kind: "hang_after_commit" }]) {
    await sim.reset();
    await inject({ endpoint: "generate", ...f });
    const r = await raw("/api/v1/generate/t2v", { method: "POST", body: T2V, timeout: 400 });
    assert.ok(r.error || r.status >= 500, `${f.kind}: the answer is lost (${JSON.stringify(r).slice(0, 80)})`);
    const ledger = await sim.ledger();
    assert.equal(ledger.tasks.length, 1, `${f.kind}: the task was committed`);
    assert.equal(ledger.billedCredits, 15);
  }

  // `after` skips matching requests: the third status call fails, not the first.
  await sim.reset();
  const c2 = await call("POST", "/api/v1/generate/t2v", { body: T2V });
  await inject({ endpoint: "status", kind: "status", status: 503, after: 2 });
  const seq = [];
  for (let i = 0; i < 4; i++) seq.push((await raw(`/api/v1/tasks/${c2.json.taskId}/status`)).status);
  assert.deepEqual(seq, [200, 200, 503, 200]);
});

test("the request log redacts the key and digests bodies; the demo key works", async () => {
  await sim.reset();
  await call("POST", "/api/v1/quote/t2v", { body: T2V, key: DEMO_KEY });
  const log = await sim.log();
  assert.equal(log.length, 1);
  assert.equal(log[0].headers.key, "[redacted]");
  assert.ok(!JSON.stringify(log).includes(DEMO_KEY));
  assert.match(log[0].bodyDigest, /^[0-9a-f]{64}$/);
});
