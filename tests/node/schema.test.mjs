// jsonSchema(model) against the validator on the whole corpus, judged by ajv (draft 2020-12):
// every payload validatePayload accepts, its model's schema accepts, and so does the
// generation schema ({model, payload}); what the schema refuses, the validator refuses too,
// except where JSON Schema cannot say the rule (URL syntax past the scheme, base64, size):
// those cases are listed here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { lib } from "./pkg.mjs";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const corpus = JSON.parse(readFileSync(new URL("../corpus/payloads.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: true, allErrors: true });
const generation = ajv.compile(lib.jsonSchema());
const perModel = Object.fromEntries(lib.modelNames().map((m) => [m, ajv.compile(lib.jsonSchema(m))]));

test("every payload the validator accepts, the schemas accept (the corpus)", () => {
  let accepted = 0;
  let refusedBoth = 0;
  const looser = [];
  for (const { model, payload } of corpus) {
    const v = lib.validatePayload(model, payload);
    const schema = perModel[model];
    if (v.ok) {
      accepted++;
      assert.ok(schema(payload), `${model} ${JSON.stringify(payload).slice(0, 200)}: ${ajv.errorsText(schema.errors)}`);
      assert.ok(generation({ model, payload }), `generation ${model}: ${ajv.errorsText(generation.errors)}`);
    } else if (schema && !schema(payload)) {
      refusedBoth++;
    } else if (schema) {
      looser.push(v.issues.map((i) => i.code).join(","));
    }
  }
  assert.ok(accepted > 30, `accepted ${accepted}`);
  // The schema refuses most of what the validator refuses; what it lets through are only
  // the rules it cannot state (media checks past the scheme).
  assert.ok(refusedBoth > looser.length * 4, `refused by both ${refusedBoth}, schema looser on ${looser.length}`);
  for (const codes of looser) assert.match(codes, /^(bad_media)(,bad_media)*$/, `schema looser than the validator on ${codes}`);
});

test("the schemas say the contract: names, rules, nulls", () => {
  const g = lib.jsonSchema();
  assert.equal(g.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.deepEqual(g.properties.model.enum, lib.modelNames());
  assert.equal(g.oneOf.length, 9);
  assert.equal(generation({ model: "t2v", payload: { prompt: "a fox", aspectRatio: "16:9", duration: "5" } }), true);
  assert.equal(generation({ model: "t2v", payload: { prompt: "a fox", aspectRatio: "16:9", duration: 5 } }), false);
  assert.equal(generation({ model: "sora", payload: {} }), false);
  assert.equal(lib.jsonSchema("sora"), null);
  assert.equal(lib.jsonSchema(42), null);
  // minimax: frame inputs and reference assets never together; null means not given.
  const mm = perModel.minimax;
  assert.equal(mm({ content: "x", imageUrl: "https://x.test/a.png", referenceImageUrls: ["https://x.test/b.png"] }), false);
  assert.equal(mm({ content: "x", imageUrl: null, referenceImageUrls: ["https://x.test/b.png"] }), true);
  assert.equal(mm({ content: "x", imageUrl: "https://x.test/a.png", referenceImageUrls: [] }), true);
  // seedance20: at least one of prompt/image/video; audio never alone.
  const sd = perModel.seedance20;
  assert.equal(sd({ duration: 5, resolution: 720, ratio: "16:9" }), false);
  assert.equal(sd({ audio: "https://x.test/a.mp3", duration: 5, resolution: 720, ratio: "16:9" }), false);
  assert.equal(sd({ prompt: "x", audio: "https://x.test/a.mp3", duration: 5, resolution: 720, ratio: "16:9" }), true);
  // A blank prompt where one is required; a whitespace-only item in lv's list.
  assert.equal(perModel.t2v({ prompt: " \u3000", aspectRatio: "16:9", duration: "5" }), false);
  assert.equal(perModel.lv({ image: "https://x.test/a.png", prompt: ["a", "\t"] }), false);
  assert.equal(lib.validatePayload("t2v", { prompt: "\ufeff", aspectRatio: "16:9", duration: "5" }).ok, perModel.t2v({ prompt: "\ufeff", aspectRatio: "16:9", duration: "5" }));
});
