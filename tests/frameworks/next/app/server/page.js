// A server component.
import { validatePayload } from "aivideo";

export const dynamic = "force-dynamic";

export default function ServerPage() {
  const good = validatePayload("t2v", { prompt: "a cat", aspectRatio: "16:9", duration: "5" });
  const bad = validatePayload("t2v", {});
  return <pre id="server">{JSON.stringify({ good: good.ok, bad: bad.ok, credits: good.estimate?.credits })}</pre>;
}
