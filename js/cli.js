#!/usr/bin/env node
// aivideo command line: the vendor run-workflow script's flags and JSON output, on top of
// this package's wasm client (not a second implementation). `aivideo --help` for usage.
import { readFileSync, createWriteStream, rmSync } from "node:fs";
import { parseArgs as nodeParseArgs } from "node:util";
import { Transform } from "node:stream";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { clientFromEnv, validatePayload } from "./node.js";
import { __envelope as envelope, __idempotencyKeyProblem, __isLoopbackHost } from "./aivideo.js";
import { journalCreate } from "./journal.js";

const HELP = `aivideo: create and watch AIVideoMaker generations

Usage:
  aivideo --model <model> --payload '<json>' [options]   run the whole workflow
  aivideo --action getStatus|getTask|cancelTask --taskId <id>
  aivideo --action listTasks | account
  aivideo --action quote --model <model> --payload '<json>'
  aivideo --action validate --model <model> --payload '<json>'   (offline, no key needed)

Payload: inline JSON, @file.json, or - for stdin.

Options:
  --autoPoll [true|false]   false: stop after create (prints the submitted task and its
                            handle); a bare --autoPoll means true
  --maxWaitMs <n>           give up waiting after n ms (default per model, at least 30 min);
                            0 gives up at once after the (paid) create, as the vendor script
                            does: POLL_TIMEOUT with the submitted task, to resume later
  --pollMinMs <n>           never poll more often than every n ms
  --pollMaxMs <n>           never wait more than n ms between polls
  --max-credits <n>         refuse before sending when the price is higher (BUDGET_EXCEEDED)
  --quote-first             ask the server's free quote before creating
  --idempotency-key <k>     8-128 chars, or "derived" (the default here: derived from model +
                            payload + scope). Re-running a command with the same key returns
                            the task it made, or finds the one a lost answer made, without a
                            second charge (the journal); a new key is always a new generation
  --idempotency-scope <s>   a new scope is a new derived key: a deliberate identical
                            generation
  --download <file>         save the finished video to a file
  --base-url <url>          default https://aivideomaker.ai (env AIVIDEO_BASE_URL); an
                            aivideo proxy's URL with env AIVIDEO_PROXY_TOKEN set
  --timeout-ms <n>          per request attempt (env AIVIDEO_TIMEOUT_MS, default 30000)
  --max-retries <n>         retries of safe requests (env AIVIDEO_MAX_RETRIES, default 3)
  --time-scale <f>          compress the poll schedule (for simulators)
  --download-timeout-ms <n> give up a download after n ms (default 600000)
  --download-max-bytes <n>  refuse a video larger than n bytes (default 2 GiB)
  --debug [true|false]      log requests to stderr (the key is masked)
  --version                 the package version
  --help                    this text

Environment: AIVIDEO_API_KEY (required except for validate), or AIVIDEO_PROXY_TOKEN (a
token for an aivideo proxy at --base-url, instead of the key), AIVIDEO_BASE_URL,
AIVIDEO_TIMEOUT_MS, AIVIDEO_MAX_RETRIES, AIVIDEO_JOURNAL.

Journal: each key a run sends is noted with its first send time and its task (or none, when
the answer was lost) in $AIVIDEO_JOURNAL, else $XDG_CACHE_HOME/aivideo/journal.json, else
~/.cache/aivideo/journal.json (500 keys, 7 days; safe to delete).

Output: one JSON envelope on stdout {ok, status, taskId, data, errorCode, errorMessage,
retryAfter, httpStatus, suggestions}. Exit codes: 0 ok, 1 failure envelope, 2 usage error.
Ctrl-C aborts; a task still SUBMITTED is cancelled (refunded) and the envelope names it.
`;

// Flag → option name. Both spellings of the vendor script are accepted.
const FLAGS = {
  model: "model", payload: "payload", action: "action", taskId: "taskId", "task-id": "taskId",
  autoPoll: "autoPoll", "auto-poll": "autoPoll", maxWaitMs: "maxWaitMs", "max-wait-ms": "maxWaitMs",
  "max-credits": "maxCredits", maxCredits: "maxCredits", "idempotency-key": "idempotencyKey",
  "idempotency-scope": "idempotencyScope", download: "download", "base-url": "baseUrl", baseUrl: "baseUrl",
  "timeout-ms": "timeoutMs", timeoutMs: "timeoutMs", "max-retries": "maxRetries", maxRetries: "maxRetries",
  "time-scale": "timeScale", "download-timeout-ms": "downloadTimeoutMs", "download-max-bytes": "downloadMaxBytes",
  pollMinMs: "pollMinMs", "poll-min-ms": "pollMinMs", pollMaxMs: "pollMaxMs", "poll-max-ms": "pollMaxMs",
};
const SWITCHES = { debug: "debug", help: "help", "quote-first": "quoteFirst", version: "version" };
const ACTIONS = ["run", "getStatus", "getTask", "cancelTask", "listTasks", "account", "getAccount", "quote", "validate"];
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
const DOWNLOAD_MAX_BYTES = 2 * 1024 ** 3;

class UsageError extends Error {}

/** The vendor script's forms that util.parseArgs does not take: `--debug true|false` and a
 * bare `--autoPoll` (meaning true). */
function vendorForms(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const bool = (v) => v === "true" || v === "false";
    if (a === "--debug" && bool(next)) { if (next === "true") out.push("--debug"); i++; continue; }
    if (a.startsWith("--debug=") && bool(a.slice(8))) { if (a.slice(8) === "true") out.push("--debug"); continue; }
    if ((a === "--autoPoll" || a === "--auto-poll") && (next === undefined || next.startsWith("--"))) { out.push(a, "true"); continue; }
    out.push(a);
  }
  return out;
}

/** Node's own parser (util.parseArgs); its errors become one-line usage errors. */
function parseArgs(argv) {
  argv = vendorForms(argv);
  const options = {};
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: "string" };
  for (const flag of Object.keys(SWITCHES)) options[flag] = { type: "boolean" };
  options.help.short = "h";
  let values;
  try {
    ({ values } = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    const flag = (String(e.message).match(/'(-{1,2}[^' ]+)/) || [])[1] || "";
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown flag ${flag} (see --help)`);
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing/.test(e.message)) throw new UsageError(`${flag} needs a value`);
    if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError(`unexpected argument (flags take the form --name value; see --help)`);
    throw new UsageError(String(e.message).split("\n")[0]);
  }
  const out = {};
  for (const [flag, value] of Object.entries(values)) out[FLAGS[flag] ?? SWITCHES[flag]] = value;
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
    // Never the parser's own text: it quotes the content (a wrong @file could be a secret).
    const at = (String(e.message).match(/position (\d+)/) || [])[1];
    throw new UsageError(`--payload is not valid JSON${at ? ` (at position ${at})` : ""}`);
  }
}


async function main(argv, env) {
  const args = parseArgs(argv);
  if (args.help) { process.stdout.write(HELP); return 0; }
  if (args.version) {
    process.stdout.write(`${JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).version}\n`);
    return 0;
  }
  if (args.idempotencyKey !== undefined && args.idempotencyKey !== "derived" && __idempotencyKeyProblem(args.idempotencyKey) !== undefined) {
    throw new UsageError("--idempotency-key must be 8 to 128 visible ASCII characters");
  }
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

  // The command line holds its own key, or a proxy's token (AIVIDEO_PROXY_TOKEN, with the
  // proxy as --base-url): the token goes in an Authorization header to the proxy's origin only,
  // and the key, if set too, is not sent at all.
  const proxyToken = (env.AIVIDEO_PROXY_TOKEN || "").trim();
  if (!proxyToken && (!env.AIVIDEO_API_KEY || !env.AIVIDEO_API_KEY.trim())) throw new UsageError("AIVIDEO_API_KEY is not set (or AIVIDEO_PROXY_TOKEN, to go through an aivideo proxy)");
  const proxyUrl = args.baseUrl ?? env.AIVIDEO_BASE_URL;
  if (proxyToken && !proxyUrl) throw new UsageError("AIVIDEO_PROXY_TOKEN needs the proxy's URL: --base-url or AIVIDEO_BASE_URL");
  let proxyOrigin = null;
  if (proxyToken) {
    let url;
    try {
      url = new URL(proxyUrl);
    } catch {
      throw new UsageError("--base-url is not a URL");
    }
    // The token is a credential: over plain http only to this machine.
    if (url.protocol !== "https:" && !__isLoopbackHost(url.hostname)) {
      throw new UsageError("AIVIDEO_PROXY_TOKEN is only sent over https (or plain http to localhost): use an https --base-url");
    }
    proxyOrigin = url.origin;
  }
  const viaProxy = proxyToken
    ? { apiKey: "", fetch: (url, init = {}) => fetch(url, new URL(url).origin === proxyOrigin ? { ...init, headers: { ...init.headers, authorization: `Bearer ${proxyToken}` } } : init) }
    : {};
  const stderrTty = Boolean(process.stderr.isTTY);
  const debug = Boolean(args.debug);
  let client;
  try {
    // The environment is read by the library (clientFromEnv); flags override it.
    client = clientFromEnv(env, {
      ...viaProxy,
      ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: number("timeout-ms", args.timeoutMs) } : {}),
      ...(args.maxRetries !== undefined ? { maxRetries: number("max-retries", args.maxRetries) } : {}),
      // A compressed simulator's minute is shorter: so is the client's rate budget window.
      ...(args.timeScale !== undefined ? { rateLimitWindowMs: Math.max(1, 60000 * number("time-scale", args.timeScale)) } : {}),
      ...(debug ? { onLog: (line) => process.stderr.write(`[aivideo] ${line}\n`) } : {}),
    });
  } catch (e) {
    // The library's messages never contain the key; its prefix is ours too.
    throw new UsageError(String(e.message).replace(/^aivideo: /, ""));
  }

  // The first Ctrl-C aborts whatever runs (the wait, a download); a second one exits at once.
  const ctrl = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    ctrl.abort();
  });
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
        // The command line's default is the derived key: an agent that re-runs the same
        // command after a lost answer gets its task back instead of paying twice.
        idempotencyKey: args.idempotencyKey ?? "derived",
        ...(args.idempotencyScope ? { idempotencyScope: args.idempotencyScope } : {}),
        ...(args.quoteFirst ? { quoteFirst: true } : {}),
      };
      const sent = journalCreate({ env, model: args.model, payload, opts: createOpts, warn: (line) => process.stderr.write(`aivideo: ${line}\n`) });
      if (args.autoPoll === "false") {
        res = sent.settle(await client.createGeneration(args.model, payload, createOpts));
        break;
      }
      const maxWaitMs = args.maxWaitMs === undefined ? undefined : number("maxWaitMs", args.maxWaitMs);
      if (maxWaitMs === 0) {
        // The vendor script's meaning: do not wait at all after the paid create.
        const created = sent.settle(await client.createGeneration(args.model, payload, createOpts));
        if (!created.ok) { res = created; break; }
        res = { ...envelope("POLL_TIMEOUT", "--maxWaitMs 0: not waited; the task is created and paid for: resume with --action getTask or waitForTask(handle)", { submitted: created.data }), status: created.status, taskId: created.taskId };
        break;
      }
      const started = Date.now();
      res = await client.runWorkflow(args.model, payload, {
        ...createOpts,
        cancelOnAbort: true,
        ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
        ...(args.timeScale !== undefined ? { timeScale: number("time-scale", args.timeScale) } : {}),
        ...(args.pollMinMs !== undefined ? { minIntervalMs: number("pollMinMs", args.pollMinMs) } : {}),
        ...(args.pollMaxMs !== undefined ? { maxIntervalMs: number("pollMaxMs", args.pollMaxMs) } : {}),
        onProgress: (e) => {
          if (!stderrTty) return;
          const next = e.nextPollInMs == null ? "" : `, next poll in ${(e.nextPollInMs / 1000).toFixed(1)} s`;
          process.stderr.write(`\r\x1b[K${e.status ?? "…"} · ${((Date.now() - started) / 1000).toFixed(0)} s elapsed · ${e.polls} polls${next}`);
        },
      });
      if (stderrTty) process.stderr.write("\r\x1b[K");
      res = sent.settle(res);
      if (res.ok && args.download) {
        res = await download(res, args.download, {
          signal: ctrl.signal,
          timeoutMs: number("download-timeout-ms", args.downloadTimeoutMs) ?? DOWNLOAD_TIMEOUT_MS,
          maxBytes: number("download-max-bytes", args.downloadMaxBytes) ?? DOWNLOAD_MAX_BYTES,
        });
      }
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

/** Saves the video: no headers are sent (the URL carries no secret), the time and size are
 * capped, Ctrl-C stops it, and a partial file is removed. */
async function download(res, file, { signal, timeoutMs, maxBytes }) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(new Error(`no complete download within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => ctrl.abort(new Error("interrupted"));
  signal.addEventListener("abort", onAbort);
  try {
    const r = await fetch(res.data.output.url, { signal: ctrl.signal });
    if (r.status === 404 || r.status === 410) {
      // The file is gone (expired, or the URL was replaced): another try at it would fail too.
      const gone = envelope("UPSTREAM_ERROR", `the video finished but its file answered HTTP ${r.status}: it is gone or expired`, res.data);
      gone.suggestions.unshift(`Read the task again (--action getTask --taskId ${res.taskId}) for its current URL; files are kept 24 hours after completion.`);
      return { ...gone, status: res.status, taskId: res.taskId };
    }
    if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
    const declared = Number(r.headers.get("content-length"));
    if (declared > maxBytes) throw new Error(`the video is ${declared} bytes, over --download-max-bytes ${maxBytes}`);
    let seen = 0;
    const cap = new Transform({
      transform(chunk, _enc, done) {
        seen += chunk.length;
        done(seen > maxBytes ? new Error(`the video is over --download-max-bytes ${maxBytes}`) : null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(r.body), cap, createWriteStream(file), { signal: ctrl.signal });
    return { ...res, data: { ...res.data, downloadedTo: file } };
  } catch (e) {
    rmSync(file, { force: true });
    const why = ctrl.signal.aborted && ctrl.signal.reason instanceof Error ? ctrl.signal.reason.message : e.message;
    const failed = envelope("NETWORK_ERROR", `the video finished but downloading it failed: ${why}`, res.data);
    failed.suggestions.unshift(`Download it yourself before ${res.data.expiresAt}: ${res.data.output.url}`);
    return { ...failed, status: res.status, taskId: res.taskId };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

/** The envelope, with the vendor script's `timestamp`. */
function print(res) {
  process.stdout.write(JSON.stringify({ ...res, timestamp: new Date().toISOString() }, null, 2) + "\n");
  return res.ok ? 0 : 1;
}

main(process.argv.slice(2), process.env).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`aivideo: ${e.message}\n`);
    process.stdout.write(JSON.stringify({ ...envelope("INVALID_ARGUMENT", e.message, null), timestamp: new Date().toISOString() }, null, 2) + "\n");
    process.exitCode = 2;
  },
);
