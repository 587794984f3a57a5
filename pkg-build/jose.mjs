// Replaces pkg/proxy/jose.js (a re-export of the parts of jose the proxy uses) with those parts
// bundled from the pinned jose dev dependency: ES module, platform-neutral (jose runs on
// WebCrypto in every runtime), whitespace and syntax minified, names kept. So the package has
// no dependency to install, and a browser-only user installs no jose.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const JOSE = fileURLToPath(new URL("../node_modules/jose/", import.meta.url));
// jose's license travels with its code (MIT: the notice in every copy).
const license = readFileSync(`${JOSE}LICENSE.md`, "utf8").trim().split("\n").map((l) => `// ${l}`.trimEnd()).join("\n");

const file = fileURLToPath(new URL("../pkg/proxy/jose.js", import.meta.url));
await build({
  entryPoints: [file], outfile: file, allowOverwrite: true, bundle: true, format: "esm", platform: "neutral",
  mainFields: ["module", "main"], minifySyntax: true, minifyWhitespace: true, lineLimit: 160, logLevel: "warning",
  nodePaths: [fileURLToPath(new URL("../node_modules/", import.meta.url))],
  banner: { js: `// jose's JWT, JWKS and base64url functions, bundled at build time (pkg-build/jose.mjs).\n${license}` },
});
