// The command line, spawned as users run it (the installed package's bin) against the
// simulator: every action, the full workflow, usage errors, a 429 burst, Ctrl-C; stdout is
// always one envelope, exit codes are 0/1/2, the key never appears, stderr is silent when
// it is not a terminal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tempDir } from "./tmp.mjs";
import { join } from "node:path";
import { startSimulator } from "../../sim/server.mjs";

const BIN = new URL("../artifacts/consumer/node_modules/.bin/aivideo", import.meta.url).pathname;
const KEY = "ak_test_alice_0000000001";
const T2V = JSON.stringify({ prompt: "a fox", aspectRatio: "16:9", duration: "5" });
// The create journal of these runs, not the user's (~/.cache/aivideo).
const JOURNAL = join(tempDir("aivideo-cli-journal-"), "journal.json");
let sim;
before(async () => { sim = await startSimulator({ timeScale: 0.001, rateLimitPerMinute: 0 }); });
after(() => sim.close());

function cli(args, { env = {}, stdin, onSpawn } = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url, AIVIDEO_TIMEOUT_MS: "2000", AIVIDEO_JOURNAL: JOURNAL, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    if (stdin !== undefined) p.stdin.end(stdin); else p.stdin.end();
    onSpawn?.(p);
    p.on("close", (code) => {
      let json = null;
      try { json = JSON.parse(stdout); } catch {}
      resolve({ code, stdout, stderr, json });
    });
  });
}

const KEYS = ["ok", "status", "taskId", "data", "errorCode", "errorMessage", "retryAfter", "httpStatus", "suggestions", "timestamp"];
function assertEnvelope(r, code) {
  assert.ok(r.json, `stdout is JSON: ${r.stdout.slice(0, 300)} / ${r.stderr}`);
  assert.deepEqual(Object.keys(r.json).sort(), [...KEYS].sort());
  assert.equal(r.code, code, `exit ${r.code}: ${r.stdout.slice(0, 400)}`);
  assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY), "the key never appears");
}

test("the full workflow, --autoPoll false, --download, and every action", async () => {
  await sim.reset();
  const dir = tempDir("aivideo-cli-");
  const file = join(dir, "out.mp4");
  const run = await cli(["--model", "t2v", "--payload", T2V, "--time-scale", "0.001", "--download", file]);
  assertEnvelope(run, 0);
  assert.equal(run.json.status, "COMPLETED");
  assert.equal(run.stderr, "", "stderr silent when not a terminal");
  assert.equal(readFileSync(file).subarray(4, 8).toString(), "ftyp", "the video was downloaded");
  const id = run.json.taskId;

  const created = await cli(["--model", "i2v_v3", "--payload", JSON.stringify({ image: "https://x.test/a.png", duration: "20" }), "--autoPoll", "false"]);
  assertEnvelope(created, 0);
  assert.equal(created.json.status, "SUBMITTED");
  assert.ok(created.json.data.handle.idempotencyKey);
  // Hold it in SUBMITTED so the cancel below is allowed however slow the machine is.
  await fetch(`${sim.url}/__sim/tasks/${created.json.taskId}/force`, { method: "POST", body: JSON.stringify({ status: "SUBMITTED" }) });

  for (const [args, check] of [
    [["--action", "getStatus", "--taskId", id], (j) => j.status === "COMPLETED"],
    [["--action", "getTask", "--taskId", id], (j) => j.data.output.url.endsWith(".mp4")],
    [["--action", "listTasks"], (j) => j.data.tasks.length === 2],
    [["--action", "account"], (j) => typeof j.data.currentBalance === "number"],
    [["--action", "quote", "--model", "wan27", "--payload", JSON.stringify({ prompt: "x", duration: "5", resolution: "720P", ratio: "1:1" })], (j) => j.data.credits === 50],
    [["--action", "cancelTask", "--taskId", created.json.taskId], (j) => j.status === "CANCEL"],
  ]) {
    const r = await cli(args);
    assertEnvelope(r, 0);
    assert.ok(check(r.json), `${args.join(" ")}: ${r.stdout.slice(0, 300)}`);
  }
  const missing = await cli(["--action", "getTask", "--taskId", "task_nope"]);
  assertEnvelope(missing, 1);
  assert.equal(missing.json.errorCode, "TASK_NOT_FOUND");
  assert.ok(missing.json.suggestions.length > 0);
});

test("payload from a file and from stdin; validate works offline without a key", async () => {
  const dir = tempDir("aivideo-cli-");
  const f = join(dir, "p.json");
  writeFileSync(f, JSON.stringify({ content: "x", duration: 25 }));
  const v = await cli(["--action", "validate", "--model", "minimax", "--payload", `@${f}`], { env: { AIVIDEO_API_KEY: "" } });
  assertEnvelope(v, 1);
  assert.equal(v.json.errorCode, "INVALID_PAYLOAD");
  assert.equal(v.json.data.details[0].field, "duration");
  const s = await cli(["--action", "validate", "--model", "t2v", "--payload", "-"], { stdin: T2V, env: { AIVIDEO_API_KEY: "" } });
  assertEnvelope(s, 0);
  assert.equal(s.json.data.estimate.credits, 15);
});

test("usage errors exit 2 with a one-line explanation", async () => {
  const cases = [
    [["--model", "t2v", "--payload", "{nope"], {}, /not valid JSON/],
    [["--action", "explode"], {}, /unknown action/],
    [["--action", "getStatus", "--taskId", "t1"], { AIVIDEO_API_KEY: "" }, /AIVIDEO_API_KEY is not set \(or AIVIDEO_PROXY_TOKEN/],
    [["--model", "t2v", "--payload", T2V, "--max-credits", "lots"], {}, /max-credits/],
    [["--model", "t2v", "--payload", T2V, "--base-url", "http://example.com"], {}, /baseUrl/],
    [[], {}, /give --model/],
  ];
  for (const [args, env, re] of cases) {
    const r = await cli(args, { env });
    assertEnvelope(r, 2);
    assert.equal(r.json.errorCode, "INVALID_ARGUMENT");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  // A missing input is a failure envelope (exit 1), as the vendor script's forms never exit 2;
  // a flag without a value or an unknown one is ignored with one warning line.
  for (const [args, re] of [[["--model", "t2v"], /--payload is required/], [["--action", "getStatus"], /needs --taskId/], [["--action", "getStatus", "--taskId"], /--taskId has no value: ignored\n.*needs --taskId/]]) {
    const r = await cli(args);
    assertEnvelope(r, 1);
    assert.equal(r.json.errorCode, "INVALID_ARGUMENT");
    assert.match(r.stderr, re);
  }
  const bogus = await cli(["--bogus", "--action", "validate", "--model", "t2v", "--payload", T2V, "stray"]);
  assertEnvelope(bogus, 0);
  assert.match(bogus.stderr, /ignored the unknown flag --bogus/);
  assert.match(bogus.stderr, /ignored "stray"/);
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  for (const flag of ["--model", "--payload", "--action", "--autoPoll", "--maxWaitMs", "--debug", "--max-credits", "--idempotency-key", "--base-url", "--timeout-ms", "--max-retries", "--download"]) {
    assert.ok(help.stdout.includes(flag), `--help documents ${flag}`);
  }
});

test("--debug logs requests to stderr with the key masked; a 429 burst is retried", async () => {
  await sim.reset();
  const created = await cli(["--model", "t2v", "--payload", T2V, "--autoPoll", "false"]);
  await sim.faults({ endpoint: "status", kind: "status", status: 429, errorCode: "RATE_LIMITED", headers: { "retry-after": "0.1" }, times: 3 });
  const r = await cli(["--action", "getStatus", "--taskId", created.json.taskId, "--debug"]);
  assertEnvelope(r, 0);
  const lines = r.stderr.trim().split("\n");
  assert.ok(lines.filter((l) => l.includes("GET ")).length === 4, r.stderr);
  assert.ok(lines.some((l) => l.includes("key=ak_…0001")), r.stderr);
  assert.ok(lines.some((l) => /retry 3 after/.test(l)), r.stderr);
});

test("Ctrl-C cancels a task still SUBMITTED and the envelope names it", async () => {
  await sim.reset();
  let child;
  const done = cli(["--model", "t2v_v3", "--payload", JSON.stringify({ prompt: "x", aspectRatio: "1:1", duration: "20" })], { onSpawn: (p) => (child = p) });
  // Wait until the task exists, then interrupt.
  let tasks = [];
  for (let i = 0; i < 400 && tasks.length === 0; i++) {
    tasks = (await sim.ledger()).tasks;
    if (!tasks.length) await new Promise((r) => setTimeout(r, 25));
  }
  // Hold it in SUBMITTED however slow the machine is, so the cancel is allowed.
  await fetch(`${sim.url}/__sim/tasks/${tasks[0].id}/force`, { method: "POST", body: JSON.stringify({ status: "SUBMITTED" }) });
  child.kill("SIGINT");
  const r = await done;
  assertEnvelope(r, 1);
  assert.equal(r.json.errorCode, "ABORTED");
  assert.ok(r.json.taskId);
  assert.match(r.stderr, /cancelled/);
  const ledger = await sim.ledger();
  assert.equal(ledger.tasks[0].status, "CANCEL");
  assert.equal(ledger.billedCredits, 0);
});

test("a progress line goes to stderr when it is a terminal (run under a pty)", async () => {
  await sim.reset();
  const cmd = `${BIN} --model t2v --payload '${T2V}' --time-scale 0.001`;
  const r = await new Promise((resolve) => {
    const p = spawn("script", ["-qec", cmd, "/dev/null"], { env: { PATH: process.env.PATH, AIVIDEO_API_KEY: KEY, AIVIDEO_BASE_URL: sim.url, TERM: "dumb" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, out }));
  });
  assert.equal(r.code, 0, r.out.slice(-500));
  assert.match(r.out, /(SUBMITTED|PROGRESS) · \d+ s elapsed · \d+ polls/);
  assert.ok(!r.out.includes(KEY));
});

test("hostile inputs to the CLI: file contents never echoed, bad keys are usage errors, downloads are bounded", async () => {
  await sim.reset();
  const dir = tempDir("aivideo-cli-");
  const secret = join(dir, "passwd");
  writeFileSync(secret, "root:x:0:0:SECRET-CONTENT:/root:/bin/bash\n");
  const leak = await cli(["--model", "t2v", "--payload", `@${secret}`]);
  assertEnvelope(leak, 2);
  assert.ok(!leak.stdout.includes("root:x") && !leak.stderr.includes("root:x") && !leak.stdout.includes("SECRET"), leak.stderr);
  const badKey = await cli(["--model", "t2v", "--payload", T2V, "--idempotency-key", "short"]);
  assertEnvelope(badKey, 2);
  const prefix = await cli(["--model", "t2v", "--payload", T2V, "--base-url", "http://example.com"]);
  assert.ok(!/aivideo: aivideo:/.test(prefix.stderr), prefix.stderr);
  const version = await cli(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
  // Downloads: a size cap and a timeout, and no partial file left behind.
  const capped = join(dir, "capped.mp4");
  const big = await cli(["--model", "t2v", "--payload", T2V, "--time-scale", "0.001", "--download", capped, "--download-max-bytes", "1000"]);
  assertEnvelope(big, 1);
  assert.equal(big.json.status, "COMPLETED", "the task finished; only the download failed");
  assert.match(big.json.errorMessage, /download-max-bytes/);
  assert.ok(!existsSync(capped), "no partial file");
  await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ fileDelayMs: 5000 }) });
  const t0 = Date.now();
  const slow = await cli(["--model", "t2v", "--payload", JSON.stringify({ prompt: "slow cdn", aspectRatio: "1:1", duration: "5" }), "--time-scale", "0.001", "--download", join(dir, "slow.mp4"), "--download-timeout-ms", "300"]);
  assertEnvelope(slow, 1);
  assert.match(slow.json.errorMessage, /no complete download within 300 ms/);
  assert.ok(Date.now() - t0 < 4500, "the timeout ended it");
  await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ fileDelayMs: 0 }) });
});

test("the vendor script's flag forms are accepted with the same meaning", async () => {
  await sim.reset();
  const p = (prompt) => JSON.stringify({ prompt, aspectRatio: "16:9", duration: "5" });
  const cases = [
    // [args, exit code, check]
    [["--model", "t2v", "--payload", p("debug true"), "--debug", "true", "--autoPoll", "false"], 0, (r) => /GET |POST /.test(r.stderr) && r.json.status === "SUBMITTED"],
    [["--model", "t2v", "--payload", p("debug false"), "--debug", "false", "--autoPoll", "false"], 0, (r) => r.stderr === ""],
    [["--model", "t2v", "--payload", p("debug=true"), "--debug=true", "--autoPoll=false"], 0, (r) => /POST /.test(r.stderr)],
    [["--model", "t2v", "--payload", p("bare autoPoll"), "--time-scale", "0.001", "--autoPoll"], 0, (r) => r.json.status === "COMPLETED"],
    [["--model", "t2v", "--payload", p("poll bounds"), "--time-scale", "0.001", "--pollMinMs", "1", "--pollMaxMs", "5"], 0, (r) => r.json.status === "COMPLETED"],
    [["--model", "t2v", "--payload", p("no wait"), "--maxWaitMs", "0"], 1, (r) => r.json.errorCode === "POLL_TIMEOUT" && r.json.status === "SUBMITTED" && r.json.data.submitted.handle.taskId === r.json.taskId],
    [["--model", "t2v", "--payload", p("task-id form"), "--time-scale", "0.001", "--max-wait-ms", "60000"], 0, (r) => r.json.status === "COMPLETED"],
    // Forms the vendor script runs with a trap's meaning: the intuitive or safe one here, with a warning.
    ...["FALSE", "0", "no"].map((word) => [["--model", "t2v", "--payload", p(`autoPoll ${word}`), "--autoPoll", word], 0, (r) => r.json.status === "SUBMITTED" && r.stderr.includes(`--autoPoll ${word} read as false`)]),
    [["--model", "t2v", "--payload", p("debug 1"), "--debug", "1", "--autoPoll", "false"], 0, (r) => /POST /.test(r.stderr) && r.json.status === "SUBMITTED"],
    [["--model", "t2v", "--payload", p("bare max"), "--time-scale", "0.001", "--pollMaxMs", "--pollMinMs", "0"], 0, (r) => r.json.status === "COMPLETED" && /--pollMaxMs has no value/.test(r.stderr) && /--pollMinMs 0 ignored/.test(r.stderr)],
    [["--model", "t2v", "--payload", p("negative wait"), "--time-scale", "0.001", "--maxWaitMs", "-5"], 0, (r) => r.json.status === "COMPLETED" && /--maxWaitMs -5 ignored/.test(r.stderr)],
    [["--model", "t2v", "--payload", p("bare payload"), "--payload", "--autoPoll", "false"], 0, (r) => r.json.status === "SUBMITTED" && /--payload has no value/.test(r.stderr)],
  ];
  for (const [args, code, check] of cases) {
    const r = await cli(args);
    assertEnvelope(r, code);
    assert.ok(check(r), `${args.join(" ")}: ${r.stdout.slice(0, 400)} / ${r.stderr.slice(0, 300)}`);
    assert.ok(!Number.isNaN(Date.parse(r.json.timestamp)), "the envelope has the vendor's timestamp");
  }
  const id = (await cli(["--model", "t2v", "--payload", p("ids"), "--autoPoll", "false"])).json.taskId;
  for (const flag of ["--taskId", "--task-id"]) {
    const r = await cli(["--action", "getStatus", flag, id]);
    assertEnvelope(r, 0);
  }
});

test("through a proxy: AIVIDEO_PROXY_TOKEN goes as a bearer token to the proxy's origin only, and the key is not sent", async () => {
  const http = await import("node:http");
  const seen = [];
  const proxy = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization, key: req.headers.key });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "PROGRESS" }));
  });
  await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
  try {
    const url = `http://127.0.0.1:${proxy.address().port}`;
    const r = await cli(["--action", "getStatus", "--taskId", "task_1.tag"], { env: { AIVIDEO_PROXY_TOKEN: "tok.en.value", AIVIDEO_BASE_URL: url } });
    assertEnvelope(r, 0);
    assert.deepEqual(seen, [{ url: "/api/v1/tasks/task_1.tag/status", authorization: "Bearer tok.en.value", key: undefined }]);
    const missing = await cli(["--action", "getStatus", "--taskId", "t1"], { env: { AIVIDEO_PROXY_TOKEN: "tok", AIVIDEO_BASE_URL: "", AIVIDEO_API_KEY: "" } });
    assertEnvelope(missing, 2);
    assert.match(missing.stderr, /needs the proxy's URL/);
    // The token is a credential: over plain http only to this machine (refused before sending).
    const plain = await cli(["--action", "getStatus", "--taskId", "t1"], { env: { AIVIDEO_PROXY_TOKEN: "tok", AIVIDEO_BASE_URL: "http://proxy.invalid", AIVIDEO_API_KEY: "" } });
    assertEnvelope(plain, 2);
    assert.match(plain.stderr, /only sent over https/);
  } finally {
    proxy.close();
  }
});
