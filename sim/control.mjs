// The simulator's control plane (no key, never rate limited, never logged), all JSON:
//   POST /__sim/faults   {faults:[rule…]} appends rules (faults.mjs); DELETE clears
//   GET  /__sim/log      the request log     GET /__sim/ledger   tasks with their charges
//   POST /__sim/reset    forget tasks, log, faults, limits; restore balances
//   POST /__sim/config   {timeScale, failRate, rateLimitPerMinute, profile: "spec"|"live", dropQuote, dropAccount, omitCreditsCharged, …}
//   POST /__sim/accounts {key, balance, …}   POST /__sim/tasks/{id}/force {status}
// and the video files (`/files/{id}.mp4`, with ranges; 410 a day after completion).
// Must not: serve the API.
import { readFileSync } from "node:fs";
import { DAY_MS, mulberry32 } from "./state.mjs";
import { taskView } from "./tasks.mjs";
import { digest } from "./api.mjs";
import { fail, send } from "./http.mjs";
import { notify } from "./webhooks.mjs";

const SAMPLE_MP4 = readFileSync(new URL("./sample.mp4", import.meta.url));

export function control(sim, { req, res, path, raw }) {
  const { state, cfg } = sim;
  let body = {};
  try { body = raw ? JSON.parse(raw) : {}; } catch { return send(res, 400, { error: "bad JSON" }); }
  if (path === "/__sim/faults" && req.method === "POST") {
    for (const f of body.faults || [body]) state.faults.push({ ...f, seen: 0, used: 0 });
    return send(res, 200, { faults: state.faults.length });
  }
  if (path === "/__sim/faults" && req.method === "DELETE") { state.faults = []; return send(res, 200, { faults: 0 }); }
  if (path === "/__sim/log") return send(res, 200, { log: state.log });
  if (path === "/__sim/ledger") {
    const tasks = [...state.tasks.values()].map((t) => ({ ...taskView(sim, t), keyFingerprint: digest(t.key).slice(0, 8) }));
    const billed = tasks.reduce((s, t) => s + t.creditsCharged - t.creditsRefunded, 0);
    return send(res, 200, { tasks, billedCredits: billed, balances: Object.fromEntries([...state.accounts].map(([k, a]) => [digest(k).slice(0, 8), a.balance])) });
  }
  if (path === "/__sim/reset") { sim.reset(); return send(res, 200, { ok: true }); }
  if (path === "/__sim/config") { Object.assign(cfg, body); if (body.seed != null) state.rand = mulberry32(body.seed); return send(res, 200, { ...cfg, accounts: undefined }); }
  if (path === "/__sim/accounts") { state.accounts.set(body.key, { dailyCreditLimit: -1, creditWarningAt: 100, balance: 0, ...body }); return send(res, 200, { ok: true }); }
  const force = path.match(/^\/__sim\/tasks\/([^/]+)\/force$/);
  if (force) {
    const t = state.tasks.get(decodeURIComponent(force[1]));
    if (!t) return send(res, 404, { error: "no such task" });
    Object.assign(t, { forced: true, status: body.status, completedAt: sim.simNow() });
    if (body.status === "COMPLETED") t.output = { url: `${t.origin}/files/${t.id}.mp4`, msg: "success" };
    if (body.status === "FAILED") { t.output = { error: body.error || "forced failure" }; t.creditsRefunded = t.creditsCharged; }
    notify(sim, t);
    return send(res, 200, taskView(sim, t));
  }
  return send(res, 404, { error: "unknown control path" });
}

export function serveFile(sim, { req, res, path }) {
  const id = decodeURIComponent(path.slice("/files/".length).replace(/\.mp4$/, ""));
  const t = sim.state.tasks.get(id);
  if (!t || t.status !== "COMPLETED") return fail(res, 404, { errorCode: "NOT_FOUND", message: "No such file" });
  if (sim.simNow() > t.completedAt + DAY_MS) return fail(res, 410, { errorCode: "EXPIRED", message: "The file was deleted 24 hours after completion" });
  const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range || "");
  const cors = { "access-control-allow-origin": "*", "accept-ranges": "bytes" };
  if (range) {
    const start = range[1] ? Number(range[1]) : 0;
    const end = range[2] ? Math.min(Number(range[2]), SAMPLE_MP4.length - 1) : SAMPLE_MP4.length - 1;
    res.writeHead(206, { ...cors, "content-type": "video/mp4", "content-range": `bytes ${start}-${end}/${SAMPLE_MP4.length}`, "content-length": end - start + 1 });
    return res.end(SAMPLE_MP4.subarray(start, end + 1));
  }
  const whole = () => {
    res.writeHead(200, { ...cors, "content-type": "video/mp4", "content-length": SAMPLE_MP4.length });
    res.end(req.method === "HEAD" ? undefined : SAMPLE_MP4);
  };
  if (sim.cfg.fileDelayMs > 0) setTimeout(whole, sim.cfg.fileDelayMs).unref();
  else whole();
}
