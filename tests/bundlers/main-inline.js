// Browser entry for bundlers that do not emit assets (esbuild, Rollup): the wasm is inlined.
import { createClient, validatePayload } from "aivideo/inline";
import { workflow } from "./app.js";

const sim = new URLSearchParams(location.search).get("sim");
workflow({ createClient, validatePayload }, sim, globalThis.BUNDLER_LABEL || "bundle").then((r) => (window.__result = r));
