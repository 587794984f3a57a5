// The proxy's settings, resolved once per isolate from the code's options and the Worker's
// env into one object that the handler reads and the coordinator is given (its upstream
// part), so code and env mean the same thing on both sides. Owns: each setting's option and
// env names, default and check, and failing closed. Must not: read a request, or put a
// setting's value in a message (messages name the setting only).

import { QUOTAS } from "./quota.js";

/** A setting that cannot work: answered as a 500 naming the setting, never its value. */
export class ProxySetupError extends Error {}

/** The numeric limits: option, env variable, default (`undefined`: required); the per-user
 * quotas' rows come from quota.js. */
export const LIMITS = [
  ["maxCreditsPerTask", "MAX_CREDITS_PER_TASK", undefined],
  ...Object.values(QUOTAS).map((q) => [q.limit, q.env, q.fallback]),
  ["maxInFlight", "MAX_IN_FLIGHT", 4],
  ["maxBodyBytes", "MAX_BODY_BYTES", 12 * 1024 * 1024],
];

/** A whole number, "unlimited" (Infinity), or the fallback when unset. */
export function limitSetting(value, name, fallback) {
  if (value === undefined || value === null || value === "") return fallback;
  if (value === Infinity || value === "unlimited") return Infinity;
  const n = typeof value === "number" ? value : /^\d+$/.test(String(value).trim()) ? Number(String(value).trim()) : NaN;
  if (!(Number.isFinite(n) && n >= 0)) throw new ProxySetupError(`${name} must be a whole number or "unlimited"`);
  return n;
}

/** Start-up checks of what the code passed (env settings are checked at the first request). */
export function checkOptions(options) {
  if (options === null || typeof options !== "object") throw new TypeError("createProxyHandler: options must be an object");
  // Authentication is required: a proxy without it spends the operator's credits for anyone.
  if (options.authorize !== undefined && typeof options.authorize !== "function") throw new TypeError("createProxyHandler: authorize must be a function (request, env, ctx) => caller | null | Response");
  if (options.authorize && options.allowAnonymous) throw new TypeError("createProxyHandler: pass authorize or allowAnonymous, not both");
  if (!options.authorize && options.allowAnonymous !== true) {
    throw new TypeError("createProxyHandler: authorize is required (e.g. authorize: jwtAuthorizer()); to serve anonymous callers, limited per client IP, set allowAnonymous: true");
  }
  if (options.clientIpHeader !== undefined && (typeof options.clientIpHeader !== "string" || !/^[a-z0-9-]{1,64}$/i.test(options.clientIpHeader))) {
    throw new TypeError("createProxyHandler: clientIpHeader must be a header name");
  }
  for (const [name] of LIMITS) {
    try {
      limitSetting(options[name], name, 0);
    } catch (e) {
      throw new TypeError(`createProxyHandler: ${e.message}`);
    }
  }
}

const list = (v) => (Array.isArray(v) ? v : typeof v === "string" && v ? v.split(",").map((s) => s.trim()).filter(Boolean) : null);

/** Every setting, from `options` (code) first, then `env`. A limit that cannot work leaves
 * `problem` set (the handler answers 500 naming it); the origin settings always resolve, since
 * the origin check must come before any error. */
export function resolveSettings(options, env = {}) {
  const apiKey = options.apiKey ?? env.AIVIDEO_API_KEY;
  const s = {
    // Both lists are used: the code's (production) and the env's (a local page in .dev.vars).
    allowedOrigins: new Set([...(list(options.allowedOrigins) ?? []), ...(list(env.ALLOWED_ORIGINS) ?? [])]),
    allowedModels: list(options.allowedModels) ?? list(env.ALLOWED_MODELS),
    allowServerRequests: options.allowServerRequests ?? env.ALLOW_SERVER_REQUESTS === "true",
    basePath: String(options.basePath ?? env.BASE_PATH ?? "").replace(/\/+$/, ""),
    // What the upstream client is built from, here and in the coordinator.
    upstream: { apiKey, baseUrl: options.baseUrl ?? env.AIVIDEO_BASE_URL },
    // Task ids and idempotency keys are bound to callers with a key derived from this.
    secret: options.secret ?? env.PROXY_SECRET ?? apiKey,
    coordinatorBinding: options.coordinator === undefined ? "AIVIDEO_COORDINATOR" : options.coordinator,
    // The proxy's public URL for webhook hints (off unless set; they need the coordinator).
    webhookUrl: String(options.webhookUrl ?? env.AIVIDEO_WEBHOOK_URL ?? "").replace(/\/+$/, "") || null,
    problem: null,
  };
  try {
    for (const [name, envName, fallback] of LIMITS) {
      const value = options[name] ?? env[envName];
      // Fails closed: no per-task cap unless one is set, or "unlimited" is said explicitly.
      if (fallback === undefined && (value === undefined || value === null || value === "")) {
        throw new ProxySetupError(`${envName} is not set (a whole number of credits, or "unlimited")`);
      }
      s[name] = limitSetting(value, envName, fallback);
    }
  } catch (e) {
    s.problem = e instanceof ProxySetupError ? e.message : "a limit setting is not usable";
  }
  return s;
}

/** The coordinator's own settings (env): the key-wide upstream budget and the poll tick. */
export function coordinatorSettings(env) {
  const n = (v, d) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  const windowMs = n(env.UPSTREAM_WINDOW_MS, 60_000);
  // UPSTREAM_MARGIN_MS: how much longer than the server's window we count (default 5 %, at
  // least 250 ms): the server counts arrivals, we count departures.
  return {
    rpm: n(env.UPSTREAM_REQUESTS_PER_MINUTE, 60), gpm: n(env.UPSTREAM_GENERATIONS_PER_MINUTE, 30), windowMs,
    marginMs: n(env.UPSTREAM_MARGIN_MS, Math.max(windowMs * 0.05, 250)), tickMs: n(env.POLL_INTERVAL_MS, 5000),
  };
}
