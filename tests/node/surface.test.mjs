// One source for the package's surface: the client's methods are what index.d.ts declares,
// and the proxy's routes are the core's endpoints (same method and path) plus its own two.
// Adding an endpoint to the core fails here until index.d.ts and the proxy's table follow.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lib, pkgDir } from "./pkg.mjs";

const glue = await import(new URL("aivideo.js", pkgDir).href);
const { ROUTES } = await import(new URL("proxy/routes.js", pkgDir).href);
const endpoints = glue.__endpoints();
const PROXY_OWN = ["usage", "wait"];

test("the client's methods are exactly those index.d.ts declares, and every core endpoint has one", () => {
  const dts = readFileSync(new URL("index.d.ts", pkgDir), "utf8");
  const body = dts.slice(dts.indexOf("export interface AivideoClient {"));
  const block = body.slice(0, body.indexOf("\n}\n"));
  const declared = new Set([...block.matchAll(/^\s+(?:readonly\s+)?([A-Za-z]+)[<(:]/gm)].map((m) => m[1]));
  const client = lib.createClient({ apiKey: "ak_test_0123456789abcdef", baseUrl: "http://127.0.0.1:9" });
  const proto = Object.getPrototypeOf(client);
  const actual = new Set(Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor" && !n.startsWith("__")));
  assert.deepEqual([...actual].sort(), [...declared].sort());
  for (const e of endpoints) assert.ok(actual.has(e.method), `the core's ${e.method} has a client method`);
  client.free();
});

test("the proxy's routes are the core's endpoints, same method and path, plus its own", () => {
  const sample = (path) => path.replace("{model}", "t2v").replace("{id}", "task_1");
  for (const e of endpoints) {
    const route = ROUTES.find(([, re]) => re.test(sample(e.path)));
    assert.ok(route, `the proxy routes ${e.http} ${e.path} (${e.method})`);
    assert.equal(route[0], e.http, `${e.path}: the proxy answers ${e.http}`);
  }
  for (const [method, re, name] of ROUTES) {
    if (PROXY_OWN.includes(name)) continue;
    assert.ok(endpoints.some((e) => e.http === method && re.test(sample(e.path))), `the proxy's ${name} route is a core endpoint`);
  }
  assert.equal(ROUTES.length, endpoints.length + PROXY_OWN.length);
});

test("the fetching entry, where the .wasm cannot be fetched, says what to use instead", async () => {
  // In a fresh process (this one's glue is initialized already): Node's fetch does not read
  // file: URLs, the same failure as a page whose bundler did not emit the file.
  const { spawnSync } = await import("node:child_process");
  const p = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(new URL("index.js", pkgDir).href)})`], { encoding: "utf8" });
  assert.notEqual(p.status, 0);
  assert.match(p.stderr, /could not load its WebAssembly/);
  assert.match(p.stderr, /"aivideo\/inline" instead/);
  assert.match(p.stderr, /'wasm-unsafe-eval'/);
});
