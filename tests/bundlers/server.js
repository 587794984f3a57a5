// Node entry (a server bundle): the simulator URL comes from argv; prints one JSON line.
import { createClient, validatePayload } from "aivideo";
import { workflow } from "./app.js";

const r = await workflow({ createClient, validatePayload }, process.argv[2], process.argv[3] || "node bundle");
console.log(JSON.stringify(r));
