// What a page built with Vite (production) downloads: every emitted .js and .wasm, gzip -9,
// lazily loaded chunks included. Two pages: one that only validates (aivideo/validate) and one
// that creates and waits (createClient and validatePayload from aivideo). The package is
// pkg/ (linked into a temporary project's node_modules).
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";

export const PAGES = [
  { name: "aivideo/validate (validatePayload)", code: `import { validatePayload } from "aivideo/validate";\nwindow.check = (p) => validatePayload("t2v", p);\n`, budget: 40_000 },
  { name: "aivideo (createClient + validatePayload)", code: `import { createClient, validatePayload } from "aivideo";\nwindow.run = (p) => createClient({ baseUrl: "/api/aivideo" }).runWorkflow(validatePayload("t2v", p));\n`, budget: 60_000 },
];

/** [{ name, jsGzip, wasmGzip, total, budget }] in bytes (gzip -9). */
export async function viteWeights(pkgDir, rootNodeModules) {
  const { build } = await import("vite");
  const dir = mkdtempSync(join(tmpdir(), "aivideo-vite-weight-"));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(pkgDir, join(dir, "node_modules", "aivideo"));
    const rows = [];
    for (const [i, page] of PAGES.entries()) {
      const root = join(dir, `page${i}`);
      mkdirSync(root);
      writeFileSync(join(root, "main.js"), page.code);
      writeFileSync(join(root, "index.html"), `<!doctype html><script type="module" src="./main.js"></script>`);
      const out = join(root, "dist");
      await build({ root, mode: "production", logLevel: "silent", configFile: false, build: { outDir: out, emptyOutDir: true }, resolve: { preserveSymlinks: false }, server: { fs: { allow: [dir, pkgDir, rootNodeModules] } } });
      const files = readdirSync(out, { recursive: true }).map(String);
      const sum = (re) => files.filter((f) => re.test(f)).reduce((n, f) => n + gz(readFileSync(join(out, f))), 0);
      const jsGzip = sum(/\.m?js$/);
      const wasmGzip = sum(/\.wasm$/);
      rows.push({ name: page.name, jsGzip, wasmGzip, total: jsGzip + wasmGzip, budget: page.budget });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
