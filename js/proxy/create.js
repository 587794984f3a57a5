// The proxy's quote and create routes: read the body under its caps, validate it offline,
// check the caller's idempotency key with the core's rule, cap the price, reserve the daily
// credit quota before anything goes upstream, create through the client (which reconciles a
// lost answer in the operator's task list), and settle the reservation to what was charged.
// Owns: the per-task cap and the credit reservation. Must not: send a create a caller's
// abort could leave billed and uncounted.
import { newHook } from "./hooks.js";
import { __idempotencyKeyProblem, __statedCharge } from "../aivideo.js";
import { validatePayload, estimateCredits } from "../api.js";
import { answer, failure, tooMany, fromEnvelope, readBody, TOO_LARGE, BUSY, STALLED } from "./http.js";
import { QUOTAS, limitOf, meter, reserve } from "./quota.js";

/** `rc.name` is "quote" or "generate", `rc.param` the model. */
export async function createRoute(rc) {
  const { settings } = rc;
  if (settings.allowedModels && !settings.allowedModels.includes(rc.param)) {
    return failure(rc, 400, "INVALID_MODEL", `model ${rc.param} is not allowed by this proxy (allowed: ${settings.allowedModels.join(", ")})`);
  }
  const lease = { large: false };
  try {
    const payload = await readPayload(rc, lease);
    if (payload instanceof Response) return payload;
    const check = validatePayload(rc.param, payload);
    if (!check.ok) return answer(rc, 400, { status: "FAILED", errorCode: check.errorCode, message: check.errorMessage, details: check.details });
    const call = rc.request.signal ? { signal: rc.request.signal } : {};
    if (rc.name === "quote") return fromEnvelope(rc, await rc.api.quote(rc.param, payload, call));
    return await create(rc, payload);
  } finally {
    if (lease.large) rc.isolate.largeInUse = false;
  }
}

/** The body as JSON, read with the proxy's caps, or the Response that refuses it: by default
 * in the API's error shape; `refuse(rc, { status, errorCode, message, resetAt })` makes another
 * (the MCP endpoint's JSON-RPC errors). */
export async function readPayload(rc, lease, refuse = apiRefusal) {
  const no = (status, errorCode, message, resetAt) => refuse(rc, { status, errorCode, message, resetAt });
  try {
    const text = await readBody(rc, lease);
    if (text === TOO_LARGE) return no(413, "INVALID_PAYLOAD", `the body is larger than ${rc.settings.maxBodyBytes} bytes`);
    if (text === BUSY) return no(429, "RATE_LIMITED", "another large upload is in progress here; retry in a second", Date.now() + 1000);
    if (text === STALLED) return no(408, "INVALID_PAYLOAD", "the body stopped arriving (or came too slowly); send it again");
    const shape = jsonShapeProblem(text);
    if (shape) return no(400, "INVALID_PAYLOAD", shape);
    return JSON.parse(text);
  } catch {
    return no(400, "INVALID_PAYLOAD", "the body is not JSON");
  }
}

/** A refused body in the API's error shape. */
function apiRefusal(rc, { status, errorCode, message, resetAt }) {
  return status === 429 ? tooMany(rc, errorCode, message, resetAt) : failure(rc, status, errorCode, message);
}

/** A payload has a few dozen fields, one of them maybe a long string: a body nested deeper
 * than MAX_DEPTH or holding more than MAX_VALUES values is refused before it is parsed (parsing
 * 722 k small keys cost 1.8 s of CPU and 140 MB). One pass over the text, strings skipped. */
const MAX_DEPTH = 32;
const MAX_VALUES = 10_000;
function jsonShapeProblem(text) {
  let depth = 0;
  let values = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // a string: skip to its closing quote
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 123 || c === 91) { // { [
      if (++depth > MAX_DEPTH) return `the body is nested more than ${MAX_DEPTH} deep`;
    } else if (c === 125 || c === 93) { // } ]
      depth--;
    } else if (c === 44 && ++values > MAX_VALUES) { // ,
      return `the body holds more than ${MAX_VALUES} values`;
    }
  }
  return null;
}

/** The per-task cap: the operator's, lowered by the caller's token or its X-Max-Credits. */
function perTaskCap(rc) {
  let cap = Math.min(rc.settings.maxCreditsPerTask, limitOf(rc.caller, rc.settings, "maxCreditsPerTask") ?? Infinity);
  const asked = rc.request.headers.get("x-max-credits");
  if (asked !== null && /^\d+$/.test(asked)) cap = Math.min(cap, Number(asked));
  return cap;
}

/** What a create's answer counts against the quota: its stated charge when usable, else what
 * was reserved (never 0); a replay was counted when it was first created. */
function charged(out, reserved) {
  if (out.data && out.data.idempotentReplay) return 0;
  return __statedCharge(out.data ?? null) ?? reserved;
}

async function create(rc, payload) {
  const key = rc.request.headers.get("idempotency-key");
  if (key !== null && __idempotencyKeyProblem(key) !== undefined) {
    return failure(rc, 400, "INVALID_ARGUMENT", "Idempotency-Key must be 8 to 128 visible ASCII characters");
  }
  const cap = perTaskCap(rc);
  const estimate = estimateCredits(rc.param, payload).credits;
  if (typeof estimate === "number" && estimate > cap) {
    return failure(rc, 422, "BUDGET_EXCEEDED", `this task costs ${estimate} credits, over the ${cap}-credit cap per task`);
  }
  // A cap of 0 (X-Max-Credits: 0, or the token's) on a payload only the server prices: nothing
  // could be created, and that is the caller's cap, not the day's quota.
  if (typeof estimate !== "number" && cap === 0) return failure(rc, 422, "BUDGET_EXCEEDED", "a cap of 0 credits per task (X-Max-Credits or the token's limit): nothing can be created");
  // The user's share of the key's creates this minute: one reserved now, settled to what
  // went upstream (a replay served from memory, or a create refused before sending, costs 0).
  const creates = await reserve(meter(rc.store, QUOTAS.creates, rc.caller.userId), 1, limitOf(rc.caller, rc.settings, QUOTAS.creates.limit));
  if (!creates.ok) return tooMany(rc, "RATE_LIMITED", QUOTAS.creates.message, creates.resetAt);
  // The daily quota is reserved before anything goes upstream: the local estimate, or the cap
  // when only the server prices the payload; settled to what the create charged.
  const day = meter(rc.store, QUOTAS.credits, rc.caller.userId);
  const perDay = limitOf(rc.caller, rc.settings, "creditsPerDay");
  // Only the server prices this payload: reserve the cap, or (no finite cap) what is left of
  // the day, and let the client's quote refuse anything above it.
  let ceiling = cap;
  if (typeof estimate !== "number" && !Number.isFinite(cap) && Number.isFinite(perDay)) ceiling = Math.max(0, perDay - (await day.peek()).used);
  const amount = typeof estimate === "number" ? estimate : Number.isFinite(ceiling) ? ceiling : 0;
  const held = await reserve(day, amount, perDay);
  if (!held.ok || (typeof estimate !== "number" && ceiling === 0 && Number.isFinite(perDay))) {
    await Promise.all([held.release(), creates.release()]);
    return tooMany(rc, "BUDGET_EXCEEDED", `daily credit quota reached (${held.used} of ${perDay} used; this task needs ${amount || "a quote"})`, held.resetAt);
  }
  // A create never takes the caller's signal: aborted in flight it could be billed while the
  // caller's quota is given back. A caller already gone sends nothing.
  if (rc.request.signal && rc.request.signal.aborted) {
    await Promise.all([held.release(), creates.release()]);
    return failure(rc, 499, "ABORTED", "the caller left before the create was sent");
  }
  // The proxy is the only sender of its callers' creates: it reconciles a lost answer in the
  // operator's task list (adopting only a task made since its own send, with this input, that
  // no other caller's key made), and never sends blind (the core's invariant).
  const opts = Number.isFinite(ceiling) ? { maxCredits: ceiling } : {};
  if (key) opts.idempotencyKey = await rc.owners.upstreamKey(rc.caller.userId, key);
  // Webhook hints go to the coordinator's scheduler: only with one.
  const hook = rc.coord && rc.name === "generate" ? await newHook(rc.settings, rc.owners) : null;
  if (hook) opts.webhookUrl = hook.url;
  let out;
  try {
    out = await rc.api.createGeneration(rc.param, payload, opts);
  } catch (e) {
    await Promise.all([held.release(), creates.release()]);
    throw e;
  }
  const upstream = (out.ok && !(out.data && out.data.idempotentReplay)) || (out.data && out.data.maybeCreated);
  await creates.settle(upstream ? 1 : 0);
  if (out.ok) await held.settle(charged(out, amount));
  // Definitely not created: nothing was spent. Maybe created: the reservation stays.
  else if (!(out.data && out.data.maybeCreated)) await held.release();
  return fromEnvelope(rc, out);
}
