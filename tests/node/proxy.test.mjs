// The proxy handler in Node with a scripted upstream: what reaches the browser for each kind
// of upstream answer, and that a misconfiguration never leaks the key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lib, proxyLib } from "./pkg.mjs";

const { createProxyHandler, jwtAuthorizer, mintProxyToken, memoryStore } = proxyLib;
const ALICE = () => ({ userId: "alice" });
// The scripted-upstream tests below act as an admin (raw task ids, the account); the
// ownership tests use ordinary callers.
const OPS = () => ({ userId: "ops", admin: true });

const KEY = "ak_proxy_secret_0123456789";
const ORIGIN = "https://app.example";
const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const req = (path, init = {}) => new Request(`https://proxy.example${path}`, { ...init, headers: { origin: ORIGIN, "content-type": "application/json", ...(init.headers || {}) } });

function proxy(answers, extra = {}) {
  const seen = [];
  const handler = createProxyHandler({
    authorize: OPS, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, timeoutMs: 500,
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

test("mounted on the app's own site with no allowed origins: the page's POST and PUT pass (Origin is the site's own)", async () => {
  const created = [];
  const handler = createProxyHandler({
    authorize: ALICE, apiKey: KEY, baseUrl: "https://api.example", maxCreditsPerTask: 50, basePath: "/api/aivideo",
    fetch: (url) => { created.push(url); return json(200, { status: "SUBMITTED", taskId: "t1", creditsCharged: 15, idempotentReplay: false }); },
  });
  const post = (origin, site) => handler(new Request("https://shop.example/api/aivideo/api/v1/generate/t2v", {
    method: "POST", body: JSON.stringify({ prompt: "a", aspectRatio: "16:9", duration: "5" }),
    headers: { origin, ...(site ? { "sec-fetch-site": site } : {}), "content-type": "application/json" },
  }));
  assert.equal((await post("https://shop.example", "same-origin")).status, 200, "the site's own page");
  assert.equal((await post("https://shop.example", null)).status, 200, "the site's own Origin, without Sec-Fetch-Site (an older browser)");
  // Behind a reverse proxy that rewrites the URL (http://127.0.0.1:3000), the browser's word decides.
  assert.equal((await post("https://app.example", "same-origin")).status, 200, "Sec-Fetch-Site: same-origin, with the public origin");
  assert.equal((await post("https://evil.example", "cross-site")).status, 403, "another site's page");
  assert.equal((await post("https://evil.example", null)).status, 403, "another site's Origin, no Sec-Fetch-Site");
  assert.equal((await post("null", "same-origin")).status, 403, "Origin: null never passes");
  assert.equal(created.length, 3);
});

test("fails closed and tells nothing: no cap, Origin null, bad escapes, huge bodies, upstream URLs, gone callers", async () => {
  // No cap configured: refused, naming the setting, with CORS for an allowed page.
  const uncapped = createProxyHandler({ authorize: OPS, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], fetch: () => json(200, {}) });
  const r = await uncapped(req("/api/v1/account"));
  assert.equal(r.status, 500);
  assert.match((await r.json()).message, /MAX_CREDITS_PER_TASK is not set/);
  assert.equal(r.headers.get("access-control-allow-origin"), ORIGIN);
  const unlimited = createProxyHandler({ authorize: OPS, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: "unlimited", fetch: () => json(200, { ok: true }) });
  assert.equal((await unlimited(req("/api/v1/account"))).status, 200, "\"unlimited\" is an explicit choice");
  // "*" is not "Origin: null".
  const any = createProxyHandler({ authorize: ALICE, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: ["*"], maxCreditsPerTask: 50, fetch: () => json(200, {}) });
  const nul = await any(new Request("https://proxy.example/api/v1/account", { headers: { origin: "null" } }));
  assert.equal(nul.status, 403);
  // allowedOrigins in code and ALLOWED_ORIGINS in env are both used (a local page in .dev.vars
  // beside production origins in code), and a refused origin's 403 names both.
  const both = createProxyHandler({ authorize: OPS, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, fetch: () => json(200, { ok: true }) });
  const env = { ALLOWED_ORIGINS: "http://localhost:5173" };
  const from = (origin) => new Request("https://proxy.example/api/v1/account", { headers: { origin } });
  assert.equal((await both(from(ORIGIN), env)).status, 200, "the code's origin");
  assert.equal((await both(from("http://localhost:5173"), env)).status, 200, "the env's origin");
  const refused = await both(from("https://evil.example"), env);
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).message, /allowedOrigins \(code\) or ALLOWED_ORIGINS \(env/);
  // A swapped setting: the 500 names it and never echoes its value.
  const swapped = createProxyHandler({ authorize: ALICE, apiKey: "https://api.example", baseUrl: KEY, allowedOrigins: [ORIGIN], maxCreditsPerTask: 50 });
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

test("authentication is required: no authorize refuses to start; anonymous mode is explicit and per client IP where the address is trusted", async () => {
  assert.throws(() => createProxyHandler({ apiKey: KEY, maxCreditsPerTask: 50 }), /authorize is required.*allowAnonymous: true/);
  assert.throws(() => createProxyHandler({ authorize: ALICE, allowAnonymous: true, maxCreditsPerTask: 50 }), /not both/);
  assert.throws(() => createProxyHandler({ authorize: ALICE, maxCreditsPerTask: -3 }), /maxCreditsPerTask must be/);
  const seen = [];
  const anon = createProxyHandler({
    // The operator says a proxy in front sets this header (else only Cloudflare's is trusted).
    allowAnonymous: true, clientIpHeader: "cf-connecting-ip", apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, requestsPerMinute: 2,
    fetch: (url) => { seen.push(url); return json(200, { status: "SUBMITTED", taskId: "t9", creditsCharged: 15, idempotentReplay: false }); },
  });
  const from = (ip) => req("/api/v1/generate/t2v", { method: "POST", body: JSON.stringify({ prompt: "a", aspectRatio: "16:9", duration: "5" }), headers: { "cf-connecting-ip": ip } });
  assert.equal((await anon(from("203.0.113.1"))).status, 200);
  assert.equal((await anon(from("203.0.113.1"))).status, 200);
  const third = await anon(from("203.0.113.1"));
  assert.equal(third.status, 429, "two a minute per IP");
  assert.ok(Number(third.headers.get("retry-after")) >= 1);
  assert.equal((await anon(from("198.51.100.7"))).status, 200, "another IP has its own budget");
  assert.equal(seen.length, 3);
  // An anonymous caller still cannot read the operator's account or task list.
  assert.equal((await anon(req("/api/v1/tasks", { headers: { "cf-connecting-ip": "198.51.100.8" } }))).status, 403);
  // No client IP: refused (not one shared bucket); IPv6 counts per /64 (one host holds a /64).
  assert.equal((await anon(req("/api/v1/tasks/t1/status"))).status, 400);
  const v6 = (a) => anon(from(a));
  assert.equal((await v6("2001:db8:1:2::1")).status, 200);
  assert.equal((await v6("2001:db8:1:2::2")).status, 200);
  assert.equal((await v6("2001:db8:1:2:ffff::9")).status, 429, "the same /64");
  assert.equal((await v6("2001:0DB8:0001:0002:0:0:0:7")).status, 429, "the same /64, spelled out");
  assert.equal((await v6("x".repeat(100))).status, 400, "not an address");

  // Not on Cloudflare (no request.cf) and no header declared: CF-Connecting-IP is anyone's to
  // write, so every anonymous caller is one caller. 15 rotated addresses get one caller's
  // daily credits (30 here: two 15-credit creates), not fifteen.
  let made = 0;
  const open = createProxyHandler({
    allowAnonymous: true, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, creditsPerDay: 30,
    fetch: () => { made++; return json(200, { status: "SUBMITTED", taskId: `t${made}`, creditsCharged: 15, idempotentReplay: false }); },
  });
  const statuses = [];
  for (let i = 0; i < 15; i++) statuses.push((await open(from(`198.51.100.${i + 1}`))).status);
  assert.equal(made, 2, `rotated addresses created ${made} tasks (${statuses.join(",")})`);
});

test("jwtAuthorizer (HS256): missing, forged, expired, foreign and 'none' tokens get 401; a missing secret is a 500 naming it", async () => {
  const SECRET = "a-long-shared-secret-of-32-chars-or-more";
  const handler = createProxyHandler({ authorize: jwtAuthorizer(), apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, fetch: () => json(200, { status: "PROGRESS" }) });
  const env = { AIVIDEO_TOKEN_SECRET: SECRET };
  const withToken = (t) => req("/api/v1/tasks/t1/status", { headers: { authorization: `Bearer ${t}` } });
  const none = await handler(req("/api/v1/tasks/t1/status"), env);
  assert.equal(none.status, 401);
  assert.match(none.headers.get("www-authenticate"), /^Bearer/);
  assert.equal(none.headers.get("access-control-allow-origin"), ORIGIN, "the page can read why");
  assert.equal((await none.json()).errorCode, "AUTH_FAILED");
  const good = await mintProxyToken({ secret: SECRET, userId: "alice" });
  const forged = await mintProxyToken({ secret: "another-secret-that-is-32-chars-long!", userId: "alice" });
  const expired = await mintProxyToken({ secret: SECRET, userId: "alice", expiresIn: Math.floor(Date.now() / 1000) - 120 });
  const foreign = await mintProxyToken({ secret: SECRET, userId: "alice", audience: "some-other-service" });
  const [h, p] = good.split(".");
  const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${p}.`;
  for (const [name, t] of [["forged", forged], ["expired", expired], ["foreign audience", foreign], ["alg none", unsigned], ["garbage", `${h}.x.y`]]) {
    assert.equal((await handler(withToken(t), env)).status, 401, name);
  }
  // A valid token reaches the route (alice is no admin: a raw task id is nobody's).
  const own = await handler(withToken(good), env);
  assert.equal(own.status, 404);
  assert.equal((await own.json()).errorCode, "TASK_NOT_FOUND");
  // No secret configured: a 500 that names the setting; a short one too; never the value.
  const unset = await handler(withToken(good), {});
  assert.equal(unset.status, 500);
  assert.match((await unset.json()).message, /AIVIDEO_TOKEN_SECRET is not set/);
  const short = await handler(withToken(good), { AIVIDEO_TOKEN_SECRET: "short-secret" });
  const shortText = await short.text();
  assert.equal(short.status, 500);
  assert.ok(!shortText.includes("short-secret"), shortText);
  await assert.rejects(mintProxyToken({ secret: "short", userId: "a" }), /32 characters/);
});

test("jwtAuthorizer (ES256 via a JWKS URL): the identity provider's tokens, with admin and limits claims", async () => {
  const jose = await import("jose");
  const { publicKey, privateKey } = await jose.generateKeyPair("ES256");
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const http = await import("node:http");
  const server = http.createServer((q, s) => { s.writeHead(200, { "content-type": "application/json" }); s.end(JSON.stringify({ keys: [jwk] })); });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const seen = [];
    const handler = createProxyHandler({
      authorize: jwtAuthorizer({ jwksUrl: `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`, issuer: "https://id.example" }),
      apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50,
      fetch: (url) => { seen.push(url); return json(200, { balance: 100 }); },
    });
    const sign = (claims, sub = "bob") => new jose.SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1" }).setSubject(sub).setIssuer("https://id.example").setAudience("aivideo-proxy").setIssuedAt().setExpirationTime("5m").sign(privateKey);
    const as = async (t) => handler(req("/api/v1/account", { headers: { authorization: `Bearer ${t}` } }));
    assert.equal((await as(await sign({}))).status, 403, "an ordinary user cannot read the operator's account");
    assert.equal((await as(await sign({ aivideo: { admin: true } }, "ops"))).status, 200, "an admin can");
    // An HS256 token "signed" with the public key (the classic confusion) is refused.
    const confused = await new jose.SignJWT({ aivideo: { admin: true } }).setProtectedHeader({ alg: "HS256" }).setSubject("ops").setIssuer("https://id.example").setAudience("aivideo-proxy").setIssuedAt().setExpirationTime("5m").sign(new TextEncoder().encode(JSON.stringify(jwk)));
    assert.equal((await as(confused)).status, 401);
    // Per-user limits from the token: one request a minute for this user.
    const slow = await sign({ aivideo: { requestsPerMinute: 1 } }, "carol");
    assert.equal((await as(slow)).status, 403);
    assert.equal((await as(slow)).status, 429);
    assert.equal(seen.length, 1);
  } finally {
    server.close();
  }
  assert.throws(() => jwtAuthorizer({ jwksUrl: "http://id.example/jwks" }), /https/);
});

test("memoryStore: fixed windows, give-backs, and bounded size", async () => {
  const store = memoryStore({ maxKeys: 100 });
  assert.deepEqual(await store.take("a", 3, 5, 1000, 10_500), { ok: true, used: 3, resetAt: 11_000 });
  assert.equal((await store.take("a", 3, 5, 1000, 10_600)).ok, false);
  await store.give("a", 2, 1000, 10_700);
  assert.equal((await store.take("a", 3, 5, 1000, 10_800)).used, 4);
  assert.equal((await store.take("a", 5, 5, 1000, 11_000)).ok, true, "a new window starts empty");
  for (let i = 0; i < 1000; i++) await store.take(`k${i}`, 1, 5, 1000, 20_000 + i);
  // The oldest counters were forgotten, so an early key starts over; a recent one still counts.
  assert.equal((await store.take("k0", 5, 5, 1000, 20_999)).ok, true, "k0 was forgotten");
  assert.equal((await store.take("k999", 5, 5, 1000, 20_999)).ok, false, "k999 still counts its 1");
});

test("money: a caller who leaves mid-create is still charged (the create runs on); a server-priced create without a finite cap stays within the day", async () => {
  let creates = 0;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const handler = createProxyHandler({
    authorize: ALICE, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: 50, creditsPerDay: 30,
    fetch: async (url) => {
      if (url.includes("/generate/")) {
        creates++;
        await sleep(150);
        return json(200, { status: "SUBMITTED", taskId: "t1", creditsCharged: 15, idempotentReplay: creates > 1 });
      }
      return json(200, {});
    },
  });
  // Set up first (the client, the binding keys): the caller leaves 30 ms into its create.
  await handler(req("/api/v1/usage"));
  const gone = new AbortController();
  setTimeout(() => gone.abort(), 30);
  const body = JSON.stringify({ prompt: "a", aspectRatio: "16:9", duration: "5" });
  await handler(new Request("https://proxy.example/api/v1/generate/t2v", { method: "POST", body, signal: gone.signal, headers: { origin: ORIGIN, "content-type": "application/json", "idempotency-key": "leave-early-1" } }));
  const usage = await (await handler(req("/api/v1/usage"))).json();
  assert.equal(creates, 1, "the create went upstream once");
  assert.equal(usage.creditsUsedToday, 15, "and its credits count although the caller left");
  const replay = await handler(req("/api/v1/generate/t2v", { method: "POST", body, headers: { "idempotency-key": "leave-early-1" } }));
  assert.equal((await replay.json()).idempotentReplay, true);
  assert.equal((await (await handler(req("/api/v1/usage"))).json()).creditsUsedToday, 15, "the replay costs nothing more, and nothing less");

  // No finite per-task cap, a payload only the server prices: the create quotes first and is
  // refused above what is left of the day (30), so nothing is created.
  const seen = [];
  const open = createProxyHandler({
    authorize: ALICE, apiKey: KEY, baseUrl: "https://api.example", allowedOrigins: [ORIGIN], maxCreditsPerTask: "unlimited", creditsPerDay: 30,
    fetch: (url) => { seen.push(url); return url.includes("/quote/") ? json(200, { model: "seedance20", credits: 330, listPriceUsd: 3.3, usdPerCredit: 0.01, currentBalance: 1e6, affordable: true, billable: false }) : json(200, { status: "SUBMITTED", taskId: "t9", creditsCharged: 330, idempotentReplay: false }); },
  });
  const pricey = await open(req("/api/v1/generate/seedance20", { method: "POST", body: JSON.stringify({ prompt: "x", duration: 10, resolution: 720, ratio: "16:9" }) }));
  const out = await pricey.json();
  assert.notEqual(pricey.status, 200, JSON.stringify(out));
  assert.equal(out.errorCode, "BUDGET_EXCEEDED");
  assert.ok(!seen.some((u) => u.includes("/generate/")), `nothing created: ${seen}`);
  assert.equal((await (await open(req("/api/v1/usage"))).json()).creditsUsedToday, 0);
});
