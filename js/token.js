// A token provider for clients of an aivideo proxy: `createClient({ baseUrl: "/api/aivideo",
// token: async () => (await fetch("/session/aivideo-token")).text() })`. The provider is
// called once and its token kept until a minute before its `exp` (a JWT's; any other token
// until the proxy refuses it), one call shared by concurrent requests. The token goes as
// `Authorization: Bearer …` to the base URL's origin only (https, or plain http to this
// machine), and a 401 from there asks the provider again, once, and resends. A provider that
// throws makes that request a NETWORK_ERROR envelope, never a rejection.
// Owns: the token's cache and where it is sent. Must not: read or verify what the token says
// beyond its expiry (the proxy verifies it).
import { __isLoopbackHost } from "./aivideo.js";

/** A JWT's expiry, in ms, less a minute; Infinity when the token carries none. Decoded here,
 * not with a JWT library: ten lines against jose's bytes in every page (README, Dependencies). */
function usableUntil(token) {
  try {
    const part = token.split(".")[1];
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const exp = JSON.parse(json).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 - 60_000 : Infinity;
  } catch {
    return Infinity;
  }
}

/** `options` with `token` turned into a `fetch` that adds it (options without one unchanged). */
export function withToken(options) {
  let token, rest;
  try {
    if (!options || typeof options !== "object" || options.token === undefined) return options;
    ({ token, ...rest } = options);
  } catch {
    // A bag whose getters throw: the client's own reading of it answers with a TypeError.
    return options;
  }
  if (typeof token !== "function") throw new TypeError("createClient: token must be a function returning the proxy's token (or a promise of it)");
  if (rest.apiKey) throw new TypeError("createClient: pass apiKey or token, not both (a token is for a client of an aivideo proxy)");
  if (typeof rest.baseUrl !== "string" || !rest.baseUrl) throw new TypeError("createClient: token needs the proxy's baseUrl (e.g. \"/api/aivideo\")");
  const here = typeof location === "object" && location ? location.href : undefined;
  let target;
  try {
    target = new URL(rest.baseUrl, here);
  } catch {
    throw new TypeError("createClient: a relative baseUrl with token needs a page (location) to resolve against");
  }
  if (target.protocol !== "https:" && !(target.protocol === "http:" && __isLoopbackHost(target.hostname)) && target.origin !== (here && new URL(here).origin)) {
    throw new TypeError("createClient: the token is only sent over https (or plain http to this machine or this page's own origin)");
  }
  const inner = rest.fetch ?? ((url, init) => fetch(url, init));
  let kept = null;
  let asking = null;
  const current = (renew) => {
    if (!renew && kept && Date.now() < kept.until) return kept.value;
    asking ??= Promise.resolve()
      .then(() => token())
      .then((value) => {
        if (typeof value !== "string" || !value || /[\s\u0000-\u001f]/.test(value)) throw new TypeError("the token provider gave no usable token (a non-empty string without spaces)");
        kept = { value, until: usableUntil(value) };
        return value;
      })
      .finally(() => { asking = null; });
    return asking;
  };
  const send = async (url, init, renew) => inner(url, { ...init, headers: { ...(init && init.headers), authorization: `Bearer ${await current(renew)}` } });
  return {
    ...rest,
    fetch: async (url, init) => {
      if (new URL(url, here ?? target.href).origin !== target.origin) return inner(url, init);
      const first = await send(url, init, false);
      if (first.status !== 401) return first;
      first.body?.cancel().catch(() => {});
      return send(url, init, true);
    },
  };
}
