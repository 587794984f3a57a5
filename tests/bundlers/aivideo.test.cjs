// A Jest test as users write them: CommonJS, require("aivideo"), no transform configuration.
const { createClient, validatePayload, describeModels } = require("aivideo");

test("validates offline", () => {
  const r = validatePayload("wan27", { prompt: "x", duration: "5", resolution: "720p", ratio: "1:1" });
  expect(r.ok).toBe(false);
  expect(r.issues.map((i) => i.path)).toContain("resolution");
  expect(describeModels().length).toBeGreaterThan(5);
});

test("runs a workflow against the simulator", async () => {
  const client = createClient({ apiKey: "ak_test_alice_0000000001", baseUrl: process.env.SIM_URL, timeoutMs: 5000 });
  const res = await client.runWorkflow("t2v", { prompt: "a fox in jest", aspectRatio: "1:1", duration: "5" }, { timeScale: 0.001, idempotencyScope: `jest-${Date.now()}` });
  expect(res.errorMessage).toBeNull();
  expect(res.status).toBe("COMPLETED");
  expect(res.data.output.url).toMatch(/\.mp4$/);
});

test("refuses a half-configured client", () => {
  expect(() => createClient({ apiKey: process.env.UNSET_IN_THIS_TEST })).toThrow(TypeError);
});
