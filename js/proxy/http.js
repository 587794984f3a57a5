// HTTP at the proxy's edge: the origin check, CORS, reading a body under byte caps, and every
// answer (JSON in the API's own wire format, scrubbed of the key). Owns: the headers the
// proxy sends and accepts. Must not: decide quotas, routes or ownership (it is given the
// request context `rc` they filled in).
import { __httpStatusFor } from "../aivideo.js";

export const ALLOWED_HEADERS = "authorization, content-type, accept, idempotency-key, x-max-credits, mcp-protocol-version";
const EXPOSED_HEADERS = "retry-after, www-authenticate, x-aivideo-wait, x-aivideo-idempotency";
/** A body over this needs the isolate's one large-body slot. */
const LARGE_BODY = 1024 * 1024;
export const TOO_LARGE = Symbol("too large");
export const BUSY = Symbol("busy");
export const STALLED = Symbol("stalled");
/** A body that sends nothing for this long, or (after the grace) arrives slower than the
 * minimum rate, is dropped: a stalled sender cannot hold the large-body slot. */
const IDLE_MS = 5000;
const GRACE_MS = 10_000;
const MIN_BYTES_PER_S = 64 * 1024;

/** Whether a browser page (or, when allowed, a server) may call. */
export function originAllowed(request, settings) {
  const origin = request.headers.get("origin");
  // Same-site, for every method: a browser marks a request from a page on the proxy's own
  // site `Sec-Fetch-Site: same-origin` (with or without Origin: it sends Origin on POST and
  // PUT), which a cross-site page cannot make it send; and an Origin equal to the proxy's own
  // (behind a rewriting reverse proxy, `request.url`'s origin may not be the public one, so
  // the browser's word is enough). A script could send either header: authorize and the
  // quotas decide for it, as they do for every caller.
  if (request.headers.get("sec-fetch-site") === "same-origin") return origin !== "null";
  if (origin && origin === new URL(request.url).origin) return true;
  if (origin) return origin !== "null" && (settings.allowedOrigins.has(origin) || settings.allowedOrigins.has("*"));
  // No Origin and not same-origin: a server or a script.
  return settings.allowServerRequests;
}

export function cors(origin) {
  return origin ? { "access-control-allow-origin": origin, vary: "origin", "access-control-expose-headers": EXPOSED_HEADERS } : {};
}

/** The text with the API key cut out: the last line of defence against an echoing upstream.
 * Not only exact echoes: any case variant, anything that starts with the key's first 12
 * characters or ends with its last 12 (a truncated echo), its hex, and its base64 at any of the
 * three alignments it can have inside a longer encoded text ("Basic …", "key:…"), standard or
 * URL-safe: the characters only the key's bytes decide. */
export function scrub(text, apiKey) {
  if (!apiKey || apiKey.length < 4) return text;
  const { re, rest, part } = keyPattern(apiKey);
  // Literals only in the pattern (linear over a 10 MB task list heavy with data URIs); each
  // match is then widened over what may be the rest of the key (its characters, or a token's,
  // at most as many as the key has left): forward after its head or hex, back before its tail.
  let out = "";
  let at = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let start = m.index;
    let end = start + m[0].length;
    if (m[1] !== undefined) for (const ceil = Math.min(text.length, end + rest); end < ceil && part(text[end]); ) end++;
    if (m[2] !== undefined) for (const ceil = Math.min(text.length, end + 2 * rest); end < ceil && HEX.test(text[end]); ) end++;
    if (m[3] !== undefined) for (const floor = Math.max(at, start - rest); start > floor && part(text[start - 1]); ) start--;
    out += `${text.slice(at, start)}[redacted]`;
    at = end;
    re.lastIndex = end;
  }
  return at === 0 ? text : out + text.slice(at);
}

const TOKEN = /[A-Za-z0-9_-]/;
const HEX = /[0-9a-f]/i;
let cached = null;
/** The key's forms as one pattern of literals: (1) its first 12 characters, (2) the hex of its
 * first 12 bytes, (3) its last 12 characters, then its whole self and its base64 cores. */
function keyPattern(apiKey) {
  if (cached && cached.key === apiKey) return cached;
  const escape = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const bytes = new TextEncoder().encode(apiKey);
  const hex = Array.from(bytes.subarray(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
  const forms = [`(${escape(apiKey.slice(0, 12))})`, `(${hex})`, `(${escape(apiKey.slice(-12))})`];
  for (const shift of [0, 1, 2]) {
    // The key after `shift` other bytes: its characters from the first one no other byte
    // decides to the last one its own bytes fill.
    const core = btoa(String.fromCharCode(...new Uint8Array(shift), ...bytes)).slice(Math.ceil((shift * 4) / 3), Math.floor(((shift + bytes.length) * 4) / 3));
    if (core.length >= 12) forms.push(escape(core), escape(core.replace(/\+/g, "-").replace(/\//g, "_")));
  }
  const chars = new Set(apiKey.toLowerCase() + apiKey.toUpperCase());
  const part = (c) => TOKEN.test(c) || chars.has(c);
  cached = { key: apiKey, re: new RegExp(forms.join("|"), "gi"), rest: Math.max(0, apiKey.length - 12), part };
  return cached;
}

/** A JSON answer; `rc.origin` is set only once the origin passed the check. */
export function answer(rc, status, body, extra = {}) {
  const text = scrub(JSON.stringify(body ?? null), rc.settings?.upstream.apiKey);
  // A coordinated proxy tells the client it may wait on its long-poll route.
  const coordinated = rc.coordinated ? { "x-aivideo-wait": "long-poll" } : {};
  // The proxy reconciles creates by key for its callers (a repeat of a key is looked for
  // upstream, never sent blind): their clients may repeat a create whose answer was lost.
  const keyed = { "x-aivideo-idempotency": "reconciled" };
  return new Response(text, { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...cors(rc.origin), ...coordinated, ...keyed, ...extra } });
}

export const failure = (rc, status, errorCode, message) => answer(rc, status, { status: "FAILED", errorCode, message });

/** 429 with Retry-After until `resetAt`. */
export function tooMany(rc, errorCode, message, resetAt) {
  return answer(rc, 429, { status: "FAILED", errorCode, message }, retryAfter(resetAt));
}

/** The Retry-After header for a limit that resets at `resetAt` (ms; at least a second). */
export function retryAfter(resetAt) {
  return { "retry-after": String(Number.isFinite(resetAt) ? Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)) : 1) };
}

/** An envelope back into the API's wire format (the browser client classifies it again).
 * Task ids go out bound to `rc.caller` unless `bind` is false. */
export async function fromEnvelope(rc, out, { taskId, bind = true } = {}) {
  if (out.ok) {
    let data = out.data && typeof out.data === "object" && !Array.isArray(out.data) ? { ...out.data } : out.data;
    if (data && typeof data === "object") {
      // The upstream's own URLs and keys stay behind the proxy; task ids go out bound.
      for (const k of ["handle", "responseUrl", "statusUrl", "cancelUrl", "idempotencyKey"]) delete data[k];
      const raw = data.taskId ?? data.id ?? taskId;
      if (typeof raw === "string" && bind) {
        const bound = await rc.owners.bind(rc.caller.userId, raw);
        if ("taskId" in data || out.status === "SUBMITTED") data.taskId = bound;
        if ("id" in data) data.id = bound;
      }
    }
    return answer(rc, out.httpStatus || 200, data);
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
  return answer(rc, status, b, extra);
}

/**
 * The body, read with a byte cap (a huge body is refused before it costs memory); a body over
 * 1 MiB also needs the isolate's one large-body slot (`rc.isolate.largeInUse`, held while
 * `lease.large`), so a few large uploads at once cannot exhaust the isolate's memory.
 * Returns the text, TOO_LARGE, BUSY or STALLED (nothing for IDLE_MS, or under MIN_BYTES_PER_S
 * after GRACE_MS).
 */
export async function readBody(rc, lease) {
  const max = rc.settings.maxBodyBytes;
  const declared = Number(rc.request.headers.get("content-length"));
  if (declared > max) return TOO_LARGE;
  const needLarge = () => {
    if (lease.large) return true;
    if (rc.isolate.largeInUse) return false;
    rc.isolate.largeInUse = lease.large = true;
    return true;
  };
  if (declared > LARGE_BODY && !needLarge()) return BUSY;
  return readText(rc.request.body, { max, admit: (seen) => (seen > LARGE_BODY && !needLarge() ? BUSY : null), minRate: true });
}

/**
 * A body stream as text, read under `max` bytes: the text, TOO_LARGE (the rest not read),
 * STALLED (nothing for `idleMs`; with `minRate`, under MIN_BYTES_PER_S after GRACE_MS), or
 * what `admit(bytesSoFar)` returns to stop. Shared by the proxy's request bodies and the
 * coordinator's task list.
 */
export async function readText(stream, { max, idleMs = IDLE_MS, minRate = false, admit = () => null }) {
  if (!stream) return "";
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const started = Date.now();
  let seen = 0;
  let text = "";
  for (;;) {
    const chunk = await readWithin(reader, idleMs);
    const slow = minRate && Date.now() - started > GRACE_MS && seen / ((Date.now() - started) / 1000) < MIN_BYTES_PER_S;
    if (chunk === STALLED || slow) {
      reader.cancel().catch(() => {});
      return STALLED;
    }
    if (chunk.done) return text + decoder.decode();
    seen += chunk.value.byteLength;
    const stop = seen > max ? TOO_LARGE : admit(seen);
    if (stop) {
      reader.cancel().catch(() => {});
      return stop;
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
}

/** The next chunk, or STALLED when none comes within `ms`. */
async function readWithin(reader, ms) {
  let timer;
  try {
    return await Promise.race([reader.read(), new Promise((resolve) => { timer = setTimeout(() => resolve(STALLED), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
