// Webhook hints. With `webhookUrl` set (the proxy's public URL; env AIVIDEO_WEBHOOK_URL) and
// the coordinator bound, each create asks the service to call back an opaque URL,
// `<webhookUrl>/hooks/<nonce>.<mac>`, the MAC an HMAC of the nonce under the API key. A callback
// is only a hint: whatever its body says, the coordinator moves that task to the front of its
// scheduler for one own read, at most one per task per interval (the core's rule), and a
// callback whose MAC does not verify costs nothing. Owns: the URL's shape and its check.
// Must not: read a callback's body, or decide when to read.
import { base64url } from "jose";

const enc = new TextEncoder();
/** The hook path under the proxy's base path: `/hooks/<nonce>.<mac>`. */
const HOOK_PATH = /^\/hooks\/([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

async function macKey(apiKey) {
  return crypto.subtle.importKey("raw", enc.encode(`aivideo webhook\n${apiKey ?? ""}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** A fresh hook for one create: `{ url, nonce }`, or null when webhooks are off. */
export async function newHook(settings) {
  if (!settings.webhookUrl) return null;
  const nonce = base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await macKey(settings.upstream.apiKey), enc.encode(nonce)));
  return { url: `${settings.webhookUrl}/hooks/${nonce}.${base64url.encode(mac)}`, nonce };
}

/** The nonce of a hook URL this proxy made (the coordinator files it with the task). */
export function hookNonce(url) {
  const m = typeof url === "string" ? /\/hooks\/([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/.exec(url) : null;
  return m ? m[1] : null;
}

/** Whether `pathname` (under the base path) is a hook callback's. */
export function isHookPath(pathname, basePath) {
  return pathname.startsWith(`${basePath}/hooks/`);
}

/** A callback: 204 whatever happens (the caller learns nothing), after a hint to the
 * coordinator when the MAC verifies. The body is never read. */
export async function hookRoute(rc, coord) {
  const { request, settings } = rc;
  request.body?.cancel().catch(() => {});
  const m = HOOK_PATH.exec(new URL(request.url).pathname.slice(settings.basePath.length));
  if (request.method !== "POST" || !m || !coord || !settings.webhookUrl) return new Response(null, { status: 204 });
  let ok = false;
  try {
    ok = await crypto.subtle.verify("HMAC", await macKey(settings.upstream.apiKey), base64url.decode(m[2]), enc.encode(m[1]));
  } catch {
    ok = false;
  }
  if (ok) await coord.op("hint", { nonce: m[1] });
  return new Response(null, { status: 204 });
}
