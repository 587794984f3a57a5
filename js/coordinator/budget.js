// The coordinator's key-wide upstream budget: every upstream request waits here for a slot
// in a sliding window (persisted before the request goes, so a restarted object never sends
// a burst the server still counts), an upstream 429 pauses it, and callers' own reads keep
// part of it free for the poll loop. Owns: the window arithmetic and the pause. Must not:
// decide which task to read (loop.js) or answer callers (object.js).
import { coordinatorSettings } from "../proxy/settings.js";
import { sleep } from "./envelopes.js";
import { DAY_MS } from "../proxy/quota.js";

/** The longest pause one upstream 429 can impose (the client's own clamp). */
const MAX_PAUSE_MS = DAY_MS;

/** Methods of AivideoCoordinator (mixed into its prototype). */
export const budgetMethods = {
  /** Every upstream request waits here for the key-wide budget (a sliding window, persisted). */
  async upstream(url, init, loop) {
    const path = new URL(url).pathname;
    const kind = /\/generate\//.test(path) ? "gen" : (init?.method || "GET") === "GET" ? "query" : null;
    const taken = kind ? await this.slot(kind, loop, init?.signal) : null;
    if (kind && init?.signal?.aborted) {
      // The caller gave up while it waited: the slot goes back.
      const at = this.budget[kind].lastIndexOf(taken);
      if (at >= 0) this.budget[kind].splice(at, 1);
      throw new DOMException("the caller gave up while waiting for the rate budget", "AbortError");
    }
    const response = await fetch(url, init);
    if (response.status === 429) {
      // Clamped to a day, as the client clamps it: one answer cannot stop the key for longer
      // (the pause is persisted, so a restart keeps it, and never extends it).
      const seconds = Number(response.headers.get("retry-after"));
      this.budget.pausedUntil = Date.now() + Math.min(MAX_PAUSE_MS, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
      this.persist("budget", this.budget);
    }
    return response;
  },

  /** How long a request of this kind would wait for the budget now (0: it may go). */
  waitFor(kind, loop) {
    const s = coordinatorSettings(this.env);
    // A margin on the window: the server counts arrivals, we count departures.
    const windowMs = s.windowMs + s.marginMs;
    const limit = kind === "gen" ? s.gpm : s.rpm;
    // The poll loop may use the whole budget; callers' own reads keep half of it free for it.
    const cap = loop || kind === "gen" ? limit : Math.max(1, Math.floor(limit / 2));
    const now = Date.now();
    const hits = (this.budget[kind] = this.budget[kind].filter((t) => now - t < windowMs));
    const full = hits.length >= cap ? hits[hits.length - cap] + windowMs - now : 0;
    return Math.max(this.budget.pausedUntil - now, full);
  },

  /** Waits for a slot (an aborted `signal` stops the wait: the caller has gone). */
  async slot(kind, loop, signal) {
    for (;;) {
      if (signal?.aborted) return 0;
      const now = Date.now();
      const wait = this.waitFor(kind, loop);
      const hits = this.budget[kind];
      if (wait <= 0) {
        hits.push(now);
        // On disk before the request goes: a crash right after sending cannot forget it, so
        // a restarted object never sends a burst the server still counts.
        await this.storage.put("budget", this.budget);
        return now;
      }
      await sleep(Math.min(wait, 1000));
    }
  },

  spare(kind) {
    const s = coordinatorSettings(this.env);
    const now = Date.now();
    const used = this.budget[kind].filter((t) => now - t < s.windowMs + s.marginMs).length;
    return (kind === "gen" ? s.gpm : s.rpm) - used;
  },
};
