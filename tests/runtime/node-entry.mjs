// Node leg of the runtime matrix: imports the installed package as a user would.
import * as lib from "aivideo";
import * as validate from "aivideo/validate";
import { runSuite } from "./suite.mjs";
import { runValidateSuite, merged } from "./validate-suite.mjs";

const r = merged(await runSuite(lib, process.argv[2]), runValidateSuite(validate, lib));
console.log(JSON.stringify(r));
