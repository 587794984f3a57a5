// The coordinator's records: one per task (owner, last status, when it was last read, the
// finished task), waking the long polls waiting on it; writes coalesced per turn of the event
// loop; old quota counters forgotten. Owns: what is kept. Must not: read upstream.
import { MINUTE_MS } from "../proxy/quota.js";
import { isTerminal } from "./envelopes.js";

/** Methods of AivideoCoordinator (mixed into its prototype). */
export const recordMethods = {
  record(id, patch) {
    const now = Date.now();
    const r = { ...(this.records.get(id) || { createdAt: now, checkedAt: 0, status: null }), ...patch, updatedAt: now };
    this.records.set(id, r);
    this.persist(`t:${id}`, r);
    if (r.status && this.waiters.has(id)) {
      for (const w of this.waiters.get(id)) if (w.after !== r.status || isTerminal(r.status)) w.wake();
    }
    return r;
  },

  /** Writes coalesced per turn of the event loop, 128 keys a call (the runtime holds answers
   * until they are on disk, so fewer, larger writes answer sooner). */
  persist(key, value) {
    this.dirty ??= new Map();
    this.dirty.set(key, value);
    if (this.dirty.size === 1) {
      queueMicrotask(() => {
        const entries = [...this.dirty];
        this.dirty.clear();
        for (let i = 0; i < entries.length; i += 128) this.storage.put(Object.fromEntries(entries.slice(i, i + 128)));
      });
    }
  },

  /** Quota counters of windows long over (users who came once) are forgotten. */
  forgetOldCounters(now) {
    for (const [key, c] of this.counters) {
      if (c.resetAt >= now - MINUTE_MS) continue;
      this.counters.delete(key);
      this.dirty?.delete(`q:${key}`);
      this.storage.delete(`q:${key}`);
    }
  },
};
