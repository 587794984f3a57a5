// The offline contract's functions over the glue: validatePayload (with its fast path: plain
// payloads cross as one JSON text, long data URIs are checked here), estimateCredits,
// describeModels, modelNames, and jsonSchema (describeModels' data and the schemas the core
// wrote from the model tables at build time into schemas.js, so they cost the wasm nothing). Shared by the full API (api.js)
// and aivideo/validate, whose build has its own, smaller wasm beside a copy of this file.
import * as wasm from "./aivideo.js";
import { DESCRIPTIONS_JSON, SCHEMAS_JSON } from "./schemas.js";

export { modelNames } from "./aivideo.js";

/** See the declaration. A fresh copy on every call: the caller may change it. */
export function describeModels() {
  return JSON.parse(DESCRIPTIONS_JSON);
}

// The core's limits (crate::limits), told by the wasm at first use: strings longer than
// LONG_STRING are not copied into the wasm (a data URI is checked here, at the runtime's
// native speed, and only its start and decoded size cross; any other long string takes the
// member-by-member path); no other string longer than the core's MAX_INPUT_STRING_CHARS is
// read, on any path.
let LONG_STRING;
const DATA_URI_HEAD = /^data:image\/[A-Za-z0-9.+-]+(?:;[A-Za-z0-9.+=-]+)*;base64,/i;
const CHUNK = 1 << 16; // a multiple of 4: base64 chunks decode independently
const ARRAY_ITERATOR = Array.prototype[Symbol.iterator];
// Marks the long strings in JSON.stringify's output; random, so no caller's string equals it.
const TOKEN = `\u0001${Math.random().toString(36).slice(2)}${Date.now().toString(36)}:`;

/** The decoded size of the standard, padded base64 in `s` from `from` on, or -1 when it is
 * not exactly that (the member-by-member path then says what is wrong). `atob` checks the
 * alphabet natively; what it forgives (whitespace, missing or inner padding) is refused first. */
function base64Bytes(s, from) {
  const n = s.length - from;
  if (n === 0 || n % 4 !== 0 || typeof atob !== "function") return -1;
  for (const ws of [" ", "\t", "\n", "\r", "\f"]) if (s.indexOf(ws, from) !== -1) return -1;
  const eq = s.indexOf("=", from);
  if (eq !== -1 && eq < s.length - 2) return -1;
  try {
    for (let i = from; i < s.length; i += CHUNK) atob(s.slice(i, i + CHUNK));
  } catch {
    return -1;
  }
  return (n / 4) * 3 - (s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0);
}

/** A long string that is a valid base64 image data URI as [its start (the head up to the
 * comma, and at least 64 characters: messages quote 40), its decoded size], else undefined.
 * The wasm uses it too (`__useDataUriCheck`): a create's snapshot then refers to the caller's
 * string instead of copying it. */
function checkDataUri(s) {
  // Any length: measuring copies nothing, and one over the cap is then reported as too large.
  const head = DATA_URI_HEAD.exec(s.slice(0, 256));
  const bytes = head ? base64Bytes(s, head[0].length) : -1;
  return bytes < 0 ? undefined : [s.slice(0, Math.max(64, head[0].length)), bytes];
}
// Handed to the wasm on first use (the entry initializes the wasm after this module runs),
// which answers its limits.
export function ready() {
  if (LONG_STRING === undefined) [LONG_STRING] = wasm.__useDataUriCheck(checkDataUri);
}

/** See the declaration. */
export function estimateCredits(model, payload) {
  ready();
  return wasm.estimateCredits(model, payload);
}

/** True when `JSON.stringify(v)` writes exactly what reading `v` member by member would
 * see: plain objects and arrays (no class instances, boxed primitives, Buffers or Dates, no
 * `toJSON`, no array with its own iterator), plain values, safe integers, no functions or
 * symbols, bounded. Long strings must be checked data URIs; they are queued in `seen.long`
 * as [string, start, bytes] in the order `JSON.stringify` meets them. */
function plain(v, depth, seen) {
  if (depth > 16 || typeof v.toJSON === "function") return false;
  const proto = Object.getPrototypeOf(v);
  const array = Array.isArray(v);
  if (array ? proto !== Array.prototype || v[Symbol.iterator] !== ARRAY_ITERATOR : proto !== Object.prototype && proto !== null) return false;
  if (array && v.length > 2000) return false;
  const items = array ? v : Object.values(v);
  if ((seen.n += items.length) > 2000) return false;
  for (const x of items) {
    switch (typeof x) {
      case "string":
        if (x.length > LONG_STRING) {
          const checked = checkDataUri(x);
          if (!checked) return false;
          seen.long.push([x, ...checked]);
        }
        break;
      case "number": if (!Number.isSafeInteger(x)) return false; break;
      case "boolean": case "undefined": break;
      case "object": if (x !== null && !plain(x, depth + 1, seen)) return false; break;
      default: return false;
    }
  }
  return true;
}

/** The payload as JSON text for `__validateJson`, or undefined. Checked data URIs are
 * written as `"<first 64 characters>\x01<bytes>\x01"`: a raw control byte `JSON.stringify` never writes. */
function payloadJson(payload) {
  const seen = { n: 0, long: [] };
  if (!plain(payload, 0, seen)) return undefined;
  if (!seen.long.length) return JSON.stringify(payload);
  const heads = [];
  const text = JSON.stringify(payload, (_, v) => {
    if (typeof v !== "string" || v.length <= LONG_STRING) return v;
    const [s, head, bytes] = seen.long[heads.length] ?? [];
    if (s !== v) throw new Error("changed while read");
    heads.push(`${head}\u0001${bytes}\u0001`);
    return TOKEN + (heads.length - 1);
  });
  const escaped = JSON.stringify(TOKEN).slice(1, -1);
  return text.replace(new RegExp(`"${escaped.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}(\\d+)"`, "g"), (_, i) => `"${heads[i]}"`);
}

/** Checks a payload offline against the model's contract (see the declaration). Plain
 * payloads cross into the wasm once, as the JSON text `JSON.stringify` writes; anything else
 * (getters that throw, `toJSON`, functions, non-integers, long strings other than data URIs,
 * options) is read member by member. Either way the result comes back as one JSON text, and
 * the caller's own object goes in its `payload` slot (not a copy: a data URI can be
 * megabytes; the slot keeps its place in the key order). */
export function validatePayload(model, payload, opts) {
  ready();
  let text;
  if (opts === undefined && typeof model === "string" && typeof payload === "object" && payload !== null) {
    try {
      const json = Array.isArray(payload) ? undefined : payloadJson(payload);
      if (json !== undefined) text = wasm.__validateJson(model, json);
    } catch {
      text = undefined;
    }
  }
  const result = JSON.parse(text ?? wasm.__validateMembers(model, payload, opts));
  if (result.ok) result.payload = payload;
  return result;
}

/** The contract as JSON Schema (draft 2020-12): with no model, a generation `{model,
 * payload}`'s; with a model, its payload's; null for a name that is not a model. A fresh
 * object each call (the caller may change it). */
export function jsonSchema(model) {
  const generation = JSON.parse(SCHEMAS_JSON);
  if (model === undefined) return generation;
  const own = typeof model === "string" && Object.prototype.hasOwnProperty.call(generation.$defs, model);
  return own ? { $schema: generation.$schema, ...generation.$defs[model] } : null;
}
