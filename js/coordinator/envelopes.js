// What the coordinator's files share: the envelopes it answers itself (built by the package's
// one envelope builder, the core's), whether a status ends a task (the core's rule), how long
// finished records are kept, how big a payload is, and sleeping. Must not: hold state.
import { __envelope, __isTerminal } from "../aivideo.js";

export const RECORD_TTL_MS = 2 * 86_400_000;

export const okEnvelope = (status, taskId, data) => ({ ...__envelope(null, null, data), status, taskId, httpStatus: 200 });
export const failEnvelope = (errorCode, errorMessage, httpStatus, taskId = null) => ({ ...__envelope(errorCode, errorMessage, null), taskId, httpStatus });

/** Whether `status` ends a task (COMPLETED, FAILED, CANCEL and its spellings). */
export const isTerminal = (status) => typeof status === "string" && __isTerminal(status);

export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** About how many bytes `v` takes as JSON, counting no further than `cap` (a payload with a
 * data URI is not serialized again just to be measured). */
export function roughBytes(v, cap) {
  let n = 0;
  const stack = [v];
  while (stack.length && n < cap) {
    const x = stack.pop();
    if (typeof x === "string") n += x.length + 2;
    else if (x && typeof x === "object") {
      for (const [k, y] of Object.entries(x)) {
        n += k.length + 4;
        stack.push(y);
      }
    } else n += 8;
  }
  return Math.min(n, cap);
}
