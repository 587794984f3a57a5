// The proxy's read and task routes for one authenticated, metered request: /usage, the task
// list (a user's own through the coordinator; the operator's for admins), the account, a
// task, its status, its cancel and its long poll. Owns: who may see what. Must not: create
// (create.js) or meter (the handler has).
import { answer, failure, fromEnvelope } from "./http.js";
import { limitOf, usage } from "./quota.js";

/** Answers `rc.name` for `rc.caller`; `rc.api` is the upstream client (or the coordinator's). */
export async function dispatchRead(rc) {
  const { caller, name } = rc;
  // A caller that went away cancels what it asked for (nothing more goes upstream for it).
  const call = rc.request.signal ? { signal: rc.request.signal } : {};
  if (name === "usage") {
    const maxPerTask = Math.min(rc.settings.maxCreditsPerTask, limitOf(caller, rc.settings, "maxCreditsPerTask") ?? Infinity);
    return answer(rc, 200, {
      userId: caller.userId, admin: Boolean(caller.admin), ...(await usage(rc.store, caller, rc.settings)),
      maxCreditsPerTask: Number.isFinite(maxPerTask) ? maxPerTask : null,
    });
  }
  if (name === "tasks" && !caller.admin && rc.coord) {
    // The coordinator knows whose tasks are whose: a user's list holds its own tasks.
    const out = await rc.coord.op("mine", { owner: caller.userId });
    if (out.ok) out.data = { tasks: await Promise.all((out.data.tasks || []).map(async (t) => ({ ...t, id: await rc.owners.bind(caller.userId, t.id), idempotencyKey: undefined }))) };
    return fromEnvelope(rc, out, { bind: false });
  }
  if (name === "account" || name === "tasks") {
    // The operator's account and task list hold every user's tasks.
    if (!caller.admin) return failure(rc, 403, "AUTH_FAILED", `${name === "tasks" ? "the task list" : "the account"} is for admins of this proxy`);
    return fromEnvelope(rc, await (name === "tasks" ? rc.api.listTasks(call) : rc.api.getAccount(call)), { bind: false });
  }
  const id = await rc.owners.unbind(caller, rc.param);
  // Another user's task, a forged binding and a missing task look the same.
  if (id === null) return failure(rc, 404, "TASK_NOT_FOUND", "Task not found");
  if (name === "wait") {
    const q = new URL(rc.request.url).searchParams;
    const out = await rc.coord.op("watch", { id, owner: caller.admin === true ? null : caller.userId, admin: caller.admin === true, after: q.get("after") || "", holdMs: Number(q.get("holdMs")) || undefined });
    return fromEnvelope(rc, out, { taskId: id });
  }
  const out = name === "task" ? await rc.api.getTask(id, call) : name === "status" ? await rc.api.getStatus(id, call) : await rc.api.cancelTask(id, call);
  return fromEnvelope(rc, out, { taskId: id });
}
