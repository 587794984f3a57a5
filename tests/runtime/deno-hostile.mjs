// Deno leg of the hostile suite: the package from node_modules, the glue by path (for the
// instance's memory size), and a watch for unhandled rejections and uncaught errors.
import * as lib from "aivideo";
import * as glue from "./node_modules/aivideo/aivideo.js";
import { runHostile } from "./hostile.mjs";

const uncaught = [];
globalThis.addEventListener("unhandledrejection", (e) => { e.preventDefault(); uncaught.push(`unhandled rejection: ${e.reason}`); });
globalThis.addEventListener("error", (e) => { e.preventDefault(); uncaught.push(`uncaught: ${e.message}`); });
const r = await runHostile(lib, glue, Deno.args[0]);
await new Promise((res) => setTimeout(res, 200));
r.count++;
r.failures.push(...uncaught);
console.log(JSON.stringify({ count: r.count, failures: r.failures }));
