// validatePayload in Next.js's edge runtime.
import { validatePayload } from "aivideo";

export const runtime = "edge";
export const dynamic = "force-dynamic";

export function GET() {
  const good = validatePayload("t2v", { prompt: "a cat", aspectRatio: "16:9", duration: "5" });
  const bad = validatePayload("t2v", {});
  return Response.json({ good: good.ok, bad: bad.ok, credits: good.estimate?.credits });
}
