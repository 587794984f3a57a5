// The command line's flags: the vendor run-workflow script's forms (../shared/vendor-cli.md)
// read with Node's own parser (util.parseArgs), numbers, payloads from text, a file or stdin,
// and UsageError (exit 2). Owns: what each flag form means. Must not: act on them.
import { readFileSync } from "node:fs";
import { parseArgs as nodeParseArgs } from "node:util";

export class UsageError extends Error {}

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
export const ACTIONS = ["run", "getStatus", "getTask", "cancelTask", "listTasks", "account", "getAccount", "quote", "validate"];


/** The vendor script's forms that util.parseArgs does not take: `--debug true|false` and a
 * bare `--autoPoll` (meaning true). */
export function vendorForms(argv) {
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
export function parseArgs(argv) {
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

export function number(name, v) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

export function readPayload(text) {
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
