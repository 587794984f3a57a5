// require("aivideo/proxy") in a CommonJS server bundle (esbuild --platform=node, one file,
// copied alone): the .wasm is not beside it, and the CommonJS glue falls back to the
// embedded copy.
const { createProxyHandler } = require("aivideo/proxy");
const { proxyChecks } = require("./proxy-checks.cjs");

proxyChecks(createProxyHandler);
