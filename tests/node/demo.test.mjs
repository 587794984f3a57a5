// The demo page in real Chromium, through the edge proxy in real workerd, against the
// simulator, with the signed-in user's token; and the proxy's guarantees: the key never reaches the browser, disallowed
// models and over-budget creates are refused with nothing sent upstream, CORS only for
// allowed origins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { startDemo } from "../../tools/demo.mjs";
import { DEMO_KEY } from "../../sim/server.mjs";
import { launchChromium } from "../../tools/chromium.mjs";

const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
let demo;
before(async () => { demo = await startDemo({ timeScale: 0.005, maxCreditsPerTask: 100 }); });
after(() => demo.stop());

test("the page: a field error appears and disappears, submit shows progress, the video plays", async () => {
  const browser = await launchChromium();
  const seen = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("response", async (r) => { try { seen.push(await r.text()); } catch {} });
    page.on("request", (r) => seen.push(JSON.stringify(r.headers())));
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(demo.page.url);
    await page.selectOption('[data-testid="model"]', "t2v");
    const prompt = page.getByTestId("field-prompt");
    await prompt.fill("");
    await page.getByTestId("error-prompt").filter({ hasText: /empty|required/ }).waitFor();
    assert.equal(await page.getByTestId("submit").isDisabled(), true, "invalid form cannot be submitted");
    await prompt.fill("A red fox trotting through snow");
    await page.waitForFunction(() => document.querySelector('[data-testid="error-prompt"]').textContent === "");
    assert.match(await page.getByTestId("estimate").textContent(), /15/);
    await page.selectOption('[data-testid="field-duration"]', "8");
    assert.match(await page.getByTestId("estimate").textContent(), /24/);

    await page.getByTestId("submit").click();
    const statuses = new Set();
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      statuses.add(await page.getByTestId("status").textContent());
      if (await page.getByTestId("video").count()) break;
      await page.waitForTimeout(50);
    }
    const src = await page.getByTestId("video").getAttribute("src");
    assert.match(src, new RegExp(`^${demo.sim.url}/files/task_.*\\.mp4$`));
    assert.ok(statuses.size >= 2, `progress changed: ${[...statuses]}`);
    assert.ok(Number(await page.getByTestId("polls").textContent()) >= 1);
    await page.waitForFunction(() => document.querySelector("video").readyState >= 2, null, { timeout: 10000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/demo.png` });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
  assert.ok(!seen.some((t) => t.includes(DEMO_KEY)), "no request or response the browser saw carries the key");
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
