// The simulated API's endpoints (contract §3–§8): the route table, then account, quote,
// generate (idempotency, budgets, balances, the after-commit faults), the task list, a task,
// its status and its cancel. Each handler takes the simulator and the request context `ctx`
// (req, res, raw body, key, account, path parameter, origin, the fault that fired, the log
// entry). Must not: parse the HTTP request (server.mjs) or script faults (faults.mjs).
import { createHash, randomBytes } from "node:crypto";
import { MODELS, SUPPORTED_MODELS, validate, price, nominalSeconds } from "./models.mjs";
import { rateLimited, retryAfter } from "./state.mjs";
import { advance, listView, taskView } from "./tasks.mjs";
import { fail, send } from "./http.mjs";
import { hookOf } from "./webhooks.mjs";

export const ROUTES = [
  ["GET", /^\/api\/v1\/account$/, "account", "query"],
  ["POST", /^\/api\/v1\/quote\/([^/]+)$/, "quote", "none"],
  ["POST", /^\/api\/v1\/generate\/([^/]+)$/, "generate", "generate"],
  ["GET", /^\/api\/v1\/tasks$/, "tasks", "query"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)$/, "task", "query"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)\/status$/, "status", "query"],
  ["PUT", /^\/api\/v1\/tasks\/([^/]+)\/cancel$/, "cancel", "none"],
];

export const digest = (s) => createHash("sha256").update(s).digest("hex");
/** Canonical JSON (sorted keys) so the same logical body gives the same digest. */
const canonical = (v) =>
  Array.isArray(v) ? `[${v.map(canonical).join(",")}]`
  : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`
  : JSON.stringify(v);

/** Answers one authenticated API request to `endpoint`. */
export function endpoint(sim, name, ctx) {
  switch (name) {
    case "account": return account(sim, ctx);
    case "quote": return quote(sim, ctx);
    case "generate": return generate(sim, ctx);
    case "tasks": {
      const list = [...sim.state.tasks.values()].filter((t) => t.key === ctx.key).sort((a, b) => b.createdAt - a.createdAt || b.n - a.n);
      return sendTaskBody(ctx, 200, { tasks: list.map((t) => listView(sim, t)) });
    }
    default: return oneTask(sim, name, ctx);
  }
}

function account(sim, { res, account: a }) {
  const live = sim.live();
  send(res, 200, {
    ok: true, apiVersion: live ? "v1" : "1.0.15", skillVersion: live ? "1.0.15" : "1.4.0", currentBalance: a.balance,
    supportedModels: live ? SUPPORTED_MODELS.filter((m) => m !== "lv") : SUPPORTED_MODELS, dailyCreditLimit: a.dailyCreditLimit,
    generationRequestsPerMinute: sim.cfg.generationPerMinute, creditWarningAt: a.creditWarningAt,
  });
}

function oneTask(sim, name, ctx) {
  const { res } = ctx;
  const t = sim.state.tasks.get(ctx.param);
  if (!t || t.key !== ctx.key) return fail(res, 404, { errorCode: "TASK_NOT_FOUND", message: "Task not found" });
  if (name === "task") {
    const v = taskView(sim, t);
    t.lastRead = v;
    return sendTaskBody(ctx, 200, v);
  }
  if (name === "status") {
    const v = taskView(sim, t);
    t.lastRead = v;
    return sendTaskBody(ctx, 200, { status: ctx.fault?.kind === "unknown_status" ? ctx.fault.status || "QUEUED" : v.status });
  }
  advance(sim, t, sim.simNow());
  if (t.status !== "SUBMITTED") return fail(res, 400, { errorCode: "INVALID_STATE", message: `Task can only be cancelled while SUBMITTED (it is ${t.status})` });
  t.status = "CANCEL";
  t.completedAt = sim.simNow();
  t.creditsRefunded = t.creditsCharged;
  ctx.account.balance += t.creditsCharged;
  return send(res, 200, { status: "CANCEL", taskId: t.id });
}

function parseBody(ctx) {
  try {
    return { body: JSON.parse(ctx.raw || "null") };
  } catch {
    fail(ctx.res, 400, { errorCode: "INVALID_PAYLOAD", message: "Request body is not valid JSON" });
    return null;
  }
}

function checkModel(sim, ctx, body) {
  const model = ctx.param;
  if (!MODELS[model] || (sim.live() && model === "lv")) {
    fail(ctx.res, 400, { errorCode: "INVALID_MODEL", message: `Unsupported model: ${model}`, supportedModels: SUPPORTED_MODELS });
    return false;
  }
  const problems = validate(model, body);
  if (problems.length) {
    fail(ctx.res, 400, { errorCode: "INVALID_PAYLOAD", message: `Invalid payload for ${model}: ${problems.map((p) => p.message).join("; ")}`, details: problems });
    return false;
  }
  return true;
}

function quote(sim, ctx) {
  const parsed = parseBody(ctx);
  if (!parsed || !checkModel(sim, ctx, parsed.body)) return;
  const credits = price(ctx.param, parsed.body);
  send(ctx.res, 200, {
    model: ctx.param, credits, listPriceUsd: Math.round(credits) / 100, usdPerCredit: 0.01,
    currentBalance: ctx.account.balance, affordable: ctx.account.balance >= credits, billable: false,
  });
}

function generate(sim, ctx) {
  const { res, req } = ctx;
  const { cfg, state } = sim;
  const live = sim.live();
  const wait = rateLimited(sim, `gen:${ctx.key}`, cfg.generationPerMinute);
  if (wait) return fail(res, 429, { errorCode: "RATE_LIMITED", message: "Generation rate limit exceeded for this key" }, { "retry-after": retryAfter(sim, wait) });
  const parsed = parseBody(ctx);
  if (!parsed) return;
  const idemKey = req.headers["idempotency-key"];
  if (idemKey !== undefined && (idemKey.length < 8 || idemKey.length > 128)) {
    return fail(res, 400, { errorCode: "INVALID_PAYLOAD", message: "Idempotency-Key must be 8-128 characters" });
  }
  const bodyDigest = digest(canonical({ model: ctx.param, body: parsed.body }));
  if (idemKey && !live) {
    const prior = state.idem.get(`${ctx.key}\n${idemKey}`);
    if (prior && prior.digest !== bodyDigest) {
      return fail(res, 409, { errorCode: "IDEMPOTENCY_CONFLICT", message: "Idempotency-Key was already used with a different request body" });
    }
    if (prior) {
      ctx.entry.replay = true;
      return submitted(sim, ctx, state.tasks.get(prior.taskId), true);
    }
  }
  if (!checkModel(sim, ctx, parsed.body)) return;
  const credits = price(ctx.param, parsed.body);
  const maxHeader = req.headers["x-max-credits"];
  if (maxHeader !== undefined && !live) {
    if (!/^\d+$/.test(maxHeader)) return fail(res, 400, { errorCode: "INVALID_PAYLOAD", message: "X-Max-Credits must be an integer >= 0" });
    if (credits > Number(maxHeader)) return fail(res, 422, { errorCode: "BUDGET_EXCEEDED", message: `Quote of ${credits} credits exceeds X-Max-Credits ${maxHeader}`, credits });
  }
  if (ctx.account.balance < credits) {
    return fail(res, 402, { errorCode: "INSUFFICIENT_CREDITS", message: `Insufficient credits: this request needs ${credits}, balance is ${ctx.account.balance}` });
  }
  ctx.account.balance -= credits;
  const n = state.tasks.size + 1;
  const jitter = 0.8 + 0.4 * state.rand();
  const t = {
    id: `task_${n.toString().padStart(4, "0")}_${randomBytes(4).toString("hex")}`, n, key: ctx.key, model: ctx.param,
    input: parsed.body, createdAt: sim.simNow(), durationMs: nominalSeconds(ctx.param, parsed.body) * 1000 * jitter,
    status: "SUBMITTED", output: null, creditsCharged: credits, creditsRefunded: 0, completedAt: null,
    idempotencyKey: live ? null : idemKey ?? null, willFail: state.rand() < cfg.failRate, origin: ctx.origin,
    webhookUrl: hookOf(ctx.req), hookedStatus: "SUBMITTED",
  };
  state.tasks.set(t.id, t);
  if (idemKey) state.idem.set(`${ctx.key}\n${idemKey}`, { digest: bodyDigest, taskId: t.id });
  ctx.entry.created = t.id;
  submitted(sim, ctx, t, false);
}

function submitted(sim, ctx, t, replay) {
  const base = `${ctx.origin}/api/v1/tasks/${encodeURIComponent(t.id)}`;
  const body = {
    status: "SUBMITTED", taskId: t.id, ...(sim.cfg.omitCreditsCharged ? {} : { creditsCharged: t.creditsCharged }), idempotentReplay: replay,
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
