// The app every bundler builds: what a web app does with the package (validate a form
// payload, then run a workflow against the simulator). Returns { count, failures }.
export const KEY = "ak_test_alice_0000000001";

export async function workflow({ createClient, validatePayload }, simUrl, label) {
  let count = 0;
  const failures = [];
  const check = (cond, what, got) => {
    count++;
    if (!cond) failures.push(`${label}: ${what}${got === undefined ? "" : `: got ${JSON.stringify(got).slice(0, 400)}`}`);
  };
  try {
    const bad = validatePayload("t2v", { prompt: "x", aspectRatio: "16:9", duration: 5 });
    check(bad.ok === false && bad.issues.some((i) => i.path === "duration"), "validatePayload reports the wrong type", bad);
    const good = validatePayload("t2v", { prompt: `a fox built by ${label}`, aspectRatio: "16:9", duration: "5" });
    check(good.ok === true && good.estimate.credits === 15, "validatePayload accepts and estimates", good);
    const client = createClient({ apiKey: KEY, baseUrl: simUrl, timeoutMs: 5000 });
    const res = await client.runWorkflow(good, { timeScale: 0.001, idempotencyScope: `${label}-${Date.now()}` });
    check(res.ok === true && res.status === "COMPLETED", "runWorkflow completes", res);
    check(/\.mp4$/.test((res.data && res.data.output && res.data.output.url) || ""), "the finished task has its video URL", res.data);
    // A data URI over 64 Ki characters: checked in JS, kept as the caller's string, sent in a
    // Blob body; through this bundle's copy of the glue and api.js.
    const image = `data:image/png;base64,iVBORw0KGgo${"A".repeat(100000 - 11)}`;
    const fast = validatePayload("i2v", { image, duration: "5" });
    const members = validatePayload("i2v", { image, duration: "5" }, {});
    check(fast.ok && fast.media[0].bytes === 75000 && JSON.stringify(fast) === JSON.stringify(members), "a long data URI validates alike on both paths", fast);
    const big = await client.createGeneration("i2v", { image, duration: "5" }, { idempotencyScope: `${label}-big-${Date.now()}` });
    const task = big.ok ? await client.getTask(big.taskId) : big;
    check(task.ok && task.data.input.image === image, "the long data URI reaches the server exactly", task.ok ? task.data.input.image.length : task);
  } catch (e) {
    failures.push(`${label}: threw ${e && e.stack ? e.stack : e}`);
  }
  return { count, failures };
}
