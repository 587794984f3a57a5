// The Durable Object coordinator: `export { AivideoCoordinator } from "aivideo/proxy"` in the
// Worker, bound as AIVIDEO_COORDINATOR; the proxy then sends every upstream call through one
// object per key. It owns the key-wide rate budget (budget.js: a sliding window, persisted),
// the per-user quota counters, the task records (records.js) and one poll loop on its alarm
// (loop.js); waiting browsers are answered from it (long poll). This file: the object's
// operations (fetch: take, give, call, watch, mine) and its lifecycle. It builds its client
// from the upstream the handler sends (code's `apiKey`/`baseUrl` win over env there too).
// Settings (env): UPSTREAM_REQUESTS_PER_MINUTE (60), UPSTREAM_GENERATIONS_PER_MINUTE (30),
// UPSTREAM_WINDOW_MS (60000), UPSTREAM_MARGIN_MS (5 % of it), POLL_INTERVAL_MS (5000).
// Must not: authenticate callers (the handler has; `owner` is proven there).
import { __endpoints, __waitRules } from "../aivideo.js";
import { createClient } from "../api.js";
import { hookNonce } from "../proxy/hooks.js";
import { coordinatorSettings } from "../proxy/settings.js";
import { windowCounters } from "../proxy/store.js";
import { okEnvelope, failEnvelope, isTerminal, roughBytes } from "./envelopes.js";
import { budgetMethods } from "./budget.js";
import { recordMethods } from "./records.js";
import { loopMethods, SMALL_INPUT_BYTES } from "./loop.js";

/** What the proxy may ask the coordinator's client to do (the core's endpoints, by client
 * method), and whether each is a read (counts against the query budget). */
let endpoints = null;
const endpointOf = (method) => (endpoints ??= new Map(__endpoints().map((e) => [e.method, e]))).get(method);

export class AivideoCoordinator {
  constructor(state, env) {
    this.state = state;
    this.storage = state.storage;
    this.env = env || {};
    this.records = new Map();
    this.counters = new Map();
    this.waiters = new Map();
    this.pending = new Map();
    let windows = 0;
    this.quota = windowCounters(this.counters, {
      changed: (key, c) => this.persist(`q:${key}`, c),
      // Counters of windows long over (users who came once) are forgotten as they pile up.
      fresh: (now) => {
        if (++windows % 1000 === 0) this.forgetOldCounters(now);
      },
    });
    this.budget = { query: [], gen: [], pausedUntil: 0, list: {} };
    this.lastList = null;
    this.ready = null;
  }

  load() {
    this.ready ??= (async () => {
      const [budget, records, counters] = await Promise.all([this.storage.get("budget"), this.storage.list({ prefix: "t:" }), this.storage.list({ prefix: "q:" })]);
      if (budget) Object.assign(this.budget, budget);
      for (const [k, v] of records) this.records.set(k.slice(2), v);
      for (const [k, v] of counters) this.counters.set(k.slice(2), v);
      this.given = (await this.storage.get("upstream")) || null;
      this.makeClients();
      // Waits in progress when the object was evicted or the runtime restarted: poll on.
      if ([...this.records.values()].some((r) => !isTerminal(r.status))) await this.ensureAlarm();
    })();
    return this.ready;
  }

  async fetch(request) {
    let args;
    try {
      args = await request.json();
      await this.load();
      await this.configure(args.upstream);
    } catch (e) {
      return Response.json(failEnvelope("UPSTREAM_ERROR", `coordinator: ${e && e.message}`, 500), { status: 500 });
    }
    const op = new URL(request.url).pathname.slice(1);
    switch (op) {
      case "take": return Response.json(this.take(args));
      case "give": return Response.json(this.give(args));
      case "call": return Response.json(await this.call(args));
      case "watch": return Response.json(await this.watch(args));
      case "mine": return Response.json(await this.mine(args));
      case "hint": return Response.json(await this.hint(args));
      default: return Response.json(failEnvelope("INVALID_ARGUMENT", `coordinator: no op ${op}`, 404), { status: 404 });
    }
  }

  async alarm() {
    await this.load();
    let next = null;
    try {
      next = await this.tick();
    } finally {
      if ([...this.records.values()].some((r) => !isTerminal(r.status)) || this.waiters.size) {
        await this.storage.setAlarm(next ?? Date.now() + coordinatorSettings(this.env).tickMs);
      }
    }
  }

  async ensureAlarm() {
    if ((await this.storage.getAlarm()) == null) await this.storage.setAlarm(Date.now() + coordinatorSettings(this.env).tickMs);
  }

  // Quota counters (fixed windows), durable.
  take({ key, amount, limit, windowMs, now }) {
    return this.quota.take(key, amount, limit ?? Infinity, windowMs, now);
  }

  give({ key, amount, windowMs, now }) {
    this.quota.give(key, amount, windowMs, now);
    return {};
  }

  /** The upstream the handler resolved (its code's `apiKey`/`baseUrl`, else its env), kept
   * on disk so the alarm's loop uses it after a restart too; env until a handler has called. */
  upstreamSettings() {
    return this.given ?? { apiKey: this.env.AIVIDEO_API_KEY, baseUrl: this.env.AIVIDEO_BASE_URL };
  }

  async configure(upstream) {
    if (!upstream || typeof upstream !== "object") return;
    const next = { apiKey: upstream.apiKey, baseUrl: upstream.baseUrl };
    const now = this.upstreamSettings();
    if (next.apiKey === now.apiKey && next.baseUrl === now.baseUrl) return;
    this.given = next;
    await this.storage.put("upstream", next);
    this.makeClients();
  }

  /** Two clients on one budget: callers' calls, and the poll loop's (which may use all of it). */
  makeClients() {
    const s = coordinatorSettings(this.env);
    const make = (loop) => createClient({
      ...this.upstreamSettings(), maxRetries: 0,
      // The durable budget below is the one that counts; the client's own stays out of the way.
      rateLimitPerMinute: 1e6, rateLimitWindowMs: s.windowMs,
      fetch: (url, init) => this.upstream(url, init, loop),
    });
    this.client = make(false);
    this.loopClient = make(true);
  }

  /** One API call on behalf of a caller; reads are answered from the records when fresh. */
  async call({ method, args = [], owner, admin }) {
    const id = typeof args[0] === "string" ? args[0] : null;
    const rec = id && method !== "createGeneration" && method !== "quote" ? this.records.get(id) : null;
    if (rec && rec.owner && owner && rec.owner !== owner && !admin) return failEnvelope("TASK_NOT_FOUND", "Task not found", 404, id);
    const fresh = rec && rec.status && (isTerminal(rec.status) || Date.now() - rec.checkedAt < coordinatorSettings(this.env).tickMs * 1.5);
    if (method === "getStatus" && fresh) return okEnvelope(rec.status, id, { status: rec.status });
    if (method === "getTask" && rec) {
      // A finished task from its record; a running one from a list read within the tick.
      const listedFresh = this.lastList && Date.now() - this.lastList.at < coordinatorSettings(this.env).tickMs * 1.5;
      const task = (isTerminal(rec.status) ? rec.task : null) ?? (listedFresh || isTerminal(rec.status) ? this.lastList?.tasks.find((t) => t.id === id && t.status === rec.status) : null);
      if (task) return okEnvelope(rec.status, id, task);
    }
    if (!endpointOf(method)) return failEnvelope("INVALID_ARGUMENT", `coordinator: no method ${method}`, 400);
    // A create never queues long either: past a sixth of the window (a paused key, a spent
    // generation budget) the caller gets 429 at once with when to come back.
    if (method === "createGeneration") {
      const wait = this.waitFor("gen", false);
      if (wait > Math.min(10_000, coordinatorSettings(this.env).windowMs / 6)) return this.busy("the API key's generation budget is paused or spent", wait, id);
    }
    // Fair shares of the key's budget: a caller's reads never queue long (429 at once past a
    // sixth of the window), and one caller has at most two reads waiting here at a time.
    const query = endpointOf(method).query;
    const who = owner || "admin";
    if (query) {
      const s = coordinatorSettings(this.env);
      const wait = this.waitFor("query", false);
      if (wait > Math.min(10_000, s.windowMs / 6) || (this.pending.get(who) || 0) >= 2) return this.busy("the API key's request budget is busy", wait, id);
      this.pending.set(who, (this.pending.get(who) || 0) + 1);
    }
    let out;
    try {
      out = await this.client[method](...args);
    } finally {
      if (query) {
        const n = (this.pending.get(who) || 1) - 1;
        if (n) this.pending.set(who, n);
        else this.pending.delete(who);
      }
    }
    if (method === "createGeneration" && out.ok && out.taskId) {
      // A replay of a task already recorded changes nothing (a finished task stays finished).
      if (!(out.data && out.data.idempotentReplay && this.records.has(out.taskId))) {
        this.record(out.taskId, {
          owner, status: "SUBMITTED", model: args[0], checkedAt: Date.now(),
          expectedMs: out.data?.handle?.expectedMs, inputBytes: roughBytes(args[1], SMALL_INPUT_BYTES + 1),
          hook: hookNonce(args[2]?.webhookUrl),
        });
      }
      await this.ensureAlarm();
    } else if (id && out.ok && (method === "getStatus" || method === "getTask" || method === "cancelTask")) {
      const patch = { status: out.status || rec?.status, checkedAt: Date.now(), ...(method === "getStatus" ? { ownAt: Date.now() } : {}), ...(owner && !admin && !rec?.owner ? { owner } : {}) };
      if (method === "getTask" && isTerminal(out.status)) patch.task = out.data;
      this.record(id, patch);
    }
    return out;
  }

  /** 429 now, with a Retry-After of the wait (at least a second, at most the clamped pause). */
  busy(why, waitMs, id) {
    const out = failEnvelope("RATE_LIMITED", `${why}; retry after the Retry-After seconds`, 429, id);
    out.retryAfter = Math.max(1, Math.ceil(Math.max(waitMs, 1000) / 1000));
    return out;
  }

  /** A long poll: the task's status once it differs from `after` (or it ends), or after holdMs. */
  async watch({ id, owner, admin, after, holdMs }) {
    let rec = this.records.get(id);
    if (rec && rec.owner && rec.owner !== owner && !admin) return failEnvelope("TASK_NOT_FOUND", "Task not found", 404, id);
    if (!rec || !rec.status) {
      // Not created through the coordinator (or before it): read it once, then keep watching.
      const out = await this.call({ method: "getStatus", args: [id], owner, admin });
      if (!out.ok) return out;
      rec = this.records.get(id);
    }
    if (rec.status !== after || isTerminal(rec.status)) return okEnvelope(rec.status, id, { status: rec.status });
    await this.ensureAlarm();
    // The client's hold by default (the core's), at most 30 s: a connection held longer is
    // more likely cut by something between.
    const hold = Math.min(Math.max(Number(holdMs) || __waitRules().longPollHoldMs, 1000), 30_000);
    let mine = null;
    await new Promise((resolve) => {
      mine = { after, wake: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(mine.wake, hold);
      if (!this.waiters.has(id)) this.waiters.set(id, new Set());
      this.waiters.get(id).add(mine);
    });
    const set = this.waiters.get(id);
    if (set) {
      set.delete(mine);
      if (!set.size) this.waiters.delete(id);
    }
    const now = this.records.get(id);
    return okEnvelope(now.status, id, { status: now.status });
  }

  /** A webhook callback for the task filed under `nonce` (its MAC already checked): the task
   * goes to the front of the loop's line, and the loop runs now. */
  async hint({ nonce }) {
    if (typeof nonce !== "string") return {};
    for (const [id, r] of this.records) {
      if (r.hook !== nonce || isTerminal(r.status)) continue;
      this.record(id, { hinted: true });
      const at = await this.storage.getAlarm();
      if (at == null || at > Date.now()) await this.storage.setAlarm(Date.now());
      break;
    }
    return {};
  }

  /** A user's own tasks, from the (fresh) task list. */
  async mine({ owner }) {
    const s = coordinatorSettings(this.env);
    if (!this.lastList || Date.now() - this.lastList.at > s.tickMs) {
      const out = await this.client.listTasks();
      if (!out.ok) return out;
      this.lastList = { at: Date.now(), tasks: out.data.tasks || [] };
    }
    const tasks = this.lastList.tasks.filter((t) => this.records.get(t.id)?.owner === owner);
    return okEnvelope(null, null, { tasks });
  }
}

Object.assign(AivideoCoordinator.prototype, budgetMethods, recordMethods, loopMethods);
