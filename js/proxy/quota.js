// The per-user quotas: one table row per quota (its limit's setting, counter prefix and
// window, and what /usage reports of it), and one reserve/settle helper, so a new quota is a
// row and every exit of a request gives back what it reserved. Owns: counter names and
// windows, which limits a caller's token may lower. Must not: know the store's internals.

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

const finite = (n) => (Number.isFinite(n) ? n : null);
/** The routes whose answer is an upstream read. */
const UPSTREAM_READS = new Set(["task", "status", "tasks", "account"]);

/**
 * The quotas counted per user, one row each: `limit` is the option (and token claim) that
 * bounds it, `env` its variable and `fallback` its default; `perRequest(rc)`, when present,
 * is what each request costs (taken before it runs, 429 at once past the limit); the credit
 * quota is reserved by the create route instead. `usage` is what /usage reports of it.
 */
export const QUOTAS = {
  credits: {
    limit: "creditsPerDay", env: "CREDITS_PER_DAY", fallback: 500, prefix: "cpd", windowMs: DAY_MS,
    usage: (c, limit) => ({ creditsUsedToday: c.used, creditsLeftToday: finite(Math.max(0, limit - c.used)), resetsAt: new Date(c.resetAt).toISOString() }),
  },
  requests: {
    limit: "requestsPerMinute", env: "REQUESTS_PER_MINUTE", fallback: 60, prefix: "rpm", windowMs: MINUTE_MS,
    perRequest: () => 1,
    message: "too many requests for this user; retry after the Retry-After seconds",
    usage: (c) => ({ requestsThisMinute: c.used }),
  },  // A user's share of the key's generation limit (30 a minute upstream): one user's creates
  // cannot use all of it and leave the others' creates to 429. Checked by the create route
  // before it sends, and counted only for what went upstream (a replay, or a create refused
  // before sending, costs nothing there).
  creates: {
    limit: "createsPerMinute", env: "CREATES_PER_MINUTE", fallback: 10, prefix: "cpm", windowMs: MINUTE_MS,
    message: "this user's share of the key's creates is used up for this minute; retry after the Retry-After seconds",
    usage: (c) => ({ createsThisMinute: c.used }),
  },
  // Without the coordinator, the isolate's upstream budget (the client's 60 reads a minute) is
  // shared by every user: one user's reads may take at most this much of it, so nobody's
  // status calls starve another's. (The coordinator shares the key's budget fairly itself.)
  reads: {
    limit: "readsPerMinute", env: "READS_PER_MINUTE", fallback: 30, prefix: "rdm", windowMs: MINUTE_MS,
    perRequest: (rc) => (!rc.coord && UPSTREAM_READS.has(rc.name) ? 1 : 0),
    message: "this user's share of the upstream reads is used up for this minute; retry after the Retry-After seconds",
    usage: (c) => ({ readsThisMinute: c.used }),
  },
};

/** Limits a caller's token may set for that caller (lower, for maxCreditsPerTask). */
export const USER_LIMITS = [...Object.values(QUOTAS).map((q) => q.limit), "maxCreditsPerTask"];

/** Takes every per-request quota for this request: null when all allow it, else the refusal
 * `{ quota, resetAt }` (what was taken is given back). */
export async function takePerRequest(rc) {
  const taken = [];
  for (const quota of Object.values(QUOTAS)) {
    if (!quota.perRequest) continue;
    const m = meter(rc.store, quota, rc.caller.userId);
    const cost = quota.perRequest(rc);
    if (!cost) continue;
    const got = await m.take(cost, limitOf(rc.caller, rc.settings, quota.limit));
    if (!got.ok) {
      for (const [t, n] of taken) await t.give(n);
      return { quota, resetAt: got.resetAt };
    }
    taken.push([m, cost]);
  }
  return null;
}

/** A caller's limit: its token's, else the proxy's setting. */
export function limitOf(caller, settings, name) {
  return typeof caller[name] === "number" && caller[name] >= 0 ? caller[name] : settings[name];
}

/** One quota of one caller over a store. */
export function meter(store, quota, userId) {
  const key = `${quota.prefix}:${userId}`;
  return {
    take: (amount, limit) => store.take(key, amount, limit, quota.windowMs, Date.now()),
    give: (amount) => store.give(key, amount, quota.windowMs, Date.now()),
    peek: () => store.take(key, 0, Infinity, quota.windowMs, Date.now()),
  };
}

/**
 * Reserves `amount` against `limit` before anything goes upstream. The reservation is settled
 * once: `settle(cost)` to what the request cost (more or less than reserved), `release()` to
 * nothing; a second call does nothing.
 */
export async function reserve(m, amount, limit) {
  const got = await m.take(amount, limit);
  let open = got.ok;
  const close = async (cost) => {
    if (!open) return;
    open = false;
    if (cost < amount) await m.give(amount - cost);
    else if (cost > amount) await m.take(cost - amount, Infinity);
  };
  return { ...got, settle: (cost) => close(cost), release: () => close(0) };
}

/** What /usage answers for a caller: every quota's limit and use. */
export async function usage(store, caller, settings) {
  const out = {};
  for (const quota of Object.values(QUOTAS)) {
    const limit = limitOf(caller, settings, quota.limit);
    const c = await meter(store, quota, caller.userId).peek();
    Object.assign(out, { [quota.limit]: finite(limit) }, quota.usage(c, limit));
  }
  return out;
}

/**
 * One of `key`'s at most `max` places in `counts` (per-isolate concurrency: requests in
 * flight, long polls, MCP requests): its release (idempotent), or null when none is free.
 */
export function takePlace(counts, key, max) {
  const busy = counts.get(key) || 0;
  if (busy >= max) return null;
  counts.set(key, busy + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    const n = (counts.get(key) || 1) - 1;
    if (n) counts.set(key, n);
    else counts.delete(key);
  };
}
