// Types under `moduleResolution: node10` (no exports map; the subpaths' types come from
// typesVersions), and toNodeHandler against node:http's own types.
import { createClient, validatePayload } from "aivideo/inline";
import { createProxyHandler, toNodeHandler } from "aivideo/proxy";
import { createServer } from "node:http";

const client = createClient({ apiKey: "ak_x" });
const checked = validatePayload("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
const handler = createProxyHandler({ allowAnonymous: true, maxCreditsPerTask: 10 });
const server = createServer(toNodeHandler(handler, { trustProxy: true, env: { AIVIDEO_API_KEY: "ak_x" } }));
server.on("request", (req, res) => { void toNodeHandler(handler)(req, res); });
// @ts-expect-error the handler createProxyHandler returns, not a string
toNodeHandler("nope");
// @ts-expect-error trustProxy is a boolean
toNodeHandler(handler, { trustProxy: "yes" });
void client;
void checked;
