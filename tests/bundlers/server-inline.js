// Node entry for a single-file server bundle: the wasm is inlined, nothing to copy beside it.
import { createClient, validatePayload } from "aivideo/inline";
import { workflow } from "./app.js";

const r = await workflow({ createClient, validatePayload }, process.argv[2], process.argv[3] || "node bundle");
console.log(JSON.stringify(r));
