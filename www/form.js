// The demo page's form, from the contract (describeModels): a control per field with labels,
// help and limits, image upload checked here, validated on every keystroke (validatePayload)
// with inline errors, and a live credit estimate (or the server's quote). Must not: create or
// watch tasks (history.js).
import { validatePayload, estimateCredits } from "/pkg/index.js";
import { $, el } from "./dom.js";
import { models, state } from "./page.js";

// The proxy reads bodies up to 12 MiB: a data URI of about 8 MB of image fits.
const PROXY_IMAGE_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];

const EXAMPLES = {
  prompt: "A red fox trotting through fresh snow at sunrise, cinematic, shallow depth of field",
  content: "A paper boat drifting down a rainy city street, reflections, slow camera",
};

export function render(name) {
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
    return imageControl(f, { wrap, label, help, err, mark });
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
function imageControl(f, { wrap, label, help, err, mark }) {
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
export function payload() {
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

export function update() {
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


/** The model picker, and the first model's form. */
export function startForm() {
  for (const m of models) $("model").append(new Option(`${m.title} (${m.model})`, m.model));
  $("model").addEventListener("change", () => render($("model").value));
  render(models[0].model);
}
