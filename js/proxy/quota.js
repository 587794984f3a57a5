// The per-user quotas: one table row per quota (its limit's setting, counter prefix and
// window, and what /usage reports of it), and one reserve/settle helper, so a new quota is a
// row and every exit of a request gives back what it reserved. Owns: counter names and
// windows, which limits a caller's token may lower. Must not: know the store's internals.

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Limits a caller's token may set for that caller (lower, for maxCreditsPerTask). */
export const USER_LIMITS = ["requestsPerMinute", "creditsPerDay", "maxCreditsPerTask"];

const finite = (n) => (Number.isFinite(n) ? n : null);

/** The quotas counted per user: `limit` is the setting (or token claim) that bounds it. */
export const QUOTAS = {
  credits: {
    limit: "creditsPerDay", prefix: "cpd", windowMs: DAY_MS,
    usage: (c, limit) => ({ creditsUsedToday: c.used, creditsLeftToday: finite(Math.max(0, limit - c.used)), resetsAt: new Date(c.resetAt).toISOString() }),
  },
  requests: {
    limit: "requestsPerMinute", prefix: "rpm", windowMs: MINUTE_MS,
    usage: (c) => ({ requestsThisMinute: c.used }),
  },
};

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
