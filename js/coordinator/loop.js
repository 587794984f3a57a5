// The coordinator's poll loop, one tick per alarm: one `GET /tasks` for every task being
// waited on (while the list is trusted), then per-task cross-checks as the budget spares
// (waited-on tasks first, each at least every `crossCheckEvery` ticks, the core's number),
// the list distrusted once it contradicts a task's own status twice in a row; finished
// records forgotten after RECORD_TTL_MS. Owns: the tick. Must not: answer callers.
import { __crossCheckEvery } from "../aivideo.js";
import { coordinatorSettings } from "../proxy/settings.js";
import { isTerminal, RECORD_TTL_MS } from "./envelopes.js";

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
    if (this.budget.listTrusted) {
      const out = await this.listForLoop(Math.max(5000, s.tickMs * 2));
      if (out && out.tasks) {
        listed = new Map(out.tasks.map((t) => [t.id, t]));
        this.lastList = { at: Date.now(), tasks: out.tasks };
      } else if (out && out.refused) {
        this.budget.listTrusted = false;
      }
    }
    // Cross-checks: the tasks asked longest ago, waited-on ones first, as the budget spares
    // (the list is not trusted to the second: a task's own status is the authority).
    // Each task at least every crossCheckEvery ticks (every tick once the list lags), within
    // the loop's share of the budget (70 %: callers' own reads, e.g. a finished task, keep the rest).
    const share = Math.floor((0.7 * s.rpm * s.tickMs) / s.windowMs) - (this.budget.listTrusted ? 1 : 0);
    const k = Math.max(0, Math.min(share, this.spare("query") - Math.ceil(0.3 * s.rpm)));
    const due = live.filter(([, r]) => !this.budget.listTrusted || !listed || Date.now() - (r.ownAt || 0) >= crossCheckEvery * s.tickMs);
    const order = due.sort(([a, ra], [b, rb]) => (this.waiters.has(b) - this.waiters.has(a)) || (ra.ownAt || 0) - (rb.ownAt || 0));
    const checks = order.slice(0, k);
    const checked = new Set();
    await Promise.all(checks.map(async ([id]) => {
      const out = await this.loopClient.getStatus(id);
      if (!out.ok) return;
      checked.add(id);
      // The list lags when it contradicts a task's own status twice in a row for that task
      // (once can be a change between the two reads).
      const inList = listed?.get(id)?.status;
      const r = this.records.get(id) || {};
      const lags = inList !== undefined && inList !== out.status ? (r.lags || 0) + 1 : 0;
      if (lags >= 2) this.budget.listTrusted = false;
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
      const body = await r.json();
      return body && Array.isArray(body.tasks) ? { tasks: body.tasks.filter((t) => t && typeof t.id === "string" && typeof t.status === "string") } : null;
    } catch {
      return null;
    }
  },
};
