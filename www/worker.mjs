// The demo's edge proxy as a Cloudflare Worker: the key lives in the Worker's env
// (`wrangler secret put AIVIDEO_API_KEY`), never in the browser. Callers are the app's
// signed-in users, with short-lived tokens the app's backend mints with the shared
// AIVIDEO_TOKEN_SECRET (`wrangler secret put AIVIDEO_TOKEN_SECRET`).
import { createProxyHandler, jwtAuthorizer } from "aivideo/proxy";

const handler = createProxyHandler({
  authorize: jwtAuthorizer(),
  allowedModels: ["t2v", "i2v", "t2v_v3", "i2v_v3", "minimax", "seedance20", "wan27", "happyhorse", "lv"],
});

export default { fetch: (request, env, ctx) => handler(request, env, ctx) };
