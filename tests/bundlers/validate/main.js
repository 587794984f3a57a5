// Browser entry of a validate-only form (Vite, webpack): aivideo/validate's own .wasm is emitted.
import * as validate from "aivideo/validate";
import { checks } from "./checks.js";

window.__result = checks(validate, `${globalThis.BUNDLER_LABEL || "bundle"} (aivideo/validate)`);
