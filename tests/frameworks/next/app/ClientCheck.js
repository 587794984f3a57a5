"use client";
// A client component: prerendered on the server (the Node entry), hydrated in the browser.
import { validatePayload } from "aivideo";

export default function ClientCheck() {
  const good = validatePayload("t2v", { prompt: "a cat", aspectRatio: "16:9", duration: "5" });
  const bad = validatePayload("t2v", {});
  return <pre id="client">{JSON.stringify({ good: good.ok, bad: bad.ok, credits: good.estimate?.credits })}</pre>;
}
