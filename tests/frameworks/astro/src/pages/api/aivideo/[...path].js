// The proxy mounted on the app's own site, its settings from the environment. Anonymous
// callers are keyed by the address Astro saw (`clientAddress`).
import { createProxyHandler } from "aivideo/proxy";

export const prerender = false;
const handler = createProxyHandler({ allowAnonymous: true, maxCreditsPerTask: 100, basePath: "/api/aivideo", allowServerRequests: true });
export const ALL = ({ request, clientAddress }) => handler(request, process.env, { clientAddress });
