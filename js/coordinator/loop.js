// The coordinator's poll loop, one tick per alarm: one `GET /tasks` for every task being
// waited on (while the list is trusted; read under a byte cap, and skipped for a while once it
// is too large), then per-task cross-checks as the budget spares (waited-on tasks first, each
// at least every `crossCheckEvery` ticks, the core's number), the list distrusted once it
// contradicts a task's own status twice in a row; finished records forgotten after
// RECORD_TTL_MS. Owns: the tick. Must not: answer callers.
import { __crossCheckEvery, __waitRules } from "../aivideo.js";
import { coordinatorSettings } from "../proxy/settings.js";
import { isTerminal, RECORD_TTL_MS } from "./envelopes.js";
import { readText, TOO_LARGE } from "../proxy/http.js";

/** The list's largest body read (env LIST_MAX_BYTES, default 8 MiB as the client's), and
 * how many ticks a list over it is not asked again. */
const LIST_MAX_BYTES = 8 * 1024 * 1024;
const TOO_LARGE_TICKS = 12;

/** Methods of AivideoCoordinator (mixed into its prototype). */
export const loopMethods = {
  /** One tick of the poll loop. */
  async tick() {
    const s = coordinatorSettings(this.env);
    const crossCheckEvery = __crossCheckEvery();
    const now = Date.now();
    for (const [id, r] of this.records) {
      if (isTerminal(r.status) && now - r.updatedAt > RECORD_TTL_MS) {
        this.records.delete(id);
        this.dirty?.delete(`t:${id}`);
        this.storage.delete(`t:${id}`);
      }
    }
    this.forgetOldCounters(now);
    const live = [...this.records.entries()].filter(([, r]) => !isTerminal(r.status));
    if (!live.length) return;
    let listed = null;
    const skipList = (this.budget.listTooLargeUntil || 0) > now;
    if (this.budget.listTrusted && !skipList) {
      const out = await this.listForLoop(Math.max(5000, s.tickMs * 2));
      if (out && out.tasks) {
        listed = new Map(out.tasks.map((t) => [t.id, t]));
        this.lastList = { at: Date.now(), tasks: out.tasks };
      } else if (out && out.refused) {
        this.budget.listTrusted = false;
      } else if (out && out.tooLarge) {
        // Own reads only for a while; the list is asked again later (tasks may have expired).
        this.budget.listTooLargeUntil = now + TOO_LARGE_TICKS * s.tickMs;
        this.lastList = null;
      }
    }
    // Cross-checks: the tasks asked longest ago, waited-on ones first, as the budget spares
    // (the list is not trusted to the second: a task's own status is the authority).
    // Each task at least every crossCheckEvery ticks (every tick once the list lags), within
    // the loop's share of the budget (70 %: callers' own reads, e.g. a finished task, keep the rest).
    const share = Math.floor((0.7 * s.rpm * s.tickMs) / s.windowMs) - (this.budget.listTrusted ? 1 : 0);
    const k = Math.max(0, Math.min(share, this.spare("query") - Math.ceil(0.3 * s.rpm)));
    // Until the list has shown itself live, every task is due (the list may only echo own reads).
    const due = live.filter(([, r]) => !this.budget.listTrusted || !listed || Date.now() - (r.ownAt || 0) >= crossCheckEvery * s.tickMs);
    const order = due.sort(([a, ra], [b, rb]) => (this.waiters.has(b) - this.waiters.has(a)) || (ra.ownAt || 0) - (rb.ownAt || 0));
    const checks = order.slice(0, k);
    const checked = new Set();
    await Promise.all(checks.map(async ([id]) => {
      const out = await this.loopClient.getStatus(id);
      if (!out.ok) return;
      checked.add(id);
      // The list lags when it contradicts a task's own status twice in a row for that task
      // (once can be a change between the two reads). Unlike a client's waits, the loop keeps
      // an echoing list (the live service's): its reads keep every record fresh for callers'
      // reads, which measured better here (30 live waits: p95 118 s kept, 206 s dropped).
      const inList = listed?.get(id)?.status;
      const r = this.records.get(id) || {};
      const lags = inList !== undefined && inList !== out.status ? (r.lags || 0) + 1 : 0;
      if (lags >= __waitRules().lagContradictions) this.budget.listTrusted = false;
      this.record(id, { status: out.status, checkedAt: Date.now(), ownAt: Date.now(), lags });
    }));
    if (listed && this.budget.listTrusted) {
      for (const [id, r] of live) {
        const t = listed.get(id);
        if (!t) continue;
        const own = checked.has(id) ? this.records.get(id) : null;
        // A finished task keeps its full object (the browser's last read is answered from it).
        if (own) {
          if (isTerminal(own.status) && t.status === own.status) this.record(id, { task: t });
          continue;
        }
        const patch = { status: t.status, checkedAt: Date.now() };
        if (isTerminal(t.status)) patch.task = t;
        if (t.status !== r.status || patch.task) this.record(id, patch);
        else r.checkedAt = patch.checkedAt;
      }
    }
    this.persist("budget", this.budget);
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
