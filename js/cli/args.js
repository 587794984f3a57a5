// The command line's flags: the vendor run-workflow script's forms (../shared/vendor-cli.md)
// read with Node's own parser (util.parseArgs), numbers, payloads from text, a file or stdin,
// and UsageError (exit 2). Owns: what each flag form means. Must not: act on them.
import { readFileSync } from "node:fs";
import { parseArgs as nodeParseArgs } from "node:util";

/** A command that cannot run: exit 2, or `exitCode` (1 for a missing input, as a failure
 * envelope: the vendor script's forms never exit 2). */
export class UsageError extends Error {
  constructor(message, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

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


/** Word forms of yes and no: the vendor script takes only `false` as no (so `--autoPoll 0`
 * polled there); here each means what it says, with a warning where the script differs. */
const YES = ["true", "1", "yes", "y", "on"];
const NO = ["false", "0", "no", "n", "off"];

/**
 * The command line's flags, read by Node's own parser (util.parseArgs, not strict) so that no
 * form the vendor's script runs with is refused: unknown flags and stray words are ignored, a
 * flag with no value is ignored (`--pollMaxMs` bare busy-polled there), `--autoPoll` and
 * `--debug` take yes/no words, a later flag wins. Each difference from the script's meaning is
 * one line to `warn` (stderr).
 */
export function parseArgs(argv, warn = () => {}) {
  // A string flag followed by nothing or by another flag has no value (util.parseArgs would
  // take the next flag as its value).
  const args = argv.map((a, i) => {
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : null;
    const next = argv[i + 1];
    return name && (FLAGS[name] || name === "debug") && (next === undefined || next.startsWith("--")) ? `--${name}=` : a;
  });
  const options = { debug: { type: "string" } };
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: "string" };
  for (const flag of Object.keys(SWITCHES)) if (flag !== "debug") options[flag] = { type: "boolean" };
  options.help.short = "h";
  const { tokens } = nodeParseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const out = {};
  for (const t of tokens) {
    if (t.kind === "positional") warn(`ignored "${t.value.slice(0, 40)}": flags take the form --name value`);
    if (t.kind !== "option") continue;
    const key = FLAGS[t.name] ?? SWITCHES[t.name];
    if (!key) warn(`ignored the unknown flag ${t.rawName.slice(0, 40)} (see --help)`);
    else if (options[t.name].type === "boolean") out[key] = true;
    else if (t.name === "debug") out.debug = yesNo("--debug", t.value || "true", t.inlineValue, warn);
    else if (key === "autoPoll") out.autoPoll = yesNo(t.rawName, t.value || "true", t.inlineValue && t.value !== "", warn) ? "true" : "false";
    else if (!t.value) warn(`${t.rawName} has no value: ignored`);
    else out[key] = t.value;
  }
  return out;
}

/** A yes/no word; anything else is yes (the vendor script's reading), with a warning. */
function yesNo(flag, value, inline, warn) {
  const word = value.toLowerCase();
  if (NO.includes(word)) {
    if (value !== "false" || inline) warn(`${flag}${inline ? "=" : " "}${value} read as false (the vendor script treats only a separate, exact "false" as false)`);
    return false;
  }
  if (!YES.includes(word)) warn(`${flag} ${value.slice(0, 20)} not understood: read as true`);
  return true;
}

/**
 * A poll or wait setting in ms, read the safe way where the vendor script's meaning is a trap:
 * junk, a negative number, or 0 where it would busy-poll (`zero: false`) are ignored (the
 * default applies) with a warning.
 */
export function waitSetting(name, v, warn, { zero = false } = {}) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zero)) {
    warn(`--${name} ${String(v).slice(0, 20)} ignored (${n === 0 ? "0 would poll without pause" : n < 0 ? "a negative wait would create, pay and stop" : "not a number"}): the default applies`);
    return undefined;
  }
  return n;
}

export function number(name, v) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

export function readPayload(text) {
  if (text === undefined) throw new UsageError("--payload is required with --model", 1);
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
