// A static file server for browser tests and the demo (the .wasm must be served as
// application/wasm). `mounts` maps URL prefixes to folders ("/" last); `json` maps paths to
// objects (or functions of the request returning them) served as JSON.
import http from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize, extname } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".mp4": "video/mp4" };

export async function serveStatic(root, port = 0, { mounts = {}, json = {} } = {}) {
  const server = http.createServer(async (req, res) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    } catch {
      res.writeHead(400);
      return res.end("bad request");
    }
    if (json[path] !== undefined) {
      const value = typeof json[path] === "function" ? await json[path](req) : json[path];
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return res.end(JSON.stringify(value));
    }
    const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
    const file = prefix ? join(mounts[prefix], path.slice(prefix.length)) : join(root, path.endsWith("/") ? path + "index.html" : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
