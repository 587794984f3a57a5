// Webhooks: a create's `webhookUrl` header (a loopback http URL; anything else is ignored, so
// the simulator never calls out) is called with a POST on every status change of its task,
// with a plausible body (the vendor documents none): `{event, taskId, status, updatedAt}`.
// Changes are watched on a timer (a task's timeline advances on the simulated clock), forced
// statuses at once. Each call is recorded in `state.webhooks`; failures are not retried.
// Owns: the watch timer and the calls. Must not: answer requests.
import { advance } from "./tasks.mjs";

const LOOPBACK = /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?\//;

/** The hook URL to keep for a create, or null. */
export function hookOf(req) {
  const url = req.headers["webhookurl"];
  return typeof url === "string" && url.length <= 2048 && LOOPBACK.test(url) ? url : null;
}

/** Calls a task's hook if its status changed since the last call. */
export function notify(sim, t) {
  if (!t.webhookUrl || t.hookedStatus === t.status) return;
  t.hookedStatus = t.status;
  const body = { event: "task.status_changed", taskId: t.id, status: t.status, updatedAt: new Date(sim.simNow()).toISOString() };
  sim.state.webhooks.push({ at: Date.now(), taskId: t.id, status: t.status });
  fetch(t.webhookUrl, { method: "POST", headers: { "content-type": "application/json", "user-agent": "aivideo-sim-webhooks" }, body: JSON.stringify(body), redirect: "manual", signal: AbortSignal.timeout(5000) })
    .then((r) => r.body?.cancel())
    .catch(() => {});
}

/** Watches every task with a hook every `everyMs` real ms; returns the stop function. */
export function watchHooks(sim, everyMs = 10) {
  const timer = setInterval(() => {
    const now = sim.simNow();
    for (const t of sim.state.tasks.values()) {
      if (!t.webhookUrl || t.hookedStatus === "COMPLETED" || t.hookedStatus === "FAILED" || t.hookedStatus === "CANCEL") continue;
      advance(sim, t, now);
      notify(sim, t);
    }
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
