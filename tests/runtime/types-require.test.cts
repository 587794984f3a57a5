// CommonJS consumers under NodeNext: require("aivideo") and require("aivideo/proxy") are typed
// (index.d.cts, proxy.d.cts).
import aivideo = require("aivideo");
import proxy = require("aivideo/proxy");

const handler = proxy.createProxyHandler({ allowAnonymous: true, maxCreditsPerTask: 10 });
const listener = proxy.toNodeHandler(handler);
const client = aivideo.createClient({ apiKey: "ak_x" });
// @ts-expect-error unknown option
aivideo.createClient({ apiKey: "ak_x", timeout: 5 });
void listener;
void client;
