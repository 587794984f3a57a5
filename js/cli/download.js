// The command line's --download: saves the finished video with no headers (its URL carries no
// secret), capped in time and size, stopped by Ctrl-C, a partial file removed. Owns: that.
import { createWriteStream, rmSync } from "node:fs";
import { Transform, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { __envelope as envelope } from "../aivideo.js";

export const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
export const DOWNLOAD_MAX_BYTES = 2 * 1024 ** 3;

/** Saves the video: no headers are sent (the URL carries no secret), the time and size are
 * capped, Ctrl-C stops it, and a partial file is removed. */
export async function download(res, file, { signal, timeoutMs, maxBytes }) {
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
