// Node leg of the runtime matrix: imports the installed package as a user would.
import * as lib from "aivideo";
import { runSuite } from "./suite.mjs";

const r = await runSuite(lib, process.argv[2]);
console.log(JSON.stringify(r));
