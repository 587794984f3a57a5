"use client";
// A page on the app's own site that creates a task and waits for it through the proxy mounted
// at /api/aivideo: the browser sends Origin (and Sec-Fetch-Site: same-origin) on the POST.
import { useEffect, useState } from "react";
import { createClient } from "aivideo";

export default function Workflow() {
  const [seen, setSeen] = useState("running");
  useEffect(() => {
    const client = createClient({ baseUrl: `${location.origin}/api/aivideo`, timeoutMs: 10000 });
    const payload = { prompt: "a fox in Next.js", aspectRatio: "16:9", duration: "5" };
    client
      .runWorkflow("t2v", payload, { timeScale: 0.001, idempotencyScope: `next-page-${Date.now()}` })
      .then((r) => setSeen(JSON.stringify({ ok: r.ok, status: r.status, errorCode: r.errorCode, httpStatus: r.httpStatus, message: r.errorMessage, url: r.data?.output?.url ?? null })))
      .catch((e) => setSeen(JSON.stringify({ threw: String(e) })));
  }, []);
  return <pre id="workflow">{seen}</pre>;
}
