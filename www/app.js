// The demo page: sign in (the demo backend mints a short-lived proxy token), a form rendered
// from the contract (describeModels) with labels, help, limits and image upload, validated on
// every keystroke (validatePayload) with inline errors and a live credit estimate, submitted
// through the edge proxy (no key in the browser), watched with progress, and a history kept in
// localStorage (task handles) that resumes running tasks after a reload.
import { createClient, describeModels, validatePayload, estimateCredits } from "/pkg/index.js";

const config = await (await fetch("./config.json")).json().catch(() => ({}));
const proxyUrl = config.proxyUrl || location.origin;
const timeScale = config.timeScale || 1;
const models = describeModels();
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => append(Object.assign(document.createElement(tag), props), children);
function append(node, children) {
  for (const c of children) if (c != null) node.append(c);
  return node;
}
// The proxy reads bodies up to 12 MiB: a data URI of about 8 MB of image fits.
const PROXY_IMAGE_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];
const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCEL"]);

const state = { model: null, touched: new Set(), submitTried: false, running: false, images: {}, session: null, client: null, quoteSeq: 0 };

// ---------------------------------------------------------------------------------------------
// Session: a name, a token from the demo backend, renewed a minute before it expires.

async function signIn(name) {
  const r = await fetch("./session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `sign-in failed (HTTP ${r.status})`);
  state.session = { name: body.name, userId: body.userId, token: body.token, renewAt: Date.now() + (body.expiresInSeconds - 60) * 1000 };
  localStorage.setItem("aivideo-demo-name", body.name);
}

async function token() {
  if (state.session && Date.now() > state.session.renewAt) await signIn(state.session.name);
  return state.session?.token ?? "";
}

async function authedFetch(url, init = {}) {
  const r = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${await token()}` } });
  if (r.status === 401) queueMicrotask(() => signOut("Your session ended: sign in again."));
  return r;
}

function signOut(message) {
  state.session = null;
  state.client = null;
  localStorage.removeItem("aivideo-demo-name");
  for (const id of ["compose", "run", "history", "account"]) $(id).hidden = true;
  $("signin").hidden = false;
  notice(message || "", "info");
}

async function enter(name) {
  await signIn(name);
  state.client = createClient({ baseUrl: proxyUrl, fetch: authedFetch });
  $("signin").hidden = true;
  $("compose").hidden = false;
  $("account").hidden = false;
  $("who").textContent = state.session.name;
  notice("");
  refreshUsage();
  renderHistory();
  resumeRunning();
}

$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("signin-error").textContent = "";
  try {
    await enter($("name").value.trim());
  } catch (err) {
    $("signin-error").textContent = err.message;
  }
});
$("signout").addEventListener("click", () => signOut("Signed out."));
// Enabled once the form is handled here: a click while the page still loads (the wasm is
// fetched and compiled first) would submit the form natively and reload the page.
$("signin-button").disabled = false;

function notice(text, kind = "") {
  $("notice").hidden = !text;
  $("notice").textContent = text;
  $("notice").className = `notice ${kind}`;
}

/** What is left of today's credits, from the proxy's usage route. */
async function refreshUsage() {
  try {
    const r = await authedFetch(`${proxyUrl}/api/v1/usage`);
    if (!r.ok) return;
    const u = await r.json();
    $("usage").textContent = u.creditsPerDay == null ? "No daily credit limit" : `${u.creditsLeftToday} of ${u.creditsPerDay} credits left today`;
  } catch {}
}

// ---------------------------------------------------------------------------------------------
// The form, from the contract.

const EXAMPLES = {
  prompt: "A red fox trotting through fresh snow at sunrise, cinematic, shallow depth of field",
  content: "A paper boat drifting down a rainy city street, reflections, slow camera",
};

for (const m of models) $("model").append(new Option(`${m.title} (${m.model})`, m.model));
$("model").addEventListener("change", () => render($("model").value));
render(models[0].model);

function render(name) {
  state.model = models.find((m) => m.model === name);
  state.touched.clear();
  state.submitTried = false;
  state.images = {};
  state.quoteSeq++;
  const form = $("form");
  // Removing a focused input fires its change event: not an edit of the new model's form.
  state.rendering = true;
  form.replaceChildren();
  state.rendering = false;
  const m = state.model;
  $("model-info").textContent = `${m.pricing}. Typical run time ${Math.round(m.expectedSeconds / 60)} min.${m.rules.length ? " " + m.rules.join("; ") + "." : ""}`;
  for (const f of m.fields) form.append(fieldControl(f));
  update();
}

function limitsText(f) {
  const parts = [];
  if (f.min != null && f.max != null) parts.push(`${f.min} to ${f.max}`);
  if (f.maxItems != null) parts.push(`up to ${f.maxItems}`);
  if (f.default != null) parts.push(`default ${f.default}`);
  if (!f.required) parts.push("optional");
  return parts.join(" · ");
}

function fieldControl(f) {
  const wrap = el("div", { className: "field" });
  wrap.dataset.field = f.name;
  const id = `f-${f.name}`;
  const helpText = [f.help, limitsText(f)].filter(Boolean).join(" ");
  const help = el("p", { className: "help", id: `${id}-help`, textContent: helpText });
  const err = el("div", { className: "error", id: `${id}-error` });
  err.setAttribute("role", "alert");
  err.setAttribute("data-testid", `error-${f.name}`);
  const touch = (e) => {
    if (state.rendering || (e && !e.target.isConnected)) return; // an input removed by a model switch
    state.touched.add(f.name);
    update();
  };
  const described = `${id}-help ${id}-error`;
  const mark = (input) => {
    input.id = id;
    input.setAttribute("data-testid", `field-${f.name}`);
    input.setAttribute("aria-describedby", described);
    if (f.required) input.setAttribute("aria-required", "true");
    input.addEventListener("input", touch);
    input.addEventListener("change", touch);
    return input;
  };
  const title = (tag) => {
    const t = el(tag, { textContent: f.label });
    if (f.required) t.append(el("span", { className: "req", textContent: " *" }));
    return t;
  };

  // A few allowed values: a segmented control (radio group); more: a select.
  if (f.allowed && f.allowed.length <= 4 && f.required) {
    const set = el("fieldset", { className: "segments-set" });
    set.setAttribute("aria-describedby", described);
    const group = el("div", { className: "segments" });
    f.allowed.forEach((v, i) => {
      const radio = el("input", { type: "radio", name: id, value: String(v), checked: i === 0 });
      radio.setAttribute("data-testid", `field-${f.name}-${v}`);
      radio.addEventListener("change", touch);
      group.append(el("label", {}, radio, String(v)));
    });
    const hidden = el("input", { type: "hidden" });
    hidden.id = id;
    hidden.setAttribute("data-testid", `field-${f.name}`);
    set.append(title("legend"), help, group, hidden);
    wrap.append(set, err);
    return wrap;
  }
  const label = title("label");
  label.htmlFor = id;
  let input;
  if (f.allowed) {
    input = el("select");
    if (!f.required) input.append(new Option(f.default != null ? `default (${f.default})` : "—", ""));
    for (const v of f.allowed) input.append(new Option(String(v), String(v)));
  } else if (f.type === "boolean") {
    input = el("input", { type: "checkbox" });
  } else if (f.media === "image" && f.acceptsDataUri && f.type === "string") {
    return imageControl(f, wrap, label, help, err, mark);
  } else if (f.type === "string[]" || f.type === "string | string[]" || f.name === "prompt" || f.name === "content") {
    input = el("textarea");
    if (f.type !== "string") input.placeholder = "one per line";
    if ((f.required || f.name === "prompt") && EXAMPLES[f.name]) input.value = EXAMPLES[f.name];
  } else {
    input = el("input", { type: f.type === "number" || f.type === "integer" ? "number" : "text" });
    if (f.media) input.placeholder = "https://…";
    if (f.required && f.min != null) input.value = String(f.min + (f.max - f.min > 4 ? 2 : 0));
  }
  wrap.append(label, help, mark(input), err);
  return wrap;
}

/** An image: pick or drop a file (checked here: type and size; sent as a data URI), or a URL. */
function imageControl(f, wrap, label, help, err, mark) {
  const limit = Math.min(f.maxDataUriBytes || PROXY_IMAGE_BYTES, PROXY_IMAGE_BYTES);
  const file = el("input", { type: "file", accept: IMAGE_TYPES.join(",") });
  file.id = `f-${f.name}-file`;
  file.setAttribute("data-testid", `file-${f.name}`);
  file.setAttribute("aria-label", `${f.label}: choose an image file`);
  const url = mark(el("input", { type: "url", placeholder: "or an https:// image URL" }));
  const thumb = el("img", { className: "thumb", alt: "", hidden: true });
  thumb.setAttribute("data-testid", `thumb-${f.name}`);
  const clear = el("button", { type: "button", className: "link", textContent: "Remove", hidden: true });
  const drop = el("div", { className: "drop" }, el("div", { className: "row" }, file, thumb, clear), url);
  label.htmlFor = url.id;
  const take = (picked) => {
    delete state.images[f.name];
    thumb.hidden = true;
    clear.hidden = true;
    state.touched.add(f.name);
    if (!picked) return update();
    const problem = !IMAGE_TYPES.includes(picked.type)
      ? `${picked.name} is ${picked.type || "not an image"}: use PNG, JPEG or WebP.`
      : picked.size > limit ? `${picked.name} is ${(picked.size / 1048576).toFixed(1)} MB; at most ${(limit / 1048576).toFixed(0)} MB can be sent.` : null;
    if (problem) {
      state.imageErrors = { ...state.imageErrors, [f.name]: problem };
      file.value = "";
      return update();
    }
    if (state.imageErrors) delete state.imageErrors[f.name];
    const reader = new FileReader();
    reader.onload = () => {
      if (!wrap.isConnected) return;
      state.images[f.name] = { dataUri: String(reader.result), name: picked.name };
      thumb.src = String(reader.result);
      thumb.alt = `Selected: ${picked.name}`;
      thumb.hidden = false;
      clear.hidden = false;
      url.value = "";
      update();
    };
    reader.readAsDataURL(picked);
  };
  file.addEventListener("change", () => take(file.files[0]));
  clear.addEventListener("click", () => { file.value = ""; take(null); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); take(e.dataTransfer.files[0]); });
  wrap.append(label, help, drop, err);
  return wrap;
}

/** The form as a payload, typed as the contract says. Empty optional fields are left out. */
function payload() {
  const out = {};
  for (const f of state.model.fields) {
    const node = $(`f-${f.name}`);
    if (!node) continue;
    if (node.type === "hidden") {
      const picked = document.querySelector(`input[name="f-${f.name}"]:checked`);
      if (picked) out[f.name] = typeof f.allowed?.[0] === "number" ? Number(picked.value) : picked.value;
      continue;
    }
    if (f.type === "boolean") { if (node.checked) out[f.name] = true; continue; }
    if (state.images[f.name]) { out[f.name] = state.images[f.name].dataUri; continue; }
    const raw = node.value.trim();
    if (raw === "") { if (f.required && f.type === "string") out[f.name] = ""; continue; }
    if (f.type === "string[]" || (f.type === "string | string[]" && raw.includes("\n"))) out[f.name] = raw.split("\n").map((s) => s.trim()).filter(Boolean);
    else if (f.type === "number" || f.type === "integer") out[f.name] = Number(raw);
    else if (f.allowed && typeof f.allowed[0] === "number") out[f.name] = Number(raw);
    else out[f.name] = raw;
  }
  return out;
}

function update() {
  const p = payload();
  const v = validatePayload(state.model.model, p);
  const byField = new Map(Object.entries(state.imageErrors || {}));
  for (const i of v.ok ? [] : v.issues) {
    const root = i.path.replace(/\[.*$/, "");
    if (!byField.has(root)) byField.set(root, i.message);
  }
  let shown = 0;
  for (const wrap of $("form").children) {
    const name = wrap.dataset.field;
    const msg = state.touched.has(name) || state.submitTried ? byField.get(name) : undefined;
    if (msg) shown++;
    wrap.classList.toggle("invalid", Boolean(msg));
    const input = $(`f-${name}`);
    if (input) input.setAttribute("aria-invalid", msg ? "true" : "false");
    wrap.querySelector(".error").textContent = msg || "";
  }
  const others = v.ok ? [] : v.issues.filter((i) => !state.model.fields.some((f) => i.path.startsWith(f.name)));
  const hidden = v.ok ? 0 : byField.size - shown;
  const items = others.map((i) => el("li", { textContent: i.message }));
  if (hidden > 0) items.push(el("li", { className: "muted", textContent: `${hidden} field${hidden > 1 ? "s" : ""} still to fill in or fix.` }));
  $("form-issues").replaceChildren(...items);
  const ok = v.ok && !Object.keys(state.imageErrors || {}).length;
  const seq = ++state.quoteSeq;
  const e = estimateCredits(state.model.model, p);
  if (!ok) $("estimate").textContent = e.credits != null ? "" : "Priced by the server once the form is valid";
  else if (e.credits != null) $("estimate").innerHTML = `Estimated <b>${e.credits}</b> credits ($${e.usd.toFixed(2)})`;
  else serverQuote(state.model.model, p, seq);
  $("submit").disabled = !ok || state.running;
  return ok;
}

/** Models priced only by the server: ask the free quote (through the proxy), debounced; an
 * answer for a form that has changed since is dropped. */
let quoteTimer = null;
function serverQuote(model, p, seq) {
  $("estimate").textContent = "Asking the server for a quote…";
  clearTimeout(quoteTimer);
  quoteTimer = setTimeout(async () => {
    if (!state.client || seq !== state.quoteSeq) return;
    const q = await state.client.quote(model, p);
    if (seq !== state.quoteSeq) return;
    $("estimate").innerHTML = q.ok ? `Server quote <b>${q.data.credits}</b> credits` : "";
    if (!q.ok) $("estimate").textContent = `Quote unavailable: ${q.errorMessage}`;
  }, 300);
}

// ---------------------------------------------------------------------------------------------
// Generations and the history.

const historyKey = () => `aivideo-demo-history:${state.session?.userId}`;
const loadHistory = () => { try { return JSON.parse(localStorage.getItem(historyKey()) || "[]"); } catch { return []; } };
function saveEntry(entry) {
  const list = loadHistory().filter((e) => e.taskId !== entry.taskId);
  list.unshift(entry);
  // A payload with an uploaded image is not kept (storage is small): "Another take" then uses the form.
  localStorage.setItem(historyKey(), JSON.stringify(list.slice(0, 30)));
  renderHistory();
}

$("submit").addEventListener("click", () => {
  state.submitTried = true;
  if (!update()) return;
  generate(state.model, payload());
});

async function generate(model, p) {
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
  const status = done.ok ? "COMPLETED" : done.errorCode === "CANCELLED" ? "CANCEL" : done.errorCode === "GENERATION_FAILED" ? "FAILED" : entry.status;
  const updated = { ...entry, status, videoUrl: done.ok ? done.data.output.url : null, expiresAt: done.ok ? done.data.expiresAt : null, error: done.ok ? null : `${done.errorCode}: ${done.errorMessage}` };
  if (TERMINAL.has(status) || done.ok) saveEntry(updated);
  finish(updated, done);
  refreshUsage();
}

function resumeRunning() {
  const running = loadHistory().filter((e) => !TERMINAL.has(e.status) && e.handle);
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

function renderHistory() {
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
    if (TERMINAL.has(e.status)) li.append(actions(expired ? { ...e, videoUrl: null } : e, "history"));
    return li;
  }));
}

// Signed in before this load: straight back in (running tasks resume).
const remembered = localStorage.getItem("aivideo-demo-name");
if (remembered) enter(remembered).catch(() => signOut("Sign in again."));
