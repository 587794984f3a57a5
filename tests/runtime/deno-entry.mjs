// Deno leg of the runtime matrix: the package comes from node_modules via package.json.
import * as lib from "aivideo";
import { runSuite } from "./suite.mjs";

const r = await runSuite(lib, Deno.args[0]);
console.log(JSON.stringify(r));
