// Binding task ids and idempotency keys to the caller that made them. A task id goes out as
// `<upstream id>.<tag>` (an HMAC of user and id) and only its owner's requests unbind it; a
// caller's idempotency key goes upstream namespaced by user; a webhook hint's URL carries a
// tag of its nonce. Owns: the derived keys and the tag format. Must not: look at quotas or routes.
import { base64url } from "./jose.js";
import { ProxySetupError } from "./settings.js";

const enc = new TextEncoder();

/** The binding keys, derived (HKDF) from the API key or PROXY_SECRET: nothing to configure,
 * and nobody without the key can forge a binding. */
export async function ownershipKeys(material) {
  if (typeof material !== "string" || material.length < 16) throw new ProxySetupError("AIVIDEO_API_KEY (or PROXY_SECRET) is missing");
  const base = await crypto.subtle.importKey("raw", enc.encode(material), "HKDF", false, ["deriveKey"]);
  const derive = (info) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: enc.encode("aivideo-proxy"), info: enc.encode(info) }, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
  const keys = { owner: await derive("task ownership v1"), idem: await derive("idempotency namespace v1"), hook: await derive("webhook hint v1") };
  const mac = async (key, text, bytes = 16) => base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(text))).slice(0, bytes));
  const same = (a, b) => {
    let diff = a.length ^ b.length;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ (b.charCodeAt(i) || 0);
    return diff === 0;
  };
  return {
    /** A task id bound to its owner. */
    bind: async (userId, taskId) => `${taskId}.${await mac(keys.owner, `${userId}\n${taskId}`)}`,
    /** The upstream id of a bound id, when `caller` owns it (an admin may also pass raw ids); else null. */
    async unbind(caller, bound) {
      const dot = bound.lastIndexOf(".");
      if (dot <= 0) return caller.admin === true ? bound : null;
      const id = bound.slice(0, dot);
      if (same(await mac(keys.owner, `${caller.userId}\n${id}`), bound.slice(dot + 1))) return id;
      return caller.admin === true ? bound : null;
    },
    /** The caller's idempotency key as it goes upstream: another user who knows or guesses it
     * cannot claim it, and identical payloads of two users never share a task. */
    upstreamKey: async (userId, key) => `px1-${await mac(keys.idem, `${userId}\n${key}`, 24)}`,
    /** A webhook hint's tag for its nonce, and whether a callback's tag is that. */
    hookTag: (nonce) => mac(keys.hook, nonce),
    hookValid: async (nonce, tag) => same(await mac(keys.hook, nonce), tag),
  };
}
