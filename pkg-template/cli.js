#!/usr/bin/env node
// aivideo command line: the vendor run-workflow script's flags and JSON output, on top of
// this package's wasm client (not a second implementation). `aivideo --help` for usage.
import { readFileSync, createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { clientFromEnv, validatePayload } from "./node.js";
import { __envelope as envelope } from "./aivideo.js";

const HELP = `aivideo: create and watch AIVideoMaker generations

Usage:
  aivideo --model <model> --payload '<json>' [options]   run the whole workflow
  aivideo --action getStatus|getTask|cancelTask --taskId <id>
  aivideo --action listTasks | account
  aivideo --action quote --model <model> --payload '<json>'
  aivideo --action validate --model <model> --payload '<json>'   (offline, no key needed)

Payload: inline JSON, @file.json, or - for stdin.

Options:
  --autoPoll false          stop after create (prints the submitted task and its handle)
  --maxWaitMs <n>           give up waiting after n ms (0 = no deadline; default per model)
  --max-credits <n>         refuse before sending when the price is higher (BUDGET_EXCEEDED)
  --quote-first             ask the server's free quote before creating
  --idempotency-key <k>     8-128 chars; default: derived from model + payload (+ scope)
  --idempotency-scope <s>   makes a deliberate identical generation a new one
  --download <file>         save the finished video to a file
  --base-url <url>          default https://aivideomaker.ai (env AIVIDEO_BASE_URL)
  --timeout-ms <n>          per request attempt (env AIVIDEO_TIMEOUT_MS, default 30000)
  --max-retries <n>         retries of safe requests (env AIVIDEO_MAX_RETRIES, default 3)
  --time-scale <f>          compress the poll schedule (for simulators)
  --debug                   log requests to stderr (the key is masked)
  --help                    this text

Environment: AIVIDEO_API_KEY (required except for validate), AIVIDEO_BASE_URL,
AIVIDEO_TIMEOUT_MS, AIVIDEO_MAX_RETRIES.

Output: one JSON envelope on stdout {ok, status, taskId, data, errorCode, errorMessage,
retryAfter, httpStatus, suggestions}. Exit codes: 0 ok, 1 failure envelope, 2 usage error.
Ctrl-C aborts; a task still SUBMITTED is cancelled (refunded) and the envelope names it.
`;

const FLAGS = {
  "--model": "model", "--payload": "payload", "--action": "action", "--taskId": "taskId", "--task-id": "taskId",
  "--autoPoll": "autoPoll", "--auto-poll": "autoPoll", "--maxWaitMs": "maxWaitMs", "--max-wait-ms": "maxWaitMs",
  "--max-credits": "maxCredits", "--maxCredits": "maxCredits", "--idempotency-key": "idempotencyKey",
  "--idempotency-scope": "idempotencyScope", "--download": "download", "--base-url": "baseUrl", "--baseUrl": "baseUrl",
  "--timeout-ms": "timeoutMs", "--timeoutMs": "timeoutMs", "--max-retries": "maxRetries", "--maxRetries": "maxRetries",
  "--time-scale": "timeScale",
};
const SWITCHES = { "--debug": "debug", "--help": "help", "-h": "help", "--quote-first": "quoteFirst" };
const ACTIONS = ["run", "getStatus", "getTask", "cancelTask", "listTasks", "account", "getAccount", "quote", "validate"];

class UsageError extends Error {}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (SWITCHES[flag]) { out[SWITCHES[flag]] = inline === undefined ? true : inline !== "false"; continue; }
    const name = FLAGS[flag];
    if (!name) throw new UsageError(`unknown flag ${flag} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    out[name] = value;
  }
  return out;
}

function number(name, v) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

function readPayload(text) {
  if (text === undefined) throw new UsageError("--payload is required with --model");
  let raw = text;
  try {
    if (text === "-") raw = readFileSync(0, "utf8");
    else if (text.startsWith("@")) raw = readFileSync(text.slice(1), "utf8");
  } catch (e) {
    throw new UsageError(`cannot read payload ${text}: ${e.code || e.message}`);
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`--payload is not valid JSON: ${e.message.split("\n")[0]}`);
  }
}


async function main(argv, env) {
  const args = parseArgs(argv);
  if (args.help) { process.stdout.write(HELP); return 0; }
  const action = args.action ?? (args.model ? "run" : undefined);
  if (!action) throw new UsageError("give --model and --payload, or --action (see --help)");
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown action "${action}" (one of ${ACTIONS.join(", ")})`);
  if (args.autoPoll !== undefined && !["true", "false"].includes(args.autoPoll)) throw new UsageError(`--autoPoll must be true or false`);

  if (action === "validate") {
    if (!args.model) throw new UsageError("validate needs --model");
    const r = validatePayload(args.model, readPayload(args.payload));
    const out = r.ok
      ? envelope(null, null, { model: r.model, payload: r.payload, estimate: r.estimate })
      : envelope(r.errorCode, r.errorMessage, { issues: r.issues, details: r.details });
    return print(out);
  }

  // The command line always holds its own key (a keyless client is for browsers behind a proxy).
  if (!env.AIVIDEO_API_KEY || !env.AIVIDEO_API_KEY.trim()) throw new UsageError("AIVIDEO_API_KEY is not set");
  const stderrTty = Boolean(process.stderr.isTTY);
  const debug = Boolean(args.debug);
  let client;
  try {
    // The environment is read by the library (clientFromEnv); flags override it.
    client = clientFromEnv(env, {
      ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: number("timeout-ms", args.timeoutMs) } : {}),
      ...(args.maxRetries !== undefined ? { maxRetries: number("max-retries", args.maxRetries) } : {}),
      ...(debug ? { onLog: (line) => process.stderr.write(`[aivideo] ${line}\n`) } : {}),
    });
  } catch (e) {
    // The library's messages never contain the key; its prefix is ours too.
    throw new UsageError(String(e.message).replace(/^aivideo: /, ""));
  }

  const ctrl = new AbortController();
  let interrupted = false;
  process.once("SIGINT", () => { interrupted = true; ctrl.abort(); });
  const call = { signal: ctrl.signal };
  const needTask = () => { if (!args.taskId) throw new UsageError(`${action} needs --taskId`); return args.taskId; };

  let res;
  switch (action) {
    case "getStatus": res = await client.getStatus(needTask(), call); break;
    case "getTask": res = await client.getTask(needTask(), call); break;
    case "cancelTask": res = await client.cancelTask(needTask(), call); break;
    case "listTasks": res = await client.listTasks(call); break;
    case "account": case "getAccount": res = await client.getAccount(call); break;
    case "quote": {
      if (!args.model) throw new UsageError("quote needs --model");
      res = await client.quote(args.model, readPayload(args.payload), call);
      break;
    }
    case "run": {
      if (!args.model) throw new UsageError("the workflow needs --model");
      const payload = readPayload(args.payload);
      const createOpts = {
        ...call,
        ...(args.maxCredits !== undefined ? { maxCredits: number("max-credits", args.maxCredits) } : {}),
        ...(args.idempotencyKey ? { idempotencyKey: args.idempotencyKey } : {}),
        ...(args.idempotencyScope ? { idempotencyScope: args.idempotencyScope } : {}),
        ...(args.quoteFirst ? { quoteFirst: true } : {}),
      };
      if (args.autoPoll === "false") {
        res = await client.createGeneration(args.model, payload, createOpts);
        break;
      }
      const started = Date.now();
      res = await client.runWorkflow(args.model, payload, {
        ...createOpts,
        cancelOnAbort: true,
        ...(args.maxWaitMs !== undefined ? { maxWaitMs: number("maxWaitMs", args.maxWaitMs) } : {}),
        ...(args.timeScale !== undefined ? { timeScale: number("time-scale", args.timeScale) } : {}),
        onProgress: (e) => {
          if (!stderrTty) return;
          const next = e.nextPollInMs == null ? "" : `, next poll in ${(e.nextPollInMs / 1000).toFixed(1)} s`;
          process.stderr.write(`\r\x1b[K${e.status ?? "…"} · ${((Date.now() - started) / 1000).toFixed(0)} s elapsed · ${e.polls} polls${next}`);
        },
      });
      if (stderrTty) process.stderr.write("\r\x1b[K");
      if (res.ok && args.download) res = await download(res, args.download);
      break;
    }
  }
  if (interrupted && res.taskId) {
    const cancelled = res.data && res.data.cancelled;
    process.stderr.write(cancelled
      ? `aivideo: interrupted; task ${res.taskId} was still SUBMITTED and has been cancelled (refunded)\n`
      : `aivideo: interrupted; task ${res.taskId} keeps running: resume with --action getTask --taskId ${res.taskId}\n`);
  }
  return print(res);
}

async function download(res, file) {
  try {
    const r = await fetch(res.data.output.url);
    if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
    await pipeline(Readable.fromWeb(r.body), createWriteStream(file));
    return { ...res, data: { ...res.data, downloadedTo: file } };
  } catch (e) {
    const failed = envelope("NETWORK_ERROR", `the video finished but downloading it failed: ${e.message}`, res.data);
    failed.suggestions.unshift(`Download it yourself before ${res.data.expiresAt}: ${res.data.output.url}`);
    return { ...failed, status: res.status, taskId: res.taskId };
  }
}

function print(res) {
  process.stdout.write(JSON.stringify(res, null, 2) + "\n");
  return res.ok ? 0 : 1;
}

main(process.argv.slice(2), process.env).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`aivideo: ${e.message}\n`);
    process.stdout.write(JSON.stringify(envelope("INVALID_ARGUMENT", e.message, null), null, 2) + "\n");
    process.exitCode = 2;
  },
);
