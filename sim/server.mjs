// A faithful simulator of the AIVideoMaker API v1 (../../../shared/api-contract.md), with a
// compressed clock, rate limits, a request log, a task ledger and scriptable faults.
// Zero dependencies: node:http only, so it starts in milliseconds wherever Node runs.
//
//   import { startSimulator } from "./server.mjs";
//   const sim = await startSimulator({ timeScale: 0.001 });   // sim.url, sim.close()
//
// Control plane (no key, never rate limited, never logged), all JSON:
//   POST /__sim/faults   {faults:[rule…]} appends rules (see `matchFault`); DELETE clears
//   GET  /__sim/log      the request log     GET /__sim/ledger   tasks with their charges
//   POST /__sim/reset    forget tasks, log, faults, limits; restore balances
//   POST /__sim/config   {timeScale, failRate, rateLimitPerMinute, profile: "spec"|"live", dropQuote, dropAccount, omitCreditsCharged, …}
//   POST /__sim/accounts {key, balance, …}   POST /__sim/tasks/{id}/force {status}
import http from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { MODELS, SUPPORTED_MODELS, validate, price, nominalSeconds } from "./models.mjs";

export const DEMO_KEY = "ak_demo_0123456789abcdef";
const SAMPLE_MP4 = readFileSync(new URL("./sample.mp4", import.meta.url));
const DAY_MS = 24 * 3600 * 1000;

const DEFAULTS = {
  timeScale: 1, // real ms per simulated ms: 1/600 makes 6.5 minutes last 650 ms
  failRate: 0, // share of tasks that end FAILED
  rateLimitPerMinute: 60, // query endpoints, per client IP, per simulated minute
  generationPerMinute: 30, // per key, per simulated minute
  fileDelayMs: 0, // real ms before a video file is served (a slow CDN, for download timeouts)
  // "spec": the contract as written. "live": the service as integrators report it (contract
  // §9): no Idempotency-Key support, X-Max-Credits not enforced, a task list that shows a
  // task's status only as of its last per-task read, tRPC-style 5xx bodies, no lv, the live
  // /account fields, a retention notice in output.msg, minimax tasks named minimax-h3.
  profile: "spec",
  dropQuote: false, // answer 404 for /quote (a server without it)
  dropAccount: false, // answer 404 for /account
  // Create answers without `creditsCharged`, as the vendor's own create example is (the task
  // itself is still charged and says so in GET /tasks/{id}).
  omitCreditsCharged: false,
  seed: 1,
  accounts: [
    { key: DEMO_KEY, balance: 1_000_000 },
    { key: "ak_test_alice_0000000001", balance: 10_000 },
    { key: "ak_test_bob_00000000002", balance: 10_000 },
    { key: "ak_test_poor_0000000003", balance: 5 },
  ],
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digest = (s) => createHash("sha256").update(s).digest("hex");
/** Canonical JSON (sorted keys) so the same logical body gives the same digest. */
const canonical = (v) =>
  Array.isArray(v) ? `[${v.map(canonical).join(",")}]`
  : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`
  : JSON.stringify(v);

export async function startSimulator(options = {}) {
  const cfg = { ...DEFAULTS, ...options };
  const state = {
    accounts: new Map(), tasks: new Map(), idem: new Map(), log: [], faults: [], counts: new Map(),
    windows: new Map(), rand: mulberry32(cfg.seed), seq: 0, epoch: Date.now(),
  };
  const reset = () => {
    state.accounts = new Map(cfg.accounts.map((a) => [a.key, { dailyCreditLimit: -1, creditWarningAt: 100, ...a }]));
    state.tasks.clear(); state.idem.clear(); state.log = []; state.faults = []; state.counts.clear(); state.windows.clear();
    state.rand = mulberry32(cfg.seed); state.seq = 0;
  };
  reset();
  const sockets = new Set();

  /** Simulated now, in ms: real time since start stretched by 1/timeScale. */
  const simNow = () => state.epoch + (Date.now() - state.epoch) / cfg.timeScale;

  const live = () => cfg.profile === "live";
  const LIVE_MSG = "The video is kept for 24 hours after completion; download it before then.";

  function taskView(t, now = simNow()) {
    advance(t, now);
    const out = {
      id: t.id, createdAt: new Date(t.createdAt).toISOString(), model: live() && t.model === "minimax" ? "minimax-h3" : t.model, input: t.input,
      output: t.output, status: t.status, creditsCharged: t.creditsCharged, creditsRefunded: t.creditsRefunded,
      listValueCents: Math.max(0, t.creditsCharged - t.creditsRefunded), idempotencyKey: t.idempotencyKey,
      completedAt: t.completedAt ? new Date(t.completedAt).toISOString() : null,
    };
    if (live() && out.status === "COMPLETED" && out.output) out.output = { ...out.output, msg: LIVE_MSG };
    return out;
  }

  /** A task as the list shows it: live, as of its last per-task read (the list lags). */
  function listView(t) {
    if (!live()) return taskView(t);
    return t.lastRead ?? { ...taskView(t), status: "SUBMITTED", output: null, completedAt: null };
  }

  /** Moves a task along its timeline: SUBMITTED → PROGRESS (after ~8 %) → COMPLETED | FAILED. */
  function advance(t, now) {
    if (["COMPLETED", "FAILED", "CANCEL"].includes(t.status) || t.forced) return;
    if (now >= t.createdAt + t.durationMs) {
      t.completedAt = t.createdAt + t.durationMs;
      if (t.willFail) {
        t.status = "FAILED";
        t.output = { error: "Generation failed: the model could not render this prompt", msg: "failed" };
        t.creditsRefunded = t.creditsCharged;
        state.accounts.get(t.key).balance += t.creditsCharged;
      } else {
        t.status = "COMPLETED";
        t.output = { url: `${t.origin}/files/${t.id}.mp4`, msg: "success" };
      }
    } else if (now >= t.createdAt + t.durationMs * 0.08) {
      t.status = "PROGRESS";
    }
  }

  function rateLimited(bucket, limit) {
    if (!limit) return 0;
    const windowMs = 60_000;
    const now = simNow();
    const hits = (state.windows.get(bucket) || []).filter((at) => now - at < windowMs);
    if (hits.length >= limit) {
      state.windows.set(bucket, hits);
      return hits[0] + windowMs - now; // simulated ms until a slot frees
    }
    hits.push(now);
    state.windows.set(bucket, hits);
    return 0;
  }

  /** `Retry-After` in real seconds (decimals under a compressed clock, integers at 1:1). */
  const retryAfter = (simMs) => {
    const real = (simMs * cfg.timeScale) / 1000;
    return cfg.timeScale >= 1 ? String(Math.max(1, Math.ceil(real))) : real.toFixed(3);
  };

  const routes = [
    ["GET", /^\/api\/v1\/account$/, "account", "query"],
    ["POST", /^\/api\/v1\/quote\/([^/]+)$/, "quote", "none"],
    ["POST", /^\/api\/v1\/generate\/([^/]+)$/, "generate", "generate"],
    ["GET", /^\/api\/v1\/tasks$/, "tasks", "query"],
    ["GET", /^\/api\/v1\/tasks\/([^/]+)$/, "task", "query"],
    ["GET", /^\/api\/v1\/tasks\/([^/]+)\/status$/, "status", "query"],
    ["PUT", /^\/api\/v1\/tasks\/([^/]+)\/cancel$/, "cancel", "none"],
  ];

  function matchFault(endpoint, method) {
    // Rule: {endpoint: "status"|…|"*", method?, after?: skip n matches, times?: n (default 1),
    //        kind, status?, headers?, body?, ms?}. Kinds: status, html, invalid_json, truncated,
    //        reset, hang, delay, slow_body (before the handler); reset_after_commit,
    //        status_after_commit, hang_after_commit (a create that commits, then loses its
    //        answer); missing_fields, unknown_status (body shaping); outage (with endpoint "*":
    //        creates commit and lose their answer while every other endpoint answers 503).
    for (const f of state.faults) {
      if (f.endpoint !== "*" && f.endpoint !== endpoint) continue;
      if (f.method && f.method !== method) continue;
      f.seen = (f.seen || 0) + 1;
      if (f.seen <= (f.after || 0)) continue;
      if (f.used >= (f.times ?? 1)) continue;
      f.used = (f.used || 0) + 1;
      return f;
    }
    return null;
  }

  const send = (res, status, body, headers = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const fail = (res, status, errorCode, message, extra = {}, headers = {}) =>
    send(res, status, { status: "FAILED", ...(errorCode ? { errorCode } : {}), message, ...extra }, headers);

  async function handle(req, res) {
    const url = new URL(req.url, "http://sim");
    const path = url.pathname;
    if (cfg.cors) {
      // Only for browser tests served from another origin: the live API may not answer CORS.
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-allow-headers", "key, content-type, accept, idempotency-key, x-max-credits, webhookurl");
      res.setHeader("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS");
      res.setHeader("access-control-expose-headers", "retry-after");
      if (req.method === "OPTIONS") { res.writeHead(204); return res.end(); }
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString("utf8");

    if (path.startsWith("/__sim/")) return control(req, res, path, raw);
    if (path.startsWith("/files/")) return serveFile(req, res, path);

    const key = req.headers["key"];
    const entry = {
      seq: ++state.seq, at: Date.now(), method: req.method, path, ip: req.socket.remoteAddress,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, k === "key" ? (v ? "[redacted]" : v) : v])),
      keyFingerprint: key ? digest(String(key)).slice(0, 8) : null,
      bodyDigest: raw ? digest(raw) : null, bodyBytes: raw.length,
    };
    state.log.push(entry);
    res.on("finish", () => { entry.status = res.statusCode; });

    const route = routes.find(([, re]) => re.test(path));
    const dropped = route && ((route[2] === "quote" && cfg.dropQuote) || (route[2] === "account" && cfg.dropAccount));
    if (!route || dropped) return fail(res, 404, "NOT_FOUND", `No route ${req.method} ${path}`);
    const [method, re, endpoint, limitKind] = route;
    const param = decodeURIComponent((path.match(re) || [])[1] || "");
    entry.endpoint = endpoint;
    if (req.method !== method) {
      return fail(res, 405, "METHOD_NOT_ALLOWED", `Method ${req.method} not allowed; use ${method}`, {}, { allow: method });
    }

    const fault = matchFault(endpoint, req.method);
    if (fault) {
      entry.fault = fault.kind;
      const done = await preFault(fault, req, res, endpoint);
      if (done) return;
    }

    const account = key && state.accounts.get(String(key));
    if (!account) return fail(res, 401, "AUTH_FAILED", key ? "Invalid API key" : "Missing API key (send it in the `key` header)");

    if (limitKind === "query") {
      const wait = rateLimited(`ip:${req.socket.remoteAddress}`, cfg.rateLimitPerMinute);
      if (wait) return fail(res, 429, "RATE_LIMITED", "Query rate limit exceeded (60 requests per minute)", {}, { "retry-after": retryAfter(wait) });
    }

    const origin = `http://${req.headers.host}`;
    const ctx = { req, res, url, raw, key: String(key), account, param, origin, fault, entry };
    switch (endpoint) {
      case "account": return send(res, 200, {
        ok: true, apiVersion: live() ? "v1" : "1.0.15", skillVersion: live() ? "1.0.15" : "1.4.0", currentBalance: account.balance,
        supportedModels: live() ? SUPPORTED_MODELS.filter((m) => m !== "lv") : SUPPORTED_MODELS, dailyCreditLimit: account.dailyCreditLimit,
        generationRequestsPerMinute: cfg.generationPerMinute, creditWarningAt: account.creditWarningAt,
      });
      case "quote": return quote(ctx);
      case "generate": return generate(ctx);
      case "tasks": {
        const list = [...state.tasks.values()].filter((t) => t.key === ctx.key).sort((a, b) => b.createdAt - a.createdAt || b.n - a.n);
        return sendTaskBody(ctx, 200, { tasks: list.map((t) => listView(t)) });
      }
      case "task": case "status": case "cancel": {
        const t = state.tasks.get(param);
        if (!t || t.key !== ctx.key) return fail(res, 404, "TASK_NOT_FOUND", "Task not found");
        if (endpoint === "task") {
          const v = taskView(t);
          t.lastRead = v;
          return sendTaskBody(ctx, 200, v);
        }
        if (endpoint === "status") {
          const v = taskView(t);
          t.lastRead = v;
          return sendTaskBody(ctx, 200, { status: fault?.kind === "unknown_status" ? fault.status || "QUEUED" : v.status });
        }
        advance(t, simNow());
        if (t.status !== "SUBMITTED") return fail(res, 400, "INVALID_STATE", `Task can only be cancelled while SUBMITTED (it is ${t.status})`);
        t.status = "CANCEL";
        t.completedAt = simNow();
        t.creditsRefunded = t.creditsCharged;
        account.balance += t.creditsCharged;
        return send(res, 200, { status: "CANCEL", taskId: t.id });
      }
    }
  }

  function parseBody(ctx) {
    try {
      return { body: JSON.parse(ctx.raw || "null") };
    } catch {
      fail(ctx.res, 400, "INVALID_PAYLOAD", "Request body is not valid JSON");
      return null;
    }
  }

  function checkModel(ctx, body) {
    const model = ctx.param;
    if (!MODELS[model] || (live() && model === "lv")) {
      fail(ctx.res, 400, "INVALID_MODEL", `Unsupported model: ${model}`, { supportedModels: SUPPORTED_MODELS });
      return false;
    }
    const problems = validate(model, body);
    if (problems.length) {
      fail(ctx.res, 400, "INVALID_PAYLOAD", `Invalid payload for ${model}: ${problems.map((p) => p.message).join("; ")}`, { details: problems });
      return false;
    }
    return true;
  }

  function quote(ctx) {
    const parsed = parseBody(ctx);
    if (!parsed || !checkModel(ctx, parsed.body)) return;
    const credits = price(ctx.param, parsed.body);
    send(ctx.res, 200, {
      model: ctx.param, credits, listPriceUsd: Math.round(credits) / 100, usdPerCredit: 0.01,
      currentBalance: ctx.account.balance, affordable: ctx.account.balance >= credits, billable: false,
    });
  }

  function generate(ctx) {
    const { res, req } = ctx;
    const wait = rateLimited(`gen:${ctx.key}`, cfg.generationPerMinute);
    if (wait) return fail(res, 429, "RATE_LIMITED", "Generation rate limit exceeded for this key", {}, { "retry-after": retryAfter(wait) });
    const parsed = parseBody(ctx);
    if (!parsed) return;
    const idemKey = req.headers["idempotency-key"];
    if (idemKey !== undefined && (idemKey.length < 8 || idemKey.length > 128)) {
      return fail(res, 400, "INVALID_PAYLOAD", "Idempotency-Key must be 8-128 characters");
    }
    const bodyDigest = digest(canonical({ model: ctx.param, body: parsed.body }));
    if (idemKey && !live()) {
      const prior = state.idem.get(`${ctx.key}\n${idemKey}`);
      if (prior && prior.digest !== bodyDigest) {
        return fail(res, 409, "IDEMPOTENCY_CONFLICT", "Idempotency-Key was already used with a different request body");
      }
      if (prior) {
        const t = state.tasks.get(prior.taskId);
        ctx.entry.replay = true;
        return submitted(ctx, t, true);
      }
    }
    if (!checkModel(ctx, parsed.body)) return;
    const credits = price(ctx.param, parsed.body);
    const maxHeader = req.headers["x-max-credits"];
    if (maxHeader !== undefined && !live()) {
      if (!/^\d+$/.test(maxHeader)) return fail(res, 400, "INVALID_PAYLOAD", "X-Max-Credits must be an integer >= 0");
      if (credits > Number(maxHeader)) return fail(res, 422, "BUDGET_EXCEEDED", `Quote of ${credits} credits exceeds X-Max-Credits ${maxHeader}`, { credits });
    }
    if (ctx.account.balance < credits) {
      return fail(res, 402, "INSUFFICIENT_CREDITS", `Insufficient credits: this request needs ${credits}, balance is ${ctx.account.balance}`);
    }
    ctx.account.balance -= credits;
    const n = state.tasks.size + 1;
    const jitter = 0.8 + 0.4 * state.rand();
    const t = {
      id: `task_${n.toString().padStart(4, "0")}_${randomBytes(4).toString("hex")}`, n, key: ctx.key, model: ctx.param,
      input: parsed.body, createdAt: simNow(), durationMs: nominalSeconds(ctx.param, parsed.body) * 1000 * jitter,
      status: "SUBMITTED", output: null, creditsCharged: credits, creditsRefunded: 0, completedAt: null,
      idempotencyKey: live() ? null : idemKey ?? null, willFail: state.rand() < cfg.failRate, origin: ctx.origin,
    };
    state.tasks.set(t.id, t);
    if (idemKey) state.idem.set(`${ctx.key}\n${idemKey}`, { digest: bodyDigest, taskId: t.id });
    ctx.entry.created = t.id;
    submitted(ctx, t, false);
  }

  function submitted(ctx, t, replay) {
    const base = `${ctx.origin}/api/v1/tasks/${encodeURIComponent(t.id)}`;
    const body = {
      status: "SUBMITTED", taskId: t.id, ...(cfg.omitCreditsCharged ? {} : { creditsCharged: t.creditsCharged }), idempotentReplay: replay,
      responseUrl: base, statusUrl: `${base}/status`, cancelUrl: `${base}/cancel`,
    };
    const f = ctx.fault;
    if (f && (f.kind === "reset_after_commit" || f.kind === "outage")) return ctx.res.socket.destroy();
    if (f && f.kind === "status_after_commit") return send(ctx.res, f.status || 502, f.body ?? "<html><body><h1>502 Bad Gateway</h1></body></html>");
    if (f && f.kind === "hang_after_commit") return; // never answers; the client's timeout decides
    send(ctx.res, 200, body);
  }

  function sendTaskBody(ctx, status, body) {
    const f = ctx.fault;
    if (f && f.kind === "missing_fields") {
      const strip = (o) => { const c = { ...o }; for (const k of f.fields || ["status"]) delete c[k]; return c; };
      body = Array.isArray(body.tasks) ? { tasks: body.tasks.map(strip) } : strip(body);
    }
    send(ctx.res, status, body);
  }

  /** Faults that act before the real handler. Returns true when the response is settled. */
  async function preFault(f, req, res, endpoint) {
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    switch (f.kind) {
      case "outage": // a gateway outage (endpoint "*"): creates commit and lose their answer, everything else 503s
        if (endpoint === "generate") return false;
        return preFault({ kind: "status", status: 503, message: "Service Unavailable (simulated outage)" }, req, res, endpoint);
      case "status": { // any status with a JSON error body, e.g. {status: 503} or {status: 429, headers: {"retry-after": "1"}}
        const message = f.message ?? `Simulated HTTP ${f.status}`;
        // The live service answers its 5xx in the web app's tRPC shape.
        const body = live() && f.status >= 500 ? { error: { json: { message, code: -32603 } } } : { status: "FAILED", ...(f.errorCode ? { errorCode: f.errorCode } : {}), message };
        send(res, f.status, f.body ?? body, f.headers);
        return true;
      }
      case "html":
        send(res, f.status ?? 502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>", f.headers);
        return true;
      case "invalid_json":
        res.writeHead(f.status ?? 200, { "content-type": "application/json" });
        res.end("{status: SUBMITTED,,}");
        return true;
      case "truncated": {
        res.writeHead(f.status ?? 200, { "content-type": "application/json" });
        res.end('{"status":"PROGRE');
        return true;
      }
      case "reset": // connection dropped before any response
        req.socket.destroy();
        return true;
      case "hang": // never answers (until the client gives up or the server closes)
        return true;
      case "delay": // answers normally after `ms` real milliseconds
        await sleep(f.ms ?? 100);
        return false;
      case "slow_body": { // headers at once, body trickled over `ms`
        res.writeHead(200, { "content-type": "application/json" });
        const text = JSON.stringify({ status: "PROGRESS" });
        for (const ch of text) {
          if (res.destroyed) return true;
          res.write(ch);
          await sleep((f.ms ?? 1000) / text.length);
        }
        res.end();
        return true;
      }
      default: // after-commit and body-shaping faults act inside the handler
        return false;
    }
  }

  function serveFile(req, res, path) {
    const id = decodeURIComponent(path.slice("/files/".length).replace(/\.mp4$/, ""));
    const t = state.tasks.get(id);
    if (!t || t.status !== "COMPLETED") return fail(res, 404, "NOT_FOUND", "No such file");
    if (simNow() > t.completedAt + DAY_MS) return fail(res, 410, "EXPIRED", "The file was deleted 24 hours after completion");
    const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range || "");
    const cors = { "access-control-allow-origin": "*", "accept-ranges": "bytes" };
    if (range) {
      const start = range[1] ? Number(range[1]) : 0;
      const end = range[2] ? Math.min(Number(range[2]), SAMPLE_MP4.length - 1) : SAMPLE_MP4.length - 1;
      res.writeHead(206, { ...cors, "content-type": "video/mp4", "content-range": `bytes ${start}-${end}/${SAMPLE_MP4.length}`, "content-length": end - start + 1 });
      return res.end(SAMPLE_MP4.subarray(start, end + 1));
    }
    const send = () => {
      res.writeHead(200, { ...cors, "content-type": "video/mp4", "content-length": SAMPLE_MP4.length });
      res.end(req.method === "HEAD" ? undefined : SAMPLE_MP4);
    };
    if (cfg.fileDelayMs > 0) setTimeout(send, cfg.fileDelayMs).unref();
    else send();
  }

  function control(req, res, path, raw) {
    let body = {};
    try { body = raw ? JSON.parse(raw) : {}; } catch { return send(res, 400, { error: "bad JSON" }); }
    if (path === "/__sim/faults" && req.method === "POST") {
      for (const f of body.faults || [body]) state.faults.push({ ...f, seen: 0, used: 0 });
      return send(res, 200, { faults: state.faults.length });
    }
    if (path === "/__sim/faults" && req.method === "DELETE") { state.faults = []; return send(res, 200, { faults: 0 }); }
    if (path === "/__sim/log") return send(res, 200, { log: state.log });
    if (path === "/__sim/ledger") {
      const tasks = [...state.tasks.values()].map((t) => ({ ...taskView(t), keyFingerprint: digest(t.key).slice(0, 8) }));
      const billed = tasks.reduce((s, t) => s + t.creditsCharged - t.creditsRefunded, 0);
      return send(res, 200, { tasks, billedCredits: billed, balances: Object.fromEntries([...state.accounts].map(([k, a]) => [digest(k).slice(0, 8), a.balance])) });
    }
    if (path === "/__sim/reset") { reset(); return send(res, 200, { ok: true }); }
    if (path === "/__sim/config") { Object.assign(cfg, body); if (body.seed != null) state.rand = mulberry32(body.seed); return send(res, 200, { ...cfg, accounts: undefined }); }
    if (path === "/__sim/accounts") { state.accounts.set(body.key, { dailyCreditLimit: -1, creditWarningAt: 100, balance: 0, ...body }); return send(res, 200, { ok: true }); }
    const force = path.match(/^\/__sim\/tasks\/([^/]+)\/force$/);
    if (force) {
      const t = state.tasks.get(decodeURIComponent(force[1]));
      if (!t) return send(res, 404, { error: "no such task" });
      Object.assign(t, { forced: true, status: body.status, completedAt: simNow() });
      if (body.status === "COMPLETED") t.output = { url: `${t.origin}/files/${t.id}.mp4`, msg: "success" };
      if (body.status === "FAILED") { t.output = { error: body.error || "forced failure" }; t.creditsRefunded = t.creditsCharged; }
      return send(res, 200, taskView(t));
    }
    return send(res, 404, { error: "unknown control path" });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (res.headersSent) return res.end();
      // A malformed % escape is the client's mistake.
      if (e instanceof URIError) return send(res, 400, { status: "FAILED", errorCode: "INVALID_ARGUMENT", message: "malformed % escape in the path" });
      send(res, 500, { status: "FAILED", message: `simulator bug: ${e.message}` });
    });
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", r));
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  const ctl = async (p, body, method = body === undefined ? "GET" : "POST") => {
    const r = await fetch(url + p, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return r.json();
  };
  return {
    url, port, state, config: cfg, simNow,
    /** Scriptable from the same process or over HTTP (the control plane). */
    faults: (...rules) => ctl("/__sim/faults", { faults: rules }),
    log: async () => (await ctl("/__sim/log")).log,
    ledger: () => ctl("/__sim/ledger"),
    reset: () => ctl("/__sim/reset", {}),
    configure: (c) => ctl("/__sim/config", c),
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
