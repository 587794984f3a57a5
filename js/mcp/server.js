// The MCP server's protocol half (Model Context Protocol, JSON-RPC 2.0), transport-agnostic:
// the stdio transport (stdio.js, `aivideo mcp`) and the proxy's streamable HTTP route
// (proxy/mcp.js) hand it one parsed message at a time. Owns: the lifecycle (initialize,
// initialized, ping), tools/list and tools/call, progress notifications and cancellation of
// a call in flight, and JSON-RPC errors. Must not: know what a tool does (tools.js), or read
// or write bytes.

/** The protocol revisions this server speaks, newest first; an unknown one gets the newest. */
export const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

/** A JSON-RPC error answer. */
export function rpcError(id, code, message) {
  return { jsonrpc: "2.0", id: id ?? null, error: { code, message } };
}

/** The answer to a message that was not JSON at all. */
export const parseError = () => rpcError(null, PARSE_ERROR, "Parse error: not JSON");

const isId = (id) => typeof id === "string" || (typeof id === "number" && Number.isFinite(id));

/**
 * A server for `tools` (from tools.js). `handle(message, { notify })` answers one message:
 * a response object, or null for a notification; `notify(method, params)` sends a
 * notification on the same connection (progress).
 * @param {{ name: string, version: string, tools: Array<{name: string, description: string, inputSchema: object, outputSchema?: object, annotations?: object, run: Function}>, instructions?: string }} spec
 */
export function createMcpServer({ name, version, tools, instructions }) {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const inFlight = new Map();

  async function callTool(id, params, notify) {
    const name = typeof params.name === "string" ? params.name : null;
    const tool = name === null ? undefined : byName.get(name);
    if (!tool) return rpcError(id, INVALID_PARAMS, name === null ? "params.name must be a tool's name (a string)" : `Unknown tool: ${name.slice(0, 100)}`);
    const args = params.arguments ?? {};
    if (typeof args !== "object" || Array.isArray(args)) return rpcError(id, INVALID_PARAMS, "arguments must be an object");
    const token = params._meta && params._meta.progressToken;
    const progress = isId(token)
      ? (done, total, message) => notify("notifications/progress", { progressToken: token, progress: done, ...(total ? { total } : {}), ...(message ? { message } : {}) })
      : () => {};
    const ctrl = new AbortController();
    const key = JSON.stringify(id);
    inFlight.set(key, ctrl);
    try {
      return { jsonrpc: "2.0", id, result: await tool.run(args, { signal: ctrl.signal, progress }) };
    } catch (e) {
      return rpcError(id, INTERNAL_ERROR, `tool ${tool.name} failed: ${String((e && e.message) || e).slice(0, 300)}`);
    } finally {
      inFlight.delete(key);
    }
  }

  /** Never throws: whatever a message holds, the answer is a response, an error or null. */
  async function handle(message, how = {}) {
    try {
      return await answer(message, how);
    } catch (e) {
      const id = message && typeof message === "object" && isId(message.id) ? message.id : null;
      return rpcError(id, INTERNAL_ERROR, `internal error: ${String((e && e.message) || "unknown").slice(0, 200)}`);
    }
  }

  async function answer(message, { notify = () => {} } = {}) {
    if (!message || typeof message !== "object" || Array.isArray(message) || message.jsonrpc !== "2.0" || typeof message.method !== "string") {
      // A response from the client (we send no requests) is ignored; anything else is invalid.
      if (message && typeof message === "object" && ("result" in message || "error" in message)) return null;
      return rpcError(message && isId(message.id) ? message.id : null, INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 message");
    }
    const { id, method } = message;
    const params = message.params ?? {};
    if (id === undefined) {
      // Notifications: the initialized signal, and cancellation of a call in flight.
      if (method === "notifications/cancelled" && params && isId(params.requestId)) inFlight.get(JSON.stringify(params.requestId))?.abort(params.reason ?? "cancelled");
      return null;
    }
    if (!isId(id)) return rpcError(null, INVALID_REQUEST, "Invalid Request: id must be a string or a number");
    if (typeof params !== "object" || params === null || Array.isArray(params)) return rpcError(id, INVALID_PARAMS, "params must be an object");
    switch (method) {
      case "initialize": {
        const asked = params.protocolVersion;
        return {
          jsonrpc: "2.0",
          id,
          result: {
            protocolVersion: PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0],
            capabilities: { tools: { listChanged: false } },
            serverInfo: { name, version },
            ...(instructions ? { instructions } : {}),
          },
        };
      }
      case "ping":
        return { jsonrpc: "2.0", id, result: {} };
      case "tools/list":
        return {
          jsonrpc: "2.0",
          id,
          result: { tools: tools.map(({ run, ...listed }) => listed) },
        };
      case "tools/call":
        return callTool(id, params, notify);
      default:
        return rpcError(id, METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 100)}`);
    }
  }

  /** Cancels every call in flight (the connection closed). */
  function close() {
    for (const ctrl of inFlight.values()) ctrl.abort("the connection closed");
    inFlight.clear();
  }

  return { handle, close };
}
