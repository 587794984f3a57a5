// node:http adapter: runs the proxy's fetch-style handler `(Request, env, ctx) => Response` as
// a Node request listener `(req, res, next?)`, for `http.createServer`, Express (`app.use`)
// and Fastify (a hijacked reply). Owns the translation only: the URL the proxy sees, the
// request body (streamed, so the proxy's own size limits apply, or an Express body parser's
// result), the response (streamed, with backpressure), and the peer address for anonymous
// mode. No node: imports: this file is part of the proxy that also runs in Workers and Deno.
const NO_BODY = new Set(["GET", "HEAD"]);

/**
 * @param {(request: Request, env?: Record<string, unknown>, ctx?: unknown) => Promise<Response>} handler
 * @param {import("../proxy.d.ts").NodeHandlerOptions} [options]
 */
export function toNodeHandler(handler, options = {}) {
  if (typeof handler !== "function") throw new TypeError("toNodeHandler: pass the handler createProxyHandler returned");
  if (options === null || typeof options !== "object") throw new TypeError("toNodeHandler: options must be an object");
  const trustProxy = options.trustProxy === true;
  return async function aivideoListener(req, res, next) {
    const aborted = new AbortController();
    res.on("close", () => { if (!res.writableFinished) aborted.abort(); });
    let request;
    try {
      request = toRequest(req, trustProxy, aborted.signal);
    } catch {
      return send(res, new Response(JSON.stringify({ status: "FAILED", errorCode: "INVALID_ARGUMENT", message: "the request's Host or path is not a URL" }), { status: 400, headers: { "content-type": "application/json" } }), aborted.signal);
    }
    const env = options.env ?? globalThis.process?.env ?? {};
    const ctx = { clientAddress: req.socket?.remoteAddress, waitUntil: (p) => Promise.resolve(p).catch(() => {}) };
    try {
      await send(res, await handler(request, env, ctx), aborted.signal);
    } catch (e) {
      // The handler answers its own failures; this is a closed connection or a bug.
      if (typeof next === "function") return next(e);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(res.headersSent ? undefined : JSON.stringify({ status: "FAILED", errorCode: "UPSTREAM_ERROR", message: "proxy error: internal error; see the log" }));
    }
  };
}

/** The Request the proxy sees: the full path (Express's mount point kept via originalUrl), the
 * scheme of the socket, or of X-Forwarded-Proto/Host with `trustProxy`. */
function toRequest(req, trustProxy, signal) {
  const h = req.headers;
  const first = (v) => String(Array.isArray(v) ? v[0] : v).split(",")[0].trim();
  const proto = trustProxy && h["x-forwarded-proto"] ? first(h["x-forwarded-proto"]) : req.socket?.encrypted ? "https" : "http";
  const host = (trustProxy && h["x-forwarded-host"] ? first(h["x-forwarded-host"]) : h.host || h[":authority"]) || "localhost";
  const base = new URL(`${proto}://${host}`);
  const url = new URL(req.originalUrl ?? req.url ?? "/", base);
  // A request line with an absolute or "//host" target names another host: refused.
  if (url.origin !== base.origin) throw new TypeError("host");
  const headers = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(":") || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const method = req.method || "GET";
  const init = { method, headers, signal };
  if (!NO_BODY.has(method)) {
    const parsed = parsedBody(req);
    if (parsed !== undefined) init.body = parsed;
    else Object.assign(init, { body: streamOf(req), duplex: "half" });
  }
  return new Request(url, init);
}

/** What a body parser that ran first left (Express's express.json(), text(), raw()), else
 * undefined: the stream is then still unread. */
function parsedBody(req) {
  if (req.body === undefined || !(req.readableEnded || req.complete)) return undefined;
  const b = req.body;
  if (typeof b === "string" || b instanceof Uint8Array) return b;
  return JSON.stringify(b);
}

/** The request's bytes as a web stream, read as the proxy pulls (its limits stop the reading). */
function streamOf(req) {
  const it = req[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(c) {
      const { value, done } = await it.next();
      if (done) c.close();
      else c.enqueue(typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    cancel() {
      return it.return?.();
    },
  });
}

/** Writes the Response: status, headers (Set-Cookie kept apart), the body with backpressure. */
async function send(res, response, signal) {
  const headers = {};
  for (const [k, v] of response.headers) if (k !== "set-cookie") headers[k] = v;
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  signal.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      if (!res.write(value)) await new Promise((r) => { res.once("drain", r); res.once("close", r); });
    }
  } finally {
    res.end();
  }
}
