// The public API, named once. Every entry (index.js, node.js, workerd.js, edge.js, inline.js
// and the CommonJS build) initializes the wasm and re-exports exactly this list; the glue's
// `Client` class, `initSync` and default `init` stay private. The offline contract's
// functions come from validation.js (aivideo/validate has them alone; the package build folds
// it, token.js and the schemas into this module: pkg-build/fold.mjs); the edge proxy is
// `aivideo/proxy`.
import * as wasm from "./aivideo.js";
import { withToken } from "./token.js";
import { ready as validationReady } from "./validation.js";

export { describeModels, modelNames, jsonSchema, estimateCredits, validatePayload } from "./validation.js";

let guarded = false;
function ready() {
  validationReady();
  if (!guarded) {
    guarded = true;
    guardFreed(wasm.Client.prototype);
  }
}

/** A client after `free()` answers every call with an INVALID_ARGUMENT envelope (and a second
 * `free()` does nothing) instead of throwing from the glue: the promise of "resolves to an
 * envelope" holds for a freed client too. The glue marks a freed object with a zero pointer. */
function guardFreed(proto) {
  const freed = (c) => !c.__wbg_ptr;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (name === "constructor" || name.startsWith("__")) continue;
    if (name === "free") {
      proto.free = function free() { if (!freed(this)) d.value.call(this); };
    } else if (typeof d.value === "function") {
      proto[name] = function (...args) {
        if (!freed(this)) return d.value.apply(this, args);
        return Promise.resolve(wasm.__envelope("INVALID_ARGUMENT", `${name} on a client that was freed: create another client`, null));
      };
    } else if (d.get) {
      Object.defineProperty(proto, name, { ...d, get() { return freed(this) ? 0 : d.get.call(this); } });
    }
  }
}

/** See the declaration. */
export function createClient(options) {
  ready();
  return rethrown(() => wasm.createClient(withToken(options)));
}

/** A setup error thrown again from here: Node prints the line that threw an uncaught error,
 * and the glue's is one minified line of tens of kilobytes. */
function rethrown(make) {
  try {
    return make();
  } catch (e) {
    if (e instanceof TypeError) throw new TypeError(e.message);
    throw e;
  }
}

/** See the declaration. */
export function clientFromEnv(env, options) {
  ready();
  return rethrown(() => wasm.clientFromEnv(env, options));
}
