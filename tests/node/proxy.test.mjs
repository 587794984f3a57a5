// The proxy handler in Node with a scripted upstream: what reaches the browser for each kind
// of upstream answer, and that a misconfiguration never leaks the key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lib } from "./pkg.mjs";

const KEY = "ak_proxy_secret_0123456789";
const ORIGIN = "https://app.example";
const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const req = (path, init = {}) => new Request(`https://proxy.example${path}`, { ...init, headers: { origin: ORIGIN, "content-type": "application/json", ...(init.headers || {}) } });

function proxy(answers, extra = {}) {
  const seen = [];
  const handler = lib.createProxyHandler({
    apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, timeoutMs: 500,
    fetch: (url, init) => { seen.push({ url, init }); const a = answers.shift(); return typeof a === "function" ? a() : a; },
    ...extra,
  });
  return { handler, seen };
}

test("upstream answers reach the browser in the API's own format, with CORS and Retry-After", async () => {
  const { handler, seen } = proxy([
    json(200, { status: "PROGRESS" }),
    json(402, { status: "FAILED", message: "Insufficient credits" }),
    json(429, { status: "FAILED", errorCode: "RATE_LIMITED" }, { "retry-after": "30" }),
  ]);
  const ok = await handler(req("/api/v1/tasks/t1/status"));
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { status: "PROGRESS" });
  assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
  assert.equal(seen[0].url, "https://api.example/api/v1/tasks/t1/status");
  assert.equal(seen[0].init.headers.key, KEY, "the proxy adds its key upstream");
  const poor = await handler(req("/api/v1/account"));
  assert.equal(poor.status, 402);
  const limited = await handler(req("/api/v1/account"));
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "30");
  assert.equal((await limited.json()).errorCode, "RATE_LIMITED");
  // The upstream said wait 30 s: later queries answer 429 at once (longer than the proxy's
  // 500 ms timeout allows), without going upstream, rather than hanging every user.
  const t0 = Date.now();
  const held = await handler(req("/api/v1/tasks/t2/status"));
  assert.equal(held.status, 429);
  assert.ok(Number(held.headers.get("retry-after")) > 25, held.headers.get("retry-after"));
  assert.ok(Date.now() - t0 < 2000, "answered at once");
  assert.equal(seen.length, 3, "nothing more went upstream");
  // The browser's client classifies the proxy's answers exactly as it would the API's.
  const browser = lib.createClient({ baseUrl: "http://127.0.0.1:9", fetch: (u, i) => handler(new Request(u.replace("http://127.0.0.1:9", "https://proxy.example"), { ...i, headers: { ...i.headers, origin: ORIGIN } })) });
  const bad = await browser.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" }, { validate: false, maxCredits: 1 });
  assert.equal(bad.errorCode, "BUDGET_EXCEEDED", JSON.stringify(bad));
});

test("refusals at the edge: invalid payload, over budget, unknown route, wrong method", async () => {
  const { handler, seen } = proxy([]);
  const invalid = await handler(req("/api/v1/generate/t2v", { method: "POST", body: JSON.stringify({ prompt: "a", aspectRatio: "16:9", duration: 5 }) }));
  assert.equal(invalid.status, 400);
  assert.equal((await invalid.json()).errorCode, "INVALID_PAYLOAD");
  const over = await handler(req("/api/v1/generate/t2v_v3", { method: "POST", body: JSON.stringify({ prompt: "a", aspectRatio: "16:9", duration: "20" }) }));
  assert.equal(over.status, 422);
  assert.equal((await over.json()).errorCode, "BUDGET_EXCEEDED");
  assert.equal((await handler(req("/api/v1/nope"))).status, 404);
  assert.equal((await handler(req("/api/v1/tasks/t1/cancel", { method: "POST" }))).status, 405);
  assert.equal(seen.length, 0, "nothing went upstream");
});

test("a misconfigured proxy answers 500 and never shows its key", async () => {
  const { handler } = proxy([], { baseUrl: `http://evil.example/${KEY}` });
  const r = await handler(req("/api/v1/account"));
  assert.equal(r.status, 500);
  const text = await r.text();
  assert.match(text, /proxy error/);
  assert.ok(!text.includes(KEY), text);
});

test("mounted on the app's own site: basePath routes, same-origin requests pass, cross-site ones do not", async () => {
  const { handler, seen } = proxy([json(200, { status: "PROGRESS" }), json(200, { status: "PROGRESS" })], { basePath: "/api/aivideo/" });
  // The page's keyless client uses the same-origin path; its GETs carry no Origin header.
  const page = lib.createClient({ baseUrl: "/api/aivideo", fetch: (u, i) => handler(new Request(`https://app.example${u}`, { ...i, headers: { ...i.headers, "sec-fetch-site": "same-origin" } })) });
  const r = await page.getStatus("t1");
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(seen[0].url, "https://api.example/api/v1/tasks/t1/status");
  const crossSite = await handler(new Request("https://app.example/api/aivideo/api/v1/account", { headers: { "sec-fetch-site": "cross-site" } }));
  assert.equal(crossSite.status, 403);
  const unmounted = await handler(req("/api/aivideo/api/v1/nope"));
  assert.equal(unmounted.status, 404);
  assert.equal((await unmounted.json()).errorCode, "INVALID_ARGUMENT", "a missing route is not a missing task");
  assert.equal(seen.length, 1);
});

test("fails closed and tells nothing: no cap, Origin null, bad escapes, huge bodies, upstream URLs, gone callers", async () => {
  // No cap configured: refused, naming the setting, with CORS for an allowed page.
  const uncapped = lib.createProxyHandler({ apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], fetch: () => json(200, {}) });
  const r = await uncapped(req("/api/v1/account"));
  assert.equal(r.status, 500);
  assert.match((await r.json()).message, /MAX_CREDITS_PER_TASK is not set/);
  assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
  const unlimited = lib.createProxyHandler({ apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: "unlimited", fetch: () => json(200, { ok: true }) });
  assert.equal((await unlimited(req("/api/v1/account"))).status, 200, "\"unlimited\" is an explicit choice");
  // "*" is not "Origin: null".
  const any = lib.createProxyHandler({ apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: ["*"], maxCreditsPerTask: 50, fetch: () => json(200, {}) });
  const nul = await any(new Request("https://proxy.example/api/v1/account", { headers: { origin: "null" } }));
  assert.equal(nul.status, 403);
  // A swapped setting: the 500 names it and never echoes its value.
  const swapped = lib.createProxyHandler({ apiKey: "https://api.example", baseUrl: KEY, allowedOrigins: [ORIGIN], maxCreditsPerTask: 50 });
  const bad = await swapped(req("/api/v1/account"));
  const text = await bad.text();
  assert.equal(bad.status, 500);
  assert.ok(!text.includes(KEY) && !text.includes("api.example"), text);
  // Malformed escapes, huge bodies, upstream URLs, callers that went away.
  const { handler, seen } = proxy([json(200, { status: "SUBMITTED", taskId: "t1", creditsCharged: 15, idempotentReplay: false, responseUrl: "https://internal/x", statusUrl: "https://internal/s", cancelUrl: "https://internal/c" })], { maxBodyBytes: 4096 });
  const esc = await handler(req("/api/v1/tasks/%E0%A4%A/status"));
  assert.equal(esc.status, 400);
  assert.equal(esc.headers.get("access-control-allow-origin"), ORIGIN);
  const big = await handler(req("/api/v1/generate/t2v", { method: "POST", body: JSON.stringify({ prompt: "x".repeat(10000), aspectRatio: "16:9", duration: "5" }) }));
  assert.equal(big.status, 413);
  const created = await handler(req("/api/v1/generate/t2v", { method: "POST", body: JSON.stringify({ prompt: "a", aspectRatio: "16:9", duration: "5" }), headers: { "idempotency-key": "browser-key-123" } }));
  const createdBody = await created.json();
  assert.equal(created.status, 200, JSON.stringify(createdBody));
  assert.ok(!("responseUrl" in createdBody) && !("statusUrl" in createdBody) && !("cancelUrl" in createdBody), JSON.stringify(createdBody));
  assert.equal(seen.length, 1, "a proxied keyed create is sent as is: no look at the operator's task list");
  const gone = new AbortController();
  gone.abort();
  const left = await handler(new Request("https://proxy.example/api/v1/tasks/t1/status", { headers: { origin: ORIGIN }, signal: gone.signal }));
  assert.notEqual(left.status, 200);
  assert.equal(seen.length, 1, "nothing went upstream for a caller that had gone");
});
