// The MCP servers as agents reach them, driven by the official MCP SDK's own client: `aivideo
// mcp` spawned from the installed package's bin (stdio), and aivideo/proxy's /mcp behind a
// node:http server (streamable HTTP), both against the simulator. Each: initialize, the nine
// tools with object schemas (create_generation's naming every model), a tool error naming
// `duration`, a create whose id get_status accepts, a wait with progress notifications, a
// cancelled wait; the proxy's /mcp answers 401 to a caller without a token and in anonymous
// mode, and its tools act as the caller (another user's task is not found).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { tempDir } from "./tmp.mjs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startSimulator } from "../../sim/server.mjs";
import { lib, pkgDir, proxyLib } from "./pkg.mjs";

const BIN = new URL("../artifacts/consumer/node_modules/.bin/aivideo", import.meta.url).pathname;
const KEY = "ak_test_alice_0000000001";
const TOOLS = ["cancel_task", "create_generation", "get_account", "get_status", "get_task", "list_models", "quote", "validate_payload", "wait_for_task"];
const FOX = { prompt: "a fox", aspectRatio: "16:9", duration: "5" };
let sim;
let proxy;
before(async () => {
  sim = await startSimulator({ timeScale: 0.002, rateLimitPerMinute: 0 });
  const handler = proxyLib.createProxyHandler({
    apiKey: KEY, baseUrl: sim.url, basePath: "/api/aivideo", maxCreditsPerTask: 500, readsPerMinute: 1000, requestsPerMinute: 1000,
    mcpWaitOptions: { timeScale: 0.002 },
    authorize: (request) => {
      const m = /^Bearer (alice|bob)$/.exec(request.headers.get("authorization") || "");
      return m ? { userId: m[1] } : null;
    },
  });
  const anonymous = proxyLib.createProxyHandler({ apiKey: KEY, baseUrl: sim.url, basePath: "/anon", allowAnonymous: true, maxCreditsPerTask: 100 });
  const server = createServer(proxyLib.toNodeHandler(async (request, env, ctx) => (new URL(request.url).pathname.startsWith("/anon") ? anonymous : handler)(request, env, ctx)));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  proxy = { server, url: `http://127.0.0.1:${server.address().port}` };
});
after(async () => {
  proxy.server.closeAllConnections?.();
  await new Promise((r) => proxy.server.close(r));
  await sim.close();
});

async function stdioClient(env = {}) {
  const client = new Client({ name: "aivideo-test", version: "1.0.0" });
  const journal = join(tempDir("aivideo-mcp-"), "journal.json");
  await client.connect(new StdioClientTransport({
    command: BIN, args: ["mcp", "--time-scale", "0.002"], stderr: "pipe",
    env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url, AIVIDEO_JOURNAL: journal, ...env },
  }));
  return client;
}

async function httpClient(token = "alice", path = "/api/aivideo/mcp") {
  const client = new Client({ name: "aivideo-test", version: "1.0.0" });
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(path, proxy.url), { requestInit: { headers } }));
  return client;
}

/** The checks both transports pass. */
async function agentChecks(client, label) {
  const version = JSON.parse(readFileSync(new URL("package.json", pkgDir), "utf8")).version;
  assert.deepEqual(client.getServerVersion(), { name: "aivideo", version }, label);
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS, label);
  for (const t of tools) assert.equal(t.inputSchema.type, "object", `${label} ${t.name}`);
  // Every tool declares the envelope as its structured output.
  for (const t of tools) assert.ok(t.outputSchema?.type === "object" && t.outputSchema.properties.ok && t.outputSchema.properties.errorCode, `${label} ${t.name}`);
  assert.equal(new Set(tools.map((t) => JSON.stringify(t.outputSchema))).size, 1, `${label}: one output schema for every tool`);
  const create = tools.find((t) => t.name === "create_generation");
  assert.deepEqual(create.inputSchema.oneOf.map((b) => b.properties.model.const).sort(), [...lib.modelNames()].sort(), label);
  assert.deepEqual(create.inputSchema, { ...create.inputSchema, oneOf: lib.jsonSchema().oneOf, $defs: lib.jsonSchema().$defs }, `${label}: the core's schemas`);

  // A numeric duration: a tool error naming the field, the same as create_generation's.
  for (const name of ["validate_payload", "create_generation"]) {
    const bad = await client.callTool({ name, arguments: { model: "t2v", payload: { ...FOX, duration: 5 } } });
    assert.equal(bad.isError, true, `${label} ${name}`);
    assert.match(bad.content[0].text, /duration/, `${label} ${name}`);
    assert.equal(bad.structuredContent.errorCode, "INVALID_PAYLOAD", `${label} ${name}`);
    assert.equal(bad.structuredContent.data.issues[0].path, "duration", `${label} ${name}`);
  }

  const scope = `${label}-${Date.now()}`;
  const made = await client.callTool({ name: "create_generation", arguments: { model: "t2v", payload: FOX, idempotencyScope: scope } });
  assert.equal(made.isError, false, `${label}: ${made.content[0].text}`);
  const taskId = made.structuredContent.taskId;
  assert.ok(taskId, label);
  const st = await client.callTool({ name: "get_status", arguments: { taskId } });
  assert.equal(st.isError, false, `${label}: ${st.content[0].text}`);
  assert.ok(["SUBMITTED", "COMPLETED"].includes(st.structuredContent.status), label);

  const progress = [];
  const waited = await client.callTool({ name: "wait_for_task", arguments: { taskId } }, undefined, { onprogress: (p) => progress.push(p), timeout: 60000 });
  assert.equal(waited.structuredContent.status, "COMPLETED", `${label}: ${waited.content[0].text}`);
  assert.match(waited.content[0].text, /^ok COMPLETED task .+: http/, label);
  assert.ok(progress.length >= 1, `${label}: progress notifications`);
  assert.ok(progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress), `${label}: progress increases`);
  assert.match(progress[0].message, /after \d+ s/, label);
  // The last look's event arrives before the result (the SDK's client drops one that shares
  // a chunk with it: the stdio server holds the result back a moment).
  assert.match(progress.at(-1).message, /^COMPLETED after/, `${label}: ${JSON.stringify(progress)}`);

  // The same create again (an agent retrying after a lost answer) is the same task, not a
  // second charge.
  const repeat = await client.callTool({ name: "create_generation", arguments: { model: "t2v", payload: FOX, idempotencyScope: scope } });
  assert.equal(repeat.isError, false, `${label}: ${repeat.content[0].text}`);
  assert.equal(repeat.structuredContent.taskId, taskId, `${label}: one task for one call's key`);

  // A wait the agent cancels stops at once; the task goes on.
  const slow = await client.callTool({ name: "create_generation", arguments: { model: "t2v_v3", payload: { ...FOX, duration: "20" }, idempotencyScope: `${label}-slow-${Date.now()}` } });
  const ctrl = new AbortController();
  setTimeout(() => ctrl.abort("enough"), 300);
  await assert.rejects(client.callTool({ name: "wait_for_task", arguments: { taskId: slow.structuredContent.taskId } }, undefined, { signal: ctrl.signal }), label);
  const still = await client.callTool({ name: "get_status", arguments: { taskId: slow.structuredContent.taskId } });
  assert.equal(still.isError, false, label);

  const models = await client.callTool({ name: "list_models", arguments: {} });
  assert.equal(models.structuredContent.data.models.length, 9, label);
  return taskId;
}

test("aivideo mcp (stdio), driven by the MCP SDK's client", async () => {
  const client = await stdioClient();
  try {
    await agentChecks(client, "stdio");
  } finally {
    await client.close();
  }
});

test("aivideo mcp without a key: the offline tools work, the others say what is missing", async () => {
  const client = await stdioClient({ AIVIDEO_API_KEY: "" });
  try {
    const ok = await client.callTool({ name: "validate_payload", arguments: { model: "t2v", payload: FOX } });
    assert.equal(ok.isError, false);
    assert.equal(ok.structuredContent.data.estimate.credits, 15);
    const no = await client.callTool({ name: "get_status", arguments: { taskId: "task_1" } });
    assert.equal(no.isError, true);
    assert.match(no.content[0].text, /AIVIDEO_API_KEY/);
  } finally {
    await client.close();
  }
});

test("aivideo/proxy's /mcp (streamable HTTP), driven by the MCP SDK's client", async () => {
  const alice = await httpClient("alice");
  let taskId;
  try {
    taskId = await agentChecks(alice, "http");
  } finally {
    await alice.close();
  }
  // Tools act as the caller: Bob's agent does not see Alice's task.
  const bob = await httpClient("bob");
  try {
    const st = await bob.callTool({ name: "get_status", arguments: { taskId } });
    assert.equal(st.isError, true);
    assert.equal(st.structuredContent.errorCode, "TASK_NOT_FOUND");
  } finally {
    await bob.close();
  }
});

test("aivideo/proxy's /mcp: 401 without a token, 401 in anonymous mode, 405 for GET", async () => {
  for (const [token, path] of [[null, "/api/aivideo/mcp"], ["mallory", "/api/aivideo/mcp"], [null, "/anon/mcp"]]) {
    await assert.rejects(httpClient(token, path), (e) => /401|Unauthorized/i.test(String(e && (e.code ?? "") + e.message)), `${token} ${path}`);
    const r = await fetch(new URL(path, proxy.url), { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }) });
    assert.equal(r.status, 401, `${token} ${path}`);
    assert.match(r.headers.get("www-authenticate") || "", /^Bearer/);
  }
  const r = await fetch(new URL("/api/aivideo/mcp", proxy.url), { headers: { authorization: "Bearer alice", accept: "text/event-stream" } });
  assert.equal(r.status, 405);
  // Turned off, there is no such route; the API routes still refuse server requests (no Origin).
  const off = proxyLib.createProxyHandler({ apiKey: KEY, baseUrl: sim.url, maxCreditsPerTask: 100, mcp: false, authorize: () => ({ userId: "alice" }) });
  const init = { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer alice" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) };
  assert.equal((await off(new Request("http://proxy.test/mcp", init))).status, 403);
  const on = proxyLib.createProxyHandler({ apiKey: KEY, baseUrl: sim.url, maxCreditsPerTask: 100, authorize: () => ({ userId: "alice" }) });
  assert.equal((await on(new Request("http://proxy.test/mcp", init))).status, 200);
  assert.equal((await on(new Request("http://proxy.test/api/v1/account", { headers: { authorization: "Bearer alice" } }))).status, 403);
});

test("hostile MCP requests: a tool name that is no string is a JSON-RPC error (streamed and not, stdio too); a user holds at most 8 MCP requests at once", async () => {
  const post = (body, extra = {}) => fetch(new URL("/api/aivideo/mcp", proxy.url), { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: "Bearer alice", ...extra }, body: JSON.stringify(body) });
  const odd = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: { toString: 1 }, _meta: { progressToken: 1 } } };
  const streamed = await post(odd);
  assert.equal(streamed.status, 200);
  assert.match(await streamed.text(), /"id":7,"error":\{"code":-32602/);
  const plain = await post({ ...odd, params: { name: { toString: 1 } } });
  assert.equal((await plain.json()).error.code, -32602);
  // A body the proxy refuses unread is a JSON-RPC error saying why, with the HTTP status.
  const deep = await fetch(new URL("/api/aivideo/mcp", proxy.url), { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer alice" }, body: `${"[".repeat(40)}${"]".repeat(40)}` });
  assert.equal(deep.status, 400);
  assert.match(JSON.stringify(await deep.json()), /"code":-32700,"message":"the body is nested more than 32 deep"/);
  const huge = await fetch(new URL("/api/aivideo/mcp", proxy.url), { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer alice" }, body: "x".repeat(13 * 1024 * 1024) });
  assert.equal(huge.status, 413);
  assert.match(JSON.stringify(await huge.json()), /"jsonrpc":"2.0".*"code":-32600,"message":"the body is larger than/);
  const ping = await post({ jsonrpc: "2.0", id: 8, method: "ping" });
  assert.deepEqual((await ping.json()).result, {}, "the proxy is still up");
  const client = await stdioClient();
  try {
    await assert.rejects(client.request({ method: "tools/call", params: { name: { toString: 1 } } }, (await import("@modelcontextprotocol/sdk/types.js")).CallToolResultSchema), /-32602|tool's name/);
    assert.equal((await client.callTool({ name: "list_models", arguments: {} })).isError, false, "stdio is still up");
  } finally {
    await client.close();
  }
  // Eight open waits on a long task, then a ninth request: 429 at once.
  const made = await (await post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "create_generation", arguments: { model: "t2v_v3", payload: { ...FOX, duration: "20" }, idempotencyScope: `hold-${Date.now()}` } } })).json();
  const taskId = made.result.structuredContent.taskId;
  const ctrl = new AbortController();
  const waits = Array.from({ length: 8 }, (_, i) => fetch(new URL("/api/aivideo/mcp", proxy.url), { method: "POST", signal: ctrl.signal, headers: { "content-type": "application/json", authorization: "Bearer alice" }, body: JSON.stringify({ jsonrpc: "2.0", id: 100 + i, method: "tools/call", params: { name: "wait_for_task", arguments: { taskId } } }) }).catch(() => null));
  await new Promise((r) => setTimeout(r, 300));
  const ninth = await post({ jsonrpc: "2.0", id: 9, method: "ping" });
  assert.equal(ninth.status, 429);
  const bob = await fetch(new URL("/api/aivideo/mcp", proxy.url), { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer bob" }, body: JSON.stringify({ jsonrpc: "2.0", id: 10, method: "ping" }) });
  assert.equal(bob.status, 200, "another user is served");
  ctrl.abort();
  await Promise.all(waits);
});

test("aivideo mcp drops a line over 64 MiB as it arrives (a parse error), and serves the next", async () => {
  const { spawn } = await import("node:child_process");
  const p = spawn(BIN, ["mcp"], { env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  const chunk = Buffer.alloc(1 << 20, 0x61);
  p.stdin.write('{"jsonrpc":"2.0","id":1,"method":"x","params":"');
  for (let i = 0; i < 66; i++) if (!p.stdin.write(chunk)) await new Promise((r) => p.stdin.once("drain", r));
  p.stdin.end('"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
  const code = await new Promise((r) => p.on("close", r));
  const lines = out.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.error?.code ?? l.result), [-32700, {}]);
  assert.equal(code, 0);
});
