// The coordinator's poll loop, one tick per alarm. What to read is the core's decision
// (`__planTick`, the scheduler the client's concurrent waits use): the due tasks the loop's
// share of the budget can read now, most urgent first (in their ending window, not read for
// long, hinted by a webhook, waited on), and the task list only while it may stand in for own
// reads (`__listSeen` keeps its standing: proven live, an echo of own reads, lagging, refused
// or over the byte cap). Finished records are forgotten after RECORD_TTL_MS.
// Owns: the tick and its reads. Must not: answer callers, or decide what to read.
import { __planTick, __listSeen } from "../aivideo.js";
import { coordinatorSettings } from "../proxy/settings.js";
import { isTerminal, RECORD_TTL_MS } from "./envelopes.js";
import { readText, TOO_LARGE } from "../proxy/http.js";

/** The list's largest body read (env LIST_MAX_BYTES, default 8 MiB as the client's). */
const LIST_MAX_BYTES = 8 * 1024 * 1024;
/** Part of the key's budget kept free for callers' own reads (a share of the rate). */
const CALLER_SHARE = 0.05;
/** The loop reads at the key's rate, at most this many at once (a sliding window would allow
 * a minute's worth in a burst, then nothing for a minute). */
const PACE_BURST = 2;
/** An input this small is read whole on each look (`GET /tasks/{id}`, same cost as the
 * status): the finished task is then on record, and the browser's last read costs nothing. */
export const SMALL_INPUT_BYTES = 16 * 1024;

/** Methods of AivideoCoordinator (mixed into its prototype). */
export const loopMethods = {
  /** One tick of the poll loop; resolves to when the next should run (or null: nothing to watch). */
  async tick() {
    const s = coordinatorSettings(this.env);
    const scale = s.windowMs / 60_000;
    const now = Date.now();
    this.forgetFinished(now);
    this.forgetOldCounters(now);
    const live = [...this.records.entries()].filter(([, r]) => !isTerminal(r.status));
    if (!live.length) return null;
    this.budget.list = this.listState(now, scale);
    // The loop paces itself at the key's rate, keeping a share for callers.
    const tokenMs = (s.windowMs + s.marginMs) / s.rpm;
    this.pace = Math.min(PACE_BURST, (this.pace ?? 1) + (now - (this.pacedAt ?? now)) / tokenMs);
    this.pacedAt = now;
    const reads = Math.max(0, Math.min(Math.floor(this.pace), this.spare("query") - Math.ceil(CALLER_SHARE * s.rpm)));
    const plan = __planTick({
      tasks: live.map(([id, r]) => ({
        id, model: r.model, expectedMs: r.expectedMs, createdAt: r.createdAt, status: r.status,
        ownAt: r.ownAt, listedAt: r.listedAt, hinted: !!r.hinted, waited: this.waiters.has(id),
      })),
      list: this.budget.list, lastListAt: this.lastListAt, now, reads: plan0Reads(reads, this.budget.list), scale,
    });
    const listed = plan.readList && this.spare("query") > 0 ? await this.readList(Math.max(5000, s.tickMs * 2), scale) : null;
    this.pace -= plan.reads.length + (listed ? 1 : 0);
    await Promise.all(plan.reads.map((id) => this.readOwn(id, scale)));
    this.persist("budget", this.budget);
    const next = plan.reads.length >= reads && reads > 0 ? Math.min(plan.nextAt, now + tokenMs) : plan.nextAt;
    return Math.max(next, Date.now() + tokenMs / 4);
  },

  /** The list's standing, as the core keeps it (an older `listTrusted: false` reads as stale). */
  listState(now, scale) {
    const b = this.budget;
    if (!b.list) b.list = b.listTrusted === false ? { stale: true } : {};
    return __listSeen(b.list, {}, now, scale);
  },

  /** Finished records are kept RECORD_TTL_MS for callers' last reads, then forgotten. */
  forgetFinished(now) {
    for (const [id, r] of this.records) {
      if (isTerminal(r.status) && now - r.updatedAt > RECORD_TTL_MS) {
        this.records.delete(id);
        this.dirty?.delete(`t:${id}`);
        this.storage.delete(`t:${id}`);
      }
    }
  },

  /** One list read, folded into the records when the list has shown itself live. Returns the
   * listed tasks by id, or null. */
  async readList(timeoutMs, scale) {
    const out = await this.listForLoop(timeoutMs);
    const now = Date.now();
    if (out && out.refused) this.budget.list = __listSeen(this.budget.list, { refused: true }, now, scale);
    if (out && out.tooLarge) {
      // Own reads only for a while; the list is asked again later (tasks expire, it shrinks).
      this.budget.list = __listSeen(this.budget.list, { tooLarge: true }, now, scale);
      this.lastList = null;
    }
    if (!out || !out.tasks) return null;
    this.lastListAt = now;
    this.lastList = { at: now, tasks: out.tasks };
    const listed = new Map(out.tasks.map((t) => [t.id, t]));
    const pairs = [];
    for (const [id, t] of listed) {
      const r = this.records.get(id);
      if (r && !isTerminal(r.status)) pairs.push([r.status ?? null, t.status]);
    }
    this.budget.list = __listSeen(this.budget.list, { listed: pairs }, now, scale);
    if (!this.budget.list.seenAhead || this.budget.list.off) return listed;
    for (const [id, t] of listed) {
      const r = this.records.get(id);
      if (!r || isTerminal(r.status)) continue;
      // A finished task keeps its full object (the browser's last read is answered from it).
      const patch = { status: t.status, checkedAt: now, listedAt: now };
      if (isTerminal(t.status)) patch.task = t;
      if (t.status !== r.status || patch.task) this.record(id, patch);
      else Object.assign(r, { checkedAt: now, listedAt: now });
    }
    return listed;
  },

  /** One own read of a task: the whole task when its input is small, else its status. A read
   * that contradicts a list read made since the task's previous own read counts against the
   * list (`__listSeen`: an echo of own reads never shows a change first). */
  async readOwn(id, scale) {
    const r0 = this.records.get(id) || {};
    const whole = r0.inputBytes != null && r0.inputBytes <= SMALL_INPUT_BYTES;
    const out = whole ? await this.loopClient.getTask(id) : await this.loopClient.getStatus(id);
    if (!out.ok) return;
    const now = Date.now();
    const r = this.records.get(id) || {};
    const list = this.lastList && this.lastList.at > (r.ownAt ?? 0) ? this.lastList : null;
    const inList = list?.tasks.find((t) => t.id === id)?.status;
    const lags = inList !== undefined && inList !== out.status ? (r.lags || 0) + 1 : 0;
    // Evidence against the list only from a change since the previous own read (`__listSeen`
    // weighs it by how likely a live list read then was to miss it too).
    const changed = r.status != null && r.status !== out.status && r.ownAt != null;
    if (lags) this.budget.list = __listSeen(this.budget.list, { contradiction: lags, ...(changed ? { prevOwnAt: r.ownAt, listedAt: list.at, ownAt: now } : {}) }, now, scale);
    const patch = { status: out.status, checkedAt: now, ownAt: now, lags, hinted: false };
    if (whole && isTerminal(out.status)) patch.task = out.data;
    this.record(id, patch);
  },

  /** The loop's task list: read directly (a 1,000-task list costs ~6 ms this way and ~31 ms
   * through the client's conversion, measured in Node), on the same budget, refusing redirects. */
  async listForLoop(timeoutMs) {
    const { apiKey, baseUrl } = this.upstreamSettings();
    const base = String(baseUrl || "https://aivideomaker.ai").replace(/\/+$/, "");
    try {
      const r = await this.upstream(`${base}/api/v1/tasks`, { method: "GET", headers: { key: apiKey, accept: "application/json" }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) }, true);
      if (r.status === 401 || r.status === 403) return { refused: true };
      if (r.status !== 200) return null;
      // A task list carries every task's input, data URIs included: tens of megabytes.
      const max = Number(this.env.LIST_MAX_BYTES) > 0 ? Number(this.env.LIST_MAX_BYTES) : LIST_MAX_BYTES;
      if (Number(r.headers.get("content-length")) > max) {
        r.body?.cancel().catch(() => {});
        return { tooLarge: true };
      }
      const text = await readText(r.body, { max, idleMs: timeoutMs });
      if (text === TOO_LARGE) return { tooLarge: true };
      if (typeof text !== "string") return null;
      const body = JSON.parse(text);
      return body && Array.isArray(body.tasks) ? { tasks: body.tasks.filter((t) => t && typeof t.id === "string" && typeof t.status === "string") } : null;
    } catch {
      return null;
    }
  },
};

/** Reads the plan may use: with a list that serves, one of them goes to the list. */
function plan0Reads(reads, list) {
  return list.seenAhead && !list.off ? Math.max(0, reads - 1) : reads;
}
