// The proxy's routes: the API's own paths (method, pattern, name) plus its own `/usage` and
// `/tasks/{id}/wait` (long polls, with the coordinator). Owns: the route table and matching a
// path under the mount point. Must not: handle a request. A test holds this table against
// the client's methods and the core's endpoints.

export const ROUTES = [
  ["GET", /^\/api\/v1\/account$/, "account"],
  // The proxy's own: the caller's quotas and what is left of them today.
  ["GET", /^\/api\/v1\/usage$/, "usage"],
  ["POST", /^\/api\/v1\/quote\/([^/]+)$/, "quote"],
  ["POST", /^\/api\/v1\/generate\/([^/]+)$/, "generate"],
  ["GET", /^\/api\/v1\/tasks$/, "tasks"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)$/, "task"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)\/status$/, "status"],
  ["GET", /^\/api\/v1\/tasks\/([^/]+)\/wait$/, "wait"],
  ["PUT", /^\/api\/v1\/tasks\/([^/]+)\/cancel$/, "cancel"],
];

/**
 * The route for `pathname` under `basePath`: `{ method, name, param }`, `{ error: "path" }`
 * (no such route), or `{ error: "escape" }` (a malformed % escape).
 */
export function matchRoute(pathname, basePath) {
  // Mounted under a path, the proxy answers nothing outside it.
  if (basePath && pathname !== basePath && !pathname.startsWith(basePath + "/")) return { error: "path" };
  const path = basePath ? pathname.slice(basePath.length) : pathname;
  const found = ROUTES.find(([, re]) => re.test(path));
  if (!found) return { error: "path" };
  const [method, re, name] = found;
  try {
    return { method, name, param: decodeURIComponent(path.match(re)[1] ?? "") };
  } catch {
    return { error: "escape", method, name };
  }
}
