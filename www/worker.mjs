// The demo's edge proxy as a Cloudflare Worker: the key lives in the Worker's env
// (`wrangler secret put AIVIDEO_API_KEY`), never in the browser.
import { createProxyHandler } from "aivideo";

const handler = createProxyHandler({ allowedModels: ["t2v", "i2v", "t2v_v3", "i2v_v3", "minimax", "seedance20", "wan27", "happyhorse", "lv"] });

export default { fetch: (request, env) => handler(request, env) };
