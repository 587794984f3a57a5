// README code blocks are part of the contract: every ```ts/```js block is compiled as an ES
// module (.ts) and every ```cjs block as CommonJS JavaScript (.cjs, with checkJs: TypeScript types `require`
// only in JS files), against the installed tarball, under
// `strict` with node16, nodenext and bundler module resolution. Returns { count, failures }.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { makeConsumer, ROOT } from "./consumer.mjs";

const TSC = join(ROOT, "node_modules", ".bin", "tsc");

export function readmeBlocks(file = join(ROOT, "README.md")) {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^```(ts|typescript|js|javascript|cjs)\n([\s\S]*?)^```$/gm)].map((m, i) => ({
    name: `block${String(i + 1).padStart(2, "0")}.${m[1] === "cjs" ? "cjs" : "ts"}`,
    code: m[2],
    line: text.slice(0, m.index).split("\n").length + 1,
  }));
}

export function checkReadme() {
  const dir = makeConsumer("readme", null);
  const blocks = readmeBlocks();
  for (const b of blocks) writeFileSync(join(dir, b.name), `// README.md line ${b.line}\n${b.code}`);
  const failures = [];
  if (blocks.length < 5) failures.push(`only ${blocks.length} code blocks found in README.md`);
  const base = {
    strict: true, exactOptionalPropertyTypes: true, noEmit: true, allowJs: true, checkJs: true, target: "ES2022", skipLibCheck: false, isolatedModules: true,
    lib: ["ES2022", "DOM", "ESNext.Disposable"], types: ["node"],
  };
  const configs = {
    node16: { module: "Node16", moduleResolution: "Node16" },
    nodenext: { module: "NodeNext", moduleResolution: "NodeNext" },
    bundler: { module: "ESNext", moduleResolution: "Bundler" },
  };
  for (const [name, opts] of Object.entries(configs)) {
    // CommonJS blocks exist only where CommonJS does: node16/nodenext resolution.
    const files = blocks.filter((b) => name !== "bundler" || b.name.endsWith(".ts")).map((b) => b.name);
    writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...base, ...opts }, files }, null, 2));
    const p = spawnSync(TSC, ["-p", `tsconfig.${name}.json`], { cwd: dir, encoding: "utf8" });
    if (p.status !== 0) failures.push(`tsc --strict (${name}):\n${(p.stdout + p.stderr).trim()}`);
  }
  return { count: blocks.length * 3, failures };
}
