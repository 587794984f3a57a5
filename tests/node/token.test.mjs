// The client's token provider (createClient({ baseUrl, token })), for pages and scripts behind
// an aivideo proxy: called once per token lifetime however many requests, sent only to the
// base URL's origin, renewed once on a 401, and a failing provider is an envelope.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lib } from "./pkg.mjs";

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (exp) => `${b64({ alg: "HS256" })}.${b64({ sub: "u1", exp })}.sig`;
const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

test("ten concurrent requests ask the provider once; the token goes as a Bearer header", async () => {
  let asked = 0;
  const seen = [];
  const c = lib.createClient({
    baseUrl: "http://127.0.0.1:9/api/aivideo",
    token: async () => { asked++; await new Promise((r) => setTimeout(r, 20)); return jwt(Math.floor(Date.now() / 1000) + 900); },
    fetch: async (url, init) => { seen.push(init.headers.authorization); return json(200, { status: "PROGRESS" }); },
  });
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => c.getStatus(`task_${i}`)));
  assert.ok(rs.every((r) => r.ok), JSON.stringify(rs.find((r) => !r.ok)));
  assert.equal(asked, 1, "one provider call for ten requests");
  assert.equal(seen.length, 10);
  assert.ok(seen.every((h) => /^Bearer [\w-]+\.[\w-]+\.sig$/.test(h)), seen[0]);
  // Another ten later: the token is still good (15 minutes), no new call.
  await Promise.all(Array.from({ length: 10 }, (_, i) => c.getStatus(`task_${i}`)));
  assert.equal(asked, 1);
});

test("a token within a minute of its exp is renewed; a 401 renews once and resends", async () => {
  let asked = 0;
  let refuse = 0;
  const c = lib.createClient({
    baseUrl: "http://127.0.0.1:9/api/aivideo",
    token: () => { asked++; return jwt(Math.floor(Date.now() / 1000) + 30); },
    fetch: async () => (refuse-- > 0 ? json(401, { errorCode: "AUTH_FAILED", message: "token expired" }) : json(200, { status: "PROGRESS" })),
  });
  await c.getStatus("task_1");
  await c.getStatus("task_2");
  assert.equal(asked, 2, "30 s left is too little: asked for each request");
  let kept = 0;
  const d = lib.createClient({
    baseUrl: "http://127.0.0.1:9/api/aivideo",
    token: () => { kept++; return "opaque-token-without-exp"; },
    fetch: async () => (refuse-- > 0 ? json(401, { errorCode: "AUTH_FAILED", message: "token expired" }) : json(200, { status: "PROGRESS" })),
  });
  refuse = 1;
  const r = await d.getStatus("task_3");
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(kept, 2, "asked, refused, asked again");
  refuse = 5;
  const still = await d.getStatus("task_4");
  assert.equal(still.errorCode, "AUTH_FAILED", "renewed once, then the 401 is the answer");
});

test("a provider that throws is an envelope, and the token is refused where it would leak", async () => {
  const c = lib.createClient({ baseUrl: "http://127.0.0.1:9/api/aivideo", token: async () => { throw new Error("signed out"); }, fetch: async () => json(200, {}) });
  const r = await c.getStatus("task_1");
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, "NETWORK_ERROR");
  assert.throws(() => lib.createClient({ baseUrl: "http://proxy.example/api", token: () => "t" }), /only sent over https/);
  assert.throws(() => lib.createClient({ apiKey: "ak_test_alice_0000000001", baseUrl: "https://proxy.example", token: () => "t" }), /apiKey or token/);
  assert.throws(() => lib.createClient({ baseUrl: "https://proxy.example", token: "t" }), /token must be a function/);
});

test("clientFromEnv refuses a token (it reads a key from the environment)", () => {
  assert.throws(() => lib.clientFromEnv({ AIVIDEO_API_KEY: "ak_test_alice_0000000001" }, { token: () => "t" }), /token is a createClient option/);
});
