// The runtime matrix's check of aivideo/validate (its own wasm): the four offline functions,
// with results equal to the main entry's, in every runtime. Plain ESM with no imports.

const DATA_URI = `data:image/png;base64,${"iVBORw0KGgo".padEnd(100012, "A")}`;
const CASES = [
  ["t2v", { prompt: "a lighthouse at dusk", aspectRatio: "16:9", duration: "5" }],
  ["t2v", { prompt: "x", aspectRatio: "4:3", duration: 5, extra: true }],
  ["t2v", {}],
  ["i2v", { image: "https://example.com/a.png", duration: "8", prompt: null }],
  ["i2v", { image: DATA_URI, duration: "5" }],
  ["i2v", { image: "data:image/png;base64,@@@", duration: "5" }],
  ["lv", { image: "https://example.com/a.png", prompt: ["one", "two"] }],
  ["t2v_v3", { prompt: "a fox", aspectRatio: "9:16", duration: "20" }],
  ["minimax", { prompt: "x", duration: "5", referenceImageUrls: ["https://x.test/a.png", "https://x.test/b.png", "https://x.test/c.png", "https://x.test/d.png", "https://x.test/e.png"] }],
  ["seedance20", { prompt: "x", duration: 5, resolution: 720, ratio: "16:9" }],
  ["wan27", { prompt: "a fox", duration: "5", resolution: "720P", ratio: "1:1" }],
  ["happyhorse", { prompt: "a horse" }],
  ["nope", { prompt: "x" }],
  ["t2v", null],
  ["t2v", { get prompt() { throw new Error("a getter that throws"); }, aspectRatio: "16:9", duration: "5" }],
];

export function runValidateSuite(v, lib, label = "aivideo/validate") {
  let count = 0;
  const failures = [];
  const check = (cond, what, got) => {
    count++;
    if (!cond) failures.push(`${label}: ${what}${got === undefined ? "" : `: got ${JSON.stringify(got).slice(0, 300)}`}`);
  };
  check(JSON.stringify(Object.keys(v).sort()) === '["describeModels","estimateCredits","jsonSchema","modelNames","validatePayload"]', "exports the five offline functions only", Object.keys(v));
  check(JSON.stringify(v.modelNames()) === JSON.stringify(lib.modelNames()), "modelNames as aivideo's", v.modelNames());
  check(JSON.stringify(v.describeModels()) === JSON.stringify(lib.describeModels()), "describeModels as aivideo's");
  check(JSON.stringify(v.jsonSchema()) === JSON.stringify(lib.jsonSchema()) && JSON.stringify(v.jsonSchema("wan27")) === JSON.stringify(lib.jsonSchema("wan27")), "jsonSchema as aivideo's");
  for (const [model, payload] of CASES) {
    const [a, b] = [v.validatePayload(model, payload), lib.validatePayload(model, payload)];
    check(JSON.stringify(a) === JSON.stringify(b), `validatePayload ${model} as aivideo's`, [a, b]);
    const [c, d] = [v.estimateCredits(model, payload), lib.estimateCredits(model, payload)];
    check(JSON.stringify(c) === JSON.stringify(d), `estimateCredits ${model} as aivideo's`, [c, d]);
  }
  check(v.validatePayload("t2v", CASES[0][1]).ok === true && v.validatePayload("t2v", {}).ok === false, "accepts and refuses");
  return { count, failures };
}

/** Both results as one. */
export function merged(a, b) {
  return { ...a, count: a.count + b.count, failures: [...a.failures, ...b.failures] };
}
