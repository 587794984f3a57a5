// createProxyHandler: the proxy's request pipeline, short and linear (as hono's and fal's
// are): settings → origin → upstream setup → preflight → who is calling → route → quotas →
// the route's handler. One request context `rc` carries what each step found. Owns: the
// order of the steps and the per-isolate state (client, binding keys, in-flight counts).
// Must not: hold a step's logic (each lives in its own module).
import { createClient } from "../api.js";
import { memoryStore } from "./store.js";
import { ProxySetupError, checkOptions, resolveSettings } from "./settings.js";
import { anonymousCaller } from "./auth.js";
import { ownershipKeys } from "./ownership.js";
import { takePerRequest, takePlace } from "./quota.js";
import { ALLOWED_HEADERS, answer, cors, failure, originAllowed, scrub, tooMany } from "./http.js";
import { matchRoute } from "./routes.js";
import { CoordinatorStub } from "./coordinator-stub.js";
import { dispatchRead } from "./dispatch.js";
import { createRoute } from "./create.js";
import { hookRoute, isHookPath } from "./hooks.js";
import { isMcpPath, mcpAnonymous, mcpRoute, vouchedCaller } from "./mcp.js";

/** Long polls one user may hold at once in an isolate. */
const MAX_LONG_POLLS = 8;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * @param {import("../proxy.d.ts").ProxyOptions} options
 * @returns {(request: Request, env?: Record<string, unknown>, ctx?: unknown) => Promise<Response>}
 */
export function createProxyHandler(options = {}) {
  checkOptions(options);
  const store = options.store ?? memoryStore();
  if (typeof store.take !== "function" || typeof store.give !== "function") throw new TypeError("createProxyHandler: store must have take() and give()");
  // Per isolate: the settings (resolved at the first request), the client, the binding keys.
  const isolate = { options, store, settings: null, client: null, owners: null, inFlight: new Map(), longPolls: new Map(), mcpCalls: new Map(), coordinatorName: null, largeInUse: false };

  return async function handle(request, env, ctx) {
    const rc = { request, env: env || {}, ctx, isolate, settings: (isolate.settings ??= resolveSettings(options, env || {})), origin: null };
    // The MCP endpoint's tools send their requests through this same pipeline.
    rc.reenter = (inner) => handle(inner, env, ctx);
    try {
      return await pipeline(rc);
    } catch (e) {
      // A misconfiguration or a bug: a clear 500 that names the setting, never a value or the key.
      const message = e instanceof ProxySetupError ? e.message : "internal error; see the log";
      if (!(e instanceof ProxySetupError)) console.error(`aivideo proxy: ${scrub(String((e && e.stack) || e), rc.settings.upstream.apiKey)}`);
      rc.origin = originAllowed(request, rc.settings) ? request.headers.get("origin") : null;
      return failure(rc, 500, "UPSTREAM_ERROR", `proxy error: ${message}`);
    }
  };
}

/** The client and the binding keys; throws a ProxySetupError naming the setting (never its value). */
async function setup(rc) {
  const { isolate, settings } = rc;
  if (isolate.client && isolate.owners) return;
  if (settings.problem) throw new ProxySetupError(settings.problem);
  const o = isolate.options;
  try {
    isolate.client ??= createClient({
      ...(o.clientOptions || {}),
      ...settings.upstream,
      // One retry layer: the browser's client retries (with the same idempotency key), so
      // the proxy answers at once, passing 429s and their Retry-After through.
      maxRetries: o.maxRetries ?? 0,
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(Number.isFinite(settings.maxCreditsPerTask) ? { maxCredits: settings.maxCreditsPerTask } : {}),
    });
  } catch (e) {
    // The client names the bad option; its message may quote the value, so it stays in the log.
    console.error(`aivideo proxy: ${scrub(String(e && e.message), settings.upstream.apiKey)}`);
    // Any other failure is the package's own state: the wasm was never initialized (a bundler
    // that dropped aivideo/proxy's `import "#aivideo"` as free of side effects).
    const ours = e instanceof TypeError && /^aivideo: /.test(e.message);
    throw new ProxySetupError(ours ? "the upstream settings (AIVIDEO_API_KEY, AIVIDEO_BASE_URL) are not usable; see the log" : "the package's WebAssembly is not initialized (did a bundler drop aivideo/proxy's own import of it?); see the log");
  }
  isolate.owners = await ownershipKeys(settings.secret);
}

/** Who is calling: a caller, or the Response that answers instead. */
async function identify(rc) {
  const { request, isolate } = rc;
  if (isolate.options.allowAnonymous) {
    const header = isolate.options.clientIpHeader;
    return anonymousCaller(request, header, rc.ctx?.clientAddress) ?? failure(rc, 400, "AUTH_FAILED", `anonymous mode needs the caller's address in ${header || "CF-Connecting-IP"} (an IP address)`);
  }
  const got = await isolate.options.authorize(request, rc.env, rc.ctx);
  if (got instanceof Response) {
    const headers = new Headers(got.headers);
    for (const [k, v] of Object.entries(cors(rc.origin))) headers.set(k, v);
    return new Response(got.body, { status: got.status, statusText: got.statusText, headers });
  }
  // A user id with a lone surrogate would share its binding tags with another (UTF-8 encoding
  // turns it into U+FFFD): refused like a missing one.
  if (!got || typeof got !== "object" || typeof got.userId !== "string" || !got.userId || got.userId.length > 256 || LONE_SURROGATE.test(got.userId)) {
    return answer(rc, 401, { status: "FAILED", errorCode: "AUTH_FAILED", message: "sign in first: this proxy needs a valid token (Authorization: Bearer …)" }, { "www-authenticate": 'Bearer realm="aivideo"' });
  }
  return { ...got, admin: got.admin === true };
}

async function pipeline(rc) {
  const { request, settings } = rc;
  // A webhook callback comes from the service, with no token or Origin: it can only hint.
  if (isHookPath(new URL(request.url).pathname, settings.basePath)) {
    await setup(rc);
    return hookRoute(rc, await CoordinatorStub.connect(rc.env, settings, rc.isolate));
  }
  const origin = request.headers.get("origin");
  // A tool request of the MCP endpoint re-entering, for the caller it already authorized.
  const vouched = vouchedCaller(request);
  // Agents call the MCP endpoint from servers, with no Origin (a token is still needed); a
  // page's Origin is checked there as anywhere (MCP asks servers to, against DNS rebinding).
  const mcp = rc.isolate.options.mcp !== false && isMcpPath(new URL(request.url).pathname, settings.basePath);
  if (!vouched && !(mcp && !origin) && !originAllowed(request, settings)) {
    const why = origin ? `origin ${origin.slice(0, 200)} is not allowed by this proxy: add it to allowedOrigins (code) or ALLOWED_ORIGINS (env, e.g. .dev.vars); both lists are used` : "a request without an Origin header (not from a browser page) is refused unless ALLOW_SERVER_REQUESTS is true; such callers still need a token";
    return failure(rc, 403, "AUTH_FAILED", why);
  }
  rc.origin = origin;
  rc.coordinated = Boolean(settings.coordinatorBinding && rc.env[settings.coordinatorBinding]);
  await setup(rc);
  rc.owners = rc.isolate.owners;
  if (request.method === "OPTIONS") {
    return new Response(null, { status: 204, headers: { ...cors(origin), "access-control-allow-methods": "GET, POST, PUT, OPTIONS", "access-control-allow-headers": ALLOWED_HEADERS, "access-control-max-age": "600" } });
  }
  if (mcp && rc.isolate.options.allowAnonymous) return mcpAnonymous(rc);
  // Nothing below runs for a caller the app did not vouch for.
  const caller = vouched ?? (await identify(rc));
  if (caller instanceof Response) return caller;
  rc.caller = caller;
  if (mcp) return mcpMetered(rc);
  const url = new URL(request.url);
  const base = settings.basePath;
  const route = matchRoute(url.pathname, base);
  if (route.error === "path") return failure(rc, 404, "INVALID_ARGUMENT", `no route ${url.pathname}${base ? ` (mounted at ${base})` : ""}`);
  if (request.method !== route.method) return answer(rc, 405, { status: "FAILED", errorCode: "INVALID_ARGUMENT", message: `use ${route.method}` }, { allow: route.method });
  if (route.error === "escape") return failure(rc, 400, "INVALID_ARGUMENT", "the path has a malformed % escape");
  Object.assign(rc, { name: route.name, param: route.param });
  await connect(rc);
  rc.api = rc.coord ? rc.coord.client(caller) : rc.isolate.client;
  if (rc.name === "wait" && !rc.coord) return failure(rc, 404, "INVALID_ARGUMENT", `no route ${url.pathname} (long polls need the coordinator)`);
  return metered(rc);
}

/** With a coordinator, quotas, records and every upstream call live in it (all isolates). */
async function connect(rc) {
  rc.coord = await CoordinatorStub.connect(rc.env, rc.settings, rc.isolate);
  rc.store = rc.isolate.options.store ?? (rc.coord ? rc.coord.store : rc.isolate.store);
}

/** An MCP request counts as one request of the caller's (its tools' API calls count too). */
async function mcpMetered(rc) {
  rc.name = "mcp";
  await connect(rc);
  const refused = await takePerRequest(rc);
  if (refused) return tooMany(rc, "RATE_LIMITED", refused.quota.message, refused.resetAt);
  return mcpRoute(rc, rc.reenter);
}

/** Quotas answer at once (429 + Retry-After): nothing queues for a caller over them. */
async function metered(rc) {
  const { caller, isolate, settings } = rc;
  const refused = await takePerRequest(rc);
  if (refused) return tooMany(rc, "RATE_LIMITED", refused.quota.message, refused.resetAt);
  const route = rc.name === "quote" || rc.name === "generate" ? createRoute : dispatchRead;
  // A long poll waits in the coordinator, not upstream: it does not count as in flight, but a
  // user holds at most MAX_LONG_POLLS at once here (each holds a connection and a timer).
  if (rc.name === "wait") return held(rc, isolate.longPolls, MAX_LONG_POLLS, () => route(rc));
  return held(rc, isolate.inFlight, settings.maxInFlight, () => route(rc));
}

/** Runs `fn` while the caller holds one of its `max` places in `counts`; 429 at once without. */
async function held(rc, counts, max, fn) {
  const release = takePlace(counts, rc.caller.userId, max);
  if (!release) return tooMany(rc, "RATE_LIMITED", `at most ${max} ${rc.name === "wait" ? "long polls" : "requests"} at a time per user`, Date.now() + 1000);
  try {
    return await fn();
  } finally {
    release();
  }
}
