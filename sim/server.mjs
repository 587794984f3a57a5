// A faithful simulator of the AIVideoMaker API v1 (../../../shared/api-contract.md), with a
// compressed clock, rate limits, a request log, a task ledger and scriptable faults.
// Zero dependencies: node:http only, so it starts in milliseconds wherever Node runs.
//
//   import { startSimulator } from "./server.mjs";
//   const sim = await startSimulator({ timeScale: 0.001 });   // sim.url, sim.close()
//
// This file: the HTTP server and the request's way through (CORS for browser tests, the
// control plane, files, logging, routing, faults, the key, the query rate limit). State and
// clock: state.mjs; tasks: tasks.mjs; endpoints: api.mjs; faults: faults.mjs; the control
// plane: control.mjs. Must not: hold an endpoint's logic.
import http from "node:http";
import { createSim, rateLimited, retryAfter } from "./state.mjs";
import { watchHooks } from "./webhooks.mjs";
import { ROUTES, digest, endpoint as answerEndpoint } from "./api.mjs";
import { matchFault, preFault } from "./faults.mjs";
import { control, serveFile } from "./control.mjs";
import { fail, send } from "./http.mjs";

export { DEMO_KEY } from "./state.mjs";

/** Browser tests served from another origin: the live API may not answer CORS. */
function corsHeaders(req, res) {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-headers", "key, content-type, accept, idempotency-key, x-max-credits, webhookurl");
  res.setHeader("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS");
  res.setHeader("access-control-expose-headers", "retry-after");
  if (req.method !== "OPTIONS") return false;
  res.writeHead(204);
  res.end();
  return true;
}

function logEntry(sim, req, { path, raw, key }) {
  const entry = {
    seq: ++sim.state.seq, at: Date.now(), method: req.method, path, ip: req.socket.remoteAddress,
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, k === "key" ? (v ? "[redacted]" : v) : v])),
    keyFingerprint: key ? digest(String(key)).slice(0, 8) : null,
    bodyDigest: raw ? digest(raw) : null, bodyBytes: raw.length,
  };
  sim.state.log.push(entry);
  return entry;
}

async function handle(sim, req, res) {
  const url = new URL(req.url, "http://sim");
  const path = url.pathname;
  if (sim.cfg.cors && corsHeaders(req, res)) return;
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString("utf8");
  if (path.startsWith("/__sim/")) return control(sim, { req, res, path, raw });
  if (path.startsWith("/files/")) return serveFile(sim, { req, res, path });

  const key = req.headers["key"];
  const entry = logEntry(sim, req, { path, raw, key });
  res.on("finish", () => { entry.status = res.statusCode; });
  const route = ROUTES.find(([, re]) => re.test(path));
  const dropped = route && ((route[2] === "quote" && sim.cfg.dropQuote) || (route[2] === "account" && sim.cfg.dropAccount));
  if (!route || dropped) return fail(res, 404, { errorCode: "NOT_FOUND", message: `No route ${req.method} ${path}` });
  const [method, re, name, limitKind] = route;
  const param = decodeURIComponent((path.match(re) || [])[1] || "");
  entry.endpoint = name;
  if (req.method !== method) return fail(res, 405, { errorCode: "METHOD_NOT_ALLOWED", message: `Method ${req.method} not allowed; use ${method}` }, { allow: method });

  const fault = matchFault(sim, name, req.method);
  if (fault) {
    entry.fault = fault.kind;
    if (await preFault(sim, fault, { req, res, endpoint: name })) return;
  }
  const account = key && sim.state.accounts.get(String(key));
  if (!account) return fail(res, 401, { errorCode: "AUTH_FAILED", message: key ? "Invalid API key" : "Missing API key (send it in the `key` header)" });
  if (limitKind === "query") {
    const wait = rateLimited(sim, `ip:${req.socket.remoteAddress}`, sim.cfg.rateLimitPerMinute);
    if (wait) return fail(res, 429, { errorCode: "RATE_LIMITED", message: "Query rate limit exceeded (60 requests per minute)" }, { "retry-after": retryAfter(sim, wait) });
  }
  const origin = `http://${req.headers.host}`;
  return answerEndpoint(sim, name, { req, res, url, raw, key: String(key), account, param, origin, fault, entry });
}

export async function startSimulator(options = {}) {
  const sim = createSim(options);
  const stopHooks = watchHooks(sim);
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    handle(sim, req, res).catch((e) => {
      if (res.headersSent) return res.end();
      // A malformed % escape is the client's mistake.
      if (e instanceof URIError) return send(res, 400, { status: "FAILED", errorCode: "INVALID_ARGUMENT", message: "malformed % escape in the path" });
      send(res, 500, { status: "FAILED", message: `simulator bug: ${e.message}` });
    });
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", r));
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  const ctl = async (p, body, method = body === undefined ? "GET" : "POST") => {
    const r = await fetch(url + p, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return r.json();
  };
  return {
    url, port, state: sim.state, config: sim.cfg, simNow: sim.simNow,
    /** Scriptable from the same process or over HTTP (the control plane). */
    faults: (...rules) => ctl("/__sim/faults", { faults: rules }),
    log: async () => (await ctl("/__sim/log")).log,
    ledger: () => ctl("/__sim/ledger"),
    reset: () => ctl("/__sim/reset", {}),
    configure: (c) => ctl("/__sim/config", c),
    close: () => new Promise((r) => { stopHooks(); for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
