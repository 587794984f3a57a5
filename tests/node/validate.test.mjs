// aivideo/validate: the offline contract with its own wasm (built without the client). Its
// results equal the main entry's on the whole corpus and on JS-only inputs, by import and by
// require, plain and inline; it exports the four functions and nothing that makes requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { lib, pkgDir } from "./pkg.mjs";

const corpus = JSON.parse(readFileSync(new URL("../corpus/payloads.json", import.meta.url), "utf8"));
const require = createRequire(new URL("package.json", pkgDir));
const pkg = JSON.parse(readFileSync(new URL("package.json", pkgDir), "utf8"));
const entry = (sub, cond) => new URL(pkg.exports[sub][cond].default, pkgDir).href;
const variants = {
  "import (node)": await import(entry("./validate", "node")),
  "import (inline)": await import(entry("./validate/inline", "default")),
  "require": require("aivideo/validate"),
  "require (inline)": require("aivideo/validate/inline"),
};
const NAMES = ["describeModels", "estimateCredits", "jsonSchema", "modelNames", "validatePayload"];

// Inputs only JS can make: getters, toJSON, class instances, long data URIs, a Buffer.
const odd = () => [
  ["t2v", { get prompt() { return "a getter"; }, aspectRatio: "16:9", duration: "5" }],
  ["t2v", { prompt: "x", aspectRatio: "16:9", duration: "5", toJSON() { return {}; } }],
  ["t2v", new (class P { constructor() { this.prompt = "x"; this.aspectRatio = "1:1"; this.duration = "8"; } })()],
  ["i2v", { image: `data:image/png;base64,${Buffer.alloc(120000, 7).toString("base64")}`, duration: "5" }],
  ["i2v", { image: Buffer.alloc(300000, 1), duration: "5" }],
  ["nope", { prompt: "x" }],
  ["t2v", null],
  ["t2v", [1, 2]],
];

for (const [name, v] of Object.entries(variants)) {
  test(`aivideo/validate, ${name}: the four functions, results equal to aivideo's`, () => {
    assert.deepEqual(Object.keys(v).sort(), NAMES);
    assert.deepEqual(v.modelNames(), lib.modelNames());
    assert.deepEqual(v.describeModels(), lib.describeModels());
    for (const { model, payload } of corpus) {
      assert.deepEqual(v.validatePayload(model, payload), lib.validatePayload(model, payload), `validatePayload ${model} ${JSON.stringify(payload).slice(0, 200)}`);
      assert.deepEqual(v.estimateCredits(model, payload), lib.estimateCredits(model, payload), `estimateCredits ${model}`);
    }
    for (const [model, payload] of odd()) {
      const [a, b] = [v.validatePayload(model, payload), lib.validatePayload(model, payload)];
      assert.equal(JSON.stringify(a), JSON.stringify(b), `validatePayload ${model} (JS-only input)`);
      assert.deepEqual(v.estimateCredits(model, payload), lib.estimateCredits(model, payload));
    }
  });
}

test("aivideo/validate's wasm is the smaller build, not a copy of the client's", () => {
  const small = readFileSync(new URL("validate/aivideo_bg.wasm", pkgDir));
  const full = readFileSync(new URL("aivideo_bg.wasm", pkgDir));
  assert.ok(small.length < full.length / 2, `${small.length} B against ${full.length} B`);
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(small)).map((e) => e.name);
  assert.ok(!exports.some((e) => /client|fetch|wait/i.test(e)), exports.join(", "));
});

test("a data URI over the cap is a size error, at any length (not a string too long to read)", () => {
  const huge = `data:image/png;base64,${"A".repeat(40 * 1024 * 1024)}`; // 30 MiB decoded
  for (const m of [lib, variants["import (node)"]]) {
    const r = m.validatePayload("i2v", { image: huge, duration: "5" });
    assert.equal(r.ok, false);
    assert.deepEqual(r.issues.map((i) => [i.path, i.code]), [["image", "bad_media"]]);
    assert.match(r.issues[0].message, /decodes to 31457280 bytes, above the 20971520-byte limit/);
  }
});

test("installing aivideo installs nothing else (the proxy's jose is bundled into proxy/jose.js)", async () => {
  assert.equal(pkg.dependencies, undefined, JSON.stringify(pkg.dependencies));
  const { existsSync, readFileSync: read } = await import("node:fs");
  assert.equal(existsSync(new URL("../jose", pkgDir)), false, "no jose beside aivideo in the consumer's node_modules");
  assert.match(read(new URL("proxy/jose.js", pkgDir), "utf8"), /Copyright \(c\) 2018 Filip Skokan/, "jose's license travels with it");
});
