// Scriptable faults. A rule: {endpoint: "status"|…|"*", method?, after?: skip n matches,
// times?: n (default 1), kind, status?, headers?, body?, ms?}. Kinds: status, html,
// invalid_json, truncated, reset, hang, delay, slow_body (before the handler, here);
// reset_after_commit, status_after_commit, hang_after_commit (a create that commits, then
// loses its answer: api.mjs); missing_fields, unknown_status (body shaping: api.mjs); outage
// (with endpoint "*": creates commit and lose their answer while every other endpoint answers
// 503). Must not: touch tasks or accounts.
import { send } from "./http.mjs";

/** The first rule that fires for this request, counting it as used. */
export function matchFault(sim, endpoint, method) {
  for (const f of sim.state.faults) {
    if (f.endpoint !== "*" && f.endpoint !== endpoint) continue;
    if (f.method && f.method !== method) continue;
    f.seen = (f.seen || 0) + 1;
    if (f.seen <= (f.after || 0)) continue;
    if (f.used >= (f.times ?? 1)) continue;
    f.used = (f.used || 0) + 1;
    return f;
  }
  return null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Faults that act before the real handler. Resolves true when the response is settled. */
export async function preFault(sim, f, { req, res, endpoint }) {
  switch (f.kind) {
    case "outage": // creates commit and lose their answer (api.mjs); everything else 503s
      if (endpoint === "generate") return false;
      return preFault(sim, { kind: "status", status: 503, message: "Service Unavailable (simulated outage)" }, { req, res, endpoint });
    case "status": { // any status with a JSON error body, e.g. {status: 503} or {status: 429, headers: {"retry-after": "1"}}
      const message = f.message ?? `Simulated HTTP ${f.status}`;
      // The live service answers its 5xx in the web app's tRPC shape.
      const body = sim.live() && f.status >= 500 ? { error: { json: { message, code: -32603 } } } : { status: "FAILED", ...(f.errorCode ? { errorCode: f.errorCode } : {}), message };
      send(res, f.status, f.body ?? body, f.headers);
      return true;
    }
    case "html":
      send(res, f.status ?? 502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>", f.headers);
      return true;
    case "invalid_json":
      res.writeHead(f.status ?? 200, { "content-type": "application/json" });
      res.end("{status: SUBMITTED,,}");
      return true;
    case "truncated":
      res.writeHead(f.status ?? 200, { "content-type": "application/json" });
      res.end('{"status":"PROGRE');
      return true;
    case "reset": // connection dropped before any response
      req.socket.destroy();
      return true;
    case "hang": // never answers (until the client gives up or the server closes)
      return true;
    case "delay": // answers normally after `ms` real milliseconds
      await sleep(f.ms ?? 100);
      return false;
    case "slow_body": { // headers at once, body trickled over `ms`
      res.writeHead(200, { "content-type": "application/json" });
      const text = JSON.stringify({ status: "PROGRESS" });
      for (const ch of text) {
        if (res.destroyed) return true;
        res.write(ch);
        await sleep((f.ms ?? 1000) / text.length);
      }
      res.end();
      return true;
    }
    default: // after-commit and body-shaping faults act inside the handler
      return false;
  }
}
