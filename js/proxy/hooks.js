// Webhook hints. With `webhookUrl` set (the proxy's public URL; env AIVIDEO_WEBHOOK_URL) and
// the coordinator bound, each create asks the service to call back an opaque URL,
// `<webhookUrl>/hooks/<nonce>.<tag>`, the tag the binding keys' HMAC of a fresh nonce
// (ownership.js, the same keys as task ids). A callback is only a hint: whatever its body
// says, the coordinator moves that task to the front of its scheduler for one own read, at
// most one per task per interval (the core's rule), and a callback whose tag does not verify
// costs nothing. Owns: the URL's shape. Must not: read a callback's body, or decide when to read.
import { base64url } from "./jose.js";

/** The hook path under the proxy's base path: `/hooks/<nonce>.<tag>`. */
const HOOK_PATH = /^\/hooks\/([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

/** A fresh hook for one create: `{ url, nonce }`, or null when webhooks are off. */
export async function newHook(settings, owners) {
  if (!settings.webhookUrl) return null;
  const nonce = base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
  return { url: `${settings.webhookUrl}/hooks/${nonce}.${await owners.hookTag(nonce)}`, nonce };
}

/** The nonce of a hook URL this proxy made (the coordinator files it with the task). */
export function hookNonce(url) {
  const m = typeof url === "string" ? /\/hooks\/([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{22}$/.exec(url) : null;
  return m ? m[1] : null;
}

/** Whether `pathname` (under the base path) is a hook callback's. */
export function isHookPath(pathname, basePath) {
  return pathname.startsWith(`${basePath}/hooks/`);
}

/** A callback: 204 whatever happens (the caller learns nothing), after a hint to the
 * coordinator when the tag verifies. The body is never read. */
export async function hookRoute(rc, coord) {
  const { request, settings } = rc;
  request.body?.cancel().catch(() => {});
  const m = HOOK_PATH.exec(new URL(request.url).pathname.slice(settings.basePath.length));
  if (request.method !== "POST" || !m || !coord || !settings.webhookUrl) return new Response(null, { status: 204 });
  if (await rc.isolate.owners.hookValid(m[1], m[2])) await coord.op("hint", { nonce: m[1] });
  return new Response(null, { status: 204 });
}
