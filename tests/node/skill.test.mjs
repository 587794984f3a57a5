// The agent skill shipped in the package (skill/SKILL.md, the vendor's skill format: a
// front matter with name, description and required env, then actions and commands): its
// version is the package's, and every command it shows runs with the installed bin against
// the simulator and prints an ok envelope (a task id from the create fills <taskId>).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { tempDir } from "./tmp.mjs";
import { join } from "node:path";
import { startSimulator } from "../../sim/server.mjs";
import { pkgDir } from "./pkg.mjs";

const BIN = new URL("../artifacts/consumer/node_modules/.bin/aivideo", import.meta.url).pathname;
const skill = readFileSync(new URL("skill/SKILL.md", pkgDir), "utf8");
let sim;
// 1:100: a t2v task stays SUBMITTED for about 4 s, long enough for the cancel command.
before(async () => { sim = await startSimulator({ timeScale: 0.01, rateLimitPerMinute: 0 }); });
after(() => sim.close());

/** Splits a shell line as the skill writes them: words and '…' single-quoted JSON. */
const words = (line) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);

function run(args, journal) {
  return new Promise((resolve) => {
    execFile(BIN, [...args, "--time-scale", "0.01"], { env: { PATH: process.env.PATH, AIVIDEO_API_KEY: "ak_test_alice_0000000001", AIVIDEO_BASE_URL: sim.url, AIVIDEO_JOURNAL: journal } }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, json: JSON.parse(stdout), stderr });
    });
  });
}

test("the skill's front matter names it, its env and the package's version", () => {
  const front = skill.match(/^---\n([\s\S]*?)\n---\n/);
  assert.ok(front, "front matter");
  assert.match(front[1], /^name: aivideo$/m);
  assert.match(front[1], /^description: .{40,}$/m);
  assert.match(front[1], /env: \[AIVIDEO_API_KEY\]/);
  const version = JSON.parse(readFileSync(new URL("package.json", pkgDir), "utf8")).version;
  assert.match(front[1], new RegExp(`^version: ${version.replace(/\./g, "\\.")}$`, "m"));
});

test("every command in the skill runs and answers ok", async () => {
  const journal = join(tempDir("aivideo-skill-"), "journal.json");
  const lines = [...skill.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].trim().split("\n")).filter((l) => l.startsWith("aivideo "));
  assert.ok(lines.length >= 6, `${lines.length} commands`);
  let taskId = null;
  for (const line of lines) {
    const args = words(line).slice(1).map((w) => (w === "<taskId>" ? taskId : w));
    const r = await run(args, journal);
    assert.equal(r.code, 0, `${line}: ${JSON.stringify(r.json).slice(0, 300)} ${r.stderr}`);
    assert.equal(r.json.ok, true, line);
    if (args.includes("--autoPoll")) taskId = r.json.taskId;
  }
  assert.ok(taskId, "the create-only command gave a task id");
});
