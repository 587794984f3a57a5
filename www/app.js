// The demo page: a form rendered from the contract (describeModels), validated on every
// keystroke (validatePayload) with inline errors and a live credit estimate, submitted
// through the edge proxy (no key in the browser), watched with progress, played when done.
import { createClient, describeModels, validatePayload, estimateCredits } from "/pkg/index.js";

const config = await (await fetch("./config.json")).json().catch(() => ({}));
// The proxy wants the signed-in user's token: fetched from the app's backend, renewed a minute
// before it expires, and added to every request the client sends.
let session = null;
async function token() {
  if (!session || Date.now() > session.renewAt) {
    const t = await (await fetch("./session/token")).json();
    session = { token: t.token, renewAt: Date.now() + (t.expiresInSeconds - 60) * 1000 };
  }
  return session.token;
}
const client = createClient({
  baseUrl: config.proxyUrl || location.origin,
  fetch: async (url, init) => fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${await token()}` } }),
});
const models = describeModels();
const $ = (id) => document.getElementById(id);
const state = { model: null, touched: new Set(), running: null };

const EXAMPLES = {
  prompt: "A red fox trotting through fresh snow at sunrise, cinematic, shallow depth of field",
  content: "A paper boat drifting down a rainy city street, reflections, slow camera",
  image: "https://picsum.photos/id/1025/1024/576",
};

for (const m of models) $("model").append(new Option(`${m.title} (${m.model})`, m.model));
$("model").addEventListener("change", () => render($("model").value));
render(models[0].model);

function render(name) {
  state.model = models.find((m) => m.model === name);
  state.touched.clear();
  const form = $("form");
  form.replaceChildren();
  const m = state.model;
  $("model-info").textContent = `${m.pricing}. Typical run time ${Math.round(m.expectedSeconds / 60)} min.${m.rules.length ? " " + m.rules.join("; ") + "." : ""}`;
  for (const f of m.fields) form.append(fieldControl(f));
  update();
}

function fieldControl(f) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  wrap.dataset.field = f.name;
  const label = document.createElement("label");
  label.htmlFor = `f-${f.name}`;
  label.innerHTML = `${f.name}${f.required ? ' <span class="req">*</span>' : ""}<span class="hint"></span>`;
  label.querySelector(".hint").textContent = [f.type, f.description].filter(Boolean).join(" · ");
  let input;
  if (f.allowed) {
    input = document.createElement("select");
    if (!f.required) input.append(new Option(f.default != null ? `default (${f.default})` : "—", ""));
    for (const v of f.allowed) input.append(new Option(String(v), String(v)));
    if (f.required) input.value = String(f.allowed[0]);
  } else if (f.type === "boolean") {
    input = document.createElement("input");
    input.type = "checkbox";
  } else if (f.type === "string[]" || f.type === "string | string[]" || f.name === "prompt" || f.name === "content") {
    input = document.createElement("textarea");
    if (f.type !== "string") input.placeholder = "one per line";
    if ((f.required || f.name === "prompt") && EXAMPLES[f.name]) input.value = EXAMPLES[f.name];
  } else {
    input = document.createElement("input");
    input.type = f.type === "number" || f.type === "integer" ? "number" : "text";
    if (f.media) input.placeholder = f.acceptsDataUri ? "https://… or data:image/…;base64,…" : "https://…";
    if (f.required && f.min != null) input.value = String(f.min + (f.max - f.min > 4 ? 2 : 0));
    if (f.required && EXAMPLES[f.name]) input.value = EXAMPLES[f.name];
  }
  input.id = `f-${f.name}`;
  input.dataset.testid = `field-${f.name}`;
  input.setAttribute("data-testid", `field-${f.name}`);
  const touch = () => { state.touched.add(f.name); update(); };
  input.addEventListener("input", touch);
  input.addEventListener("change", touch);
  const err = document.createElement("div");
  err.className = "error";
  err.setAttribute("data-testid", `error-${f.name}`);
  wrap.append(label, input, err);
  return wrap;
}

/** The form as a payload, typed as the contract says. Empty optional fields are left out. */
function payload() {
  const out = {};
  for (const f of state.model.fields) {
    const el = $(`f-${f.name}`);
    if (f.type === "boolean") { if (el.checked) out[f.name] = true; continue; }
    const raw = el.value.trim();
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
  const byField = new Map();
  for (const i of v.ok ? [] : v.issues) {
    const root = i.path.replace(/\[.*$/, "");
    if (!byField.has(root)) byField.set(root, i.message);
  }
  for (const wrap of $("form").children) {
    const name = wrap.dataset.field;
    const msg = state.touched.has(name) || state.submitTried ? byField.get(name) : undefined;
    wrap.classList.toggle("invalid", Boolean(msg));
    wrap.querySelector(".error").textContent = msg || "";
  }
  const others = v.ok ? [] : v.issues.filter((i) => !state.model.fields.some((f) => i.path.startsWith(f.name)));
  const hidden = v.ok ? 0 : v.issues.length - others.length - [...$("form").children].filter((w) => w.classList.contains("invalid")).length;
  const items = others.map((i) => Object.assign(document.createElement("li"), { textContent: i.message }));
  if (hidden > 0) items.push(Object.assign(document.createElement("li"), { className: "muted", textContent: `${hidden} field${hidden > 1 ? "s" : ""} still to fill in or fix.` }));
  $("form-issues").replaceChildren(...items);
  const e = estimateCredits(state.model.model, p);
  if (e.credits != null) $("estimate").innerHTML = `Estimated <b>${e.credits}</b> credits ($${e.usd.toFixed(2)})`;
  else if (v.ok) serverQuote(state.model.model, p);
  else $("estimate").textContent = "Priced by the server once the form is valid";
  $("submit").disabled = !v.ok || Boolean(state.running);
  return v;
}

/** Models priced only by the server: ask the free quote (through the proxy), debounced. */
let quoteTimer = null;
function serverQuote(model, p) {
  $("estimate").textContent = "Asking the server for a quote…";
  clearTimeout(quoteTimer);
  quoteTimer = setTimeout(async () => {
    const q = await client.quote(model, p);
    if (state.model.model !== model) return;
    $("estimate").innerHTML = q.ok ? `Server quote <b>${q.data.credits}</b> credits ($${q.data.listPriceUsd.toFixed(2)})` : `Quote unavailable: ${q.errorMessage}`;
  }, 300);
}

$("submit").addEventListener("click", async () => {
  state.submitTried = true;
  if (!update().ok) return;
  const p = payload();
  state.running = true;
  $("submit").disabled = true;
  $("run").hidden = false;
  $("result").replaceChildren();
  setProgress({ status: "SUBMITTING", elapsedMs: 0, polls: 0 });
  const created = await client.createGeneration(state.model.model, p, { maxCredits: config.maxCredits });
  if (!created.ok) return finish(created);
  $("p-task").textContent = created.taskId;
  setProgress({ status: created.status, elapsedMs: 0, polls: 0 });
  $("cancel").disabled = false;
  $("cancel").onclick = async () => {
    $("cancel").disabled = true;
    const c = await client.cancelTask(created.taskId);
    if (!c.ok) showFailure(c);
  };
  const expected = (state.model.expectedSeconds * 1000) * (config.timeScale || 1);
  const done = await client.waitForTask(created.data.handle, {
    timeScale: config.timeScale || 1,
    onProgress: (e) => setProgress(e, expected),
  });
  finish(done);
});

function setProgress(e, expected) {
  $("p-status").textContent = e.status ?? "…";
  $("p-status").className = `pill ${e.status ?? ""}`;
  $("p-elapsed").textContent = `${(e.elapsedMs / 1000).toFixed(1)} s`;
  $("p-polls").textContent = String(e.polls);
  if (e.status !== "SUBMITTED") $("cancel").disabled = true;
  if (expected) $("p-bar").style.width = `${Math.min(95, (100 * e.elapsedMs) / expected)}%`;
}

function finish(res) {
  state.running = null;
  $("cancel").disabled = true;
  if (res.taskId) $("p-task").textContent = res.taskId;
  if (res.ok) {
    $("p-bar").style.width = "100%";
    $("p-status").textContent = "COMPLETED";
    $("p-status").className = "pill COMPLETED";
    const video = Object.assign(document.createElement("video"), { src: res.data.output.url, controls: true, autoplay: true, muted: true, loop: true, playsInline: true });
    video.setAttribute("data-testid", "video");
    const note = Object.assign(document.createElement("p"), { className: "muted", textContent: `Available until ${new Date(res.data.expiresAt).toLocaleString()}.` });
    $("result").replaceChildren(video, note);
  } else {
    $("p-status").textContent = res.status || "FAILED";
    $("p-status").className = "pill FAILED";
    showFailure(res);
  }
  update();
}

function showFailure(res) {
  const box = document.createElement("div");
  box.className = "failure";
  box.setAttribute("data-testid", "failure");
  const h = Object.assign(document.createElement("h3"), { textContent: `${res.errorCode}: ${res.errorMessage}` });
  const ul = document.createElement("ul");
  for (const s of res.suggestions || []) ul.append(Object.assign(document.createElement("li"), { textContent: s }));
  box.append(h, ul);
  $("result").replaceChildren(box);
}
