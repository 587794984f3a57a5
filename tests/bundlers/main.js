// Browser entry for bundlers that emit the .wasm referenced by new URL(…, import.meta.url).
import { createClient, validatePayload } from "aivideo";
import { workflow } from "./app.js";

const sim = new URLSearchParams(location.search).get("sim");
workflow({ createClient, validatePayload }, sim, globalThis.BUNDLER_LABEL || "bundle").then((r) => (window.__result = r));
