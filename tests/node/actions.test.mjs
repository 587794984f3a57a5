// The client's actions through the wasm build in Node with a scripted fetch double: what is
// sent, how every answer is classified, retries and their waits, abort before/during a
// request and during a retry wait, timeouts, and that no timer outlives its promise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lib } from "./pkg.mjs";

const KEY = "ak_live_secret_0123456789";
const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** A fetch that answers from a script, one step per call, and records every call. */
function scripted(...steps) {
  const calls = [];
  const fetch = (url, init) => {
    calls.push({ url, init, at: Date.now() });
    const step = steps.shift();
    if (!step) throw new Error(`unexpected call ${url}`);
    return typeof step === "function" ? step(url, init) : step;
  };
  return { fetch, calls };
}

/** Never answers; rejects like real fetch when its signal aborts. */
const hang = (url, init) => new Promise((_, reject) => {
  init.signal.addEventListener("abort", () => reject(new DOMException("This operation was aborted", "AbortError")));
});

const client = (fetch, extra = {}) => lib.createClient({ apiKey: KEY, baseUrl: "https://api.test", fetch, ...extra });

test("every action sends the right request and shapes its answer", async () => {
  const task = { id: "t1", createdAt: "2026-09-14T10:00:00Z", model: "t2v", input: {}, output: { videoUrl: "https://cdn.test/v.mp4" }, status: "COMPLETED", creditsCharged: 15, creditsRefunded: 0, listValueCents: 15, completedAt: "2026-09-14T10:06:30Z" };
  const s = scripted(
    json(200, { status: "SUBMITTED", taskId: "t1", creditsCharged: 15, idempotentReplay: false, responseUrl: "https://evil.test/x", statusUrl: "https://evil.test/s", cancelUrl: "https://evil.test/c" }),
    json(200, { status: "PROGRESS" }),
    json(200, task),
    json(200, { status: "CANCEL", taskId: "t1" }),
    json(200, { tasks: [task] }),
    json(200, { ok: true, apiVersion: "1.0.15", skillVersion: "1", currentBalance: 100, supportedModels: ["t2v"] }),
    json(200, { model: "t2v", credits: 15, listPriceUsd: 0.15, usdPerCredit: 0.01, currentBalance: 100, affordable: true, billable: false }),
  );
  const c = client(s.fetch);
  const created = await c.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" }, { webhookUrl: "https://hooks.test/x", maxCredits: 20 });
  assert.equal(created.ok, true);
  assert.equal(created.taskId, "t1");
  const status = await c.getStatus("t1");
  assert.deepEqual([status.ok, status.status, status.taskId], [true, "PROGRESS", "t1"]);
  const got = await c.getTask("t1");
  assert.equal(got.data.output.url, "https://cdn.test/v.mp4", "videoUrl normalized to url");
  assert.equal(got.data.expiresAt, "2026-09-15T10:06:30.000Z");
  const cancelled = await c.cancelTask("t1");
  assert.equal(cancelled.status, "CANCEL");
  const list = await c.listTasks();
  assert.equal(list.data.tasks[0].output.url, "https://cdn.test/v.mp4");
  const acct = await c.getAccount();
  assert.equal(acct.data.currentBalance, 100);
  const q = await c.quote("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  assert.equal(q.data.credits, 15);

  const sent = s.calls.map((x) => `${x.init.method} ${x.url}`);
  assert.deepEqual(sent, [
    "POST https://api.test/api/v1/generate/t2v",
    "GET https://api.test/api/v1/tasks/t1/status",
    "GET https://api.test/api/v1/tasks/t1",
    "PUT https://api.test/api/v1/tasks/t1/cancel",
    "GET https://api.test/api/v1/tasks",
    "GET https://api.test/api/v1/account",
    "POST https://api.test/api/v1/quote/t2v",
  ], "follow-up URLs come from baseUrl, never from the response");
  for (const { init } of s.calls) {
    assert.equal(init.headers.key, KEY);
    assert.ok(!("mode" in init) && !("credentials" in init) && !("referrer" in init), "no fields Workers reject");
    assert.ok(!("authorization" in init.headers));
  }
  const post = s.calls[0].init;
  assert.equal(post.headers["content-type"], "application/json");
  assert.equal(post.headers["x-max-credits"], "20");
  assert.equal(post.headers.webhookUrl, "https://hooks.test/x");
  assert.deepEqual(JSON.parse(post.body), { prompt: "a", aspectRatio: "16:9", duration: "5" });
  for (const e of [created, status, got, cancelled, list, acct, q]) assert.ok(!JSON.stringify(e).includes(KEY));
});

test("classification of answers (contract §6), never a rejection", async () => {
  const rows = [
    [json(400, { status: "FAILED", errorCode: "INVALID_MODEL", message: "Unsupported model: x" }), "INVALID_MODEL"],
    [json(401, { status: "FAILED", message: "bad key" }), "AUTH_FAILED"],
    [json(402, { status: "FAILED", message: "no money" }), "INSUFFICIENT_CREDITS"],
    [json(400, { status: "FAILED", message: "Insufficient credits for this request" }), "INSUFFICIENT_CREDITS"],
    // Asked of /account, a 404 is a missing endpoint; asked of a task, a missing task (below).
    [json(404, { status: "FAILED", message: "Not found" }), "UNSUPPORTED_BY_SERVER"],
    [json(409, { status: "FAILED", errorCode: "IDEMPOTENCY_CONFLICT" }), "IDEMPOTENCY_CONFLICT"],
    [json(422, { status: "FAILED", errorCode: "BUDGET_EXCEEDED" }), "BUDGET_EXCEEDED"],
    [json(422, { status: "FAILED", message: "prompt rejected" }), "CONTENT_REJECTED"],
    [json(200, { status: "FAILED", message: "something broke" }), "UNKNOWN_ERROR"],
    [new Response("<html><body>502</body></html>", { status: 502 }), "UPSTREAM_ERROR"],
    [new Response("{\"status\":", { status: 200 }), "UPSTREAM_ERROR"],
    [() => Promise.reject(new TypeError("fetch failed")), "NETWORK_ERROR"],
    [() => { throw new TypeError("sync throw"); }, "NETWORK_ERROR"],
    [json(418, { status: "FAILED" }), "UNKNOWN_ERROR"],
  ];
  for (const [answer, code] of rows) {
    const c = client(scripted(answer).fetch, { maxRetries: 0 });
    const r = await c.getAccount();
    assert.equal(r.ok, false);
    assert.equal(r.errorCode, code, JSON.stringify(r));
    assert.ok(r.suggestions.length > 0);
  }
  const gone = await client(scripted(json(404, { status: "FAILED", message: "Task not found" })).fetch, { maxRetries: 0 }).getTask("t1");
  assert.equal(gone.errorCode, "TASK_NOT_FOUND");
  const top = await client(scripted(json(402, { status: "FAILED", message: "x" })).fetch).getAccount();
  assert.ok(top.suggestions.some((s) => /top up/i.test(s)) && top.suggestions.some((s) => /cheaper model/i.test(s)));
});

test("GETs retry on 429 (Retry-After seconds or HTTP date), 5xx and network errors; cancel never; create with its key", async () => {
  const s = scripted(
    json(429, { status: "FAILED", errorCode: "RATE_LIMITED" }, { "retry-after": "0.2" }),
    json(503, { status: "FAILED" }),
    () => Promise.reject(new TypeError("fetch failed")),
    json(200, { status: "PROGRESS" }),
  );
  const r = await client(s.fetch).getStatus("t1");
  assert.equal(r.ok, true);
  assert.equal(s.calls.length, 4);
  assert.ok(s.calls[1].at - s.calls[0].at >= 190, `Retry-After honoured: ${s.calls[1].at - s.calls[0].at} ms`);
  assert.ok(s.calls[2].at - s.calls[1].at >= 1500, "second backoff ≥ 1600 ms minus timer slack");

  const date = new Date(Date.now() + 1500).toUTCString();
  const d = scripted(json(429, { status: "FAILED" }, { "retry-after": date }), json(200, { status: "PROGRESS" }));
  const dr = await client(d.fetch).getStatus("t1");
  assert.equal(dr.ok, true);
  assert.ok(d.calls[1].at - d.calls[0].at >= 400, "HTTP-date Retry-After waited");

  const exhausted = scripted(...Array(4).fill(0).map(() => json(429, { status: "FAILED" }, { "retry-after": "0" })));
  const ex = await client(exhausted.fetch, { maxRetries: 3 }).getStatus("t1");
  assert.equal(ex.errorCode, "RATE_LIMITED");
  assert.equal(exhausted.calls.length, 4, "1 try + maxRetries");
  assert.equal(ex.retryAfter, 0);

  const huge = scripted(json(429, { status: "FAILED" }, { "retry-after": "3600" }));
  const t0 = Date.now();
  const hr = await client(huge.fetch, { maxRetryAfterMs: 5000 }).getStatus("t1");
  assert.equal(hr.errorCode, "RATE_LIMITED");
  assert.equal(hr.retryAfter, 3600, "the server's hint is reported, not waited");
  assert.ok(Date.now() - t0 < 1000);

  const cancel = scripted(json(503, { status: "FAILED" }));
  assert.equal((await client(cancel.fetch).cancelTask("t1")).errorCode, "UPSTREAM_ERROR");
  assert.equal(cancel.calls.length, 1, "cancel is never retried");

  // Every create carries an idempotency key; a lost answer (a 503 may follow a commit) is
  // first looked for in the task list, then retried with the same key.
  const create = scripted(json(503, { status: "FAILED" }), json(200, { tasks: [] }), json(200, { status: "SUBMITTED", taskId: "t9", creditsCharged: 15, idempotentReplay: true }));
  const cr = await client(create.fetch).createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  assert.equal(cr.ok, true);
  assert.deepEqual(create.calls.map((c) => new URL(c.url).pathname), ["/api/v1/generate/t2v", "/api/v1/tasks", "/api/v1/generate/t2v"]);
  const keys = create.calls.filter((c) => c.url.includes("/generate/")).map((c) => c.init.headers["idempotency-key"]);
  assert.ok(keys[0] && keys[0] === keys[1], `same key on the retry: ${keys}`);
});

/** A fetch double that answers by path: creates from `creates`, the task list from `list`. */
function routed(creates, list) {
  const calls = [];
  const fetch = (url, init) => {
    calls.push({ url, init });
    if (url.includes("/api/v1/tasks") && init.method === "GET") return typeof list === "function" ? list() : list;
    const step = creates.shift();
    if (!step) throw new Error(`unexpected call ${url}`);
    return typeof step === "function" ? step(url, init) : step;
  };
  return { fetch, calls, creates: () => calls.filter((c) => c.url.includes("/generate/")) };
}

test("a create whose answers are all lost: a list showing nothing makes it a plain failure, a failing list says how to get the task back", async () => {
  const lost = () => Promise.reject(new TypeError("fetch failed"));
  const payload = { prompt: "a", aspectRatio: "16:9", duration: "5" };
  const s = routed([lost, lost, lost, lost], () => json(200, { tasks: [] }));
  const r = await client(s.fetch, { maxRetries: 3 }).createGeneration("t2v", payload);
  assert.equal(r.errorCode, "NETWORK_ERROR");
  assert.equal(s.creates().length, 4, "1 try + 3 retries");
  assert.equal(s.calls.length, 8, "each lost answer was looked for in the task list, the last one too");
  assert.equal(r.data, null, "the list showed no task: nothing was created, nothing 'may have been'");
  // The list fails too: the create stops at once (never sent blind) and says how to recover.
  let listOk = false;
  const f = routed([lost, json(200, { status: "SUBMITTED", taskId: "t7", creditsCharged: 15, idempotentReplay: true })],
    () => (listOk ? json(200, { tasks: [] }) : json(503, { status: "FAILED", message: "down" })));
  const c = client(f.fetch, { maxRetries: 1 });
  const m = await c.createGeneration("t2v", payload);
  assert.equal(m.data.maybeCreated, true, JSON.stringify(m));
  assert.equal(f.creates().length, 1, "not sent again while nothing shows whether it was created");
  assert.equal(m.data.idempotencyKey, f.calls[0].init.headers["idempotency-key"]);
  assert.equal(m.data.handle.idempotencyKey, m.data.idempotencyKey);
  assert.match(m.errorMessage, /nothing was sent again/);
  // Later the list answers and holds no such task: the same key is sent again, and replayed.
  listOk = true;
  const again = await c.createGeneration("t2v", payload, { idempotencyKey: m.data.idempotencyKey });
  assert.equal(again.ok, true, JSON.stringify(again));
  assert.equal(again.data.idempotentReplay, true);
  assert.equal(f.creates()[1].init.headers["idempotency-key"], m.data.idempotencyKey);
});

test("unreadable create answers, creates naming no task, overlapping lost creates and look-alike models never make a second charge", async () => {
  const payload = { prompt: "hostile answers", aspectRatio: "16:9", duration: "5" };
  const down = () => json(503, { status: "FAILED", message: "down" });
  // A 2xx the client cannot read, or one naming no task, after the server took the create:
  // with the list down, the create stops (maybe created) instead of going again.
  for (const bad of [() => new Response("<html>ok</html>", { status: 200, headers: { "content-type": "text/html" } }), () => json(200, { status: "SUBMITTED" }), () => json(200, { taskId: 42 })]) {
    const s = routed([bad, bad, bad], down);
    const r = await client(s.fetch, { maxRetries: 1 }).createGeneration("t2v", payload);
    assert.equal(r.data && r.data.maybeCreated, true, JSON.stringify(r));
    assert.equal(s.creates().length, 1, "not sent again");
  }
  // Three keys, one payload, every answer lost at once: each adopts its own task.
  const listed = ["t1", "t2", "t3"].map((id) => ({ id, model: "t2v", createdAt: new Date().toISOString(), input: payload, idempotencyKey: null, status: "SUBMITTED", creditsCharged: 15 }));
  const lost = () => Promise.reject(new TypeError("fetch failed"));
  const s = routed([lost, lost, lost], () => json(200, { tasks: listed }));
  const c = client(s.fetch, { maxRetries: 1 });
  const got = await Promise.all(["key-one-00001", "key-two-00002", "key-three-0003"].map((k) => c.createGeneration("t2v", payload, { idempotencyKey: k })));
  assert.deepEqual(got.map((r) => r.taskId).sort(), ["t1", "t2", "t3"], JSON.stringify(got.map((r) => r.taskId)));
  assert.equal(c.spentCredits, 45);
  // Another model that shares the prefix (t2v_v3 takes the same payload) is not this create's.
  const other = [{ ...listed[0], model: "t2v_v3" }];
  const m = routed([lost, json(200, { status: "SUBMITTED", taskId: "t9", creditsCharged: 15 })], () => json(200, { tasks: other }));
  const r = await client(m.fetch, { maxRetries: 1 }).createGeneration("t2v", payload);
  assert.equal(r.taskId, "t9", JSON.stringify(r));
});

test("a server that ignores Idempotency-Key: the lost create is found in the task list, not sent again", async () => {
  const payload = { prompt: "found again", aspectRatio: "16:9", duration: "5" };
  const committedThenLost = () => Promise.reject(new TypeError("fetch failed (ECONNRESET)"));
  const listed = { id: "t5", model: "t2v", createdAt: new Date().toISOString(), input: payload, idempotencyKey: null, status: "SUBMITTED", creditsCharged: 15 };
  const s = routed([committedThenLost], () => json(200, { tasks: [listed] }));
  const c = client(s.fetch, { maxRetries: 3 });
  const r = await c.createGeneration("t2v", payload);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.taskId, "t5");
  assert.equal(r.data.reconciled, true);
  assert.equal(s.creates().length, 1, "never sent twice");
  assert.equal(c.spentCredits, 15);
  // A 429 creates nothing: no "may have been created".
  const limited = routed([json(429, { status: "FAILED", errorCode: "RATE_LIMITED" }, { "retry-after": "0" }), json(429, { status: "FAILED" }, { "retry-after": "0" })], json(200, { tasks: [] }));
  const l = await client(limited.fetch, { maxRetries: 1 }).createGeneration("t2v", payload);
  assert.equal(l.errorCode, "RATE_LIMITED");
  // What the server said stays in data; nothing says the task may exist.
  assert.deepEqual(l.data, { body: { status: "FAILED" } }, "no maybeCreated after answered 429s");
  assert.equal(limited.calls.length, 2, "no list lookup: nothing was lost");
});

test("abort before, during a request, and during a retry wait; per-call timeout", async () => {
  const before = new AbortController();
  before.abort();
  const s0 = scripted();
  const r0 = await client(s0.fetch).getStatus("t1", { signal: before.signal });
  assert.equal(r0.errorCode, "ABORTED");
  assert.equal(s0.calls.length, 0, "nothing sent");

  const during = new AbortController();
  const s1 = scripted(hang);
  setTimeout(() => during.abort(), 100);
  const r1 = await client(s1.fetch).getTask("t1", { signal: during.signal });
  assert.equal(r1.errorCode, "ABORTED");
  assert.equal(r1.taskId, "t1");

  const inWait = new AbortController();
  const s2 = scripted(json(429, { status: "FAILED" }, { "retry-after": "30" }));
  const t0 = Date.now();
  setTimeout(() => inWait.abort(), 100);
  const r2 = await client(s2.fetch).getStatus("t1", { signal: inWait.signal });
  assert.equal(r2.errorCode, "ABORTED");
  assert.ok(Date.now() - t0 < 2000, "the 30 s wait was cut short");

  const s3 = scripted(hang);
  const t1 = Date.now();
  const r3 = await client(s3.fetch, { maxRetries: 0 }).getStatus("t1", { timeoutMs: 150 });
  assert.equal(r3.errorCode, "NETWORK_ERROR");
  assert.match(r3.errorMessage, /150 ms/);
  assert.ok(Date.now() - t1 >= 140);
});

test("bad input is an envelope or a TypeError naming the option, and never leaks the key", async () => {
  const c = client(scripted().fetch);
  for (const id of ["", "x".repeat(129), "a\u0000b", 42, null]) {
    const r = await c.getStatus(id);
    assert.equal(r.errorCode, "INVALID_ARGUMENT", String(id));
  }
  const bad = await c.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: 5 });
  assert.equal(bad.errorCode, "INVALID_PAYLOAD");
  assert.deepEqual(bad.data.details.map((d) => d.field), ["duration"]);
  const unknown = await c.createGeneration("sora", {});
  assert.equal(unknown.errorCode, "INVALID_MODEL");
  assert.equal((await c.getStatus("t1", { timeoutMs: -5 })).errorCode, "INVALID_ARGUMENT");
  assert.equal((await c.getStatus("t1", { signal: "nope" })).errorCode, "INVALID_ARGUMENT");
  assert.equal((await c.getStatus("t1", { bogus: 1 })).errorCode, "INVALID_ARGUMENT");
  for (const [opts, name] of [[{ baseUrl: "http://api.example.com" }, "baseUrl"], [{ timeoutMs: 0 }, "timeoutMs"], [{ maxRetries: -1 }, "maxRetries"], [{ fetch: 5 }, "fetch"], [{ timeout: 5 }, "timeout"], [{ onLog: "x" }, "onLog"]]) {
    assert.throws(() => lib.createClient({ apiKey: KEY, ...opts }), (e) => e instanceof TypeError && e.message.includes(name) && !e.message.includes(KEY));
  }
  assert.throws(() => lib.clientFromEnv({}), /AIVIDEO_API_KEY/);
  assert.throws(() => lib.clientFromEnv({ AIVIDEO_API_KEY: KEY, AIVIDEO_TIMEOUT_MS: "soon" }), /AIVIDEO_TIMEOUT_MS/);
  const fromEnv = lib.clientFromEnv({ AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: "http://127.0.0.1:9", AIVIDEO_MAX_RETRIES: "0" }, { fetch: scripted(json(200, { status: "PROGRESS" })).fetch });
  assert.equal((await fromEnv.getStatus("t1")).ok, true);
  // A server echoing the key in its error text does not get it into the envelope.
  const echo = await client(scripted(json(401, { status: "FAILED", message: `key ${KEY} is disabled` })).fetch).getAccount();
  assert.ok(!echo.errorMessage.includes(KEY) && echo.errorMessage.includes("ak_…6789"));
  // onLog gets redacted lines.
  const lines = [];
  await client(scripted(json(200, { status: "PROGRESS" })).fetch, { onLog: (l) => lines.push(l) }).getStatus("t1");
  assert.equal(lines.length, 1);
  assert.ok(lines[0].startsWith("GET https://api.test/api/v1/tasks/t1/status") && !lines[0].includes(KEY), lines[0]);
});

test("no timer outlives its promise: the process exits promptly", () => {
  const script = `
    const lib = await import(${JSON.stringify(new URL("../artifacts/consumer/node_modules/aivideo/node.js", import.meta.url).href)});
    const json = (s, b, h = {}) => new Response(JSON.stringify(b), { status: s, headers: h });
    let n = 0;
    const fetch = () => [json(429, {}, { "retry-after": "0.05" }), json(200, { status: "PROGRESS" })][n++ % 2];
    const c = lib.createClient({ apiKey: "ak_x_0123456789", baseUrl: "https://api.test", fetch, timeoutMs: 60000 });
    const ctrl = new AbortController();
    await c.getStatus("t1", { signal: ctrl.signal });
    await c.getTask("t1");
    const timers = process.getActiveResourcesInfo().filter((r) => r === "Timeout");
    console.log(JSON.stringify({ timers: timers.length }));
  `;
  const t0 = Date.now();
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30000 });
  const took = Date.now() - t0;
  assert.equal(p.status, 0, p.stderr);
  assert.deepEqual(JSON.parse(p.stdout.trim()), { timers: 0 });
  assert.ok(took < 20000, `exited after ${took} ms despite a 60 s timeout`);
});

// A data URI over 64 Ki characters is checked in JS and kept there: the body is a Blob of
// the text around it and the caller's string. What arrives must be the exact JSON, a
// derived key must cover every byte, and a retry must send the same body again.
test("a long data URI is sent exactly, keyed by its content, and resent on a retry", async () => {
  const uri = `data:image/png;base64,${Buffer.alloc(150000, 5).toString("base64")}`;
  const bodies = [];
  const keys = [];
  const answers = [json(503, { error: "busy" }, { "retry-after": "0" }), ...["t1", "t2", "t3"].map((id) => json(200, { status: "SUBMITTED", taskId: id, creditsCharged: 15, idempotentReplay: false }))];
  // Creates answer in turn; the task list (read to check a create that failed) is empty.
  const s = { fetch: async (url, init) => {
    if (init.method !== "POST") return json(200, { tasks: [] });
    assert.ok(init.body instanceof Blob, "the body holds the caller's string, not a copy made in the wasm");
    bodies.push(await init.body.text());
    keys.push(new Headers(init.headers).get("idempotency-key"));
    return answers.shift();
  } };
  const c = client(s.fetch, { maxRetries: 2 });
  const payload = { image: uri, duration: "5", prompt: "a \"quoted\" fox" };
  const r = await c.createGeneration("i2v", payload, { idempotencyKey: "derived" });
  assert.equal(r.ok, true, r.errorMessage);
  assert.equal(bodies.length, 2);
  assert.deepEqual(JSON.parse(bodies[0]), payload);
  assert.equal(bodies[1], bodies[0]);
  assert.equal(keys[1], keys[0]);
  // The same payload through a short string gives the same key (sent by another client: this
  // one knows the key's task and would read it); one byte more, another.
  const again = await client(s.fetch, { maxRetries: 2 }).createGeneration("i2v", { ...payload, image: uri.slice(0) }, { idempotencyKey: "derived" });
  assert.equal(again.ok, true);
  assert.equal(keys[2], keys[0]);
  const other = await c.createGeneration("i2v", { ...payload, image: `${uri.slice(0, -4)}BBBB` }, { idempotencyKey: "derived" });
  assert.equal(other.ok, true);
  assert.notEqual(keys[3], keys[0]);
  assert.equal(JSON.parse(bodies[3]).image, `${uri.slice(0, -4)}BBBB`);
});

test("a setup error left uncaught in Node prints its message, not the glue's minified line", async () => {
  const { spawnSync } = await import("node:child_process");
  const { pkgDir } = await import("./pkg.mjs");
  const entry = new URL("node.js", pkgDir).href;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import { createClient } from ${JSON.stringify(entry)}; createClient({});`], { encoding: "utf8", env: { PATH: process.env.PATH } });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /TypeError: aivideo: no apiKey/);
  assert.ok(r.stderr.length < 4000, `${r.stderr.length} bytes on stderr (the glue's line made it 28 KB)`);
});

// What a user sees when the key is missing: the message first, not a page of minified glue
// (Node prints the whole source line of an uncaught throw). ES modules and CommonJS, a thrown
// TypeError from the client and one from inside the glue (a bad option reaching the wasm).
test("a missing key in a Node script prints the message in under 3 KB, ESM and CommonJS", () => {
  const dir = new URL("../artifacts/consumer/", import.meta.url).pathname;
  const cases = [
    ["esm", ["--input-type=module", "-e", `import { createClient } from "aivideo"; createClient({});`]],
    ["cjs", ["-e", `require("aivideo").createClient({});`]],
    ["esm clientFromEnv", ["--input-type=module", "-e", `import { clientFromEnv } from "aivideo"; clientFromEnv({});`]],
  ];
  for (const [name, args] of cases) {
    const p = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 30000, env: { ...process.env, AIVIDEO_API_KEY: "" } });
    assert.notEqual(p.status, 0, name);
    assert.match(p.stderr, /no apiKey|AIVIDEO_API_KEY/, `${name}: ${p.stderr.slice(0, 500)}`);
    assert.ok(p.stderr.length < 3000, `${name}: ${p.stderr.length} bytes on stderr`);
    assert.ok(p.stderr.split("\n").every((l) => l.length < 600), `${name}: a line of ${Math.max(...p.stderr.split("\n").map((l) => l.length))} characters`);
  }
});
