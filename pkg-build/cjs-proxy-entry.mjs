// Source of `require("aivideo/proxy")` (pkg/proxy.cjs): the proxy's public names, exactly
// proxy.js's, over ./index.cjs and ./glue.cjs.
export * from "../pkg/proxy.js";
