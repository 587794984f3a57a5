// waitForTask and runWorkflow in Node with real timers against the simulator on a compressed
// clock (1 simulated second = 1 real ms): completion, failure, cancel, abort mid-sleep,
// deadline, unknown statuses, transient errors, resumable handles and batch polling.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/server.mjs";
import { lib } from "./pkg.mjs";

const SCALE = 0.001;
const KEY = "ak_test_alice_0000000001";
const T2V = { prompt: "a fox", aspectRatio: "16:9", duration: "5" };
let sim;
before(async () => { sim = await startSimulator({ timeScale: SCALE, rateLimitPerMinute: 0 }); });
after(() => sim.close());
const client = (extra = {}) => lib.createClient({ apiKey: KEY, baseUrl: sim.url, timeoutMs: 2000, ...extra });
const W = { timeScale: SCALE };

test("runWorkflow: validate → create → wait → the finished task with its video URL", async () => {
  await sim.reset();
  const events = [];
  const r = await client().runWorkflow("t2v", T2V, { ...W, onProgress: (e) => events.push(e) });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, "COMPLETED");
  assert.match(r.data.output.url, /\/files\/.+\.mp4$/);
  assert.ok(r.data.expiresAt);
  assert.equal(r.data.submitted.taskId, r.taskId);
  const video = await fetch(r.data.output.url);
  assert.equal(video.status, 200);
  assert.ok(events.length >= 2);
  assert.deepEqual(Object.keys(events[0]).sort(), ["changed", "elapsedMs", "expectedMs", "listSkipped", "nextPollInMs", "polls", "remainingMs", "source", "status", "taskId"]);
  assert.equal(events.at(-1).status, "COMPLETED");
  assert.ok(events.some((e) => e.changed));
  const log = await sim.log();
  const polls = log.filter((e) => e.endpoint === "status").length;
  assert.ok(polls <= 20, `default schedule polls sparingly: ${polls}`);
});

test("failure is GENERATION_FAILED with the task's error text and the taskId", async () => {
  await sim.reset();
  await sim.configure({ failRate: 1 });
  try {
    const r = await client().runWorkflow("t2v", T2V, W);
    assert.equal(r.ok, false);
    assert.equal(r.errorCode, "GENERATION_FAILED");
    assert.match(r.errorMessage, /could not render/);
    assert.ok(r.taskId);
    assert.equal(r.data.creditsRefunded, 15);
  } finally {
    await sim.configure({ failRate: 0 });
  }
});

test("a task cancelled elsewhere ends as CANCELLED", async () => {
  await sim.reset();
  const c = client();
  const created = await c.createGeneration("i2v_v3", { image: "https://x.test/a.png", duration: "20" });
  const waiting = c.waitForTask(created.data.handle, { ...W, intervalMs: 30 });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal((await c.cancelTask(created.taskId)).ok, true);
  const r = await waiting;
  assert.equal(r.errorCode, "CANCELLED");
  assert.equal(r.status, "CANCEL");
  assert.equal(r.taskId, created.taskId);
  // The task as it ended, as for any other ending (its refund included), not null.
  assert.equal(r.data.id, created.taskId);
  assert.equal(r.data.status, "CANCEL");
  assert.equal(typeof r.data.creditsRefunded, "number");
});

test("abort mid-sleep resolves at once; cancelOnAbort cancels a task still SUBMITTED", async () => {
  await sim.reset();
  const c = client();
  const created = await c.createGeneration("t2v_v3", { prompt: "x", aspectRatio: "1:1", duration: "20" });
  await fetch(`${sim.url}/__sim/tasks/${created.taskId}/force`, { method: "POST", body: JSON.stringify({ status: "SUBMITTED" }) });
  const ctrl = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ctrl.abort(), 30);
  const r = await c.waitForTask(created.taskId, { intervalMs: 60_000, signal: ctrl.signal, cancelOnAbort: true });
  assert.ok(Date.now() - t0 < 1000, "did not sleep out the 60 s interval");
  assert.equal(r.errorCode, "ABORTED");
  assert.equal(r.taskId, created.taskId);
  assert.equal(r.data.cancelled, true);
  const t = await c.getTask(created.taskId);
  assert.equal(t.data.status, "CANCEL");
  assert.equal(t.data.creditsRefunded, t.data.creditsCharged);
  // Without cancelOnAbort the task is left alone.
  const other = await c.createGeneration("t2v_v3", { prompt: "y", aspectRatio: "1:1", duration: "20" });
  const ctrl2 = new AbortController();
  setTimeout(() => ctrl2.abort(), 20);
  const r2 = await c.waitForTask(other.taskId, { intervalMs: 60_000, signal: ctrl2.signal });
  assert.equal(r2.errorCode, "ABORTED");
  assert.notEqual((await c.getStatus(other.taskId)).status, "CANCEL");
});

test("deadline gives POLL_TIMEOUT carrying the taskId; a later wait on the handle finishes it", async () => {
  await sim.reset();
  const c = client();
  const created = await c.createGeneration("i2v_v3", { image: "https://x.test/a.png", duration: "5" });
  const r = await c.waitForTask(created.taskId, { ...W, maxWaitMs: 100 });
  assert.equal(r.errorCode, "POLL_TIMEOUT");
  assert.equal(r.taskId, created.taskId);
  assert.ok(r.suggestions.some((s) => /not lost/.test(s)));
  // Resume from the JSON-serialized handle, as a restarted Worker would.
  const handle = JSON.parse(JSON.stringify(created.data.handle));
  const done = await c.waitForTask(handle, W);
  assert.equal(done.ok, true, JSON.stringify(done));
});

test("unknown statuses keep polling; transient errors back off and recover", async () => {
  await sim.reset();
  const c = client();
  const created = await c.createGeneration("t2v", T2V);
  await sim.faults(
    { endpoint: "status", kind: "unknown_status", status: "QUEUED", times: 2 },
    { endpoint: "status", kind: "status", status: 503, after: 2, times: 1 },
    { endpoint: "status", kind: "html", after: 3, times: 1 },
    { endpoint: "status", kind: "reset", after: 4, times: 1 },
  );
  const seen = [];
  const r = await c.waitForTask(created.taskId, { intervalMs: 20, onProgress: (e) => seen.push(e.status) });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok(seen.includes("QUEUED"), seen.join(","));
});

test("non-transient poll errors end the wait with the taskId", async () => {
  await sim.reset();
  const r = await client().waitForTask("task_missing_123", { intervalMs: 10 });
  assert.equal(r.errorCode, "TASK_NOT_FOUND");
  assert.equal(r.taskId, "task_missing_123");
  const bad = await client().waitForTask({ nope: 1 });
  assert.equal(bad.errorCode, "INVALID_ARGUMENT");
});

test("several waits poll together: one GET /tasks per tick, not one call per task", async () => {
  await sim.reset();
  const c = client();
  const ids = [];
  for (let i = 0; i < 8; i++) ids.push((await c.createGeneration("t2v", { ...T2V, prompt: `task ${i}` })).taskId);
  const results = await Promise.all(ids.map((id) => c.waitForTask(id, { intervalMs: 40 })));
  assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)));
  const log = await sim.log();
  const lists = log.filter((e) => e.endpoint === "tasks").length;
  const statuses = log.filter((e) => e.endpoint === "status").length;
  const tasks = log.filter((e) => e.endpoint === "task").length;
  assert.ok(lists >= 1, "list calls used");
  // Each wait still asks its own task every 6th tick (a lagging list is caught), and a task
  // seen finished that way is read once: still far fewer requests than one loop per task.
  assert.ok(lists + statuses + tasks < ids.length * 5, `requests: ${lists} lists + ${statuses} status + ${tasks} task reads for ${ids.length} tasks`);
  // (What batching saves at realistic intervals is measured by `make bench`: 30 tasks on one
  // client against one loop per task.)
});

test("the rate budget spaces query calls: no 429 from a 60/min server even with a burst of waits", async () => {
  await sim.reset();
  // The server allows 60 per simulated minute = 600 per real minute at 1:10; so does the client.
  await sim.configure({ rateLimitPerMinute: 60, timeScale: 0.1 });
  try {
    const c = client({ rateLimitPerMinute: 600 });
    const t0 = Date.now();
    const calls = [];
    for (let i = 0; i < 12; i++) calls.push(c.getAccount());
    const rs = await Promise.all(calls);
    assert.ok(rs.every((r) => r.ok), JSON.stringify(rs.find((r) => !r.ok)));
    const limited = (await sim.log()).filter((e) => e.endpoint === "account");
    assert.equal(limited.length, 12, "no retries were needed");
    // 5 at once, the other 7 spread at 595/min: at least ~700 ms.
    assert.ok(Date.now() - t0 >= 650, `calls were spread out over ${Date.now() - t0} ms`);
  } finally {
    await sim.configure({ rateLimitPerMinute: 0, timeScale: SCALE });
  }
});
