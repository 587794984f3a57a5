// Browser entry of a validate-only form for bundlers that do not emit assets (esbuild, Rollup).
import * as validate from "aivideo/validate/inline";
import { checks } from "./checks.js";

window.__result = checks(validate, `${globalThis.BUNDLER_LABEL || "bundle"} (aivideo/validate/inline)`);
