// Node (ES modules): read the .wasm next to this file and instantiate synchronously at import.
// The path comes from this module's own file path, not from `new URL("./…wasm",
// import.meta.url)`: server bundlers (Next.js's webpack and Turbopack) rewrite that pattern
// into an asset URL of their own, which readFileSync refuses. Where the file is not beside the
// module after all (a server bundle copied alone), the embedded copy is used.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync } from "./aivideo.js";

// Node 18 has WebCrypto but not as a global (the proxy's HMACs and jose use globalThis.crypto);
// loaded only there (node:crypto costs every other start-up about 0.8 ms). Asked with `in`:
// reading `globalThis.crypto` runs Node's lazy getter, which loads WebCrypto (~1 ms).
if (!("crypto" in globalThis)) globalThis.crypto = (await import("node:crypto")).webcrypto;

function besideThisFile() {
  try {
    return readFileSync(fileURLToPath(import.meta.url).replace(/[^/\\]+$/, "aivideo_bg.wasm"));
  } catch {
    return null;
  }
}

// The embedded copy is gzipped: node:zlib inflates it (no web global needed, any Node).
const embedded = async () => (await import("node:zlib")).gunzipSync((await import("./wasm-base64.js")).gzipped());
initSync({ module: besideThisFile() ?? (await embedded()) });

export * from "./api.js";
