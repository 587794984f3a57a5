// Money safety on the simulator's `live` profile (keys ignored, a lagging list that carries
// every task's input), as users run it: the library, the CLI with its journal, and the proxy
// in front of the browser's client. The invariant under test (README, "Money safety"): a
// create is sent again only when the server is known to deduplicate it or a successful list
// read shows no task of it; a key never sent adopts nothing; so one logical create is at most
// one task whatever the task list does, and a new key is always a new generation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { readFileSync } from "node:fs";
import { tempDir } from "./tmp.mjs";
import { join } from "node:path";
import { lib, proxyLib } from "./pkg.mjs";
import { startSimulator } from "../../sim/server.mjs";

const KEY = "ak_test_alice_0000000001";
const SCALE = 0.001;
const T2V = { aspectRatio: "16:9", duration: "5" }; // 15 credits
const OUTAGE = { endpoint: "*", kind: "outage", times: 1e9 };
let sim;
before(async () => { sim = await startSimulator({ timeScale: SCALE, rateLimitPerMinute: 0, profile: "live" }); });
after(() => sim.close());

const client = (extra = {}) => lib.createClient({ apiKey: KEY, baseUrl: sim.url, timeoutMs: 2000, maxRetries: 1, rateLimitWindowMs: 60000 * SCALE, ...extra });
const clearFaults = () => fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
/** The simulator's ledger: the tasks made for one prompt, and the creates that reached it. */
const tasksFor = async (prompt) => (await sim.ledger()).tasks.filter((t) => t.input.prompt === prompt);
const creates = async () => (await sim.log()).filter((e) => e.endpoint === "generate").length;

test("library: every create answer lost and the list failing leaves at most one task, and the handle gets it back", async () => {
  await sim.reset();
  await sim.faults(OUTAGE);
  const payload = { ...T2V, prompt: "outage, library" };
  const c = client();
  const first = await c.createGeneration("t2v", payload);
  assert.equal(first.ok, false);
  assert.equal(first.data.maybeCreated, true, JSON.stringify(first));
  assert.equal(first.data.handle.idempotencyKey, first.data.idempotencyKey);
  assert.equal(first.data.handle.taskId, null);
  assert.match(first.errorMessage, /nothing was sent again/);
  // Again on the same client (the key is in its ledger), and from "another process" (a new
  // client with the handle): the list still fails, so nothing is sent.
  const again = await c.createGeneration("t2v", payload, { idempotencyKey: first.data.idempotencyKey });
  const elsewhere = await client().createGeneration("t2v", payload, { handle: first.data.handle });
  for (const r of [again, elsewhere]) assert.equal(r.data && r.data.maybeCreated, true, JSON.stringify(r));
  assert.equal((await tasksFor(payload.prompt)).length, 1, "one task");
  assert.equal(await creates(), 1, "one create sent in all");
  // The outage ends: the handle adopts that task instead of paying again.
  await clearFaults();
  const back = await client().createGeneration("t2v", payload, { handle: first.data.handle });
  const tasks = await tasksFor(payload.prompt);
  assert.equal(back.ok, true, JSON.stringify(back));
  assert.equal(back.data.reconciled, true);
  assert.deepEqual([tasks.length, back.taskId], [1, tasks[0].id]);

  // One lost answer while the list fails: one task, maybeCreated, never a second create.
  await sim.reset();
  await sim.faults({ endpoint: "generate", kind: "reset_after_commit" }, { endpoint: "tasks", kind: "status", status: 503, times: 1e9 });
  const once = await client().createGeneration("t2v", { ...T2V, prompt: "one lost answer" });
  assert.equal(once.data.maybeCreated, true, JSON.stringify(once));
  assert.equal((await tasksFor("one lost answer")).length, 1);
});

test("library: a new key is always a new generation; the same key on the same client is its task; charges without creditsCharged count", async () => {
  await sim.reset();
  const payload = { ...T2V, prompt: "deliberate repeat" };
  const c = client();
  const a = await c.createGeneration("t2v", payload, { idempotencyKey: "take-one-000001" });
  const b = await c.createGeneration("t2v", payload, { idempotencyKey: "take-two-000002" });
  assert.ok(a.ok && b.ok && a.taskId !== b.taskId, JSON.stringify([a, b]));
  const derived1 = await c.createGeneration("t2v", payload, { idempotencyKey: "derived", idempotencyScope: "s1" });
  const derived2 = await c.createGeneration("t2v", payload, { idempotencyKey: "derived", idempotencyScope: "s2" });
  assert.ok(derived1.ok && derived2.ok && derived1.taskId !== derived2.taskId);
  assert.equal((await tasksFor(payload.prompt)).length, 4, "four keys, four tasks (the server ignores keys)");
  const repeat = await c.createGeneration("t2v", payload, { idempotencyKey: "take-one-000001" });
  assert.equal(repeat.taskId, a.taskId, "the key's task, read, not created again");
  assert.equal(repeat.data.idempotentReplay, true);
  assert.equal((await tasksFor(payload.prompt)).length, 4);
  assert.equal(c.spentCredits, 60, "each task counted once");

  // Two creates under one key at once on one client: the second is refused, nothing sent.
  await sim.faults({ endpoint: "generate", kind: "delay", ms: 200 });
  const [x, y] = await Promise.all([0, 1].map(() => c.createGeneration("t2v", { ...T2V, prompt: "at once" }, { idempotencyKey: "at-once-000001" })));
  assert.deepEqual([x.ok, y.errorCode], [true, "IDEMPOTENCY_CONFLICT"], JSON.stringify([x, y]));
  assert.equal((await tasksFor("at once")).length, 1);

  // The vendor's create answer has no creditsCharged: the estimate is counted, never 0.
  await sim.configure({ omitCreditsCharged: true });
  try {
    const d = client();
    const r = await d.createGeneration("t2v", { ...T2V, prompt: "no charge stated" });
    assert.equal(r.ok, true);
    assert.equal(r.data.creditsCharged, undefined, "the simulator omitted it");
    assert.equal(d.spentCredits, 15);
  } finally {
    await sim.configure({ omitCreditsCharged: false });
  }
});

// ---- the CLI, with its journal ---------------------------------------------------------------

const BIN = new URL("../artifacts/consumer/node_modules/.bin/aivideo", import.meta.url).pathname;
const JOURNAL = join(tempDir("aivideo-journal-"), "journal.json");
function cli(args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, [...args, "--time-scale", String(SCALE)], {
      env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url, AIVIDEO_TIMEOUT_MS: "2000", AIVIDEO_MAX_RETRIES: "1", AIVIDEO_JOURNAL: JOURNAL, ...env },
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      let json = null;
      try { json = JSON.parse(out); } catch {}
      resolve({ code, json, out, err });
    });
  });
}

test("CLI: a run and its rerun during an outage leave at most one task; after it, the rerun finishes that task", async () => {
  await sim.reset();
  await sim.faults(OUTAGE);
  const payload = JSON.stringify({ ...T2V, prompt: "outage, cli" });
  const run = await cli(["--model", "t2v", "--payload", payload]);
  assert.equal(run.code, 1, run.out + run.err);
  assert.equal(run.json.data.maybeCreated, true, run.out);
  const key = run.json.data.idempotencyKey;
  const journal = JSON.parse(readFileSync(JOURNAL, "utf8")).entries.find((e) => e.key === key);
  assert.ok(journal && journal.taskId === null && journal.firstSentAt, "journaled as maybe created");
  const rerun = await cli(["--model", "t2v", "--payload", payload]);
  assert.equal(rerun.json.data.maybeCreated, true, rerun.out);
  assert.equal((await tasksFor("outage, cli")).length, 1, "one task for run + rerun");
  assert.equal(await creates(), 1);
  await clearFaults();
  const after = await cli(["--model", "t2v", "--payload", payload]);
  const tasks = await tasksFor("outage, cli");
  assert.equal(after.json.status, "COMPLETED", after.out.slice(0, 1400) + after.err);
  assert.deepEqual([tasks.length, after.json.taskId], [1, tasks[0].id]);
});

test("CLI: new keys or scopes make new generations; a plain rerun of a finished command returns its task, uncharged", async () => {
  await sim.reset();
  const payload = JSON.stringify({ ...T2V, prompt: "cli repeats" });
  const runs = [];
  for (const extra of [[], ["--idempotency-key", "cli-take-0001"], ["--idempotency-key", "cli-take-0002"], ["--idempotency-scope", "again"]]) {
    const r = await cli(["--model", "t2v", "--payload", payload, ...extra]);
    assert.equal(r.json.status, "COMPLETED", r.out.slice(0, 1400) + r.err);
    runs.push(r.json.taskId);
  }
  assert.equal(new Set(runs).size, 4, "four keys, four tasks");
  const balance = async () => Object.values((await sim.ledger()).balances);
  const before = await balance();
  const rerun = await cli(["--model", "t2v", "--payload", payload]);
  assert.equal(rerun.json.taskId, runs[0], "the first run's task, from the journal");
  assert.equal(rerun.json.status, "COMPLETED");
  assert.equal((await tasksFor("cli repeats")).length, 4);
  assert.deepEqual(await balance(), before, "nothing charged");
});

// ---- the proxy, in front of the browser's client -----------------------------------------------

const ORIGIN = "https://app.example";
function proxied(extra = {}) {
  const handler = proxyLib.createProxyHandler({
    authorize: (req) => ({ userId: req.headers.get("x-user") || "alice" }), apiKey: KEY, baseUrl: sim.url,
    allowedOrigins: [ORIGIN], maxCreditsPerTask: 100, timeoutMs: 2000, ...extra,
  });
  /** The page's client as a user's browser runs it: no key, through the proxy. */
  const browser = (user) => lib.createClient({
    baseUrl: "https://proxy.example", maxRetries: 1,
    fetch: (u, i) => handler(new Request(u, { ...i, headers: { ...i.headers, origin: ORIGIN, "x-user": user } })),
  });
  return { handler, browser };
}

test("proxy: a lost create answer is one task and the browser gets it; during an outage a repeat of its key gets it later", async () => {
  await sim.reset();
  const { browser } = proxied();
  await sim.faults({ endpoint: "generate", kind: "reset_after_commit" });
  const r = await browser("alice").createGeneration("t2v", { ...T2V, prompt: "proxy lost answer" });
  const tasks = await tasksFor("proxy lost answer");
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(tasks.length, 1, "one task billed");
  assert.equal(r.status, "SUBMITTED");

  await sim.reset();
  await sim.faults(OUTAGE);
  const page = browser("bob");
  const payload = { ...T2V, prompt: "proxy outage" };
  const lost = await page.createGeneration("t2v", payload);
  assert.equal(lost.ok, false);
  assert.equal(lost.data && lost.data.maybeCreated, true, JSON.stringify(lost));
  assert.ok(!JSON.stringify(lost).includes("px1-"), "the proxy's upstream key stays behind it");
  assert.equal((await tasksFor("proxy outage")).length, 1);
  await clearFaults();
  const back = await page.createGeneration("t2v", payload, { idempotencyKey: lost.data.idempotencyKey });
  const made = await tasksFor("proxy outage");
  assert.equal(back.ok, true, JSON.stringify(back));
  assert.equal(made.length, 1, "the repeat found the task instead of paying again");
  // Another user's identical payload is theirs alone: a new task.
  const carol = await browser("carol").createGeneration("t2v", payload);
  assert.equal(carol.ok, true);
  assert.equal((await tasksFor("proxy outage")).length, 2);
});

test("proxy: the daily quota counts a create whose answer has no creditsCharged", async () => {
  await sim.reset();
  await sim.configure({ omitCreditsCharged: true });
  try {
    const { handler, browser } = proxied({ creditsPerDay: 20 });
    const page = browser("dave");
    const first = await page.createGeneration("t2v", { ...T2V, prompt: "quota 1" });
    assert.equal(first.ok, true, JSON.stringify(first));
    const second = await page.createGeneration("t2v", { ...T2V, prompt: "quota 2" });
    assert.equal(second.errorCode, "BUDGET_EXCEEDED", JSON.stringify(second));
    const usage = await (await handler(new Request("https://proxy.example/api/v1/usage", { headers: { origin: ORIGIN, "x-user": "dave" } }))).json();
    assert.equal(usage.creditsUsedToday, 15, JSON.stringify(usage));
    assert.equal((await sim.ledger()).tasks.length, 1);
  } finally {
    await sim.configure({ omitCreditsCharged: false });
  }
});

/** `handler` (a fetch handler) on a loopback port, for the CLI. */
async function serve(handler) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks);
    const r = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body }));
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

test("CLI through the proxy: a run lost in an outage and its rerun after it make one task", async () => {
  await sim.reset();
  const handler = proxyLib.createProxyHandler({
    authorize: (req) => ({ userId: (req.headers.get("authorization") || "").slice(7) }), allowServerRequests: true,
    apiKey: KEY, baseUrl: sim.url, maxCreditsPerTask: 100, timeoutMs: 2000,
  });
  const proxy = await serve(handler);
  try {
    const env = { AIVIDEO_API_KEY: "", AIVIDEO_PROXY_TOKEN: "frank", AIVIDEO_BASE_URL: proxy.url };
    const payload = JSON.stringify({ ...T2V, prompt: "cli through the proxy" });
    await sim.faults(OUTAGE);
    const run = await cli(["--model", "t2v", "--payload", payload], env);
    assert.equal(run.json.data.maybeCreated, true, run.out + run.err);
    await clearFaults();
    // The proxy does not show its operator's list to the CLI, but says it reconciles keys: the
    // rerun sends the key again, and the proxy finds the task the lost answer made.
    const rerun = await cli(["--model", "t2v", "--payload", payload], env);
    const tasks = await tasksFor("cli through the proxy");
    assert.equal(rerun.json.status, "COMPLETED", rerun.out.slice(0, 1400) + rerun.err);
    assert.equal(tasks.length, 1, "one task");
  } finally {
    await proxy.close();
  }
});

test("agents (aivideo mcp): every create answer lost and the list failing is one task; a restarted server adopts it from the journal", async () => {
  const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const bin = new URL("../artifacts/consumer/node_modules/.bin/aivideo", import.meta.url).pathname;
  const journal = join(tempDir("aivideo-mcp-money-"), "journal.json");
  const agent = async () => {
    const c = new Client({ name: "money-test", version: "1" });
    await c.connect(new StdioClientTransport({ command: bin, args: ["mcp"], stderr: "pipe", env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url, AIVIDEO_TIMEOUT_MS: "2000", AIVIDEO_MAX_RETRIES: "1", AIVIDEO_JOURNAL: journal } }));
    return c;
  };
  await sim.reset();
  await sim.faults(OUTAGE);
  const call = { name: "create_generation", arguments: { model: "t2v", payload: { ...T2V, prompt: "outage, agent" } } };
  let a = await agent();
  try {
    const first = await a.callTool(call);
    assert.equal(first.isError, true);
    assert.equal(first.structuredContent.data.maybeCreated, true, first.content[0].text);
    const again = await a.callTool(call); // the agent retries: the list still fails, nothing is sent
    assert.equal(again.structuredContent.data.maybeCreated, true, again.content[0].text);
  } finally {
    await a.close();
  }
  assert.equal(await creates(), 1, "one create sent in all");
  // The outage ends; a new server process (the agent restarted) finds the key in the journal.
  await clearFaults();
  a = await agent();
  try {
    const back = await a.callTool(call);
    assert.equal(back.isError, false, back.content[0].text);
    assert.equal(back.structuredContent.data.reconciled, true);
    const tasks = await tasksFor("outage, agent");
    assert.deepEqual([tasks.length, back.structuredContent.taskId], [1, tasks[0].id]);
  } finally {
    await a.close();
  }
  assert.equal(await creates(), 1, "still one create");
});
