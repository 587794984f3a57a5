// Deno leg of the runtime matrix: the package comes from node_modules via package.json.
import * as lib from "aivideo";
import * as validate from "aivideo/validate";
import { runSuite } from "./suite.mjs";
import { runValidateSuite, merged } from "./validate-suite.mjs";

const r = merged(await runSuite(lib, Deno.args[0]), runValidateSuite(validate, lib));
console.log(JSON.stringify(r));
