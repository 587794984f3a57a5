// Installs the packed tarball into a throwaway consumer project, exactly as a user would.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readdirSync, cpSync, rmSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../", import.meta.url).pathname;

export function tarball() {
  const name = readdirSync(join(ROOT, "target")).find((f) => /^aivideo-.*\.tgz$/.test(f));
  if (!name) throw new Error("no target/aivideo-*.tgz: run make pkg");
  return join(ROOT, "target", name);
}

/** A fresh project in tests/artifacts/<name> with the package installed from the tarball and
 * the files of `from` copied in. */
export function makeConsumer(name = "consumer", from = join(ROOT, "tests", "runtime")) {
  const dir = join(ROOT, "tests", "artifacts", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", tarball()], { cwd: dir, stdio: "inherit" });
  if (from) cpSync(from, dir, { recursive: true });
  return dir;
}
