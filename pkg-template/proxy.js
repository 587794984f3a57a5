// An edge proxy for browsers: browser → this handler (holds the key, validates, enforces a
// budget, answers CORS for allowed origins) → the API. It speaks the API's own wire format,
// so the browser side is the same client with `baseUrl` set to the proxy and no key.
//
//   import { createProxyHandler } from "aivideo";
//   const handler = createProxyHandler({ allowedOrigins: ["https://app.example.com"], maxCreditsPerTask: 100 });
//   export default { fetch: handler };   // the key comes from env.AIVIDEO_API_KEY
//
// Every forwarded call goes through this package's client: validation, idempotency keys,
// budgets, retries, the shared rate budget and classification are the client's; this file
// only routes, checks the origin and turns envelopes back into API responses.
import { createClient, validatePayload, __httpStatusFor } from "./aivideo.js";

const ROUTES = [
  ["GET", /^\/api\/v1\/account$/, "account"],
  ["POST", /^\/api\/v1\/quote\/([^/]+)$/, "quote"],
  ["POST", /^\/api\/v1\/generate\/([^/]+)$/, "generate"],
  ["GET", /^\/api\/v1\/tasks$/, "tasks"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)$/, "task"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)\/status$/, "status"],
  ["PUT", /^\/api\/v1\/tasks\/([^/]+)\/cancel$/, "cancel"],
];
const ALLOWED_HEADERS = "content-type, accept, idempotency-key, x-max-credits";

/**
 * @param {object} [options]
 * @param {string} [options.apiKey] default env.AIVIDEO_API_KEY
 * @param {string} [options.baseUrl] default env.AIVIDEO_BASE_URL, else the live API
 * @param {string[]} [options.allowedOrigins] exact origins allowed to call (CORS); default env.ALLOWED_ORIGINS (comma-separated)
 * @param {string[]} [options.allowedModels] default: every model the client knows
 * @param {number} [options.maxCreditsPerTask] refuse creates priced above this
 * @param {boolean} [options.allowServerRequests] accept requests without an Origin header (default false)
 * @param {number} [options.maxRetries] retries upstream (default 0: the browser's client retries)
 * @param {string} [options.basePath] where the proxy is mounted on a site (e.g. "/api/aivideo"); default env.BASE_PATH, else "/"
 * @returns {(request: Request, env?: Record<string, string>) => Promise<Response>}
 */
class ProxySetupError extends Error {}

export function createProxyHandler(options = {}) {
  let client = null;
  let settings = null;

  /** The settings, read without throwing: the origin check must come before any error. */
  function read(env = {}) {
    if (settings) return settings;
    const list = (v) => (Array.isArray(v) ? v : typeof v === "string" && v ? v.split(",").map((s) => s.trim()).filter(Boolean) : null);
    // Fails closed: no cap unless one is set, or "unlimited" is said explicitly.
    const cap = options.maxCreditsPerTask ?? env.MAX_CREDITS_PER_TASK;
    const capText = cap === undefined || cap === null ? "" : String(cap).trim();
    settings = {
      allowedOrigins: new Set(list(options.allowedOrigins) ?? list(env.ALLOWED_ORIGINS) ?? []),
      allowedModels: list(options.allowedModels) ?? list(env.ALLOWED_MODELS),
      maxCredits: capText === "unlimited" ? undefined : /^\d+$/.test(capText) ? Number(capText) : NaN,
      capProblem: capText === "" ? "MAX_CREDITS_PER_TASK is not set (a whole number of credits, or \"unlimited\")"
        : capText !== "unlimited" && !/^\d+$/.test(capText) ? "MAX_CREDITS_PER_TASK must be a whole number of credits or \"unlimited\"" : null,
      allowServerRequests: options.allowServerRequests ?? env.ALLOW_SERVER_REQUESTS === "true",
      basePath: String(options.basePath ?? env.BASE_PATH ?? "").replace(/\/+$/, ""),
      maxBodyBytes: Number(options.maxBodyBytes ?? env.MAX_BODY_BYTES ?? 30 * 1024 * 1024),
    };
    return settings;
  }

  /** The client; throws a ProxySetupError naming the setting (never its value). */
  function setup(env = {}) {
    if (client) return;
    if (settings.capProblem) throw new ProxySetupError(settings.capProblem);
    try {
      client = createClient({
        apiKey: options.apiKey ?? env.AIVIDEO_API_KEY,
        baseUrl: options.baseUrl ?? env.AIVIDEO_BASE_URL,
        // One retry layer: the browser's client retries (with the same idempotency key), so the
        // proxy answers at once, passing 429s and their Retry-After through.
        maxRetries: options.maxRetries ?? 0,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(settings.maxCredits !== undefined ? { maxCredits: settings.maxCredits } : {}),
      });
    } catch (e) {
      // The client names the bad option; its message may quote the value, so it stays in the log.
      console.error(`aivideo proxy: ${scrub(String(e && e.message), env)}`);
      throw new ProxySetupError("the upstream settings (AIVIDEO_API_KEY, AIVIDEO_BASE_URL) are not usable; see the log");
    }
  }

  function scrub(text, env) {
    const key = options.apiKey ?? env?.AIVIDEO_API_KEY;
    return key ? text.split(key).join("***") : text;
  }

  /** The body, read with a byte cap (a huge body is refused before it costs memory). */
  async function body(request) {
    const declared = Number(request.headers.get("content-length"));
    if (declared > settings.maxBodyBytes) return null;
    if (!request.body) return request.text();
    const reader = request.body.getReader();
    const decoder = new TextDecoder();
    let seen = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      seen += value.byteLength;
      if (seen > settings.maxBodyBytes) {
        reader.cancel().catch(() => {});
        return null;
      }
      text += decoder.decode(value, { stream: true });
    }
  }

  function cors(origin) {
    return origin ? { "access-control-allow-origin": origin, vary: "origin", "access-control-expose-headers": "retry-after" } : {};
  }

  function reply(status, body, origin, extra = {}) {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...cors(origin), ...extra } });
  }

  /** An envelope back into the API's wire format (the browser client classifies it again). */
  function fromEnvelope(env, origin) {
    if (env.ok) {
      const data = env.data && typeof env.data === "object" ? { ...env.data } : env.data;
      // The upstream's own URLs stay behind the proxy.
      if (data && typeof data === "object") for (const k of ["handle", "responseUrl", "statusUrl", "cancelUrl"]) delete data[k];
      return reply(env.httpStatus || 200, data, origin);
    }
    // A failure decided locally has no HTTP status: the core's table gives the one to answer with.
    const status = env.httpStatus || __httpStatusFor(env.errorCode);
    const extra = env.retryAfter != null ? { "retry-after": String(env.retryAfter) } : {};
    const body = { status: "FAILED", errorCode: env.errorCode === "NETWORK_ERROR" ? "UPSTREAM_ERROR" : env.errorCode, message: env.errorMessage };
    if (env.data && env.data.details) body.details = env.data.details;
    return reply(status, body, origin, extra);
  }

  return async function handle(request, env) {
    try {
      return await route(request, env);
    } catch (e) {
      // A misconfiguration or a bug: a clear 500 that names the setting, never a value or the key.
      const message = e instanceof ProxySetupError ? e.message : "internal error; see the log";
      if (!(e instanceof ProxySetupError)) console.error(`aivideo proxy: ${scrub(String(e && e.stack || e), env)}`);
      const origin = request.headers.get("origin");
      const allowed = settings && origin && origin !== "null" && (settings.allowedOrigins.has(origin) || settings.allowedOrigins.has("*"));
      return new Response(JSON.stringify({ status: "FAILED", errorCode: "UPSTREAM_ERROR", message: `proxy error: ${message}` }), { status: 500, headers: { "content-type": "application/json", ...(allowed ? cors(origin) : {}) } });
    }
  };

  async function route(request, env) {
    read(env);
    const url = new URL(request.url);
    const origin = request.headers.get("origin");
    // Browsers send no Origin on a same-origin GET, but always say `Sec-Fetch-Site:
    // same-origin`, which a cross-site page cannot make them send: a page served from the
    // proxy's own site (a proxy mounted at `basePath`) is as allowed as a listed origin.
    const sameOrigin = !origin && request.headers.get("sec-fetch-site") === "same-origin";
    // `Origin: null` (sandboxed iframes, file: pages, some redirects) is never "any origin".
    const originOk = origin ? origin !== "null" && (settings.allowedOrigins.has(origin) || settings.allowedOrigins.has("*")) : sameOrigin || settings.allowServerRequests;
    if (!originOk) {
      return new Response(JSON.stringify({ status: "FAILED", errorCode: "AUTH_FAILED", message: "origin not allowed by this proxy" }), { status: 403, headers: { "content-type": "application/json" } });
    }
    setup(env);
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { ...cors(origin), "access-control-allow-methods": "GET, POST, PUT, OPTIONS", "access-control-allow-headers": ALLOWED_HEADERS, "access-control-max-age": "600" } });
    }
    const base = settings.basePath;
    const path = base && (url.pathname === base || url.pathname.startsWith(base + "/")) ? url.pathname.slice(base.length) : url.pathname;
    const route = ROUTES.find(([, re]) => re.test(path));
    if (!route) return reply(404, { status: "FAILED", errorCode: "INVALID_ARGUMENT", message: `no route ${url.pathname}${base ? ` (mounted at ${base})` : ""}` }, origin);
    const [method, re, name] = route;
    if (request.method !== method) return reply(405, { status: "FAILED", message: `use ${method}` }, origin, { allow: method });
    let param;
    try {
      param = decodeURIComponent(path.match(re)[1] ?? "");
    } catch {
      return reply(400, { status: "FAILED", errorCode: "INVALID_ARGUMENT", message: "the path has a malformed % escape" }, origin);
    }
    // A caller that went away cancels what it asked for (nothing more goes upstream for it).
    const call = request.signal ? { signal: request.signal } : {};

    if (name === "quote" || name === "generate") {
      if (settings.allowedModels && !settings.allowedModels.includes(param)) {
        return reply(400, { status: "FAILED", errorCode: "INVALID_MODEL", message: `model ${param} is not allowed by this proxy (allowed: ${settings.allowedModels.join(", ")})` }, origin);
      }
      let payload;
      try {
        const text = await body(request);
        if (text === null) return reply(413, { status: "FAILED", errorCode: "INVALID_PAYLOAD", message: `the body is larger than ${settings.maxBodyBytes} bytes` }, origin);
        payload = JSON.parse(text);
      } catch {
        return reply(400, { status: "FAILED", errorCode: "INVALID_PAYLOAD", message: "the body is not JSON" }, origin);
      }
      const check = validatePayload(param, payload);
      if (!check.ok) return reply(400, { status: "FAILED", errorCode: check.errorCode, message: check.errorMessage, details: check.details }, origin);
      if (name === "quote") return fromEnvelope(await client.quote(param, payload, call), origin);
      // The caller's client reconciles lost answers itself; the operator's task list holds
      // other users' tasks, so the proxy never adopts from it.
      const opts = { ...call, reconcile: false };
      const key = request.headers.get("idempotency-key");
      if (key) opts.idempotencyKey = key;
      const max = request.headers.get("x-max-credits");
      if (max !== null && /^\d+$/.test(max)) opts.maxCredits = Number(max);
      return fromEnvelope(await client.createGeneration(param, payload, opts), origin);
    }
    switch (name) {
      case "account": return fromEnvelope(await client.getAccount(call), origin);
      case "tasks": return fromEnvelope(await client.listTasks(call), origin);
      case "task": return fromEnvelope(await client.getTask(param, call), origin);
      case "status": return fromEnvelope(await client.getStatus(param, call), origin);
      case "cancel": return fromEnvelope(await client.cancelTask(param, call), origin);
    }
  }
}
