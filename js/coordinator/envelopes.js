// What the coordinator's files share: the envelopes it answers itself (built by the package's
// one envelope builder, the core's), whether a status ends a task (the core's rule), how long
// finished records are kept, and sleeping. Must not: hold state.
import { __envelope, __isTerminal } from "../aivideo.js";

export const RECORD_TTL_MS = 2 * 86_400_000;

export const okEnvelope = (status, taskId, data) => ({ ...__envelope(null, null, data), status, taskId, httpStatus: 200 });
export const failEnvelope = (errorCode, errorMessage, httpStatus, taskId = null) => ({ ...__envelope(errorCode, errorMessage, null), taskId, httpStatus });

/** Whether `status` ends a task (COMPLETED, FAILED, CANCEL and its spellings). */
export const isTerminal = (status) => typeof status === "string" && __isTerminal(status);

export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
