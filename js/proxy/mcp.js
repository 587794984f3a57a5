// The proxy's MCP endpoint, `{basePath}/mcp` (MCP's streamable HTTP transport, stateless: no
// session id; one POST carries one JSON-RPC message). The tools are the stdio server's, over a
// client whose requests re-enter this proxy as the same caller (vouched here, not re-sent
// through `authorize`), so a remote agent gets the proxy's guarantees: quotas, per-user
// ownership of tasks, the credit cap, reconciled creates. Owns: the transport (POST → JSON,
// or an event stream when a tools/call asks for progress; GET and DELETE → 405), the rule
// that only an authorized (not anonymous) caller is served, and vouching for re-entering
// requests. Must not: hold a tool (mcp/tools.js) or the protocol (mcp/server.js).
import { createClient } from "../api.js";
import { __version } from "../aivideo.js";
import { createMcpServer, parseError, rpcError, PROTOCOL_VERSIONS } from "../mcp/server.js";
import { mcpTools } from "../mcp/tools.js";
import { answer, cors, retryAfter, scrub, tooMany } from "./http.js";
import { readPayload } from "./create.js";
import { takePlace } from "./quota.js";

/** MCP requests one user may have open at once in an isolate (each may hold a wait). */
const MAX_MCP_CALLS = 8;

/** Requests this endpoint's tools send back into the proxy, and the caller each acts for. */
const vouched = new WeakMap();

/** The caller a re-entering tool request acts for, or undefined (every other request). */
export const vouchedCaller = (request) => vouched.get(request);

/** Whether `pathname` is the MCP endpoint under `basePath`. */
export const isMcpPath = (pathname, basePath) => pathname === `${basePath}/mcp`;

/** The answer to a caller the app did not sign in (anonymous mode serves no agents). */
export function mcpAnonymous(rc) {
  return answer(rc, 401, rpcError(null, -32001, "the MCP endpoint needs a signed-in caller (Authorization: Bearer …); anonymous callers are not served"), { "www-authenticate": 'Bearer realm="aivideo"' });
}

/**
 * Answers one MCP request. `rc.caller` is the authorized caller; `reenter(request)` runs a
 * request through the whole proxy pipeline.
 */
export async function mcpRoute(rc, reenter) {
  const { request } = rc;
  if (request.method !== "POST") return answer(rc, 405, rpcError(null, -32000, "POST JSON-RPC messages to this endpoint (no event stream to GET, no session to DELETE)"), { allow: "POST" });
  const version = request.headers.get("mcp-protocol-version");
  if (version && !PROTOCOL_VERSIONS.includes(version)) return answer(rc, 400, rpcError(null, -32600, `unsupported MCP-Protocol-Version ${version.slice(0, 40)} (this server speaks ${PROTOCOL_VERSIONS.join(", ")})`));
  const lease = { large: false };
  let message;
  try {
    message = await readPayload(rc, lease, rpcRefusal);
  } finally {
    if (lease.large) rc.isolate.largeInUse = false;
  }
  if (message instanceof Response) return message;
  if (Array.isArray(message)) return answer(rc, 400, rpcError(null, -32600, "batches are not supported: send one message per request"));

  // A user holds at most MAX_MCP_CALLS requests here at once (each may hold a wait).
  // Released when the answer is complete (an event stream's end, not its first byte).
  const release = takePlace(rc.isolate.mcpCalls, rc.caller.userId, MAX_MCP_CALLS);
  if (!release) return tooMany(rc, "RATE_LIMITED", `at most ${MAX_MCP_CALLS} MCP requests at a time per user`, Date.now() + 1000);
  const client = toolClient(rc, reenter);
  const server = createMcpServer({ name: "aivideo", version: __version(), tools: mcpTools({ client: () => client, waitDefaults: rc.isolate.options.mcpWaitOptions || {} }) });
  const done = () => {
    client.free();
    release();
  };
  // The caller went away: its call in flight stops (a wait, never a task).
  request.signal?.addEventListener("abort", () => server.close(), { once: true });
  const progress = message && message.method === "tools/call" && message.params && message.params._meta && message.params._meta.progressToken !== undefined;
  if (progress && /text\/event-stream/.test(request.headers.get("accept") || "")) return streamed(rc, server, message, done);
  try {
    const out = await server.handle(message);
    return out ? answer(rc, 200, out) : new Response(null, { status: 202, headers: cors(rc.origin) });
  } finally {
    done();
  }
}

/** A body the reader refused unread (too large 413, stalled 408, busy 429, not JSON or too
 * deep 400) as a JSON-RPC error with that status, saying why. */
function rpcRefusal(rc, { status, message, resetAt }) {
  const code = status === 400 ? parseError().error.code : -32600;
  return answer(rc, status, rpcError(null, code, message), status === 429 ? retryAfter(resetAt) : {});
}


/** A client whose every request re-enters the proxy as `rc.caller`. */
function toolClient(rc, reenter) {
  const base = `${new URL(rc.request.url).origin}${rc.settings.basePath}`;
  return createClient({
    baseUrl: base,
    apiKey: "",
    maxRetries: 0,
    fetch: (url, init) => {
      const inner = new Request(url, init);
      vouched.set(inner, rc.caller);
      return reenter(inner);
    },
  });
}

/** Progress notifications, then the answer, as one server-sent event stream. */
function streamed(rc, server, message, done) {
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  // Scrubbed as every answer of the proxy is (answer() in http.js).
  const send = (m) => writer.write(encoder.encode(`event: message\ndata: ${scrub(JSON.stringify(m), rc.settings.upstream.apiKey)}\n\n`)).catch(() => {});
  (async () => {
    try {
      const out = await server.handle(message, { notify: (method, params) => send({ jsonrpc: "2.0", method, params }) });
      if (out) await send(out);
    } catch (e) {
      // handle() never throws; a failing stream write ends here instead of as an unhandled
      // rejection (which ends a Node process).
      console.error(`aivideo proxy: mcp stream: ${scrub(String((e && e.message) || e), rc.settings.upstream.apiKey)}`);
    } finally {
      done();
      writer.close().catch(() => {});
    }
  })();
  return new Response(readable, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-store", ...cors(rc.origin) } });
}

