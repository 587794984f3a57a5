// The command line's create journal: for each idempotency key this machine's CLI has sent,
// when it was first sent and the task it made (or null: the answer never came, the task may
// exist). A rerun of the same command after a lost answer passes that record to the library
// as the create's `handle`, so the task is looked for (or read) instead of paid for twice; a
// key the journal has never seen always creates. Owns: where the file lives, its bounds, and
// reading and writing it so that a broken or missing file never stops a run.
//
// Location: $AIVIDEO_JOURNAL, else $XDG_CACHE_HOME/aivideo/journal.json, else
// ~/.cache/aivideo/journal.json. At most MAX_ENTRIES keys, none older than MAX_AGE_MS; safe
// to delete (a rerun then creates anew, as the first run did).
import { readFileSync, writeFileSync, renameSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { __derivedKey } from "./aivideo.js";

const MAX_ENTRIES = 500;
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export function journalPath(env) {
  if (env.AIVIDEO_JOURNAL) return env.AIVIDEO_JOURNAL;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "aivideo", "journal.json");
}

/** The journal at `path`; `warn` receives one line when the file cannot be read or written. */
export function openJournal(path, warn) {
  const load = () => {
    let text;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if (e.code !== "ENOENT") warn(`the create journal ${path} cannot be read (${e.code || e.message}): a rerun cannot find this run's task`);
      return [];
    }
    try {
      const entries = JSON.parse(text).entries;
      return Array.isArray(entries) ? entries.filter((e) => e && typeof e.key === "string" && typeof e.firstSentAt === "string") : [];
    } catch {
      warn(`the create journal ${path} is not valid JSON: starting a new one`);
      return [];
    }
  };
  const save = (entries) => {
    const now = Date.now();
    const kept = entries.filter((e) => now - Date.parse(e.firstSentAt) < MAX_AGE_MS).slice(-MAX_ENTRIES);
    try {
      // At most two levels (…/.cache/aivideo), without `recursive` (which spins on /proc paths).
      for (const dir of [dirname(dirname(path)), dirname(path)]) {
        try { mkdirSync(dir); } catch (e) { if (e.code !== "EEXIST") throw e; }
      }
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, entries: kept }), { mode: 0o600 });
      renameSync(tmp, path);
    } catch (e) {
      warn(`the create journal ${path} cannot be written (${e.code || e.message}): a rerun cannot find this run's task`);
    }
  };
  return {
    /** `{ key, firstSentAt, taskId }` or undefined. */
    get: (key) => load().find((e) => e.key === key),
    /** Records (or updates) a key: its first send stays the earliest seen. */
    put(record) {
      const entries = load();
      const known = entries.find((e) => e.key === record.key);
      if (known) Object.assign(known, { taskId: record.taskId ?? known.taskId ?? null });
      else entries.push({ key: record.key, firstSentAt: record.firstSentAt, taskId: record.taskId ?? null });
      save(entries);
    },
    /** Forgets a key whose create was refused before anything could be created. */
    forget(key) {
      const entries = load();
      if (entries.some((e) => e.key === key)) save(entries.filter((e) => e.key !== key));
    },
  };
}

/** Journals one create: `opts` (the create's options) gains the key and, when the journal
 * knows it, the earlier attempt's `handle`; `settle(envelope)` records what the create made
 * and returns the envelope. `warn` receives a line when the journal cannot be used. */
export function journalCreate({ env, model, payload, opts, warn }) {
  const explicit = opts.idempotencyKey && opts.idempotencyKey !== "derived";
  const key = explicit ? opts.idempotencyKey : __derivedKey(model, payload, opts.idempotencyScope);
  const journal = openJournal(journalPath(env), warn);
  const earlier = journal.get(key);
  opts.idempotencyKey = key;
  if (earlier) opts.handle = { idempotencyKey: key, createdAt: earlier.firstSentAt, taskId: earlier.taskId ?? null };
  // Noted before anything is sent: a run killed mid-create leaves "maybe created" behind.
  else journal.put({ key, firstSentAt: new Date().toISOString(), taskId: null });
  return {
    settle(res) {
      const data = res.data || {};
      const made = res.taskId ?? (data.submitted && data.submitted.taskId) ?? null;
      // A refunded ending (failed, cancelled): a rerun is a new attempt, not this task again.
      const refunded = data.cancelled === true || res.errorCode === "GENERATION_FAILED" || res.errorCode === "CANCELLED";
      if (made && !refunded) journal.put({ key, taskId: made });
      else if (refunded || (!earlier && !data.maybeCreated)) journal.forget(key);
      return res;
    },
  };
}
