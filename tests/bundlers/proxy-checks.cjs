// The checks both proxy server bundles run (proxy-server.js as an ES module, proxy-server.cjs
// as CommonJS): a handler in front of the simulator (argv[2]) creates a task and reads its
// status. Prints one JSON line.
async function proxyChecks(createProxyHandler) {
  const [simUrl, label] = [process.argv[2], process.argv[3] || "proxy bundle"];
  const failures = [];
  let count = 0;
  const check = (ok, what, got) => { count++; if (!ok) failures.push(`${label}: ${what}: got ${JSON.stringify(got).slice(0, 300)}`); };
  const handler = createProxyHandler({ allowAnonymous: true, maxCreditsPerTask: 100, apiKey: "ak_demo_0123456789abcdef", baseUrl: simUrl, allowServerRequests: true });
  const call = (path, init = {}) => handler(new Request(`http://proxy.test${path}`, { ...init, headers: { "cf-connecting-ip": "127.0.0.1", "content-type": "application/json", ...init.headers } }));
  try {
    const made = await call("/api/v1/generate/t2v", { method: "POST", headers: { "idempotency-key": `bundle-proxy-key-${Date.now()}` }, body: JSON.stringify({ prompt: "a cat", aspectRatio: "16:9", duration: "5" }) });
    const body = await made.json();
    check(made.status === 200 && typeof body.taskId === "string", "a create through the bundled proxy", body);
    const st = await call(`/api/v1/tasks/${encodeURIComponent(body.taskId)}/status`);
    const status = await st.json();
    check(st.status === 200 && typeof status.status === "string", "its status through the bundled proxy", status);
  } catch (e) {
    failures.push(`${label}: threw ${e && e.stack}`);
  }
  console.log(JSON.stringify({ count, failures }));
}

module.exports = { proxyChecks };
