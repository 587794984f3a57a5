// Runs a worker in the real workerd binary, with the package loaded through its `workerd`
// export condition and outbound fetch allowed to loopback.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
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

/** A workerd never outlives the process that started it (a crashed test, a killed demo). */
function orphanGuard(proc) {
  const kill = () => { try { proc.kill("SIGKILL"); } catch {} };
  process.once("exit", kill);
  proc.once("exit", () => process.off("exit", kill));
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
  orphanGuard(proc);
  proc.once("exit", () => rmSync(cfgPath, { force: true }));
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
  const exited = new Promise((r) => proc.once("exit", (code, signal) => r({ code, signal })));
  return { url, pid: proc.pid, exited, output: () => output, stop: () => new Promise((r) => { if (proc.exitCode !== null || proc.signalCode !== null) return r(); proc.once("exit", r); proc.kill("SIGTERM"); }) };
}

/**
 * Several workers in one workerd process (each its own isolate), for the Durable Object
 * coordinator: services [{ name, modules, bindings, services, flags, durableObjects:
 * [className] (hosted here, stored on local disk under dir/do-<name>), useDurableObjects:
 * [[binding, className, hostService]] }], sockets [[serviceName, port]].
 * Returns { urls, stop, kill, start, output }: kill() is SIGKILL (storage stays on disk).
 */
export async function startCluster({ dir, services, sockets, configName = "cluster" }) {
  const q = JSON.stringify;
  const disks = [];
  const workers = services.map((s) => {
    const mods = s.modules.map(([name, path, kind = "esModule"]) => `(name = ${q(name)}, ${kind} = embed ${q(path)})`).join(", ");
    const binds = [
      ...(s.bindings || []).map(([name, text]) => `(name = ${q(name)}, text = ${q(text)})`),
      ...(s.services || []).map(([name, service]) => `(name = ${q(name)}, service = ${q(service)})`),
      ...(s.useDurableObjects || []).map(([name, className, host]) => `(name = ${q(name)}, durableObjectNamespace = (className = ${q(className)}, serviceName = ${q(host)}))`),
    ].join(", ");
    let dos = "";
    if (s.durableObjects?.length) {
      const disk = `do-${s.name}`;
      mkdirSync(join(dir, disk), { recursive: true });
      disks.push(`(name = ${q(disk)}, disk = (path = ${q(join(dir, disk))}, writable = true))`);
      dos = `durableObjectNamespaces = [${s.durableObjects.map((c) => `(className = ${q(c)}, uniqueKey = ${q(`aivideo-${s.name}-${c}`)}, enableSql = true)`).join(", ")}],
      durableObjectStorage = (localDisk = ${q(disk)}),`;
    }
    return `(name = ${q(s.name)}, worker = (
      modules = [ ${mods} ],
      bindings = [ ${binds} ],
      ${dos}
      compatibilityDate = "2025-09-01",
      compatibilityFlags = ${q(["nodejs_compat", ...(s.flags || [])])},
      globalOutbound = "loopback",
    ))`;
  });
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${[...workers, ...disks, '(name = "loopback", network = (allow = ["local", "private", "public"]))'].join(",\n    ")}
  ],
  sockets = [ ${sockets.map(([service, port]) => `(name = ${q(`http-${service}`)}, address = "127.0.0.1:${port}", http = (), service = ${q(service)})`).join(", ")} ],
);
`;
  const cfgPath = join(dir, `${configName}.capnp`);
  writeFileSync(cfgPath, config);
  let proc = null;
  let output = "";
  const urls = Object.fromEntries(sockets.map(([service, port]) => [service, `http://127.0.0.1:${port}`]));
  async function start() {
    proc = spawn(WORKERD, ["serve", cfgPath, "--experimental"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    orphanGuard(proc);
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    const deadline = Date.now() + 15000;
    for (const url of Object.values(urls)) {
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`workerd exited: ${output}`);
        try { await fetch(url + "/__ping"); break; } catch {}
        if (Date.now() > deadline) { proc.kill(); throw new Error(`workerd did not start: ${output}`); }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  const end = (signal) => new Promise((r) => { if (!proc || proc.exitCode !== null) return r(); proc.once("exit", r); proc.kill(signal); });
  await start();
  return { urls, output: () => output, pid: () => proc.pid, start, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
}
