// The demo page's generations and history: create through the proxy, watch with progress,
// show the video or the failure, and keep a history in localStorage (task handles) that
// resumes running tasks after a reload. An entry ends when its wait did (`ended`), as the
// client said: the page keeps no list of statuses. Must not: build the form.
import { $, el, notice } from "./dom.js";
import { models, state, timeScale } from "./page.js";
import { refreshUsage } from "./session.js";
import { render, update } from "./form.js";

const historyKey = () => `aivideo-demo-history:${state.session?.userId}`;
const loadHistory = () => { try { return JSON.parse(localStorage.getItem(historyKey()) || "[]"); } catch { return []; } };
function saveEntry(entry) {
  const list = loadHistory().filter((e) => e.taskId !== entry.taskId);
  list.unshift(entry);
  // A payload with an uploaded image is not kept (storage is small): "Another take" then uses the form.
  localStorage.setItem(historyKey(), JSON.stringify(list.slice(0, 30)));
  renderHistory();
}

export async function generate(model, p) {
  if (!state.client) return;
  state.running = true;
  $("submit").disabled = true;
  showRun({ status: "SUBMITTING" });
  const created = await state.client.createGeneration(model.model, p);
  refreshUsage();
  if (!created.ok) {
    state.running = false;
    finish(null, created);
    return;
  }
  const small = JSON.stringify(p).length < 20_000;
  const entry = { taskId: created.taskId, handle: created.data.handle, model: model.model, title: model.title, prompt: p.prompt || p.content || "", payload: small ? p : null, createdAt: Date.now(), status: created.status };
  saveEntry(entry);
  await watch(entry);
}

/** Waits for a task from its handle (after a create, or after a reload). */
async function watch(entry) {
  showRun({ status: entry.status, taskId: entry.taskId });
  const model = models.find((m) => m.model === entry.model);
  const expected = (model ? model.expectedSeconds * 1000 : 300_000) * timeScale;
  $("cancel").disabled = entry.status !== "SUBMITTED";
  $("cancel").onclick = async () => {
    $("cancel").disabled = true;
    const c = await state.client.cancelTask(entry.taskId);
    if (!c.ok) showFailure(c);
  };
  const done = await state.client.waitForTask(entry.handle, { timeScale, onProgress: (e) => setProgress(e, expected) });
  state.running = false;
  const ended = done.ok || done.errorCode === "CANCELLED" || done.errorCode === "GENERATION_FAILED";
  const status = done.ok ? "COMPLETED" : done.errorCode === "CANCELLED" ? "CANCEL" : done.errorCode === "GENERATION_FAILED" ? "FAILED" : entry.status;
  const updated = { ...entry, status, ended, videoUrl: done.ok ? done.data.output.url : null, expiresAt: done.ok ? done.data.expiresAt : null, error: done.ok ? null : `${done.errorCode}: ${done.errorMessage}` };
  if (ended) saveEntry(updated);
  finish(updated, done);
  refreshUsage();
}

export function resumeRunning() {
  const running = loadHistory().filter((e) => !e.ended && e.handle);
  // The newest shows in the Generation card; every one resumes (its status is in the history).
  running.reverse().forEach((e) => watch(e));
}

function showRun({ status, taskId }) {
  $("run").hidden = false;
  $("result").replaceChildren();
  $("p-task").textContent = taskId || "–";
  setProgress({ status, elapsedMs: 0, polls: 0 });
}

function setProgress(e, expected) {
  $("p-status").textContent = e.status ?? "…";
  $("p-status").className = `pill ${e.status ?? ""}`;
  $("p-elapsed").textContent = `${(e.elapsedMs / 1000).toFixed(1)} s`;
  $("p-polls").textContent = String(e.polls);
  if (e.status !== "SUBMITTED") $("cancel").disabled = true;
  if (expected) $("p-bar").style.width = `${Math.min(95, (100 * e.elapsedMs) / expected)}%`;
}

function finish(entry, res) {
  $("cancel").disabled = true;
  if (res.taskId) $("p-task").textContent = res.taskId;
  if (res.ok) {
    $("p-bar").style.width = "100%";
    $("p-status").textContent = "COMPLETED";
    $("p-status").className = "pill COMPLETED";
    const video = el("video", { src: res.data.output.url, controls: true, autoplay: true, muted: true, loop: true, playsInline: true });
    video.setAttribute("data-testid", "video");
    $("result").replaceChildren(video, el("p", { className: "muted", textContent: `Available until ${new Date(res.data.expiresAt).toLocaleString()}.` }), actions(entry, "run"));
  } else {
    $("p-status").textContent = res.status || "FAILED";
    $("p-status").className = "pill FAILED";
    showFailure(res);
  }
  update();
}

/** Download and "Another take" for a finished entry. */
function actions(entry, where) {
  const box = el("div", { className: "actions" });
  if (entry && entry.videoUrl) {
    const dl = el("button", { type: "button", className: "secondary", textContent: "Download MP4" });
    dl.setAttribute("data-testid", `download-${where}`);
    dl.addEventListener("click", () => download(entry));
    box.append(dl);
  }
  if (entry) {
    const again = el("button", { type: "button", className: "secondary", textContent: "Another take" });
    again.setAttribute("data-testid", `again-${where}`);
    again.disabled = state.running;
    again.addEventListener("click", () => {
      const model = models.find((m) => m.model === entry.model);
      // The same inputs, a new generation (a fresh idempotency key: a new task, billed again).
      if (entry.payload && model) return generate(model, entry.payload);
      if (model && state.model.model !== model.model) { $("model").value = model.model; render(model.model); }
      notice("This take used an uploaded image that is not kept: pick it again and press Generate.", "info");
    });
    box.append(again);
  }
  return box;
}

/** The video as a file (the link's `download` attribute does not apply across origins). */
async function download(entry) {
  try {
    const r = await fetch(entry.videoUrl);
    if (!r.ok) throw new Error(r.status === 410 ? "the video has expired" : `HTTP ${r.status}`);
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: `aivideo-${entry.taskId.replace(/[^\w.-]+/g, "_")}.mp4` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    notice(`Download failed: ${e.message}`);
  }
}

function showFailure(res) {
  let text = `${res.errorCode}: ${res.errorMessage}`;
  if (res.errorCode === "RATE_LIMITED") text = `Too many requests right now${res.retryAfter ? `: try again in ${Math.ceil(res.retryAfter)} s` : ""}.`;
  else if (res.errorCode === "BUDGET_EXCEEDED") text = `Over budget: ${res.errorMessage}`;
  else if (res.errorCode === "AUTH_FAILED") text = "Your session ended: sign in again.";
  const box = el("div", { className: "failure" });
  box.setAttribute("data-testid", "failure");
  box.setAttribute("role", "alert");
  const ul = el("ul");
  for (const s of res.suggestions || []) ul.append(el("li", { textContent: s }));
  box.append(el("h3", { textContent: text }), ul);
  $("result").replaceChildren(box);
}

export function renderHistory() {
  const list = loadHistory();
  $("history").hidden = !state.session || !list.length;
  $("history-list").replaceChildren(...list.map((e) => {
    const expired = e.expiresAt && Date.parse(e.expiresAt) < Date.now();
    const status = expired ? "EXPIRED" : e.status;
    const li = el("li");
    li.setAttribute("data-testid", "history-item");
    li.dataset.task = e.taskId;
    const meta = el("div", { className: "meta" }, el("span", { className: `pill ${status}`, textContent: status }), el("b", { textContent: e.title }), el("span", { className: "muted", textContent: new Date(e.createdAt).toLocaleString() }));
    li.append(meta, el("p", { className: "prompt", textContent: e.prompt || "(no prompt)" }));
    if (e.videoUrl && !expired) li.append(el("video", { src: e.videoUrl, controls: true, muted: true, playsInline: true, preload: "metadata" }));
    if (e.error) li.append(el("p", { className: "error", textContent: e.error }));
    if (e.ended) li.append(actions(expired ? { ...e, videoUrl: null } : e, "history"));
    return li;
  }));
}
