// The hostile suite: a scripted hostile upstream (tools/hostile-server.mjs) and a table of
// hostile arguments against every export and method. Plain ESM with no imports, so Node and
// Deno run the same assertions. `glue` is the package's aivideo.js (for the instance's
// memory size); `hostileUrl` is the hostile server. Returns { count, failures }.

export const KEY = "ak_test_hostile_0123456789";

export async function runHostile(lib, glue, hostileUrl) {
  let count = 0;
  const failures = [];
  const check = (cond, what, got) => {
    count++;
    if (!cond) failures.push(`${what}${got === undefined ? "" : `: got ${JSON.stringify(got)?.slice(0, 600)}`}`);
  };
  const hits = async () => (await fetch(`${hostileUrl}/__hits`)).json();
  const isEnvelope = (e) => e && typeof e === "object" && "ok" in e && "errorCode" in e && "suggestions" in e;
  const client = (scenario, extra = {}) => lib.createClient({ apiKey: KEY, baseUrl: `${hostileUrl}/${scenario}`, timeoutMs: 3000, maxRetries: 0, ...extra });

  // 1. A long or absurd Retry-After never wedges the client.
  for (const scenario of ["retry-hour", "retry-absurd", "retry-date"]) {
    const c = client(scenario);
    const first = await c.getStatus("t1");
    check(first.errorCode === "RATE_LIMITED" && first.retryAfter > 0 && first.retryAfter <= 86400, `${scenario}: 429 reported with a sane retryAfter`, first);
    const before = (await hits())[scenario];
    const t0 = Date.now();
    const later = await Promise.all([c.getStatus("t1"), c.getTask("t1"), c.listTasks(), c.getAccount()]);
    const took = Date.now() - t0;
    check(later.every((e) => e.errorCode === "RATE_LIMITED" && e.retryAfter > 1000), `${scenario}: later queries answer RATE_LIMITED with retryAfter`, later[0]);
    check(took < 2000, `${scenario}: later queries answer at once instead of sleeping`, took);
    check((await hits())[scenario] === before, `${scenario}: nothing is sent while the budget is held`);
    const w = await c.waitForTask("t1", { maxWaitMs: 1500, intervalMs: 200 });
    check(w.errorCode === "POLL_TIMEOUT" || w.errorCode === "RATE_LIMITED", `${scenario}: a wait ends by its own deadline`, w);
  }

  // 2. Redirects are never followed; the key never leaves the base URL's origin.
  const redirected = await client("redirect").getStatus("t1");
  check(!redirected.ok && /redirect/.test(redirected.errorMessage), "a redirect is a failure with its own message", redirected);
  const created = await client("redirect", { maxRetries: 2 }).createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  check(!created.ok && created.errorCode !== "NETWORK_ERROR", "a redirected create is not retried as a lost answer", created);
  const h = await hits();
  check(!h.catcher, "nothing reached the redirect's target", h);

  // 3. A server echoing the key: masked in every string of the envelope, data included.
  const echo = client("echo-key");
  for (const env of [await echo.getStatus("t1"), await echo.getTask("t1"), await echo.quote("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" })]) {
    check(isEnvelope(env) && !JSON.stringify(env).includes(KEY), "the key is masked everywhere in an envelope", env);
  }
  const logged = [];
  await client("echo-key", { onLog: (l) => logged.push(l) }).listTasks();
  check(logged.length > 0 && !logged.join("\n").includes(KEY), "log lines mask the key", logged);

  // 4. Huge bodies and a gzip bomb: refused past the cap, memory stays bounded.
  const memBefore = glue.__memoryBytes();
  for (const scenario of ["huge", "gzip-bomb"]) {
    const t0 = Date.now();
    const r = await client(scenario).getStatus("t1");
    check(r.errorCode === "UPSTREAM_ERROR" && /larger than/.test(r.errorMessage), `${scenario}: refused past maxResponseBytes`, r);
    check(Date.now() - t0 < 10000, `${scenario}: refused without reading it all`, Date.now() - t0);
  }
  // A string longer than any valid input is refused unread (a 60 MB "prompt").
  const longPrompt = lib.validatePayload("t2v", { prompt: "p".repeat(30 * 1024 * 1024), aspectRatio: "16:9", duration: "5" });
  check(!longPrompt.ok && longPrompt.issues.some((i) => i.path === "prompt" && /characters/.test(i.message)), "a 30 M-character prompt is refused, not copied", longPrompt.issues);
  const grown = glue.__memoryBytes() - memBefore;
  check(grown < 32 * 1024 * 1024, "a 100 MB body grows wasm memory by less than 32 MB", grown);

  // 5. What is validated is what is sent: getters and toJSON run once.
  const bodies = [];
  const stub = lib.createClient({
    apiKey: KEY, baseUrl: "https://api.test", maxRetries: 0,
    fetch: async (url, init) => {
      bodies.push(init.body ? JSON.parse(init.body) : null);
      return new Response(JSON.stringify({ status: "SUBMITTED", taskId: "t1", creditsCharged: 15, idempotentReplay: false }), { status: 200, headers: { "content-type": "application/json" } });
    },
  });
  let reads = 0;
  const shifty = { prompt: "a", aspectRatio: "16:9", get duration() { reads++; return reads === 1 ? "5" : "8"; } };
  const sent = await stub.createGeneration("t2v", shifty);
  check(sent.ok && bodies[0] && bodies[0].duration === "5", "a getter's second answer is not what is sent", bodies[0]);
  class Sneaky { constructor() { Object.assign(this, { prompt: "a", aspectRatio: "16:9", duration: "5" }); } toJSON() { return { ...this, duration: "8" }; } }
  await stub.createGeneration("t2v", new Sneaky(), { idempotencyScope: "sneaky" });
  check(bodies[1] && bodies[1].duration === "5", "an inherited toJSON does not change what is sent", bodies[1]);

  // 6. Local refusals: dot segments, absurd options.
  const calls = bodies.length;
  for (const id of [".", ".."]) {
    for (const m of ["getStatus", "getTask", "cancelTask"]) {
      const r = await stub[m](id);
      check(r.errorCode === "INVALID_ARGUMENT", `${m}("${id}") is refused locally`, r);
    }
  }
  const huge = await stub.getStatus("t1", { timeoutMs: 1e300 });
  check(huge.errorCode === "INVALID_ARGUMENT", "timeoutMs 1e300 is refused like createClient's", huge);
  check(bodies.length === calls, "nothing was sent for refused calls");

  // 7. spentCredits counts every charged task once.
  let n = 0;
  const lossy = lib.createClient({
    apiKey: KEY, baseUrl: "https://api.test", maxRetries: 2,
    fetch: async (url) => {
      // The lost answer is looked for in the list first (it shows nothing), then the create
      // goes again and the server answers it as a replay.
      if (String(url).endsWith("/tasks")) return new Response(JSON.stringify({ tasks: [] }), { status: 200, headers: { "content-type": "application/json" } });
      n++;
      if (n === 1) throw new TypeError("fetch failed (ECONNRESET)");
      return new Response(JSON.stringify({ status: "SUBMITTED", taskId: "t9", creditsCharged: 15, idempotentReplay: true }), { status: 200, headers: { "content-type": "application/json" } });
    },
  });
  const replayed = await lossy.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  check(replayed.ok && lossy.spentCredits === 15, "a replay whose first answer was lost is counted once", lossy.spentCredits);
  await lossy.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  check(lossy.spentCredits === 15, "the same task is not counted twice", lossy.spentCredits);

  // 8. Hostile arguments, against every export and method, many times over.
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trapThrows = new Proxy({}, { ownKeys() { throw new Error("trap"); }, get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
  const arrayTrap = new Proxy([], { get() { throw new Error("trap"); } });
  const getterThrows = { get prompt() { throw new Error("getter"); } };
  const fakeSignal = { get aborted() { throw new Error("aborted getter"); }, addEventListener() { throw new Error("listener"); } };
  const listenerThrows = { aborted: false, addEventListener() { throw new Error("listener"); }, removeEventListener() { throw new Error("remove"); } };
  const cyclic = { prompt: "a" };
  cyclic.self = cyclic;
  let deep = [];
  for (let i = 0; i < 100000; i++) deep = [deep];
  const big = "x".repeat(10 * 1024 * 1024);
  const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "prompt": "a", "aspectRatio": "16:9", "duration": "5"}');
  const values = [revoked.proxy, trapThrows, arrayTrap, getterThrows, cyclic, deep, protoKey, { prompt: big, aspectRatio: "16:9", duration: "5" }, NaN, Infinity, -0, Symbol("s"), 10n, () => 1, null, undefined, "", [], {}];
  const optionBags = [revoked.proxy, trapThrows, getterThrows, { signal: fakeSignal }, { signal: listenerThrows }, { signal: revoked.proxy }, { timeoutMs: NaN }, { timeoutMs: Infinity }, { maxCredits: -1 }, { onProgress: trapThrows }, { maxWaitMs: NaN }, cyclic];
  let threw = 0;
  let rejected = 0;
  let notEnvelope = 0;
  const settle = async (what, fn) => {
    let r;
    try {
      r = fn();
    } catch (e) {
      threw++;
      if (threw <= 3) failures.push(`${what} threw ${e && e.message}`);
      return;
    }
    if (r && typeof r.then === "function") {
      try {
        r = await r;
      } catch (e) {
        rejected++;
        if (rejected <= 3) failures.push(`${what} rejected ${e && e.message}`);
        return;
      }
      if (!isEnvelope(r)) notEnvelope++;
    }
  };
  // No rate budget to wait for: this client's stub answers at once, and the calls are many.
  const quiet = lib.createClient({ apiKey: KEY, baseUrl: "https://api.test", maxRetries: 0, rateLimitPerMinute: 1e6, fetch: async () => new Response('{"status":"PROGRESS"}', { status: 200 }) });
  let calls8 = 0;
  const target = 10000;
  while (calls8 < target) {
    for (const v of values) {
      for (const o of optionBags) {
        if (calls8 >= target) break;
        const i = calls8++ % 13;
        const model = i % 2 ? "t2v" : v;
        switch (i) {
          case 0: await settle("validatePayload", () => lib.validatePayload(model, v, o)); break;
          case 1: await settle("estimateCredits", () => lib.estimateCredits(model, v)); break;
          case 2: await settle("createGeneration", () => quiet.createGeneration(model, v, o)); break;
          case 3: await settle("getStatus", () => quiet.getStatus(v, o)); break;
          case 4: await settle("getTask", () => quiet.getTask(v, o)); break;
          case 5: await settle("cancelTask", () => quiet.cancelTask(v, o)); break;
          case 6: await settle("listTasks", () => quiet.listTasks(o)); break;
          case 7: await settle("getAccount", () => quiet.getAccount(o)); break;
          case 8: await settle("quote", () => quiet.quote(model, v, o)); break;
          // Every bag here is refused before a wait starts, except the one with a signal that
          // only throws on addEventListener: give that wait a short deadline.
          case 9: await settle("waitForTask", () => quiet.waitForTask(v, o === optionBags[4] ? { signal: listenerThrows, maxWaitMs: 20, intervalMs: 5 } : o)); break;
          case 10: await settle("runWorkflow", () => quiet.runWorkflow(model, v, o)); break;
          case 11: await settle("createGeneration({model,payload})", () => quiet.createGeneration({ model, payload: v }, o)); break;
          case 12: {
            // The two constructors may throw, and only a TypeError.
            for (const f of [() => lib.createClient(o), () => lib.clientFromEnv(v, o)]) {
              try { f(); } catch (e) { if (!(e instanceof TypeError)) { threw++; failures.push(`a constructor threw ${e && e.constructor && e.constructor.name}: ${e && e.message}`); } }
            }
          }
        }
      }
    }
  }
  check(calls8 === target, `${target} hostile calls made`, calls8);
  check(threw === 0, "no hostile call threw (where the docs promise an envelope)", threw);
  check(rejected === 0, "no hostile call rejected", rejected);
  check(notEnvelope === 0, "every hostile call resolved to an envelope", notEnvelope);
  // The instance still works, for old clients and new ones.
  const valid = lib.validatePayload("t2v", { prompt: "after the storm", aspectRatio: "16:9", duration: "5" });
  check(valid.ok === true, "after 10 000 hostile calls validation still works", valid);
  const status = await lib.createClient({ apiKey: KEY, baseUrl: `${hostileUrl}/ok` }).getStatus("t1");
  check(status.ok === true && status.status === "PROGRESS", "after 10 000 hostile calls a fresh client still works", status);
  const again = await quiet.getStatus("t1");
  check(again.ok === true, "and so does an old one", again);
  const mem = glue.__memoryBytes();
  check(mem < 160 * 1024 * 1024, "wasm memory after the run stays under 160 MB", mem);
  return { count, failures, memoryBytes: mem };
}
