// The validation contract through the wasm build in Node, on the installed package: the same
// corpus gives results identical to the native core, and JS-only inputs never throw or break
// the instance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { lib } from "./pkg.mjs";

const corpus = JSON.parse(readFileSync(new URL("../corpus/payloads.json", import.meta.url), "utf8"));

test("the corpus gives the same results as the native core", () => {
  const native = execFileSync("cargo", ["run", "--quiet", "--example", "corpus"], {
    input: JSON.stringify(corpus), encoding: "utf8", cwd: new URL("../../", import.meta.url).pathname, maxBuffer: 64 << 20,
  }).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(native.length, corpus.length);
  let valid = 0;
  corpus.forEach(({ model, payload, expect: want }, i) => {
    const v = lib.validatePayload(model, payload);
    const e = lib.estimateCredits(model, payload);
    assert.deepEqual(v, native[i].validate, `validatePayload ${model} ${JSON.stringify(payload)}`);
    if (native[i].estimate !== null) assert.deepEqual(e, native[i].estimate, `estimateCredits ${model}`);
    assert.equal(v.ok, want === "", `${model} ${JSON.stringify(payload)}: ${v.errorMessage}`);
    if (v.ok) valid++;
  });
  assert.ok(valid > 30 && valid < corpus.length);
});

test("results have the documented shape", () => {
  const ok = lib.validatePayload("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  assert.deepEqual(Object.keys(ok), ["ok", "model", "payload", "estimate", "media"]);
  assert.equal(ok.estimate.credits, 15);
  assert.equal(ok.estimate.usd, 0.15);
  const bad = lib.validatePayload("minimax", { prompt: "x", duration: "5", referenceImageUrls: Array(5).fill("https://x.test/a.png") });
  assert.deepEqual(Object.keys(bad), ["ok", "model", "errorCode", "errorMessage", "issues", "details", "omittedIssues"]);
  assert.equal(bad.omittedIssues, 0);
  assert.equal(bad.errorCode, "INVALID_PAYLOAD");
  assert.deepEqual(bad.issues.map((i) => `${i.path}:${i.code}`), ["content:required", "duration:wrong_type", "referenceImageUrls[4]:too_many", "prompt:unknown_field"]);
  assert.deepEqual(Object.keys(bad.details[0]), ["field", "expected", "actual"]);
  // details[].actual is the value as given (an agent can compare it); null when missing.
  assert.deepEqual(bad.details.map((d) => d.actual), [null, "5", "https://x.test/a.png", "x"]); // the fifth item, not the list
  const numeric = lib.validatePayload("t2v", { prompt: "a", aspectRatio: "16:9", duration: 5 });
  assert.equal(numeric.details[0].actual, 5);
  // An unknown model is named in details, with what it may be.
  const unknown = lib.validatePayload("T2V", {});
  assert.deepEqual(unknown.details, [{ field: "model", expected: `one of ${lib.modelNames().join(", ")}`, actual: "T2V" }]);
  assert.match(unknown.errorMessage, /Did you mean "t2v"\?/);
  const seed = lib.estimateCredits("seedance20", { prompt: "x", duration: 5, resolution: 720, ratio: "16:9" });
  assert.equal(seed.credits, null);
  assert.match(seed.reason, /quote/);
  const models = lib.describeModels();
  assert.equal(models.length, 9);
  assert.deepEqual(lib.modelNames(), models.map((m) => m.model));
  const wan = models.find((m) => m.model === "wan27");
  assert.deepEqual(wan.fields.find((f) => f.name === "resolution").allowed, ["720P", "1080P"]);
});

test("JS-only inputs never throw and never break the instance", () => {
  const sym = Symbol("s");
  let deep = [];
  for (let i = 0; i < 100000; i++) deep = [deep];
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "prompt": "a", "aspectRatio": "16:9", "duration": "5"}');
  const getterThrows = { prompt: "a", aspectRatio: "16:9", get duration() { throw new Error("boom"); } };
  const inputs = [
    undefined, null, NaN, Infinity, -Infinity, 10n, sym, () => 1, "str", 42, true, [], deep, proto, getterThrows,
    { prompt: undefined, aspectRatio: "16:9", duration: "5" },
    { prompt: NaN, aspectRatio: Infinity, duration: 10n },
    { prompt: sym, aspectRatio: () => 1, duration: { nested: deep } },
    { prompt: "x".repeat(10 * 1024 * 1024), aspectRatio: "16:9", duration: "5" },
    new Map([["prompt", "a"]]), new Date(0), Object.create(null),
  ];
  const models = [...lib.modelNames(), "nope", undefined, 5, sym, "x".repeat(1e6)];
  for (const m of models) {
    for (const input of inputs) {
      const r = lib.validatePayload(m, input);
      assert.equal(typeof r.ok, "boolean");
      lib.estimateCredits(m, input);
    }
  }
  const p = lib.validatePayload("t2v", proto);
  assert.equal(p.ok, false);
  assert.ok(p.issues.some((i) => i.path === "__proto__" && i.code === "unknown_field"));
  assert.equal({}.polluted, undefined, "no prototype pollution");
  const fn = lib.validatePayload("t2v", { prompt: () => 1, aspectRatio: "16:9", duration: 10n });
  assert.deepEqual(fn.issues.map((i) => `${i.path}:${i.code}:${i.actual}`), ["prompt:wrong_type:a function", "duration:wrong_type:a bigint"]);
  const nan = lib.validatePayload("seedance20", { prompt: "a", duration: NaN, resolution: 720, ratio: "16:9" });
  assert.equal(nan.issues[0].code, "wrong_type");
  const deepR = lib.validatePayload("happyhorse", { prompt: "a", image: deep, duration: 5, resolution: "720P" });
  assert.equal(deepR.ok, false);
  // The instance still works after all of that.
  assert.equal(lib.validatePayload("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" }).ok, true);
});

test("a 10 MB data URI is measured, not decoded, and the limit is configurable", () => {
  const b64 = Buffer.alloc(7.5 * 1024 * 1024, 7).toString("base64");
  const img = `data:image/jpeg;base64,${b64}`;
  const okBig = lib.validatePayload("i2v", { image: img, duration: "5" });
  assert.equal(okBig.ok, true);
  assert.deepEqual(okBig.media, [{ path: "image", kind: "image", source: "dataUri", mimeType: "image/jpeg", bytes: 7864320 }]);
  const r = lib.validatePayload("i2v", { image: img, duration: "5" }, { maxDataUriBytes: 1024 });
  assert.equal(r.ok, false);
  assert.match(r.issues[0].message, /7864320 bytes/);
});

// validatePayload's fast path (one JSON text across, data URIs checked in JS) against the
// member-by-member path (taken whenever options are given): the same result for every input.
test("the fast path and the member-by-member path agree", () => {
  const b64 = Buffer.alloc(120000, 7).toString("base64");
  const uri = `data:image/png;base64,${b64}`;
  const cyclic = { prompt: "a" }; cyclic.self = cyclic;
  const revoked = Proxy.revocable({}, {}); revoked.revoke();
  const cases = [
    ...corpus.map((c) => [c.model, c.payload]),
    ["i2v", { image: uri, duration: "5" }],
    ["i2v", { image: uri.toUpperCase().replace("DATA:IMAGE/PNG;BASE64,", "data:image/PNG;BASE64,"), duration: "5" }],
    ["i2v", { image: `${uri.slice(0, -4)}AA\nA`, duration: "5" }],
    ["i2v", { image: `${uri.slice(0, -4)}A=A=`, duration: "5" }],
    ["i2v", { image: `${uri.slice(0, 30)}*${uri.slice(31)}`, duration: "5" }],
    ["i2v", { image: `${uri}A`, duration: "5" }],
    ["i2v", { image: `${uri.slice(0, -4)}AA==`, duration: "5" }],
    ["i2v", { image: `data:image/png;base64,${"é".repeat(70000)}`, duration: "5" }],
    ["i2v", { image: `data:text/plain;base64,${b64}`, duration: "5" }],
    ["t2v", { prompt: uri, aspectRatio: uri, duration: "5" }],
    ["minimax", { content: "x", referenceVideoUrl: uri, referenceImageUrls: [uri, uri, "https://x.test/a.png"] }],
    ["happyhorse", { prompt: "x", image: [uri, uri], duration: 5, resolution: "720P" }],
    ["i2v", { image: uri, duration: "5" }, { maxDataUriBytes: 1000 }],
    ["t2v", { prompt: "x".repeat(70000), aspectRatio: "16:9", duration: "5" }],
    ["t2v", { prompt: "a\u0000b\u001f\"\\\ud800\udc00\ud800", aspectRatio: "16:9", duration: "5" }],
    ["t2v", { prompt: "a", aspectRatio: "16:9", duration: 5.5 }],
    ["t2v", { prompt: "a", aspectRatio: "16:9", duration: NaN }],
    ["seedance20", { prompt: "x", duration: 2 ** 53, resolution: 480, ratio: "1:1" }],
    ["seedance20", { prompt: "x", duration: -0, resolution: 480, ratio: "1:1" }],
    ["t2v", { prompt: () => 1, aspectRatio: "16:9", duration: "5" }],
    ["t2v", { prompt: Symbol("s"), aspectRatio: "16:9", duration: "5" }],
    ["t2v", { prompt: 10n, aspectRatio: "16:9", duration: "5" }],
    ["t2v", { prompt: new Date(0), aspectRatio: "16:9", duration: "5" }],
    ["t2v", { prompt: "a", aspectRatio: "16:9", duration: "5", toJSON: () => ({}) }],
    ["t2v", { prompt: "a", aspectRatio: "16:9", duration: "5", extra: undefined }],
    ["lv", { image: "https://x.test/a.png", prompt: ["a", undefined, null, () => 1] }],
    ["t2v", Object.defineProperty({ aspectRatio: "16:9", duration: "5" }, "prompt", { enumerable: true, get() { throw new Error("no"); } })],
    ["t2v", cyclic],
    ["t2v", revoked.proxy],
    ["t2v", new Proxy({ prompt: "a", aspectRatio: "16:9", duration: "5" }, {})],
    ["t2v", JSON.parse('{"__proto__": {"x": 1}, "prompt": "a", "aspectRatio": "16:9", "duration": "5"}')],
    ["t2v", { prompt: { a: JSON.parse(`${"[".repeat(20)}1${"]".repeat(20)}`) }, aspectRatio: "16:9", duration: "5" }],
    ["nope", { prompt: "a" }],
    ["t2v", []],
    ["t2v", null],
    // Found by a hostile review: boxed primitives, an array with its own iterator, a data
    // URI head longer than 64 characters, one over the 28 Mi-character read limit, bytes.
    ["t2v", { prompt: new String("a fox"), aspectRatio: new String("16:9"), duration: new String("5") }],
    ["seedance20", { prompt: "x", duration: new Number(5), resolution: 480, ratio: "1:1" }],
    ["t2v", new String("abc")],
    ["lv", { image: "https://x.test/a.png", prompt: Object.assign(["a", "b", "c"], { [Symbol.iterator]: function* () { yield "a"; } }) }],
    ["i2v", { image: `data:image/png;name=holiday-photo-2024-08-12-IMG-0001.png;base64,${b64}`, duration: "5" }],
    ["i2v", { image: `data:image/png;base64,${"A".repeat(28 * 1024 * 1024 + 4)}`, duration: "5" }],
    ["i2v", { image: Buffer.alloc(300000, 1), duration: "5" }],
    ["i2v", { image: new Uint8Array(10), duration: "5" }],
  ];
  for (const [model, payload, opts] of cases) {
    const fast = lib.validatePayload(model, payload, opts);
    const slow = lib.validatePayload(model, payload, opts ?? {});
    let shown;
    try { shown = String(JSON.stringify(payload, (k, v) => (typeof v === "bigint" ? "10n" : v))).slice(0, 200); } catch (e) { shown = String(e); }
    assert.deepEqual(fast, slow, `${model} ${shown}`);
    if (fast.ok) assert.equal(fast.payload, payload, "the caller's own object");
  }
  const longHead = lib.validatePayload("i2v", { image: `data:image/png;name=holiday-photo-2024-08-12-IMG-0001.png;base64,${b64}`, duration: "5" });
  assert.equal(longHead.ok, true, longHead.errorMessage);
  const bytes = lib.validatePayload("i2v", { image: Buffer.alloc(300000, 1), duration: "5" });
  assert.match(bytes.issues[0].message, /binary data/);
  assert.equal(bytes.issues.length, 1, "duration is read too (the bytes were not listed member by member)");
  // Many long data URIs that differ only near their end: linear, not quadratic (was 60x the
  // member-by-member path with 400 of them).
  const many = {};
  for (let i = 0; i < 400; i++) many[`k${i}`] = `${uri.slice(0, -8)}${String(i).padStart(4, "0")}AAAA`;
  let t0 = performance.now();
  lib.validatePayload("t2v", many, {});
  const members = performance.now() - t0;
  t0 = performance.now();
  const fastMany = lib.validatePayload("t2v", many);
  const fast = performance.now() - t0;
  assert.equal(fastMany.ok, false);
  assert.ok(fast < members * 5 + 100, `400 long data URIs: ${fast.toFixed(0)} ms on the fast path vs ${members.toFixed(0)} ms member by member`);

  const big = lib.validatePayload("i2v", { image: uri, duration: "5" });
  assert.equal(big.ok, true);
  assert.deepEqual(big.media, [{ path: "image", kind: "image", source: "dataUri", mimeType: "image/png", bytes: 120000 }]);
});
