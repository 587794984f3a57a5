// `aivideo mcp`: the MCP server over stdio (newline-delimited JSON-RPC on stdin and stdout;
// anything for people goes to stderr). Configured by the command line's environment
// (AIVIDEO_API_KEY, or AIVIDEO_PROXY_TOKEN with AIVIDEO_BASE_URL; AIVIDEO_TIMEOUT_MS,
// AIVIDEO_MAX_RETRIES, AIVIDEO_JOURNAL). Owns: framing, one message at a time in and out,
// concurrent calls, and closing when stdin ends. Without a key the offline tools still work
// and the others answer with an envelope saying what is missing.
import { __envelope as envelope, __version } from "../aivideo.js";
import { journalCreate } from "../journal.js";
import { cliClient } from "../cli/client.js";
import { createMcpServer, parseError } from "./server.js";
import { mcpTools } from "./tools.js";

/** Lines over this many bytes are refused, and dropped as they arrive, never held whole (a
 * payload's data URIs are at most 20 MiB decoded). */
const MAX_LINE = 64 * 1024 * 1024;

/**
 * Calls `onLine(text)` for each newline-ended line of `input` (`onLine(null)` for one over
 * MAX_LINE, which is dropped as it arrives), then `onEnd()` once the input ends.
 */
function readLines(input, onLine, onEnd) {
  let parts = [];
  let size = 0;
  let dropping = false;
  input.on("data", (chunk) => {
    for (let start = 0; ; ) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      size += end - start;
      if (size > MAX_LINE) {
        dropping = true;
        parts = [];
      } else if (!dropping) {
        parts.push(chunk.subarray(start, end));
      }
      if (nl === -1) return;
      onLine(dropping ? null : Buffer.concat(parts).toString("utf8"));
      [parts, size, dropping, start] = [[], 0, false, nl + 1];
    }
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    if (parts.length && !dropping) onLine(Buffer.concat(parts).toString("utf8"));
    onEnd();
  };
  input.on("end", end);
  input.on("close", end);
}

/** Serves until stdin ends; resolves then. `args` are the command line's parsed flags. */
export function serveStdio({ env, args, input = process.stdin, output = process.stdout, log = (l) => process.stderr.write(`aivideo mcp: ${l}\n`) }) {
  let client;
  try {
    client = cliClient(env, args);
  } catch (e) {
    client = envelope("INVALID_ARGUMENT", `${e.message}: set it in the MCP server's env (the offline tools, validate_payload and list_models, work without it)`, null);
    log(e.message);
  }
  const journal = (model, payload, opts) => journalCreate({ env, model, payload, opts, warn: log });
  const server = createMcpServer({
    name: "aivideo",
    version: __version(),
    // --time-scale (simulators with compressed time) stretches the waits' schedule too.
    tools: mcpTools({ client: () => client, journal, waitDefaults: Number(args.timeScale) > 0 ? { timeScale: Number(args.timeScale) } : {} }),
    instructions: "Create AIVideoMaker videos: validate_payload first (offline, free), then create_generation (paid, idempotent), then wait_for_task for the video's URL.",
  });
  const send = (message) => {
    if (message) output.write(`${JSON.stringify(message)}\n`);
  };
  // A response sent in the same chunk as a progress notification loses the notification in
  // the MCP SDK's client (it handles notifications a tick late: typescript-sdk#2580), so a
  // response waits a few milliseconds after the latest notification.
  let notifiedAt = 0;
  const notify = (method, params) => {
    notifiedAt = Date.now();
    send({ jsonrpc: "2.0", method, params });
  };
  const answer = async (message) => {
    const since = Date.now() - notifiedAt;
    if (message && since < 20) await new Promise((r) => setTimeout(r, 20 - since));
    send(message);
  };
  const pending = new Set();
  const onLine = (line) => {
    if (line !== null && !line.trim()) return;
    let message;
    try {
      message = line === null ? undefined : JSON.parse(line);
    } catch {
      message = undefined;
    }
    if (message === undefined) return send(parseError());
    const p = server.handle(message, { notify }).then(answer, (e) => log(`internal error: ${e && e.message}`));
    pending.add(p);
    p.finally(() => pending.delete(p));
  };
  return new Promise((resolve) => {
    readLines(input, onLine, async () => {
      // stdin closed: the client is gone; calls in flight stop (a wait, never a task).
      server.close();
      await Promise.allSettled([...pending]);
      if (client && typeof client.free === "function") client.free();
      resolve();
    });
  });
}
