// The simulator's state and clock: the defaults, the seeded random source, accounts, tasks,
// idempotency records, rate windows, the request log and fault rules, and simulated time (real
// time stretched by 1/timeScale). Owns: what `reset` restores. Must not: answer requests.

export const DEMO_KEY = "ak_demo_0123456789abcdef";
export const DAY_MS = 24 * 3600 * 1000;

export const DEFAULTS = {
  timeScale: 1, // real ms per simulated ms: 1/600 makes 6.5 minutes last 650 ms
  failRate: 0, // share of tasks that end FAILED
  rateLimitPerMinute: 60, // query endpoints, per client IP, per simulated minute
  generationPerMinute: 30, // per key, per simulated minute
  fileDelayMs: 0, // real ms before a video file is served (a slow CDN, for download timeouts)
  // "spec": the contract as written. "live": the service as integrators report it (contract
  // §9): no Idempotency-Key support, X-Max-Credits not enforced, a task list that shows a
  // task's status only as of its last per-task read, tRPC-style 5xx bodies, no lv, the live
  // /account fields, a retention notice in output.msg, minimax tasks named minimax-h3.
  profile: "spec",
  dropQuote: false, // answer 404 for /quote (a server without it)
  dropAccount: false, // answer 404 for /account
  // Create answers without `creditsCharged`, as the vendor's own create example is (the task
  // itself is still charged and says so in GET /tasks/{id}).
  omitCreditsCharged: false,
  seed: 1,
  accounts: [
    { key: DEMO_KEY, balance: 1_000_000 },
    { key: "ak_test_alice_0000000001", balance: 10_000 },
    { key: "ak_test_bob_00000000002", balance: 10_000 },
    { key: "ak_test_poor_0000000003", balance: 5 },
  ],
};

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The simulator `sim`: `{ cfg, state, simNow(), live(), reset() }`. */
export function createSim(options) {
  const cfg = { ...DEFAULTS, ...options };
  const state = {
    accounts: new Map(), tasks: new Map(), idem: new Map(), log: [], faults: [], counts: new Map(),
    windows: new Map(), rand: mulberry32(cfg.seed), seq: 0, epoch: Date.now(), webhooks: [],
  };
  const sim = {
    cfg, state,
    /** Simulated now, in ms: real time since start stretched by 1/timeScale. */
    simNow: () => state.epoch + (Date.now() - state.epoch) / cfg.timeScale,
    live: () => cfg.profile === "live",
    reset() {
      state.accounts = new Map(cfg.accounts.map((a) => [a.key, { dailyCreditLimit: -1, creditWarningAt: 100, ...a }]));
      state.tasks.clear(); state.idem.clear(); state.log = []; state.webhooks = []; state.faults = []; state.counts.clear(); state.windows.clear();
      state.rand = mulberry32(cfg.seed); state.seq = 0;
    },
  };
  sim.reset();
  return sim;
}

/** Simulated ms until `bucket` has a free slot of `limit` per simulated minute (0: taken now). */
export function rateLimited(sim, bucket, limit) {
  if (!limit) return 0;
  const windowMs = 60_000;
  const now = sim.simNow();
  const hits = (sim.state.windows.get(bucket) || []).filter((at) => now - at < windowMs);
  if (hits.length >= limit) {
    sim.state.windows.set(bucket, hits);
    return hits[0] + windowMs - now;
  }
  hits.push(now);
  sim.state.windows.set(bucket, hits);
  return 0;
}

/** `Retry-After` in real seconds (decimals under a compressed clock, integers at 1:1). */
export function retryAfter(sim, simMs) {
  const real = (simMs * sim.cfg.timeScale) / 1000;
  return sim.cfg.timeScale >= 1 ? String(Math.max(1, Math.ceil(real))) : real.toFixed(3);
}
