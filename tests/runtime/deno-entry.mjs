// Deno leg of the runtime matrix: the package comes from node_modules via package.json.
// aivideo/inline and aivideo/validate/inline (their wasm embedded, gzipped, inflated by
// Deno's DecompressionStream) must answer as the entries with a .wasm file do: the whole
// suite runs on aivideo/inline too.
import * as lib from "aivideo";
import * as validate from "aivideo/validate";
import * as inline from "aivideo/inline";
import * as validateInline from "aivideo/validate/inline";
import { runSuite } from "./suite.mjs";
import { runValidateSuite, merged } from "./validate-suite.mjs";

const withFile = merged(await runSuite(lib, Deno.args[0]), runValidateSuite(validate, lib));
const embedded = merged(await runSuite(inline, Deno.args[0], "aivideo/inline"), runValidateSuite(validateInline, lib, "aivideo/validate/inline"));
const r = merged(withFile, merged(embedded, runValidateSuite(validate, inline, "aivideo/inline")));
console.log(JSON.stringify(r));
