// The hostile suite in Node (tests/runtime/hostile.mjs; run.mjs runs it in Deno too), with a
// watch on the process: no uncaught exception and no unhandled rejection may occur.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lib, pkgDir } from "./pkg.mjs";
import { runHostile } from "../runtime/hostile.mjs";
import { startHostile } from "../../tools/hostile-server.mjs";

test("hostile servers and hostile arguments: every call settles, nothing leaks, the instance survives", { timeout: 240000 }, async () => {
  const uncaught = [];
  const onError = (e) => uncaught.push(String(e && e.stack || e));
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  const glue = await import(new URL("aivideo.js", pkgDir).href);
  const server = await startHostile();
  try {
    const r = await runHostile(lib, glue, server.url);
    assert.deepEqual(r.failures, [], r.failures.join("\n"));
    assert.ok(r.count > 40, `${r.count} assertions`);
    // Give late timers and rejections a chance to surface.
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(uncaught, [], "no uncaught exception or unhandled rejection");
  } finally {
    process.off("uncaughtException", onError);
    process.off("unhandledRejection", onError);
    await server.close();
  }
});
