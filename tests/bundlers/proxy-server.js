// aivideo/proxy in an ES module server bundle (esbuild, one file, copied alone).
import { createProxyHandler } from "aivideo/proxy";
import { proxyChecks } from "./proxy-checks.cjs";

await proxyChecks(createProxyHandler);
