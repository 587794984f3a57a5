// The demo page in real Chromium, through the edge proxy in real workerd, against the
// simulator, with the signed-in user's token; and the proxy's guarantees: the key never reaches the browser, disallowed
// models and over-budget creates are refused with nothing sent upstream, CORS only for
// allowed origins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { startDemo } from "../../tools/demo.mjs";
import { DEMO_KEY } from "../../sim/server.mjs";
import { launchChromium } from "../../tools/chromium.mjs";

const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
let demo;
before(async () => { demo = await startDemo({ timeScale: 0.005, maxCreditsPerTask: 100 }); });
after(() => demo.stop());

// A 2×2 PNG, as a user's file.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEIGBkZGRgYAAAYBAL/ZD6X+gAAAABJRU5ErkJggg==", "base64");

/** A signed-in page, with console errors and every request and response text collected. */
async function signedIn(browser, { viewport = { width: 1200, height: 900 }, name = "Ada" } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  const seen = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && !/favicon/.test(m.location().url || "") && errors.push(`console: ${m.text()}`));
  page.on("request", (r) => seen.push(`${r.method()} ${r.url()} ${JSON.stringify(r.headers())}`));
  page.on("response", async (r) => { try { seen.push(await r.text()); } catch {} });
  await page.goto(demo.page.url);
  await page.getByTestId("name").fill(name);
  await page.getByTestId("signin").click();
  await page.getByTestId("who").filter({ hasText: name }).waitFor();
  return { context, page, errors, seen };
}

async function videoDone(page, testid = "video", timeout = 30000) {
  await page.getByTestId(testid).first().waitFor({ timeout });
  return page.getByTestId("task").textContent();
}

test("sign in, inline errors, a model switch after editing, and no overflow at 360 px", async () => {
  const browser = await launchChromium();
  try {
    const { page, errors, seen } = await signedIn(browser);
    await page.getByTestId("usage").filter({ hasText: /credits left today/ }).waitFor();
    await page.selectOption('[data-testid="model"]', "t2v");
    const prompt = page.getByTestId("field-prompt");
    await prompt.fill("");
    await page.getByTestId("error-prompt").filter({ hasText: /empty|required/ }).waitFor();
    assert.equal(await page.getByTestId("submit").isDisabled(), true, "invalid form cannot be submitted");
    assert.equal(await prompt.getAttribute("aria-invalid"), "true");
    await prompt.fill("A red fox trotting through snow");
    await page.waitForFunction(() => document.querySelector('[data-testid="error-prompt"]').textContent === "");
    assert.match(await page.getByTestId("estimate").textContent(), /15/);
    await page.getByTestId("field-duration-8").check();
    assert.match(await page.getByTestId("estimate").textContent(), /24/);
    // Edit, then switch model while the edited field still has focus: no error anywhere.
    await prompt.fill("something else");
    await page.selectOption('[data-testid="model"]', "minimax");
    await page.selectOption('[data-testid="model"]', "wan27");
    await page.selectOption('[data-testid="model"]', "t2v");
    assert.equal(await page.locator("label", { hasText: "Aspect ratio" }).count() + await page.locator("legend", { hasText: "Aspect ratio" }).count(), 1, "human labels from describeModels");
    await page.getByTestId("submit").click();
    const task = await videoDone(page);
    assert.match(task, /^task_/);
    const src = await page.getByTestId("video").first().getAttribute("src");
    assert.match(src, new RegExp(`^${demo.sim.url}/files/task_.*\\.mp4$`));
    await page.waitForFunction(() => document.querySelector("video").readyState >= 2, null, { timeout: 10000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/demo.png` });
    // Phones: nothing wider than the screen, with a finished generation and the history shown.
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(100);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.equal(widths[0], widths[1], `scrollWidth ${widths[0]} vs innerWidth ${widths[1]}`);
    await page.screenshot({ path: `${ARTIFACTS}/demo-360.png`, fullPage: true });
    assert.deepEqual(errors, []);
    assert.ok(!seen.some((t) => t.includes(DEMO_KEY)), "no request or response the browser saw carries the key");
  } finally {
    await browser.close();
  }
});

test("an uploaded image creates an i2v task; reload mid-generation resumes; another take is a new task; download is the MP4", async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await signedIn(browser, { name: "Grace" });
    await page.selectOption('[data-testid="model"]', "i2v");
    // A file that is not an image is refused in the browser.
    await page.getByTestId("file-image").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await page.getByTestId("error-image").filter({ hasText: /PNG, JPEG or WebP/ }).waitFor();
    await page.getByTestId("file-image").setInputFiles({ name: "frame.png", mimeType: "image/png", buffer: PNG });
    await page.getByTestId("thumb-image").waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="submit"]').disabled);
    await page.getByTestId("submit").click();
    const first = await videoDone(page);
    const task = [...demo.sim.state.tasks.values()].find((t) => first.startsWith(t.id));
    assert.ok(task && task.model === "i2v" && /^data:image\/png;base64,/.test(task.input.image), "the i2v task got the uploaded image as a data URI");

    // A long model, and a reload while it runs: the page comes back signed in and resumes it.
    await page.selectOption('[data-testid="model"]', "t2v_v3");
    await page.getByTestId("submit").click();
    await page.getByTestId("status").filter({ hasText: /SUBMITTED|PROGRESS/ }).waitFor();
    const running = await page.getByTestId("task").textContent();
    assert.match(running, /^task_/);
    const after = [];
    page.on("request", (r) => r.url().includes(encodeURIComponent(running)) && after.push(r.url()));
    await page.reload();
    await page.getByTestId("who").filter({ hasText: "Grace" }).waitFor();
    await page.locator(`[data-testid="history-item"][data-task="${running}"]`).waitFor();
    await page.waitForFunction((id) => document.querySelector('[data-testid="task"]').textContent === id && document.querySelector('[data-testid="video"]'), running, { timeout: 30000 });
    assert.ok(after.length >= 1, "after the reload the page asked about its running task");

    // Another take: the same inputs, a new task.
    await page.getByTestId("again-run").click();
    await page.waitForFunction((id) => { const t = document.querySelector('[data-testid="task"]').textContent; return t.startsWith("task_") && t !== id; }, running, { timeout: 30000 });
    const take2 = await page.getByTestId("task").textContent();
    assert.notEqual(take2, running);
    await videoDone(page);
    await page.waitForFunction((id) => document.querySelector('[data-testid="task"]').textContent === id && document.querySelector('[data-testid="video"]'), take2, { timeout: 30000 });

    // Download: the file is the MP4 the simulator serves.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-run").click()]);
    const saved = `${ARTIFACTS}/demo-download.mp4`;
    mkdirSync(ARTIFACTS, { recursive: true });
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    assert.equal(bytes.subarray(4, 8).toString("latin1"), "ftyp", "an MP4 file");
    assert.match(download.suggestedFilename(), /\.mp4$/);
    assert.ok((await page.getByTestId("history-item").count()) >= 3, "three generations in the history");
    await page.screenshot({ path: `${ARTIFACTS}/demo-history.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("a malformed URL to every demo server leaves all of them answering", async () => {
  const raw = (url, path) => new Promise((resolve) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path, method: "GET" }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
    req.on("error", (e) => resolve(`error ${e.code}`));
    req.end();
  });
  for (const [name, url] of [["simulator", demo.sim.url], ["proxy", demo.proxy.url], ["page", demo.page.url]]) {
    for (const path of ["/%E0%A4%A", "/pkg/%E0%A4%A", "/api/v1/tasks/%E0%A4%A/status", "/files/%E0%A4%A.mp4"]) {
      const status = await raw(url, path);
      assert.ok(typeof status === "number" && status >= 400 && status < 500, `${name} ${path}: ${status}`);
    }
  }
  assert.equal((await fetch(`${demo.page.url}/`)).status, 200, "the page still answers");
  assert.equal((await fetch(`${demo.sim.url}/__sim/log`)).status, 200, "the simulator still answers");
  assert.equal((await fetch(`${demo.proxy.url}/api/v1/usage`, { headers: { origin: demo.page.url } })).status, 401, "the proxy still answers");
});

test("the proxy in workerd: key never returned, refusals send nothing upstream, CORS only for allowed origins", async () => {
  const origin = demo.page.url;
  const { token } = await demo.token();
  const call = (path, init = {}) => fetch(demo.proxy.url + path, { ...init, headers: { origin, "content-type": "application/json", authorization: `Bearer ${token}`, ...(init.headers || {}) } });
  await demo.sim.reset();

  const pre = await fetch(`${demo.proxy.url}/api/v1/generate/t2v`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, idempotency-key" } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), origin);
  assert.match(pre.headers.get("access-control-allow-headers"), /idempotency-key/);
  const evil = await fetch(`${demo.proxy.url}/api/v1/generate/t2v`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get("access-control-allow-origin"), null);
  const noOrigin = await fetch(`${demo.proxy.url}/api/v1/account`);
  assert.equal(noOrigin.status, 401, "a script without a token gets nothing (the demo admits authenticated scripts)");

  const anonymous = await fetch(`${demo.proxy.url}/api/v1/generate/t2v`, { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ prompt: "x", aspectRatio: "16:9", duration: "5" }) });
  assert.equal(anonymous.status, 401, "the allowed Origin alone gets nothing");
  const acct = await call("/api/v1/account");
  const acctText = await acct.text();
  assert.equal(acct.status, 403, "the operator's account is for admins");
  assert.ok(!acctText.includes(DEMO_KEY) && ![...acct.headers.values()].some((v) => v.includes(DEMO_KEY)));

  const upstreamBefore = (await demo.sim.log()).length;
  const sora = await call("/api/v1/generate/sora", { method: "POST", body: JSON.stringify({ prompt: "x" }) });
  assert.equal(sora.status, 400);
  assert.equal((await sora.json()).errorCode, "INVALID_MODEL");
  const over = await call("/api/v1/generate/happyhorse", { method: "POST", body: JSON.stringify({ prompt: "x", duration: 15, resolution: "1080P" }) });
  assert.equal(over.status, 422);
  assert.equal((await over.json()).errorCode, "BUDGET_EXCEEDED");
  const invalid = await call("/api/v1/generate/t2v", { method: "POST", body: JSON.stringify({ prompt: "x", aspectRatio: "16:9", duration: 5 }) });
  assert.equal(invalid.status, 400);
  assert.deepEqual((await invalid.json()).details.map((d) => d.field), ["duration"]);
  assert.equal((await demo.sim.log()).length, upstreamBefore, "nothing went upstream for the refusals");

  // A browser sending its own key header gets nothing extra: the proxy uses its own.
  const ok = await call("/api/v1/generate/t2v", { method: "POST", headers: { key: "ak_attacker_000000000000", "idempotency-key": "browser-key-0001" }, body: JSON.stringify({ prompt: "x", aspectRatio: "16:9", duration: "5" }) });
  const body = await ok.json();
  assert.equal(ok.status, 200, JSON.stringify(body));
  assert.equal(body.status, "SUBMITTED");
  const gen = (await demo.sim.log()).filter((e) => e.endpoint === "generate").at(-1);
  assert.match(gen.headers["idempotency-key"], /^px1-/, "the browser's idempotency key goes upstream in the user's namespace");
  assert.equal(body.taskId.startsWith(gen.created), true, "the task id handed out is the upstream one, bound to the user");
  assert.ok(!JSON.stringify(body).includes(DEMO_KEY));
});
