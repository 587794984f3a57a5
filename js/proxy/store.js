// Quota counters in fixed windows: the arithmetic every quota store here shares (this
// isolate's `memoryStore` and the coordinator's durable one), and the default store. Owns:
// windows, bounds on how many counters are kept. Must not: know what a counter is for (the
// quota table in quota.js names them) or do I/O.

/**
 * The default store: fixed windows in this isolate's memory (a Worker has many isolates, so
 * limits hold per isolate; the Durable Object coordinator makes them global). Bounded: expired
 * windows are dropped, and past `maxKeys` live counters the oldest are forgotten.
 */
export function memoryStore({ maxKeys = 100_000 } = {}) {
  const counters = new Map();
  const store = windowCounters(counters, {
    fresh(now) {
      if (counters.size <= maxKeys) return;
      for (const [k, v] of counters) {
        if (counters.size <= maxKeys * 0.9) break;
        if (v.resetAt <= now || counters.size > maxKeys) counters.delete(k);
      }
    },
  });
  return {
    // arch-allow: params (the public ProxyStore interface, proxy.d.ts)
    async take(key, amount, limit, windowMs, now = Date.now()) {
      return store.take(key, amount, limit, windowMs, now);
    },
    async give(key, amount, windowMs, now = Date.now()) {
      store.give(key, amount, windowMs, now);
    },
  };
}

/**
 * Fixed-window counters over a Map, the arithmetic of every quota store here (this isolate's
 * and the coordinator's). `fresh(now)` runs when a key starts a new window (a chance to prune);
 * `changed(key, counter)` after every change (the coordinator persists it).
 */
export function windowCounters(counters, { fresh = () => {}, changed = () => {} } = {}) {
  const window = (key, windowMs, now) => {
    const index = Math.floor(now / windowMs);
    let c = counters.get(key);
    if (!c || c.index !== index) {
      c = { index, used: 0, resetAt: (index + 1) * windowMs };
      counters.delete(key);
      counters.set(key, c);
      fresh(now);
    }
    return c;
  };
  return {
    // arch-allow: params (the ProxyStore interface's take, shared by both stores)
    take(key, amount, limit, windowMs, now) {
      const c = window(key, windowMs, now);
      if (c.used + amount > limit) return { ok: false, used: c.used, resetAt: c.resetAt };
      c.used += amount;
      changed(key, c);
      return { ok: true, used: c.used, resetAt: c.resetAt };
    },
    give(key, amount, windowMs, now) {
      const c = window(key, windowMs, now);
      c.used = Math.max(0, c.used - amount);
      changed(key, c);
    },
  };
}
