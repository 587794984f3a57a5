// The proxy in Next.js's edge runtime (the "edge-light" bundle), mounted at /api/edge.
import { createProxyHandler } from "aivideo/proxy";

export const runtime = "edge";
const handler = createProxyHandler({ allowAnonymous: true, clientIpHeader: "x-forwarded-for", maxCreditsPerTask: 100, basePath: "/api/edge", allowServerRequests: true });
export const GET = (request) => handler(request, process.env);
export const POST = (request) => handler(request, process.env);
export const dynamic = "force-dynamic";
