// Runs a worker in the real workerd binary, with the package loaded through its `workerd`
// export condition and outbound fetch allowed to loopback.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { createServer } from "node:net";
import { ROOT } from "./consumer.mjs";

const WORKERD = join(ROOT, "node_modules", ".bin", "workerd");

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** The file the package's exports map names for the workerd condition. */
export function workerdEntry(pkgDir) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const e = pkg.exports["."].workerd;
  return typeof e === "string" ? e : e.default;
}

/**
 * modules: [[name, path, kind]] with kind "esModule" | "wasm" | "text"; the first is the main
 * module. bindings: [[name, text]]; services: [[name, service]] (a service binding, e.g. to "main"). Returns { url, stop, output }.
 */
export async function startWorkerd({ dir, modules, bindings = [], services = [], port, flags = [] }) {
  port ??= await freePort();
  const mods = modules.map(([name, path, kind = "esModule"]) => `(name = ${JSON.stringify(name)}, ${kind} = embed ${JSON.stringify(path)})`).join(",\n      ");
  const binds = [
    ...bindings.map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`),
    ...services.map(([name, service]) => `(name = ${JSON.stringify(name)}, service = ${JSON.stringify(service)})`),
  ].join(", ");
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
      ${mods}
  ],
  bindings = [ ${binds} ],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ${JSON.stringify(["nodejs_compat", ...flags])},
  globalOutbound = "loopback",
);
`;
  const cfgPath = join(dir, `workerd-${port}.capnp`);
  writeFileSync(cfgPath, config);
  const proc = spawn(WORKERD, ["serve", cfgPath, "--experimental"], { cwd: dirname(cfgPath), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`workerd exited: ${output}`);
    try { await fetch(url + "/__ping"); break; } catch {}
    if (Date.now() > deadline) { proc.kill(); throw new Error(`workerd did not start: ${output}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, pid: proc.pid, output: () => output, stop: () => new Promise((r) => { proc.once("exit", r); proc.kill("SIGTERM"); }) };
}
