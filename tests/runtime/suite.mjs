// The runtime matrix: the same assertions, run against the installed package in Node, Deno,
// workerd and Chromium, talking to the simulator over real HTTP on 127.0.0.1.
// Plain ESM with no imports, so every runtime can load it as it is.

export const KEY = "ak_test_alice_0000000001";

export async function runSuite(lib, simUrl, label = "") {
  let count = 0;
  const failures = [];
  const check = (cond, what, got) => {
    count++;
    if (!cond) failures.push(`${label ? `${label}: ` : ""}${what}${got === undefined ? "" : `: got ${JSON.stringify(got)}`}`);
  };
  const ctl = async (path, body, method = body === undefined ? "GET" : "POST") =>
    (await fetch(simUrl + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json();
  await ctl("/__sim/reset", {});

  const client = lib.createClient({ apiKey: KEY, baseUrl: simUrl, timeoutMs: 2000 });
  const envelopeKeys = ["ok", "status", "taskId", "data", "errorCode", "errorMessage", "retryAfter", "httpStatus", "suggestions"];
  const isEnvelope = (e) => e && envelopeKeys.every((k) => k in e);
  const noKey = (e, what) => check(!JSON.stringify(e).includes(KEY), `${what}: key absent from envelope`);

  // createGeneration: a real task on the simulator.
  const created = await client.createGeneration("t2v", { prompt: "a lighthouse at dusk", aspectRatio: "16:9", duration: "5" });
  check(isEnvelope(created), "create resolves to the envelope", created);
  check(created.ok === true && created.status === "SUBMITTED", "create ok SUBMITTED", created);
  check(typeof created.taskId === "string" && created.taskId.length > 0, "create carries the taskId", created.taskId);
  check(created.data && created.data.creditsCharged === 15, "create data.creditsCharged", created.data);
  noKey(created, "create");
  const id = created.taskId;

  // getStatus: the status comes back and the server saw the key header.
  const st = await client.getStatus(id);
  check(st.ok === true && ["SUBMITTED", "PROGRESS", "COMPLETED"].includes(st.status), "getStatus ok with a status", st);
  check(st.taskId === id, "getStatus echoes the taskId", st.taskId);
  check(st.httpStatus === 200 && st.errorCode === null, "getStatus httpStatus 200, no errorCode", st);
  const log = (await ctl("/__sim/log")).log;
  const last = log[log.length - 1];
  check(last && last.path === `/api/v1/tasks/${id}/status` && last.method === "GET", "server saw GET /tasks/{id}/status", last && last.path);
  check(last && last.headers.key === "[redacted]" && last.keyFingerprint, "server saw the key header", last && last.headers);
  check(last && !("mode" in last.headers) && !("authorization" in last.headers), "no stray auth headers", last && last.headers);

  // getTask: the full task.
  const task = await client.getTask(id);
  check(task.ok && task.data && task.data.id === id && task.data.model === "t2v", "getTask returns the task", task.data);
  check(task.data && "expiresAt" in task.data, "getTask adds expiresAt", task.data);

  // listTasks and getAccount.
  const list = await client.listTasks();
  check(list.ok && Array.isArray(list.data.tasks) && list.data.tasks.some((t) => t.id === id), "listTasks includes the task", list.data);
  const acct = await client.getAccount();
  check(acct.ok && typeof acct.data.currentBalance === "number" && acct.data.supportedModels.includes("t2v"), "getAccount", acct.data);
  noKey(acct, "account");

  // quote: priced by the server, never billed.
  const q = await client.quote("wan27", { prompt: "x", duration: "10", resolution: "1080P", ratio: "16:9" });
  check(q.ok && q.data.credits === 150 && q.data.billable === false, "quote wan27 1080P 10 s = 150", q.data);

  // A data URI over 64 Ki characters: checked in JS, kept as the caller's string and sent as
  // part of a Blob body; the task's input on the server is exactly the payload, and
  // validatePayload measures it the same way on both of its paths.
  const bigUri = `data:image/png;base64,iVBORw0KGgo${"A".repeat(100000 - 11)}`;
  const bigV = lib.validatePayload("i2v", { image: bigUri, duration: "5" });
  const bigV2 = lib.validatePayload("i2v", { image: bigUri, duration: "5" }, {});
  check(bigV.ok && bigV.media[0].bytes === 75000 && JSON.stringify(bigV) === JSON.stringify(bigV2), "a long data URI validates alike on both paths", bigV.media);
  const big = await client.createGeneration("i2v", { image: bigUri, duration: "5", prompt: "é \"quoted\"" });
  check(big.ok === true, "create with a 100 K-character data URI", big);
  const bigTask = big.ok ? await client.getTask(big.taskId) : null;
  check(bigTask && bigTask.ok && bigTask.data.input.image === bigUri && bigTask.data.input.prompt === "é \"quoted\"", "the server got the data URI and the rest exactly", bigTask && bigTask.data && bigTask.data.input && bigTask.data.input.image.length);

  // cancelTask (PUT) while SUBMITTED refunds.
  const c2 = await client.createGeneration("i2v_v3", { image: "https://example.com/a.png", duration: "20" });
  await ctl(`/__sim/tasks/${c2.taskId}/force`, { status: "SUBMITTED" }); // however slow the machine
  const cancelled = await client.cancelTask(c2.taskId);
  check(cancelled.ok && cancelled.status === "CANCEL" && cancelled.taskId === c2.taskId, "cancelTask CANCEL", cancelled);
  const cancelLog = (await ctl("/__sim/log")).log.filter((e) => e.endpoint === "cancel");
  check(cancelLog.length === 1 && cancelLog[0].method === "PUT", "cancel sent once, with PUT", cancelLog.map((e) => e.method));

  // 404 → TASK_NOT_FOUND.
  const nf = await client.getStatus("task_that_does_not_exist");
  check(nf.ok === false && nf.errorCode === "TASK_NOT_FOUND" && nf.httpStatus === 404, "404 gives TASK_NOT_FOUND", nf);
  check(Array.isArray(nf.suggestions) && nf.suggestions.length > 0, "failures carry suggestions", nf.suggestions);
  // Another key's task is 404 too.
  const bob = lib.createClient({ apiKey: "ak_test_bob_00000000002", baseUrl: simUrl });
  const other = await bob.getTask(id);
  check(other.errorCode === "TASK_NOT_FOUND", "another key gets 404", other.errorCode);

  // A server that never answers trips the per-request timeout.
  await ctl("/__sim/faults", { faults: [{ endpoint: "status", kind: "hang", times: 10 }] });
  const fast = lib.createClient({ apiKey: KEY, baseUrl: simUrl, timeoutMs: 300, maxRetries: 0 });
  const t0 = Date.now();
  const hung = await fast.getStatus(id);
  const waited = Date.now() - t0;
  check(hung.ok === false && hung.errorCode === "NETWORK_ERROR", "hang gives NETWORK_ERROR", hung);
  check(waited >= 250 && waited < 1900, "timeout fired near timeoutMs", waited);
  check(/timeoutMs/.test(hung.errorMessage || ""), "timeout message names timeoutMs", hung.errorMessage);
  await ctl("/__sim/faults", undefined, "DELETE");

  // 429 then 200: Retry-After is honoured and the GET retried.
  await ctl("/__sim/faults", { faults: [{ endpoint: "status", kind: "status", status: 429, errorCode: "RATE_LIMITED", headers: { "retry-after": "0.3" } }] });
  const t1 = Date.now();
  const after429 = await client.getStatus(id);
  const waited429 = Date.now() - t1;
  check(after429.ok === true, "429 then 200 ends ok", after429);
  check(waited429 >= 280, "waited Retry-After (0.3 s) before retrying", waited429);
  const statusHits = (await ctl("/__sim/log")).log.filter((e) => e.endpoint === "status" && e.fault === undefined);
  check(statusHits.length >= 2, "the GET was sent again", statusHits.length);

  // Bad input is an envelope, not a throw.
  const badId = await client.getStatus("");
  check(badId.ok === false && badId.errorCode === "INVALID_ARGUMENT", "empty taskId refused locally", badId);
  let threw = null;
  try { lib.createClient({ apiKey: KEY, baseUrl: "http://example.com" }); } catch (e) { threw = e; }
  check(threw && /baseUrl/.test(threw.message), "createClient names the bad option", threw && threw.message);
  check(threw && !threw.message.includes(KEY), "option error does not echo the key");
  for (const [what, opts] of [["no options", undefined], ["an empty key", { apiKey: "" }], ["an unset env var", { apiKey: undefined }]]) {
    let refused = null;
    try { lib.createClient(opts); } catch (e) { refused = e; }
    check(refused instanceof TypeError && /no apiKey/.test(refused.message), `a client with ${what} and the live API is refused`, refused && refused.message);
  }
  threw = null;
  try { lib.createClient({ apiKey: KEY, baseUrl: "http://127.0.0.1.evil.example" }); } catch (e) { threw = e; }
  check(threw instanceof TypeError, "a key never goes over plain http to a name that merely starts with 127.", threw && threw.message);
  // Keyless clients behind a proxy: plain http to any host, or a same-origin path.
  const viaProxy = lib.createClient({ baseUrl: "http://proxy.internal:8787" });
  check(typeof viaProxy.getStatus === "function", "a keyless client may use a plain-http proxy");
  const relative = lib.createClient({ baseUrl: "/api/aivideo", fetch: async (url) => new Response(JSON.stringify({ status: "PROGRESS", url }), { status: 200, headers: { "content-type": "application/json" } }) });
  const rel = await relative.getStatus("t_rel");
  check(rel.ok && rel.status === "PROGRESS", "a keyless client with a relative baseUrl sends to the same-origin path", rel);
  // Only the public API is exported.
  for (const name of ["Client", "initSync", "default", "createProxyHandler"]) check(!(name in lib), `the glue's ${name} is not exported`);
  for (const name of ["createClient", "clientFromEnv", "validatePayload", "estimateCredits", "describeModels", "modelNames"]) check(typeof lib[name] === "function", `${name} is exported`);
  // A validated payload goes straight to createGeneration ({ model, payload } form).
  await ctl("/__sim/reset", {});
  const checked = lib.validatePayload("t2v", { prompt: "checked first", aspectRatio: "1:1", duration: "5" });
  const fromChecked = await client.createGeneration(checked, { idempotencyScope: "object-form" });
  check(fromChecked.ok && fromChecked.status === "SUBMITTED" && fromChecked.data.handle.model === "t2v", "createGeneration takes validatePayload's result", fromChecked);
  const quoted = await client.quote({ model: "t2v", payload: checked.payload });
  check(quoted.ok && quoted.data.credits === 15, "quote takes { model, payload }", quoted);

  // ---- Polling workflow: one short runWorkflow on the compressed clock (1 s = 1 ms).
  await ctl("/__sim/reset", {});
  const events = [];
  const wf = await client.runWorkflow("t2v", { prompt: "waves", aspectRatio: "9:16", duration: "5" }, { timeScale: 0.001, onProgress: (e) => events.push(e.status) });
  check(wf.ok === true && wf.status === "COMPLETED", "runWorkflow completes", wf);
  check(wf.data && /\.mp4$/.test(wf.data.output && wf.data.output.url), "runWorkflow gives the video URL", wf.data && wf.data.output);
  check(events.length >= 1 && events[events.length - 1] === "COMPLETED", "progress events reach COMPLETED", events);
  noKey(wf, "workflow");

  // ---- Tasks that end early are noticed within the bound: no look is ever more than 9 s
  // (simulated) after the last, whatever the model's expected time.
  await ctl("/__sim/reset", {});
  const early = await client.createGeneration("t2v_v3", { prompt: "ends early", aspectRatio: "1:1", duration: "20" });
  await ctl(`/__sim/tasks/${early.taskId}/force`, { status: "COMPLETED" });
  const gaps = [];
  const earlyEnd = await client.waitForTask(early.data.handle, { timeScale: 0.001, onProgress: (e) => gaps.push(e.nextPollInMs) });
  check(earlyEnd.ok === true && earlyEnd.status === "COMPLETED", "a task forced to end early completes the wait", earlyEnd);
  check(gaps.length <= 2 && gaps.every((g) => g === null || g <= 9 * 1.05), "an early end is seen at the first look (every gap ≤ 9 s simulated)", gaps);
  const failing = await client.createGeneration("t2v_v3", { prompt: "fails early", aspectRatio: "1:1", duration: "20" }, { idempotencyScope: "fails" });
  await ctl(`/__sim/tasks/${failing.taskId}/force`, { status: "FAILED" });
  const failed = await client.waitForTask(failing.taskId, { timeScale: 0.001 });
  check(failed.errorCode === "GENERATION_FAILED" && failed.taskId === failing.taskId, "an early failure is reported as such", failed);

  // ---- A finished, paid result is never turned into a failure by one bad final read.
  const reader = lib.createClient({ apiKey: KEY, baseUrl: simUrl, timeoutMs: 2000, maxRetries: 1 });
  const paid = await reader.createGeneration("t2v", { prompt: "paid for", aspectRatio: "1:1", duration: "5" });
  await ctl(`/__sim/tasks/${paid.taskId}/force`, { status: "COMPLETED" });
  await ctl("/__sim/faults", { faults: [{ endpoint: "task", kind: "status", status: 503, times: 1 }] });
  const got = await reader.waitForTask(paid.data.handle, { timeScale: 0.001 });
  check(got.ok === true && /\.mp4$/.test(got.data.output.url), "a 503 on the final read is retried and the video is returned", got);
  await ctl("/__sim/faults", { faults: [{ endpoint: "task", kind: "status", status: 503, times: 5 }] });
  const unread = await reader.waitForTask(paid.data.handle, { timeScale: 0.001 });
  check(unread.errorCode === "RESULT_UNAVAILABLE" && unread.status === "COMPLETED" && unread.data.handle && unread.data.handle.taskId === paid.taskId, "an unreadable result is RESULT_UNAVAILABLE, status COMPLETED, with its handle", unread);
  await ctl("/__sim/faults", undefined, "DELETE");

  // ---- Money safety: the answer to a committed create is lost; the retry gets the replay.
  const T2V = { prompt: "a kite", aspectRatio: "16:9", duration: "5" };
  const quick = lib.createClient({ apiKey: KEY, baseUrl: simUrl, timeoutMs: 400 });
  for (const fault of [{ kind: "reset_after_commit" }, { kind: "status_after_commit", status: 502 }, { kind: "status_after_commit", status: 504 }, { kind: "hang_after_commit" }]) {
    await ctl("/__sim/reset", {});
    await ctl("/__sim/faults", { faults: [{ endpoint: "generate", ...fault }] });
    const r = await quick.createGeneration("t2v", { ...T2V, prompt: `kite ${fault.kind} ${fault.status || ""}` });
    const ledger = await ctl("/__sim/ledger");
    const gens = (await ctl("/__sim/log")).log.filter((e) => e.endpoint === "generate");
    const what = `${fault.kind}${fault.status ? " " + fault.status : ""}`;
    // This call made the task: adopted from the list it is not a replay of an earlier call's.
    check(r.ok === true && (r.data.idempotentReplay === true || (r.data.reconciled === true && r.data.idempotentReplay === false)), `${what}: recovered, from the list or as a replay`, r);
    check(ledger.tasks.length === 1 && ledger.billedCredits === 15, `${what}: exactly one task billed`, ledger.tasks.length);
    check(r.taskId === (ledger.tasks[0] && ledger.tasks[0].id), `${what}: the envelope carries that task`, r.taskId);
    // Found in the task list before anything was sent again (reconciled), or, where the list
    // did not show it yet, sent again under the same key and replayed by the server.
    const viaList = r.data.reconciled === true && gens.length === 1;
    const viaKey = gens.length === 2 && gens[0].headers["idempotency-key"] === gens[1].headers["idempotency-key"];
    check(viaList || viaKey, `${what}: reconciled through the list, or retried under the same key`, { reconciled: r.data.reconciled, keys: gens.map((g) => g.headers["idempotency-key"]) });
  }

  // Two deliberate identical creates are two generations; the derived key makes them one.
  await ctl("/__sim/reset", {});
  const take1 = await client.createGeneration("t2v", T2V);
  const take2 = await client.createGeneration("t2v", T2V);
  check(take1.ok && take2.ok && take1.taskId !== take2.taskId && take1.data.handle.idempotencyKey !== take2.data.handle.idempotencyKey, "two identical calls make two tasks (a fresh key each)", [take1.taskId, take2.taskId]);
  const d1 = await client.createGeneration("t2v", T2V, { idempotencyKey: "derived" });
  const d2 = await client.createGeneration("t2v", T2V, { idempotencyKey: "derived" });
  check(d1.ok && d2.ok && d1.taskId === d2.taskId && d2.data.idempotentReplay === true, "with idempotencyKey: \"derived\" the same request is the same task", [d1.taskId, d2.taskId]);
  check((await ctl("/__sim/ledger")).tasks.length === 3, "three tasks billed, not four");

  // Same key, different payload → IDEMPOTENCY_CONFLICT, nothing more billed.
  await ctl("/__sim/reset", {});
  const k = "order-4711-video";
  const first = await client.createGeneration("t2v", T2V, { idempotencyKey: k });
  const again = await client.createGeneration("t2v", { ...T2V, prompt: "something else" }, { idempotencyKey: k });
  const ledger2 = await ctl("/__sim/ledger");
  check(first.ok && again.errorCode === "IDEMPOTENCY_CONFLICT" && again.httpStatus === 409, "same key + other payload → IDEMPOTENCY_CONFLICT", again);
  check(/different payload/.test(again.errorMessage || ""), "the conflict message explains it", again.errorMessage);
  check(ledger2.tasks.length === 1, "the conflict billed nothing", ledger2.tasks.length);

  // Over budget → BUDGET_EXCEEDED and no request at all.
  await ctl("/__sim/reset", {});
  const over = await client.createGeneration("t2v_v3", { prompt: "x", aspectRatio: "16:9", duration: "20" }, { maxCredits: 50 });
  const sent = (await ctl("/__sim/log")).log.length;
  check(over.errorCode === "BUDGET_EXCEEDED" && over.data.credits === 80, "over budget refused locally", over);
  check(sent === 0, "nothing was sent for an over-budget create", sent);
  const capped = lib.createClient({ apiKey: KEY, baseUrl: simUrl, maxCredits: 10 });
  const overClient = await capped.createGeneration("t2v", T2V);
  check(overClient.errorCode === "BUDGET_EXCEEDED", "the client-wide maxCredits applies too", overClient.errorCode);
  check((await ctl("/__sim/log")).log.length === 0, "still nothing sent");

  // seedance20 under a budget: the free quote is fetched first, then the create with X-Max-Credits.
  const seed = await client.createGeneration("seedance20", { prompt: "x", duration: 5, resolution: 720, ratio: "16:9" }, { maxCredits: 200 });
  const seedLog = (await ctl("/__sim/log")).log;
  check(seed.ok && seedLog.map((e) => e.endpoint).join(",") === "quote,generate", "seedance20: quote first, then create", seedLog.map((e) => e.endpoint));
  check(seedLog[1] && seedLog[1].headers["x-max-credits"] === "200", "X-Max-Credits sent", seedLog[1] && seedLog[1].headers);
  const seedOver = await client.createGeneration("seedance20", { prompt: "y", duration: 5, resolution: 720, ratio: "16:9" }, { maxCredits: 100 });
  check(seedOver.errorCode === "BUDGET_EXCEEDED" && seedOver.data.source === "quote", "seedance20 over budget by the quote (110 > 100)", seedOver);

  return { count, failures };
}
