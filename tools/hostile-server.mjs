// A hostile upstream for the hostile suite: every answer is one a real server (or a man in the
// middle) could give, and the client must survive it. The scenario is the first path segment,
// so a client's baseUrl picks it: `${url}/redirect`, `${url}/huge`, …
//   retry-hour, retry-absurd, retry-date  429 with Retry-After 3600 / 1e26 / a date in 9999
//   redirect                             307 to another origin (the catcher), which records
//                                        every request that reaches it
//   echo-key                             200 whose data repeats the key header everywhere
//   huge                                 200 with a 100 MB chunked body
//   gzip-bomb                            200 with ~100 KB of gzip that inflates to 100 MB
//   ok                                   200 {status: "PROGRESS"}
// GET /__hits?scenario=… answers how many requests a scenario got (the catcher's is "catcher").
import http from "node:http";
import { gzipSync } from "node:zlib";

export async function startHostile() {
  const hits = {};
  const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024, 0x20), { level: 9 });
  const catcher = http.createServer((req, res) => {
    hits.catcher = (hits.catcher || 0) + 1;
    hits.catcherKey = (hits.catcherKey || 0) + (req.headers.key ? 1 : 0);
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"COMPLETED","stolen":true}');
  });
  await new Promise((r) => catcher.listen(0, "127.0.0.1", r));
  const catcherUrl = `http://127.0.0.1:${catcher.address().port}`;
  const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*", "access-control-expose-headers": "*" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/__hits") {
      res.writeHead(200, { "content-type": "application/json", ...cors });
      return res.end(JSON.stringify(hits));
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors);
      return res.end();
    }
    const scenario = url.pathname.split("/")[1];
    hits[scenario] = (hits[scenario] || 0) + 1;
    const json = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...cors, ...headers });
      res.end(JSON.stringify(body));
    };
    const key = String(req.headers.key || "");
    switch (scenario) {
      case "retry-hour": return json(429, { status: "FAILED", errorCode: "RATE_LIMITED" }, { "retry-after": "3600" });
      case "retry-absurd": return json(429, { status: "FAILED", errorCode: "RATE_LIMITED" }, { "retry-after": "100000000000000000000000000" });
      case "retry-date": return json(429, { status: "FAILED", errorCode: "RATE_LIMITED" }, { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" });
      case "redirect": res.writeHead(307, { location: `${catcherUrl}/steal${url.pathname}`, ...cors }); return res.end();
      case "echo-key":
        if (req.method === "POST") return json(400, { status: "FAILED", errorCode: "INVALID_PAYLOAD", message: `bad key ${key}`, details: [{ field: "key", expected: "x", actual: key }] });
        return json(200, { status: "PROGRESS", id: "t1", note: `you sent ${key}`, [key]: key, list: [key, { deep: key }] });
      case "huge": {
        res.writeHead(200, { "content-type": "application/json", ...cors });
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 100) {
            sent++;
            if (!res.write(chunk)) return res.once("drain", pump);
          }
          res.end();
        };
        res.on("error", () => {});
        return pump();
      }
      case "gzip-bomb":
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", ...cors });
        return res.end(bomb);
      default: return json(200, { status: "PROGRESS" });
    }
  });
  server.on("clientError", () => {});
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      server.closeAllConnections?.();
      catcher.closeAllConnections?.();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => catcher.close(r))]);
    },
  };
}
