// The installed package as Node resolves it: the consumer project's node_modules/aivideo,
// through the `node` condition of its exports map (tests/run.mjs builds the consumer).
import { readFileSync } from "node:fs";

const dir = new URL("../artifacts/consumer/node_modules/aivideo/", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
const node = pkg.exports["."].node;
export const lib = await import(new URL(typeof node === "string" ? node : node.default, dir).href);
export const pkgDir = dir;
const proxyEntry = pkg.exports["./proxy"].default;
/** aivideo/proxy as Node resolves it (import). */
export const proxyLib = await import(new URL(typeof proxyEntry === "string" ? proxyEntry : proxyEntry.default, dir).href);
