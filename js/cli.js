#!/usr/bin/env node
// aivideo command line: the vendor run-workflow script's flags and JSON output, on top of
// this package's wasm client (not a second implementation). `aivideo --help` for usage.
import { readFileSync } from "node:fs";
import { validatePayload } from "./node.js";
import { __envelope as envelope, __idempotencyKeyProblem } from "./aivideo.js";
import { journalCreate } from "./journal.js";
import { validationEnvelope } from "./mcp/tools.js";
import { ACTIONS, UsageError, number, parseArgs, readPayload, waitSetting } from "./cli/args.js";
import { cliClient } from "./cli/client.js";
import { DOWNLOAD_MAX_BYTES, DOWNLOAD_TIMEOUT_MS, download } from "./cli/download.js";

/** The vendor script's default --pollMaxMs. */
const VENDOR_MAX_INTERVAL_MS = 10_000;

const HELP = `aivideo: create and watch AIVideoMaker generations

Usage:
  aivideo --model <model> --payload '<json>' [options]   run the whole workflow
  aivideo mcp                                            an MCP server on stdio (tools for agents)
  aivideo --action getStatus|getTask|cancelTask --taskId <id>
  aivideo --action listTasks | account
  aivideo --action quote --model <model> --payload '<json>'
  aivideo --action validate --model <model> --payload '<json>'   (offline, no key needed)

Payload: inline JSON, @file.json, or - for stdin.

Options:
  --autoPoll [true|false]   false (or 0, no, off): stop after create (prints the submitted
                            task and its handle); bare, true, 1, yes: wait
  --maxWaitMs <n>           give up waiting after n ms (default per model, at least 30 min);
                            0 gives up at once after the (paid) create, as the vendor script
                            does: POLL_TIMEOUT with the submitted task, to resume later
  --pollMinMs <n>           the vendor script's schedule: first poll after n ms, each next
                            wait 1.5x the last, up to --pollMaxMs (default 10000)
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
  --debug [true|false|1|0]  log requests to stderr (the key is masked)
  --version                 the package version
  --help                    this text

Environment: AIVIDEO_API_KEY (required except for validate), or AIVIDEO_PROXY_TOKEN (a
token for an aivideo proxy at --base-url, instead of the key), AIVIDEO_BASE_URL,
AIVIDEO_TIMEOUT_MS, AIVIDEO_MAX_RETRIES, AIVIDEO_JOURNAL.

Journal: each key a run sends is noted with its first send time and its task (or none, when
the answer was lost) in $AIVIDEO_JOURNAL, else $XDG_CACHE_HOME/aivideo/journal.json, else
~/.cache/aivideo/journal.json (500 keys, 7 days; safe to delete).

Output: one JSON envelope on stdout {ok, status, taskId, data, errorCode, errorMessage,
retryAfter, httpStatus, suggestions}. Exit codes: 0 ok, 1 failure envelope (a missing
--taskId, --model or --payload included), 2 usage error. The vendor script's flag forms all
run: unknown flags, stray words and flags without a value are ignored, and a form read
differently from the vendor script (or ignored) prints one warning line on stderr.
Ctrl-C aborts; a task still SUBMITTED is cancelled (refunded) and the envelope names it.
`;

async function main(argv, env) {
  if (argv[0] === "mcp") {
    // The MCP server over stdio, configured by the same environment (and flags) as the rest.
    const { serveStdio } = await import("./mcp/stdio.js");
    await serveStdio({ env, args: parseArgs(argv.slice(1), warn) });
    return 0;
  }
  const args = parseArgs(argv, warn);
  if (args.help) { process.stdout.write(HELP); return 0; }
  if (args.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (args.idempotencyKey !== undefined && args.idempotencyKey !== "derived" && __idempotencyKeyProblem(args.idempotencyKey) !== undefined) {
    throw new UsageError("--idempotency-key must be 8 to 128 visible ASCII characters");
  }
  const action = args.action ?? (args.model ? "run" : undefined);
  if (!action) throw new UsageError("give --model and --payload, or --action (see --help)");
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown action "${action}" (one of ${ACTIONS.join(", ")})`);

  if (action === "validate") {
    if (!args.model) throw new UsageError("validate needs --model", 1);
    return print(validationEnvelope(validatePayload(args.model, readPayload(args.payload))));
  }

  const stderrTty = Boolean(process.stderr.isTTY);
  const client = cliClient(env, args);

  // The first Ctrl-C aborts whatever runs (the wait, a download); a second one exits at once.
  const ctrl = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    ctrl.abort();
  });
  const call = { signal: ctrl.signal };
  const needTask = () => { if (!args.taskId) throw new UsageError(`${action} needs --taskId`, 1); return args.taskId; };

  let res;
  switch (action) {
    case "getStatus": res = await client.getStatus(needTask(), call); break;
    case "getTask": res = await client.getTask(needTask(), call); break;
    case "cancelTask": res = await client.cancelTask(needTask(), call); break;
    case "listTasks": res = await client.listTasks(call); break;
    case "account": case "getAccount": res = await client.getAccount(call); break;
    case "quote": {
      if (!args.model) throw new UsageError("quote needs --model", 1);
      res = await client.quote(args.model, readPayload(args.payload), call);
      break;
    }
    case "run": {
      if (!args.model) throw new UsageError("the workflow needs --model", 1);
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
      const maxWaitMs = waitSetting("maxWaitMs", args.maxWaitMs, warn, { zero: true });
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
        ...pollSchedule(args),
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

/** One line on stderr: a flag read differently from the vendor script, or ignored. */
function warn(line) {
  process.stderr.write(`aivideo: ${line}\n`);
}

/** --pollMinMs and --pollMaxMs as the vendor script means them: the first interval, growing
 * 1.5× a poll up to the cap (10 s when only the first is given, as there); --pollMaxMs alone
 * caps this package's own schedule. */
function pollSchedule(args) {
  const first = waitSetting("pollMinMs", args.pollMinMs, warn);
  const cap = waitSetting("pollMaxMs", args.pollMaxMs, warn);
  if (first === undefined) return cap === undefined ? {} : { maxIntervalMs: cap };
  return { firstIntervalMs: first, maxIntervalMs: Math.max(first, cap ?? VENDOR_MAX_INTERVAL_MS) };
}

function packageVersion() {
  return JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).version;
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
    process.exitCode = e.exitCode;
    process.stdout.write(JSON.stringify({ ...envelope("INVALID_ARGUMENT", e.message, null), timestamp: new Date().toISOString() }, null, 2) + "\n");
  },
);
