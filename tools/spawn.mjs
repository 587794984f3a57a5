// Async spawn for the test runners: the simulator often lives in the calling process, so its
// event loop must stay free while a child runs. Resolves { status, stdout, stderr, out }
// (`out` is both streams interleaved as they came); a child past `timeout` is killed.
import { spawn } from "node:child_process";

export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "", out = "";
    p.stdout.on("data", (d) => { stdout += d; out += d; });
    p.stderr.on("data", (d) => { stderr += d; out += d; });
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeout ?? 120000);
    p.on("close", (status) => { clearTimeout(timer); resolve({ status, stdout, stderr, out }); });
  });
}
