// aivideo/proxy: an edge proxy you can put on the public internet. Browser → this handler
// (authenticates the caller, enforces per-caller quotas, binds task ids to their owner,
// holds the API key) → the API. It speaks the API's own wire format, so the browser side is
// the same client with `baseUrl` set to the proxy and no key.
//
//   import { createProxyHandler, jwtAuthorizer } from "aivideo/proxy";
//   export default { fetch: createProxyHandler({ authorize: jwtAuthorizer(), maxCreditsPerTask: 100 }) };
//
// This file is the entry: it initializes the wasm for the runtime and names the public API.
// The handler's steps live in proxy/ (settings, auth, ownership, quota, http, routes, the
// read and create routes, the pipeline), the Durable Object coordinator in coordinator/.
// Every forwarded call goes through this package's client (validation, retries, the shared
// upstream rate budget, classification).
import "#aivideo"; // the runtime's entry: initializes the wasm (workerd, Node, browsers, Deno)

export { createProxyHandler } from "./proxy/handler.js";
export { ProxySetupError } from "./proxy/settings.js";
export { memoryStore } from "./proxy/store.js";
export { mintProxyToken, jwtAuthorizer } from "./proxy/auth.js";
export { AivideoCoordinator } from "./coordinator/object.js";
export { toNodeHandler } from "./proxy/node-http.js";
