// A simulated task's life and views: SUBMITTED → PROGRESS (after ~8 %) → COMPLETED | FAILED
// on the simulated clock, the task as GET /tasks/{id} shows it, and as the list shows it
// (on `live`, as of its last own read: the list lags). Must not: answer requests.

const LIVE_MSG = "The video is kept for 24 hours after completion; download it before then.";
const ENDED = ["COMPLETED", "FAILED", "CANCEL"];

/** Moves a task along its timeline. */
export function advance(sim, t, now) {
  if (ENDED.includes(t.status) || t.forced) return;
  if (now >= t.createdAt + t.durationMs) {
    t.completedAt = t.createdAt + t.durationMs;
    if (t.willFail) {
      t.status = "FAILED";
      t.output = { error: "Generation failed: the model could not render this prompt", msg: "failed" };
      t.creditsRefunded = t.creditsCharged;
      sim.state.accounts.get(t.key).balance += t.creditsCharged;
    } else {
      t.status = "COMPLETED";
      t.output = { url: `${t.origin}/files/${t.id}.mp4`, msg: "success" };
    }
  } else if (now >= t.createdAt + t.durationMs * 0.08) {
    t.status = "PROGRESS";
  }
}

export function taskView(sim, t, now = sim.simNow()) {
  advance(sim, t, now);
  const live = sim.live();
  const out = {
    id: t.id, createdAt: new Date(t.createdAt).toISOString(), model: live && t.model === "minimax" ? "minimax-h3" : t.model, input: t.input,
    output: t.output, status: t.status, creditsCharged: t.creditsCharged, creditsRefunded: t.creditsRefunded,
    listValueCents: Math.max(0, t.creditsCharged - t.creditsRefunded), idempotencyKey: t.idempotencyKey,
    completedAt: t.completedAt ? new Date(t.completedAt).toISOString() : null,
  };
  if (live && out.status === "COMPLETED" && out.output) out.output = { ...out.output, msg: LIVE_MSG };
  return out;
}

/** A task as the list shows it: live, as of its last per-task read (the list lags). */
export function listView(sim, t) {
  if (!sim.live()) return taskView(sim, t);
  return t.lastRead ?? { ...taskView(sim, t), status: "SUBMITTED", output: null, completedAt: null };
}
