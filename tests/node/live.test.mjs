// The client against the simulator's `live` profile: a server that is not the contract as
// written, but the service as integrators report it (no Idempotency-Key support, X-Max-Credits
// not enforced, a task list that lags behind per-task status, tRPC-style 5xx bodies, no lv,
// endpoints that may be missing). Money safety and waiting must hold all the same.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { lib } from "./pkg.mjs";
import { startSimulator } from "../../sim/server.mjs";

const KEY = "ak_test_alice_0000000001";
const SCALE = 0.001;
const T2V = { prompt: "a fox on a live server", aspectRatio: "16:9", duration: "5" };
let sim;
before(async () => { sim = await startSimulator({ timeScale: SCALE, rateLimitPerMinute: 0, profile: "live" }); });
after(() => sim.close());

const client = (extra = {}) => lib.createClient({ apiKey: KEY, baseUrl: sim.url, timeoutMs: 2000, rateLimitWindowMs: 60000 * SCALE, ...extra });
const ctl = (path, body, method = "POST") => fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json());
// The stable codes as README.md's error table lists them.
const README_CODES = new Set([...readFileSync(new URL("../../README.md", import.meta.url), "utf8").matchAll(/^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)? \|/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
const seen = [];
const note = (env) => { if (env.errorCode) seen.push(env.errorCode); return env; };

test("concurrent waits on one client all complete although the task list lags", async () => {
  await sim.reset();
  const c = client();
  const created = [];
  for (let i = 0; i < 4; i++) created.push(note(await c.createGeneration("t2v", { ...T2V, prompt: `lagging list ${i}` })));
  assert.ok(created.every((r) => r.ok), JSON.stringify(created.find((r) => !r.ok)));
  const t0 = Date.now();
  const results = await Promise.all(created.map((r) => c.waitForTask(r.data.handle, { timeScale: SCALE })));
  for (const r of results) assert.equal(note(r).status, "COMPLETED", JSON.stringify(r).slice(0, 300));
  // 390 simulated seconds expected (390 ms here): the list never says COMPLETED, the tasks do.
  assert.ok(Date.now() - t0 < 4 * 390 * 1.2 + 1000, `took ${Date.now() - t0} ms`);
  // A task nobody read stays SUBMITTED in the list, whatever it really is.
  const unread = note(await c.createGeneration("t2v", { ...T2V, prompt: "never read" }));
  await ctl(`/__sim/tasks/${unread.taskId}/force`, { status: "COMPLETED" });
  const listed = (await c.listTasks()).data.tasks.find((t) => t.id === unread.taskId);
  assert.equal(listed.status, "SUBMITTED", "the list really lags in this profile");
});

test("a create whose answer is lost is charged once, though the server ignores Idempotency-Key", async () => {
  for (const fault of [{ kind: "reset_after_commit" }, { kind: "status_after_commit", status: 502 }]) {
    await sim.reset();
    await ctl("/__sim/faults", { faults: [{ endpoint: "generate", ...fault }] });
    const r = note(await client({ timeoutMs: 1000 }).createGeneration("t2v", T2V));
    const ledger = await ctl("/__sim/ledger", undefined, "GET");
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.data.reconciled, true, "found in the task list, not created again");
    assert.equal(ledger.tasks.length, 1, `${fault.kind}: one task`);
    assert.equal(r.taskId, ledger.tasks[0].id);
  }
  // The maybeCreated recovery path: every answer lost, then the same payload with the failed
  // envelope's handle (later, another process even): the task is found in the list, not
  // created twice. The key alone, in a client that never sent it, adopts nothing.
  await sim.reset();
  // (Out of retries, one look in the list would find it: so the list fails this once too.)
  await ctl("/__sim/faults", { faults: [{ endpoint: "generate", kind: "reset_after_commit" }, { endpoint: "tasks", kind: "status", status: 503 }] });
  const lost = note(await client({ maxRetries: 0 }).createGeneration("t2v", { ...T2V, prompt: "recovered later" }));
  assert.equal(lost.data.maybeCreated, true, JSON.stringify(lost));
  const recovered = note(await client().createGeneration("t2v", { ...T2V, prompt: "recovered later" }, { handle: lost.data.handle }));
  assert.equal(recovered.ok && recovered.data.reconciled, true, JSON.stringify(recovered));
  assert.equal((await ctl("/__sim/ledger", undefined, "GET")).tasks.length, 1, "one task, though the server ignores keys");

  // Two deliberate identical creates are two generations.
  await sim.reset();
  const c = client();
  const [a, b] = [note(await c.createGeneration("t2v", T2V)), note(await c.createGeneration("t2v", T2V))];
  assert.ok(a.ok && b.ok && a.taskId !== b.taskId);
});

test("refused cancels, missing endpoints, budgets the server does not enforce, tRPC errors", async () => {
  await sim.reset();
  const c = client({ maxRetries: 0 });
  const started = note(await c.createGeneration("t2v", { ...T2V, prompt: "already running" }));
  await ctl(`/__sim/tasks/${started.taskId}/force`, { status: "PROGRESS" });
  const cancel = note(await c.cancelTask(started.taskId));
  assert.equal(cancel.errorCode, "TASK_NOT_CANCELLABLE", JSON.stringify(cancel));

  await ctl("/__sim/config", { dropAccount: true, dropQuote: true });
  try {
    const account = note(await c.getAccount());
    assert.equal(account.errorCode, "UNSUPPORTED_BY_SERVER", JSON.stringify(account));
    const before = (await ctl("/__sim/ledger", undefined, "GET")).tasks.length;
    const seed = note(await c.createGeneration("seedance20", { prompt: "x", duration: 5, resolution: 720, ratio: "16:9" }, { maxCredits: 500 }));
    assert.equal(seed.errorCode, "UNSUPPORTED_BY_SERVER", "a server-priced model under a budget is refused, not sent unchecked");
    const local = note(await c.createGeneration("t2v", { ...T2V, prompt: "local price" }, { maxCredits: 20, quoteFirst: true }));
    assert.equal(local.ok, true, "no quote endpoint: the local estimate decides");
    const over = note(await c.createGeneration("t2v", { ...T2V, prompt: "over" }, { maxCredits: 10 }));
    assert.equal(over.errorCode, "BUDGET_EXCEEDED", "the local check holds where the server does not enforce X-Max-Credits");
    assert.equal((await ctl("/__sim/ledger", undefined, "GET")).tasks.length, before + 1);
  } finally {
    await ctl("/__sim/config", { dropAccount: false, dropQuote: false });
  }

  await ctl("/__sim/faults", { faults: [{ endpoint: "status", kind: "status", status: 500, message: "Internal tRPC failure", times: 1 }] });
  const trpc = note(await c.getStatus(started.taskId));
  assert.equal(trpc.errorCode, "UPSTREAM_ERROR");
  assert.match(trpc.errorMessage, /Internal tRPC failure/, "the message survives the tRPC shape");
  const lv = note(await c.createGeneration("lv", { image: "https://x.test/a.png", prompt: ["a"] }));
  assert.equal(lv.errorCode, "INVALID_MODEL", "lv is gone from the live service");
  const account = (await lib.createClient({ apiKey: KEY, baseUrl: sim.url }).getAccount()).data;
  assert.equal(account.apiVersion, "v1");
});

test("the CLI runs a workflow against the live profile", async () => {
  const bin = new URL("../artifacts/consumer/node_modules/.bin/aivideo", import.meta.url).pathname;
  // Async: the simulator runs in this process and must keep answering.
  const { code, stdout } = await new Promise((resolve) => {
    const p = spawn(bin, ["--model", "t2v", "--payload", JSON.stringify({ ...T2V, prompt: "cli on live" }), "--time-scale", String(SCALE)], {
      env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url },
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (c) => resolve({ code: c, stdout: out }));
  });
  const out = JSON.parse(stdout);
  assert.equal(out.status, "COMPLETED", stdout.slice(0, 400));
  assert.equal(code, 0);
});

test("every error code seen against the live profile is in README's table", () => {
  assert.ok(seen.length >= 5, seen.join(","));
  for (const code of seen) assert.ok(README_CODES.has(code), `${code} is not in README's error table (${[...README_CODES].join(", ")})`);
});
