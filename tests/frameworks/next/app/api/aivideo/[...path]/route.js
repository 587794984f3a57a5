// The proxy mounted on the app's own site, its settings from the environment.
import { createProxyHandler } from "aivideo/proxy";

const handler = createProxyHandler({ allowAnonymous: true, clientIpHeader: "x-forwarded-for", maxCreditsPerTask: 100, basePath: "/api/aivideo", allowServerRequests: true });
export const GET = (request) => handler(request, process.env);
export const POST = (request) => handler(request, process.env);
export const PUT = (request) => handler(request, process.env);
export const OPTIONS = (request) => handler(request, process.env);
export const dynamic = "force-dynamic";
