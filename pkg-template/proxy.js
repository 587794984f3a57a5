// aivideo/proxy: an edge proxy you can put on the public internet. Browser → this handler
// (authenticates the caller, enforces per-caller quotas, binds task ids to their owner,
// holds the API key) → the API. It speaks the API's own wire format, so the browser side is
// the same client with `baseUrl` set to the proxy and no key.
//
//   import { createProxyHandler, jwtAuthorizer } from "aivideo/proxy";
//   export default { fetch: createProxyHandler({ authorize: jwtAuthorizer(), maxCreditsPerTask: 100 }) };
//
// Every forwarded call goes through this package's client (validation, retries, the shared
// upstream rate budget, classification); this file authenticates, meters, routes and turns
// envelopes back into API responses. Quota state lives behind `ProxyStore` (per isolate by
// default: `memoryStore()`); a durable store plugs in there.
import "#aivideo"; // the runtime's entry: initializes the wasm (workerd, Node, browsers, Deno)
import { __httpStatusFor, __envelope } from "./aivideo.js";
// The public functions as every entry exports them (with the JS-side data-URI check).
import { createClient, validatePayload, estimateCredits } from "./api.js";
import { jwtVerify, SignJWT, createRemoteJWKSet, createLocalJWKSet, base64url } from "jose";

const ROUTES = [
  ["GET", /^\/api\/v1\/account$/, "account"],
  // The proxy's own: the caller's quotas and what is left of them today.
  ["GET", /^\/api\/v1\/usage$/, "usage"],
  ["POST", /^\/api\/v1\/quote\/([^/]+)$/, "quote"],
  ["POST", /^\/api\/v1\/generate\/([^/]+)$/, "generate"],
  ["GET", /^\/api\/v1\/tasks$/, "tasks"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)$/, "task"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)\/status$/, "status"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)\/wait$/, "wait"],
  ["PUT", /^\/api\/v1\/tasks\/([^/]+)\/cancel$/, "cancel"],
];
const ALLOWED_HEADERS = "authorization, content-type, accept, idempotency-key, x-max-credits";
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TOKEN_AUDIENCE = "aivideo-proxy";
const enc = new TextEncoder();
const LARGE_BODY = 1024 * 1024;
const TOO_LARGE = Symbol("too large");
const BUSY = Symbol("busy");

/** A setting that cannot work: answered as a 500 naming the setting, never its value. */
export class ProxySetupError extends Error {}

// ---------------------------------------------------------------------------------------------
// Quota state

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
function windowCounters(counters, { fresh = () => {}, changed = () => {} } = {}) {
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

// ---------------------------------------------------------------------------------------------
// Authentication: short-lived JWTs minted by the app's backend


function secretBytes(secret, name) {
  if (typeof secret !== "string" || secret.length < 32) {
    throw new ProxySetupError(`${name} is not set or shorter than 32 characters`);
  }
  return enc.encode(secret);
}

/**
 * For the app's backend: a token for one signed-in user, sent by the page as
 * `Authorization: Bearer <token>`. HS256 with the secret the proxy also holds.
 */
export async function mintProxyToken({ secret, userId, expiresIn = "15m", admin = false, limits = {}, audience = TOKEN_AUDIENCE, issuer } = {}) {
  let key;
  try {
    key = secretBytes(secret, "secret");
  } catch (e) {
    throw new TypeError(`mintProxyToken: ${e.message}`);
  }
  if (typeof userId !== "string" || !userId || userId.length > 256) throw new TypeError("mintProxyToken: userId must be a non-empty string of at most 256 characters");
  const claims = {};
  for (const k of ["requestsPerMinute", "creditsPerDay", "maxCreditsPerTask"]) {
    if (limits[k] !== undefined) {
      if (!(Number.isFinite(limits[k]) && limits[k] >= 0)) throw new TypeError(`mintProxyToken: limits.${k} must be a number of at least 0`);
      claims[k] = limits[k];
    }
  }
  if (admin) claims.admin = true;
  const jwt = new SignJWT({ aivideo: claims }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(userId).setIssuedAt().setExpirationTime(expiresIn).setAudience(audience);
  if (issuer) jwt.setIssuer(issuer);
  return jwt.sign(key);
}

/**
 * An `authorize` that accepts `Authorization: Bearer <jwt>`: HS256 with a shared secret
 * (default env.AIVIDEO_TOKEN_SECRET), or RS256/ES256 against a JWKS (`jwksUrl`, or `jwks` given
 * inline). The token must carry `sub` (the user), `exp` and `iat`, the audience, and be at most
 * `maxTokenAge` old. Its `aivideo` claim may carry `admin` and per-user limits.
 */
export function jwtAuthorizer({ secret, secretEnv = "AIVIDEO_TOKEN_SECRET", jwksUrl, jwks, audience = TOKEN_AUDIENCE, issuer, algorithms, maxTokenAge = "1h", clockTolerance = 30 } = {}) {
  let keyFor = null;
  if (jwksUrl || jwks) {
    if (jwksUrl && jwks) throw new TypeError("jwtAuthorizer: pass jwksUrl or jwks, not both");
    let url;
    if (jwksUrl) {
      try {
        url = new URL(jwksUrl);
      } catch {
        throw new TypeError("jwtAuthorizer: jwksUrl is not a URL");
      }
      if (url.protocol !== "https:" && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname)) throw new TypeError("jwtAuthorizer: jwksUrl must be https");
    }
    const set = jwksUrl ? createRemoteJWKSet(url) : createLocalJWKSet(jwks);
    keyFor = () => set;
    algorithms ??= ["RS256", "ES256"];
  } else {
    let cached = null;
    keyFor = (env) => {
      const value = secret ?? env?.[secretEnv];
      if (cached && cached.value === value) return cached.key;
      cached = { value, key: secretBytes(value, secret !== undefined ? "jwtAuthorizer's secret" : secretEnv) };
      return cached.key;
    };
    algorithms ??= ["HS256"];
  }
  return async function authorize(request, env) {
    const key = keyFor(env); // a setup problem throws (a 500 naming the setting) even without a token
    const header = request.headers.get("authorization") || "";
    const m = /^Bearer ([A-Za-z0-9_\-.]{1,8192})$/.exec(header);
    if (!m) return null;
    let payload;
    try {
      ({ payload } = await jwtVerify(m[1], key, { audience, issuer, algorithms, maxTokenAge, clockTolerance, requiredClaims: ["sub", "exp", "iat"] }));
    } catch {
      return null;
    }
    const claims = payload.aivideo && typeof payload.aivideo === "object" ? payload.aivideo : {};
    const caller = { userId: payload.sub, admin: claims.admin === true };
    for (const k of ["requestsPerMinute", "creditsPerDay", "maxCreditsPerTask"]) if (typeof claims[k] === "number") caller[k] = claims[k];
    return caller;
  };
}

// ---------------------------------------------------------------------------------------------
// The handler

function limitSetting(value, name, fallback) {
  if (value === undefined || value === null || value === "") return fallback;
  if (value === Infinity || value === "unlimited") return Infinity;
  const n = typeof value === "number" ? value : /^\d+$/.test(String(value).trim()) ? Number(String(value).trim()) : NaN;
  if (!(Number.isFinite(n) && n >= 0)) throw new ProxySetupError(`${name} must be a whole number or "unlimited"`);
  return n;
}

/**
 * @param {import("./proxy.d.ts").ProxyOptions} options
 * @returns {(request: Request, env?: object, ctx?: object) => Promise<Response>}
 */
export function createProxyHandler(options = {}) {
  if (options === null || typeof options !== "object") throw new TypeError("createProxyHandler: options must be an object");
  // Authentication is required: a proxy without it spends the operator's credits for anyone.
  if (options.authorize !== undefined && typeof options.authorize !== "function") throw new TypeError("createProxyHandler: authorize must be a function (request, env, ctx) => caller | null | Response");
  if (options.authorize && options.allowAnonymous) throw new TypeError("createProxyHandler: pass authorize or allowAnonymous, not both");
  if (!options.authorize && options.allowAnonymous !== true) {
    throw new TypeError("createProxyHandler: authorize is required (e.g. authorize: jwtAuthorizer()); to serve anonymous callers, limited per client IP, set allowAnonymous: true");
  }
  const store = options.store ?? memoryStore();
  if (typeof store.take !== "function" || typeof store.give !== "function") throw new TypeError("createProxyHandler: store must have take() and give()");
  // Settings given as options are checked now, at start-up; env settings at the first request.
  for (const [k, name] of [["maxCreditsPerTask", "maxCreditsPerTask"], ["requestsPerMinute", "requestsPerMinute"], ["creditsPerDay", "creditsPerDay"], ["maxInFlight", "maxInFlight"], ["maxBodyBytes", "maxBodyBytes"]]) {
    try {
      limitSetting(options[k], name, 0);
    } catch (e) {
      throw new TypeError(`createProxyHandler: ${e.message}`);
    }
  }

  let client = null;
  let settings = null;
  let secrets = null;
  const inFlight = new Map();
  const bindingName = options.coordinator === undefined ? "AIVIDEO_COORDINATOR" : options.coordinator;
  let coordinatorName = null;
  let largeInUse = false;

  /** The coordinator (one object per API key) when its binding is configured, else null. A stub
   * is an I/O object of the request that made it: one per request, only the name is kept. */
  async function coordinatorFor(env) {
    const ns = bindingName && env ? env[bindingName] : null;
    if (!ns || typeof ns.idFromName !== "function") return null;
    if (!coordinatorName) {
      const apiKey = options.apiKey ?? env.AIVIDEO_API_KEY ?? "";
      coordinatorName = base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(`aivideo coordinator\n${apiKey}`))));
    }
    const stub = ns.get(ns.idFromName(coordinatorName));
    const op = async (what, body) => {
      try {
        const r = await stub.fetch(`https://coordinator/${what}`, { method: "POST", body: JSON.stringify(body) });
        return await r.json();
      } catch (e) {
        console.error(`aivideo proxy: coordinator unreachable: ${e && e.message}`);
        const out = failEnvelope("UPSTREAM_ERROR", "the coordinator is unreachable; retry with the same Idempotency-Key", 503);
        // A create may have gone through before the answer was lost.
        if (what === "call" && body.method === "createGeneration") out.data = { maybeCreated: true };
        return out;
      }
    };
    return {
      op,
      store: {
        take: (key, amount, limit, windowMs, now) => op("take", { key, amount, limit: limit === Infinity ? null : limit, windowMs, now }),
        give: (key, amount, windowMs, now) => op("give", { key, amount, windowMs, now }),
      },
      client: (caller) => {
        // The owner is proven (HMAC-bound id, or the create itself) only for ordinary callers.
        const call = (method, args) => op("call", { method, args, owner: caller && caller.admin !== true ? caller.userId : null, admin: Boolean(caller && caller.admin === true) });
        return {
          getStatus: (id) => call("getStatus", [id]),
          getTask: (id) => call("getTask", [id]),
          cancelTask: (id) => call("cancelTask", [id]),
          listTasks: () => call("listTasks", []),
          getAccount: () => call("getAccount", []),
          quote: (m, p) => call("quote", [m, p]),
          createGeneration: (m, p, o = {}) => call("createGeneration", [m, p, o]),
        };
      },
    };
  }

  /** The settings, read without throwing: the origin check must come before any error. */
  function read(env = {}) {
    if (settings) return settings;
    const list = (v) => (Array.isArray(v) ? v : typeof v === "string" && v ? v.split(",").map((s) => s.trim()).filter(Boolean) : null);
    const s = {
      allowedOrigins: new Set(list(options.allowedOrigins) ?? list(env.ALLOWED_ORIGINS) ?? []),
      allowedModels: list(options.allowedModels) ?? list(env.ALLOWED_MODELS),
      allowServerRequests: options.allowServerRequests ?? env.ALLOW_SERVER_REQUESTS === "true",
      basePath: String(options.basePath ?? env.BASE_PATH ?? "").replace(/\/+$/, ""),
      problem: null,
    };
    try {
      // Fails closed: no cap unless one is set, or "unlimited" (Infinity) is said explicitly.
      const cap = options.maxCreditsPerTask ?? env.MAX_CREDITS_PER_TASK;
      if (cap === undefined || cap === null || cap === "") throw new ProxySetupError("MAX_CREDITS_PER_TASK is not set (a whole number of credits, or \"unlimited\")");
      s.maxCredits = limitSetting(cap, "MAX_CREDITS_PER_TASK", undefined);
      s.requestsPerMinute = limitSetting(options.requestsPerMinute ?? env.REQUESTS_PER_MINUTE, "REQUESTS_PER_MINUTE", 60);
      s.creditsPerDay = limitSetting(options.creditsPerDay ?? env.CREDITS_PER_DAY, "CREDITS_PER_DAY", 500);
      s.maxInFlight = limitSetting(options.maxInFlight ?? env.MAX_IN_FLIGHT, "MAX_IN_FLIGHT", 4);
      s.maxBodyBytes = limitSetting(options.maxBodyBytes ?? env.MAX_BODY_BYTES, "MAX_BODY_BYTES", 12 * 1024 * 1024);
    } catch (e) {
      s.problem = e instanceof ProxySetupError ? e.message : "a limit setting is not usable";
    }
    settings = s;
    return s;
  }

  /** The client and the proxy's keys; throws a ProxySetupError naming the setting (never its value). */
  async function setup(env = {}) {
    if (client && secrets) return;
    if (settings.problem) throw new ProxySetupError(settings.problem);
    const apiKey = options.apiKey ?? env.AIVIDEO_API_KEY;
    if (!client) {
      try {
        client = createClient({
          ...(options.clientOptions || {}),
          apiKey,
          baseUrl: options.baseUrl ?? env.AIVIDEO_BASE_URL,
          // One retry layer: the browser's client retries (with the same idempotency key), so
          // the proxy answers at once, passing 429s and their Retry-After through.
          maxRetries: options.maxRetries ?? 0,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(Number.isFinite(settings.maxCredits) ? { maxCredits: settings.maxCredits } : {}),
        });
      } catch (e) {
        // The client names the bad option; its message may quote the value, so it stays in the log.
        console.error(`aivideo proxy: ${scrub(String(e && e.message), env)}`);
        throw new ProxySetupError("the upstream settings (AIVIDEO_API_KEY, AIVIDEO_BASE_URL) are not usable; see the log");
      }
    }
    // Task ids and idempotency keys are bound to callers with a key derived from the API key
    // (or PROXY_SECRET): nothing to configure, and nobody without the key can forge a binding.
    const material = options.secret ?? env.PROXY_SECRET ?? apiKey;
    if (typeof material !== "string" || material.length < 16) throw new ProxySetupError("AIVIDEO_API_KEY (or PROXY_SECRET) is missing");
    const base = await crypto.subtle.importKey("raw", enc.encode(material), "HKDF", false, ["deriveKey"]);
    const derive = (info) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: enc.encode("aivideo-proxy"), info: enc.encode(info) }, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
    secrets = { owner: await derive("task ownership v1"), idem: await derive("idempotency namespace v1") };
  }

  async function mac(key, text, bytes = 16) {
    return base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(text))).slice(0, bytes));
  }

  /** A task id bound to its owner: `<upstream id>.<tag>`; only the owner's requests unbind it. */
  async function bind(userId, taskId) {
    return `${taskId}.${await mac(secrets.owner, `${userId}\n${taskId}`)}`;
  }

  async function unbind(caller, bound) {
    const dot = bound.lastIndexOf(".");
    if (dot <= 0) return caller.admin === true ? bound : null;
    const id = bound.slice(0, dot);
    const want = await mac(secrets.owner, `${caller.userId}\n${id}`);
    const got = bound.slice(dot + 1);
    let diff = want.length ^ got.length;
    for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ (got.charCodeAt(i) || 0);
    if (diff === 0) return id;
    return caller.admin === true ? bound : null;
  }

  function scrub(text, env) {
    const key = options.apiKey ?? env?.AIVIDEO_API_KEY;
    return key && key.length >= 4 ? text.split(key).join("[redacted]") : text;
  }

  /** The body, read with a byte cap (a huge body is refused before it costs memory); a body
   * over 1 MiB also needs the isolate's one large-body slot (`lease.large`), so a few large
   * uploads at once cannot exhaust the isolate's memory. Returns the text, TOO_LARGE or BUSY. */
  async function body(request, lease) {
    const declared = Number(request.headers.get("content-length"));
    if (declared > settings.maxBodyBytes) return TOO_LARGE;
    const needLarge = () => {
      if (lease.large) return true;
      if (largeInUse) return false;
      largeInUse = lease.large = true;
      return true;
    };
    if (declared > LARGE_BODY && !needLarge()) return BUSY;
    if (!request.body) return "";
    const reader = request.body.getReader();
    const decoder = new TextDecoder();
    let seen = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      seen += value.byteLength;
      if (seen > settings.maxBodyBytes || (seen > LARGE_BODY && !needLarge())) {
        reader.cancel().catch(() => {});
        return seen > settings.maxBodyBytes ? TOO_LARGE : BUSY;
      }
      text += decoder.decode(value, { stream: true });
    }
  }

  function cors(origin) {
    return origin ? { "access-control-allow-origin": origin, vary: "origin", "access-control-expose-headers": "retry-after, www-authenticate, x-aivideo-wait, x-aivideo-idempotency" } : {};
  }

  function answer(status, body, origin, extra = {}, env) {
    // The last line of defence: an upstream that echoes the key never gets it to a caller.
    const text = scrub(JSON.stringify(body ?? null), env);
    // A coordinated proxy tells the client it may wait on its long-poll route.
    const coordinated = bindingName && env && env[bindingName] ? { "x-aivideo-wait": "long-poll" } : {};
    // The proxy reconciles creates by key for its callers (a repeat of a key is looked for
    // upstream, never sent blind): their clients may repeat a create whose answer was lost.
    const keyed = { "x-aivideo-idempotency": "reconciled" };
    return new Response(text, { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...cors(origin), ...coordinated, ...keyed, ...extra } });
  }

  const failure = (status, errorCode, message, origin, extra, env) => answer(status, { status: "FAILED", errorCode, message }, origin, extra, env);

  function tooMany(errorCode, message, resetAt, origin, env) {
    const seconds = Number.isFinite(resetAt) ? Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)) : 1;
    return failure(429, errorCode, message, origin, { "retry-after": String(seconds) }, env);
  }

  /** An envelope back into the API's wire format (the browser client classifies it again). */
  async function fromEnvelope(out, origin, env, caller, taskId) {
    if (out.ok) {
      let data = out.data && typeof out.data === "object" && !Array.isArray(out.data) ? { ...out.data } : out.data;
      if (data && typeof data === "object") {
        // The upstream's own URLs and keys stay behind the proxy; task ids go out bound.
        for (const k of ["handle", "responseUrl", "statusUrl", "cancelUrl", "idempotencyKey"]) delete data[k];
        const raw = data.taskId ?? data.id ?? taskId;
        if (typeof raw === "string" && caller) {
          const bound = await bind(caller.userId, raw);
          if ("taskId" in data || out.status === "SUBMITTED") data.taskId = bound;
          if ("id" in data) data.id = bound;
        }
      }
      return answer(out.httpStatus || 200, data, origin, {}, env);
    }
    // A failure decided locally has no HTTP status: the core's table gives the one to answer with.
    const status = out.httpStatus || __httpStatusFor(out.errorCode);
    const extra = out.retryAfter != null ? { "retry-after": String(Math.ceil(out.retryAfter)) } : {};
    const b = { status: "FAILED", errorCode: out.errorCode === "NETWORK_ERROR" ? "UPSTREAM_ERROR" : out.errorCode, message: out.errorMessage };
    if (out.data && out.data.maybeCreated) {
      // The upstream key is the proxy's (namespaced per caller): the caller repeats its own.
      b.message = `the create's answer was lost upstream (${out.errorCode}) and this proxy could not yet confirm whether it made a task: repeat the create with the same Idempotency-Key to get that task (one key never makes two)`;
      b.maybeCreated = true;
    }
    if (out.data && out.data.details) b.details = out.data.details;
    return answer(status, b, origin, extra, env);
  }

  function originAllowed(request) {
    const origin = request.headers.get("origin");
    if (origin) return origin !== "null" && (settings.allowedOrigins.has(origin) || settings.allowedOrigins.has("*"));
    // Browsers send no Origin on a same-origin GET, but always say `Sec-Fetch-Site:
    // same-origin`, which a cross-site page cannot make them send.
    return request.headers.get("sec-fetch-site") === "same-origin" || settings.allowServerRequests;
  }

  return async function handle(request, env, ctx) {
    try {
      return await route(request, env || {}, ctx);
    } catch (e) {
      // A misconfiguration or a bug: a clear 500 that names the setting, never a value or the key.
      const message = e instanceof ProxySetupError ? e.message : "internal error; see the log";
      if (!(e instanceof ProxySetupError)) console.error(`aivideo proxy: ${scrub(String((e && e.stack) || e), env)}`);
      const origin = request.headers.get("origin");
      return failure(500, "UPSTREAM_ERROR", `proxy error: ${message}`, settings && originAllowed(request) ? origin : null, {}, env);
    }
  };

  async function route(request, env, ctx) {
    read(env);
    const url = new URL(request.url);
    const origin = request.headers.get("origin");
    if (!originAllowed(request)) {
      const why = origin ? "origin not allowed by this proxy (ALLOWED_ORIGINS)" : "a request without an Origin header (not from a browser page) is refused unless ALLOW_SERVER_REQUESTS is true; such callers still need a token";
      return failure(403, "AUTH_FAILED", why, null, {}, env);
    }
    await setup(env);
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { ...cors(origin), "access-control-allow-methods": "GET, POST, PUT, OPTIONS", "access-control-allow-headers": ALLOWED_HEADERS, "access-control-max-age": "600" } });
    }

    // Who is calling. Nothing below runs for a caller the app did not vouch for.
    let caller;
    if (options.allowAnonymous) {
      // Cloudflare sets CF-Connecting-IP at its edge (a client cannot forge it there);
      // elsewhere put the proxy behind one that does. IPv6 callers count per /64 (one host
      // usually holds a whole /64).
      const ip = (request.headers.get("cf-connecting-ip") || "").trim();
      if (!ip) return failure(400, "AUTH_FAILED", "anonymous mode needs the CF-Connecting-IP header (deploy on Cloudflare, or behind a proxy that sets it)", origin, {}, env);
      caller = { userId: `ip:${ip.includes(":") ? ip.toLowerCase().split(":").slice(0, 4).join(":") + "::/64" : ip}`, admin: false };
    } else {
      const got = await options.authorize(request, env, ctx);
      if (got instanceof Response) {
        const headers = new Headers(got.headers);
        for (const [k, v] of Object.entries(cors(origin))) headers.set(k, v);
        return new Response(got.body, { status: got.status, statusText: got.statusText, headers });
      }
      if (!got || typeof got !== "object" || typeof got.userId !== "string" || !got.userId || got.userId.length > 256) {
        return failure(401, "AUTH_FAILED", "sign in first: this proxy needs a valid token (Authorization: Bearer …)", origin, { "www-authenticate": 'Bearer realm="aivideo"' }, env);
      }
      caller = { ...got, admin: got.admin === true };
    }
    const limit = (k) => (typeof caller[k] === "number" && caller[k] >= 0 ? caller[k] : settings[k]);

    const base = settings.basePath;
    const path = base && (url.pathname === base || url.pathname.startsWith(base + "/")) ? url.pathname.slice(base.length) : url.pathname;
    const found = ROUTES.find(([, re]) => re.test(path));
    if (!found) return failure(404, "INVALID_ARGUMENT", `no route ${url.pathname}${base ? ` (mounted at ${base})` : ""}`, origin, {}, env);
    const [method, re, name] = found;
    if (request.method !== method) return answer(405, { status: "FAILED", errorCode: "INVALID_ARGUMENT", message: `use ${method}` }, origin, { allow: method }, env);
    let param;
    try {
      param = decodeURIComponent(path.match(re)[1] ?? "");
    } catch {
      return failure(400, "INVALID_ARGUMENT", "the path has a malformed % escape", origin, {}, env);
    }

    // With a coordinator, quotas, records and every upstream call live in it (all isolates).
    const coord = await coordinatorFor(env);
    const quota = options.store ?? (coord ? coord.store : store);
    const api = coord ? coord.client(caller) : client;
    if (name === "wait" && !coord) return failure(404, "INVALID_ARGUMENT", `no route ${url.pathname} (long polls need the coordinator)`, origin, {}, env);

    // Quotas answer at once (429 + Retry-After); nothing queues for a caller over them.
    const uid = caller.userId;
    const rate = await quota.take(`rpm:${uid}`, 1, limit("requestsPerMinute"), MINUTE_MS, Date.now());
    if (!rate.ok) return tooMany("RATE_LIMITED", "too many requests for this user; retry after the Retry-After seconds", rate.resetAt, origin, env);
    // A long poll waits in the coordinator, not upstream: it does not count as in flight.
    if (name === "wait") return dispatch(request, env, caller, name, param, origin, limit, api, quota, coord);
    const busy = inFlight.get(uid) || 0;
    if (busy >= settings.maxInFlight) return tooMany("RATE_LIMITED", `at most ${settings.maxInFlight} requests at a time per user`, Date.now() + 1000, origin, env);
    inFlight.set(uid, busy + 1);
    try {
      return await dispatch(request, env, caller, name, param, origin, limit, api, quota, coord);
    } finally {
      const n = (inFlight.get(uid) || 1) - 1;
      if (n) inFlight.set(uid, n);
      else inFlight.delete(uid);
    }
  }

  async function dispatch(request, env, caller, name, param, origin, limit, client, store, coord) {
    // A caller that went away cancels what it asked for (nothing more goes upstream for it).
    const call = request.signal ? { signal: request.signal } : {};
    if (name === "usage") {
      const now = Date.now();
      const [day, minute] = await Promise.all([store.take(`cpd:${caller.userId}`, 0, Infinity, DAY_MS, now), store.take(`rpm:${caller.userId}`, 0, Infinity, MINUTE_MS, now)]);
      const finite = (n) => (Number.isFinite(n) ? n : null);
      const perDay = limit("creditsPerDay");
      return answer(200, {
        userId: caller.userId, admin: Boolean(caller.admin),
        creditsPerDay: finite(perDay), creditsUsedToday: day.used, creditsLeftToday: finite(Math.max(0, perDay - day.used)), resetsAt: new Date(day.resetAt).toISOString(),
        requestsPerMinute: finite(limit("requestsPerMinute")), requestsThisMinute: minute.used,
        maxCreditsPerTask: finite(Math.min(settings.maxCredits, limit("maxCreditsPerTask") ?? Infinity)),
      }, origin, {}, env);
    }
    if (name === "tasks" && !caller.admin && coord) {
      // The coordinator knows whose tasks are whose: a user's list holds its own tasks.
      const out = await coord.op("mine", { owner: caller.userId });
      if (out.ok) out.data = { tasks: await Promise.all((out.data.tasks || []).map(async (t) => ({ ...t, id: await bind(caller.userId, t.id), idempotencyKey: undefined }))) };
      return fromEnvelope(out, origin, env, null);
    }
    if (name === "account" || name === "tasks") {
      // The operator's account and task list hold every user's tasks.
      if (!caller.admin) return failure(403, "AUTH_FAILED", `${name === "tasks" ? "the task list" : "the account"} is for admins of this proxy`, origin, {}, env);
      return fromEnvelope(await (name === "tasks" ? client.listTasks(call) : client.getAccount(call)), origin, env, null);
    }
    if (name === "task" || name === "status" || name === "cancel" || name === "wait") {
      const id = await unbind(caller, param);
      // Another user's task, a forged binding and a missing task look the same.
      if (id === null) return failure(404, "TASK_NOT_FOUND", "Task not found", origin, {}, env);
      if (name === "wait") {
        const q = new URL(request.url).searchParams;
        const out = await coord.op("watch", { id, owner: caller.admin === true ? null : caller.userId, admin: caller.admin === true, after: q.get("after") || "", holdMs: Number(q.get("holdMs")) || 25_000 });
        return fromEnvelope(out, origin, env, caller, id);
      }
      const out = name === "task" ? await client.getTask(id, call) : name === "status" ? await client.getStatus(id, call) : await client.cancelTask(id, call);
      return fromEnvelope(out, origin, env, caller, id);
    }

    // quote, generate
    if (settings.allowedModels && !settings.allowedModels.includes(param)) {
      return failure(400, "INVALID_MODEL", `model ${param} is not allowed by this proxy (allowed: ${settings.allowedModels.join(", ")})`, origin, {}, env);
    }
    const lease = { large: false };
    try {
      return await create(request, env, caller, name, param, origin, limit, client, store, lease);
    } finally {
      if (lease.large) largeInUse = false;
    }
  }

  async function create(request, env, caller, name, param, origin, limit, client, store, lease) {
    const call = request.signal ? { signal: request.signal } : {};
    let payload;
    try {
      const text = await body(request, lease);
      if (text === TOO_LARGE) return failure(413, "INVALID_PAYLOAD", `the body is larger than ${settings.maxBodyBytes} bytes`, origin, {}, env);
      if (text === BUSY) return tooMany("RATE_LIMITED", "another large upload is in progress here; retry in a second", Date.now() + 1000, origin, env);
      payload = JSON.parse(text);
    } catch {
      return failure(400, "INVALID_PAYLOAD", "the body is not JSON", origin, {}, env);
    }
    const check = validatePayload(param, payload);
    if (!check.ok) return answer(400, { status: "FAILED", errorCode: check.errorCode, message: check.errorMessage, details: check.details }, origin, {}, env);
    if (name === "quote") return fromEnvelope(await client.quote(param, payload, call), origin, env, caller);

    const key = request.headers.get("idempotency-key");
    if (key !== null && (key.length < 8 || key.length > 128 || !/^[\x21-\x7e]+$/.test(key))) {
      return failure(400, "INVALID_ARGUMENT", "Idempotency-Key must be 8 to 128 visible ASCII characters", origin, {}, env);
    }
    // The per-task cap: the operator's, lowered by the caller's token or its X-Max-Credits.
    let cap = Math.min(settings.maxCredits, limit("maxCreditsPerTask") ?? Infinity);
    const asked = request.headers.get("x-max-credits");
    if (asked !== null && /^\d+$/.test(asked)) cap = Math.min(cap, Number(asked));
    // The daily quota is reserved before anything goes upstream: the local estimate, or the cap
    // when only the server prices the payload; settled to what the create charged.
    const estimate = estimateCredits(param, payload).credits;
    if (typeof estimate === "number" && estimate > cap) {
      return failure(422, "BUDGET_EXCEEDED", `this task costs ${estimate} credits, over the ${cap}-credit cap per task`, origin, {}, env);
    }
    const dayKey = `cpd:${caller.userId}`;
    const perDay = limit("creditsPerDay");
    // Only the server prices this payload: reserve the cap, or (no finite cap) what is left of
    // the day, and let the client's quote refuse anything above it.
    let ceiling = cap;
    if (typeof estimate !== "number" && !Number.isFinite(cap) && Number.isFinite(perDay)) {
      const seen = await store.take(dayKey, 0, Infinity, DAY_MS, Date.now());
      ceiling = Math.max(0, perDay - seen.used);
    }
    const reserve = typeof estimate === "number" ? estimate : Number.isFinite(ceiling) ? ceiling : 0;
    const day = await store.take(dayKey, reserve, perDay, DAY_MS, Date.now());
    if (!day.ok || (typeof estimate !== "number" && ceiling === 0 && Number.isFinite(perDay))) {
      if (day.ok) await store.give(dayKey, reserve, DAY_MS, Date.now());
      return tooMany("BUDGET_EXCEEDED", `daily credit quota reached (${day.used} of ${perDay} used; this task needs ${reserve || "a quote"})`, day.resetAt, origin, env);
    }
    // A create never takes the caller's signal: aborted in flight it could be billed while the
    // caller's quota is given back. A caller already gone sends nothing.
    if (request.signal && request.signal.aborted) {
      await store.give(dayKey, reserve, DAY_MS, Date.now());
      return failure(499, "ABORTED", "the caller left before the create was sent", origin, {}, env);
    }
    // The proxy is the only sender of its callers' creates: it reconciles a lost answer in the
    // operator's task list (adopting only a task made since its own send, with this input, that
    // no other caller's key made), and never sends blind (the core's invariant).
    const opts = Number.isFinite(ceiling) ? { maxCredits: ceiling } : {};
    // The caller's idempotency key (checked above), namespaced: another user who knows or
    // guesses it cannot claim it upstream, and identical payloads of two users never share a task.
    if (key) opts.idempotencyKey = `px1-${await mac(secrets.idem, `${caller.userId}\n${key}`, 24)}`;
    let out;
    try {
      out = await client.createGeneration(param, payload, opts);
    } catch (e) {
      await store.give(dayKey, reserve, DAY_MS, Date.now());
      throw e;
    }
    const now = Date.now();
    if (out.ok) {
      // A replay was counted when it was first created (or kept reserved when its answer was lost).
      // An answer that states no usable charge settles at what was reserved, never at 0.
      const stated = out.data ? out.data.creditsCharged : undefined;
      const usable = typeof stated === "number" && Number.isFinite(stated) && stated >= 0;
      const charged = out.data && out.data.idempotentReplay ? 0 : usable ? stated : reserve;
      if (charged < reserve) await store.give(dayKey, reserve - charged, DAY_MS, now);
      else if (charged > reserve) await store.take(dayKey, charged - reserve, Infinity, DAY_MS, now);
    } else if (!(out.data && out.data.maybeCreated)) {
      // Definitely not created: nothing was spent.
      await store.give(dayKey, reserve, DAY_MS, now);
    }
    return fromEnvelope(out, origin, env, caller);
  }
}

// ---------------------------------------------------------------------------------------------
// The coordinator: one Durable Object per API key, shared by every isolate of the proxy

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCEL", "CANCELLED"]);
/** What the proxy may ask the coordinator's client to do. */
const CALLS = new Set(["getStatus", "getTask", "cancelTask", "listTasks", "getAccount", "quote", "createGeneration"]);
const QUERIES = new Set(["getStatus", "getTask", "listTasks", "getAccount"]);
/** As the client's own waits: a task's own status is asked at least every 6 ticks. */
const CROSS_CHECK_EVERY = 6;
const RECORD_TTL_MS = 2 * DAY_MS;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
// Envelopes the coordinator answers itself, built by the package's one envelope builder.
const okEnvelope = (status, taskId, data) => ({ ...__envelope(null, null, data), status, taskId, httpStatus: 200 });
const failEnvelope = (errorCode, errorMessage, httpStatus, taskId = null) => ({ ...__envelope(errorCode, errorMessage, null), taskId, httpStatus });

/**
 * `export { AivideoCoordinator } from "aivideo/proxy"` in the Worker, bound as
 * AIVIDEO_COORDINATOR: the proxy then sends every upstream call through one object per key.
 * It owns the key-wide rate budget (a sliding window, persisted), the per-user quota counters,
 * the task records (owner, last status, the finished task), and one poll loop on its alarm:
 * one `GET /tasks` per tick for every task being waited on, plus per-task cross-checks as the
 * budget allows; waiting browsers are answered from it (long poll).
 * Settings (env): UPSTREAM_REQUESTS_PER_MINUTE (60), UPSTREAM_GENERATIONS_PER_MINUTE (30),
 * UPSTREAM_WINDOW_MS (60000), UPSTREAM_MARGIN_MS (5 % of it), POLL_INTERVAL_MS (5000).
 */
export class AivideoCoordinator {
  constructor(state, env) {
    this.state = state;
    this.storage = state.storage;
    this.env = env || {};
    this.records = new Map();
    this.counters = new Map();
    this.waiters = new Map();
    this.pending = new Map();
    let windows = 0;
    this.quota = windowCounters(this.counters, {
      changed: (key, c) => this.persist(`q:${key}`, c),
      // Counters of windows long over (users who came once) are forgotten as they pile up.
      fresh: (now) => {
        if (++windows % 1000 === 0) this.forgetOldCounters(now);
      },
    });
    this.budget = { query: [], gen: [], pausedUntil: 0, listTrusted: true };
    this.lastList = null;
    this.ready = null;
  }

  settings() {
    const n = (v, d) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
    const e = this.env;
    const windowMs = n(e.UPSTREAM_WINDOW_MS, 60_000);
    // UPSTREAM_MARGIN_MS: how much longer than the server's window we count (default 5 %, at
    // least 250 ms): the server counts arrivals, we count departures.
    return { rpm: n(e.UPSTREAM_REQUESTS_PER_MINUTE, 60), gpm: n(e.UPSTREAM_GENERATIONS_PER_MINUTE, 30), windowMs, marginMs: n(e.UPSTREAM_MARGIN_MS, Math.max(windowMs * 0.05, 250)), tickMs: n(e.POLL_INTERVAL_MS, 5000) };
  }

  load() {
    this.ready ??= (async () => {
      const [budget, records, counters] = await Promise.all([this.storage.get("budget"), this.storage.list({ prefix: "t:" }), this.storage.list({ prefix: "q:" })]);
      if (budget) Object.assign(this.budget, budget);
      for (const [k, v] of records) this.records.set(k.slice(2), v);
      for (const [k, v] of counters) this.counters.set(k.slice(2), v);
      const s = this.settings();
      // Two clients on one budget: callers' calls, and the poll loop's (which may use all of it).
      const make = (loop) => createClient({
        apiKey: this.env.AIVIDEO_API_KEY, baseUrl: this.env.AIVIDEO_BASE_URL, maxRetries: 0,
        // The durable budget below is the one that counts; the client's own stays out of the way.
        rateLimitPerMinute: 1e6, rateLimitWindowMs: s.windowMs,
        fetch: (url, init) => this.upstream(url, init, loop),
      });
      this.client = make(false);
      this.loopClient = make(true);
      // Waits in progress when the object was evicted or the runtime restarted: poll on.
      if ([...this.records.values()].some((r) => !TERMINAL.has(r.status))) await this.ensureAlarm();
    })();
    return this.ready;
  }

  async fetch(request) {
    let args;
    try {
      args = await request.json();
      await this.load();
    } catch (e) {
      return Response.json(failEnvelope("UPSTREAM_ERROR", `coordinator: ${e && e.message}`, 500), { status: 500 });
    }
    const op = new URL(request.url).pathname.slice(1);
    switch (op) {
      case "take": return Response.json(this.take(args));
      case "give": return Response.json(this.give(args));
      case "call": return Response.json(await this.call(args));
      case "watch": return Response.json(await this.watch(args));
      case "mine": return Response.json(await this.mine(args));
      default: return Response.json(failEnvelope("INVALID_ARGUMENT", `coordinator: no op ${op}`, 404), { status: 404 });
    }
  }

  async alarm() {
    await this.load();
    try {
      await this.tick();
    } finally {
      if ([...this.records.values()].some((r) => !TERMINAL.has(r.status)) || this.waiters.size) {
        await this.storage.setAlarm(Date.now() + this.settings().tickMs);
      }
    }
  }

  async ensureAlarm() {
    if ((await this.storage.getAlarm()) == null) await this.storage.setAlarm(Date.now() + this.settings().tickMs);
  }

  // Quota counters (fixed windows), durable.
  take({ key, amount, limit, windowMs, now }) {
    return this.quota.take(key, amount, limit ?? Infinity, windowMs, now);
  }

  give({ key, amount, windowMs, now }) {
    this.quota.give(key, amount, windowMs, now);
    return {};
  }

  /** Quota counters of windows long over (users who came once) are forgotten. */
  forgetOldCounters(now) {
    for (const [key, c] of this.counters) {
      if (c.resetAt >= now - MINUTE_MS) continue;
      this.counters.delete(key);
      this.dirty?.delete(`q:${key}`);
      this.storage.delete(`q:${key}`);
    }
  }

  /** Every upstream request waits here for the key-wide budget (a sliding window, persisted). */
  async upstream(url, init, loop) {
    const path = new URL(url).pathname;
    const kind = /\/generate\//.test(path) ? "gen" : (init?.method || "GET") === "GET" ? "query" : null;
    const taken = kind ? await this.slot(kind, loop) : null;
    if (kind && init?.signal?.aborted) {
      // The caller gave up while it waited: the slot goes back.
      const at = this.budget[kind].lastIndexOf(taken);
      if (at >= 0) this.budget[kind].splice(at, 1);
      throw new DOMException("the caller gave up while waiting for the rate budget", "AbortError");
    }
    const response = await fetch(url, init);
    if (response.status === 429) {
      const seconds = Number(response.headers.get("retry-after"));
      this.budget.pausedUntil = Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
      this.persist("budget", this.budget);
    }
    return response;
  }

  /** How long a request of this kind would wait for the budget now (0: it may go). */
  waitFor(kind, loop) {
    const s = this.settings();
    // A margin on the window: the server counts arrivals, we count departures.
    const windowMs = s.windowMs + s.marginMs;
    const limit = kind === "gen" ? s.gpm : s.rpm;
    // The poll loop may use the whole budget; callers' own reads keep half of it free for it.
    const cap = loop || kind === "gen" ? limit : Math.max(1, Math.floor(limit / 2));
    const now = Date.now();
    const hits = (this.budget[kind] = this.budget[kind].filter((t) => now - t < windowMs));
    const full = hits.length >= cap ? hits[hits.length - cap] + windowMs - now : 0;
    return Math.max(this.budget.pausedUntil - now, full);
  }

  async slot(kind, loop) {
    for (;;) {
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
      await sleep(wait);
    }
  }

  spare(kind) {
    const s = this.settings();
    const now = Date.now();
    const used = this.budget[kind].filter((t) => now - t < s.windowMs + s.marginMs).length;
    return (kind === "gen" ? s.gpm : s.rpm) - used;
  }

  record(id, patch) {
    const now = Date.now();
    const r = { ...(this.records.get(id) || { createdAt: now, checkedAt: 0, status: null }), ...patch, updatedAt: now };
    this.records.set(id, r);
    this.persist(`t:${id}`, r);
    if (r.status && this.waiters.has(id)) {
      for (const w of this.waiters.get(id)) if (w.after !== r.status || TERMINAL.has(r.status)) w.wake();
    }
    return r;
  }

  /** One API call on behalf of a caller; reads are answered from the records when fresh. */
  async call({ method, args = [], owner, admin }) {
    const id = typeof args[0] === "string" ? args[0] : null;
    const rec = id && method !== "createGeneration" && method !== "quote" ? this.records.get(id) : null;
    if (rec && rec.owner && owner && rec.owner !== owner && !admin) return failEnvelope("TASK_NOT_FOUND", "Task not found", 404, id);
    const fresh = rec && rec.status && (TERMINAL.has(rec.status) || Date.now() - rec.checkedAt < this.settings().tickMs * 1.5);
    if (method === "getStatus" && fresh) return okEnvelope(rec.status, id, { status: rec.status });
    if (method === "getTask" && rec) {
      // A finished task from its record; a running one from a list read within the tick.
      const listedFresh = this.lastList && Date.now() - this.lastList.at < this.settings().tickMs * 1.5;
      const task = (TERMINAL.has(rec.status) ? rec.task : null) ?? (listedFresh || TERMINAL.has(rec.status) ? this.lastList?.tasks.find((t) => t.id === id && t.status === rec.status) : null);
      if (task) return okEnvelope(rec.status, id, task);
    }
    if (!CALLS.has(method)) return failEnvelope("INVALID_ARGUMENT", `coordinator: no method ${method}`, 400);
    // Fair shares of the key's budget: a caller's reads never queue long (429 at once past a
    // sixth of the window), and one caller has at most two reads waiting here at a time.
    const query = QUERIES.has(method);
    const who = owner || "admin";
    if (query) {
      const s = this.settings();
      const wait = this.waitFor("query", false);
      if (wait > Math.min(10_000, s.windowMs / 6) || (this.pending.get(who) || 0) >= 2) {
        const out = failEnvelope("RATE_LIMITED", "the API key's request budget is busy; retry after the Retry-After seconds", 429, id);
        out.retryAfter = Math.max(1, Math.ceil(Math.max(wait, 1000) / 1000));
        return out;
      }
      this.pending.set(who, (this.pending.get(who) || 0) + 1);
    }
    let out;
    try {
      out = await this.client[method](...args);
    } finally {
      if (query) {
        const n = (this.pending.get(who) || 1) - 1;
        if (n) this.pending.set(who, n);
        else this.pending.delete(who);
      }
    }
    if (method === "createGeneration" && out.ok && out.taskId) {
      // A replay of a task already recorded changes nothing (a finished task stays finished).
      if (!(out.data && out.data.idempotentReplay && this.records.has(out.taskId))) {
        this.record(out.taskId, { owner, status: "SUBMITTED", model: args[0], checkedAt: Date.now() });
      }
      await this.ensureAlarm();
    } else if (id && out.ok && (method === "getStatus" || method === "getTask" || method === "cancelTask")) {
      const patch = { status: out.status || rec?.status, checkedAt: Date.now(), ...(method === "getStatus" ? { ownAt: Date.now() } : {}), ...(owner && !admin && !rec?.owner ? { owner } : {}) };
      if (method === "getTask" && TERMINAL.has(out.status)) patch.task = out.data;
      this.record(id, patch);
    }
    return out;
  }

  /** A long poll: the task's status once it differs from `after` (or it ends), or after holdMs. */
  async watch({ id, owner, admin, after, holdMs }) {
    let rec = this.records.get(id);
    if (rec && rec.owner && rec.owner !== owner && !admin) return failEnvelope("TASK_NOT_FOUND", "Task not found", 404, id);
    if (!rec || !rec.status) {
      // Not created through the coordinator (or before it): read it once, then keep watching.
      const out = await this.call({ method: "getStatus", args: [id], owner, admin });
      if (!out.ok) return out;
      rec = this.records.get(id);
    }
    if (rec.status !== after || TERMINAL.has(rec.status)) return okEnvelope(rec.status, id, { status: rec.status });
    await this.ensureAlarm();
    const hold = Math.min(Math.max(Number(holdMs) || 25_000, 1000), 30_000);
    let mine = null;
    await new Promise((resolve) => {
      mine = { after, wake: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(mine.wake, hold);
      if (!this.waiters.has(id)) this.waiters.set(id, new Set());
      this.waiters.get(id).add(mine);
    });
    const set = this.waiters.get(id);
    if (set) {
      set.delete(mine);
      if (!set.size) this.waiters.delete(id);
    }
    const now = this.records.get(id);
    return okEnvelope(now.status, id, { status: now.status });
  }

  /** A user's own tasks, from the (fresh) task list. */
  async mine({ owner }) {
    const s = this.settings();
    if (!this.lastList || Date.now() - this.lastList.at > s.tickMs) {
      const out = await this.client.listTasks();
      if (!out.ok) return out;
      this.lastList = { at: Date.now(), tasks: out.data.tasks || [] };
    }
    const tasks = this.lastList.tasks.filter((t) => this.records.get(t.id)?.owner === owner);
    return okEnvelope(null, null, { tasks });
  }

  /** One tick of the poll loop. */
  async tick() {
    const s = this.settings();
    const now = Date.now();
    for (const [id, r] of this.records) {
      if (TERMINAL.has(r.status) && now - r.updatedAt > RECORD_TTL_MS) {
        this.records.delete(id);
        this.dirty?.delete(`t:${id}`);
        this.storage.delete(`t:${id}`);
      }
    }
    this.forgetOldCounters(now);
    const live = [...this.records.entries()].filter(([, r]) => !TERMINAL.has(r.status));
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
    // Each task at least every CROSS_CHECK_EVERY ticks (every tick once the list lags), within
    // the loop's share of the budget (70 %: callers' own reads, e.g. a finished task, keep the rest).
    const share = Math.floor((0.7 * s.rpm * s.tickMs) / s.windowMs) - (this.budget.listTrusted ? 1 : 0);
    const k = Math.max(0, Math.min(share, this.spare("query") - Math.ceil(0.3 * s.rpm)));
    const due = live.filter(([, r]) => !this.budget.listTrusted || !listed || Date.now() - (r.ownAt || 0) >= CROSS_CHECK_EVERY * s.tickMs);
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
          if (TERMINAL.has(own.status) && t.status === own.status) this.record(id, { task: t });
          continue;
        }
        const patch = { status: t.status, checkedAt: Date.now() };
        if (TERMINAL.has(t.status)) patch.task = t;
        if (t.status !== r.status || patch.task) this.record(id, patch);
        else r.checkedAt = patch.checkedAt;
      }
    }
    this.persist("budget", this.budget);
  }

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
  }

  /** The loop's task list: read directly (a 1,000-task list costs ~6 ms this way and ~31 ms
   * through the client's conversion, measured in Node), on the same budget, refusing redirects. */
  async listForLoop(timeoutMs) {
    const base = String(this.env.AIVIDEO_BASE_URL || "https://aivideomaker.ai").replace(/\/+$/, "");
    try {
      const r = await this.upstream(`${base}/api/v1/tasks`, { method: "GET", headers: { key: this.env.AIVIDEO_API_KEY, accept: "application/json" }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) }, true);
      if (r.status === 401 || r.status === 403) return { refused: true };
      if (r.status !== 200) return null;
      const body = await r.json();
      return body && Array.isArray(body.tasks) ? { tasks: body.tasks.filter((t) => t && typeof t.id === "string" && typeof t.status === "string") } : null;
    } catch {
      return null;
    }
  }
}
