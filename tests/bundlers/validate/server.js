// aivideo/validate in a Node server bundle (esbuild, one file, copied alone: the wasm is not
// beside it, and the Node entry falls back to the embedded copy). Prints one JSON line.
import * as validate from "aivideo/validate";
import { checks } from "./checks.js";

console.log(JSON.stringify(checks(validate, "esbuild node bundle (aivideo/validate)")));
