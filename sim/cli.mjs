#!/usr/bin/env node
// Start the simulator by hand (see USAGE). Owns: the command line. Must not: simulate.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimulator, DEMO_KEY } from "./server.mjs";

const USAGE = `usage: node sim/cli.mjs [options]
  --port N          listen on N (default: a free port)
  --time-scale X    real ms per simulated ms (default 0.01: 6.5 minutes last 3.9 s)
  --profile P       spec (the contract as written) or live (the service as reported), default spec
  --fail-rate X     share of tasks that end FAILED (default 0)
  --rate-limit N    query requests per simulated minute (default 60; 0: none)
  --port-file FILE  write the port there once listening
  -h, --help        this text`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", default: "0" }, "time-scale": { type: "string", default: "0.01" }, profile: { type: "string", default: "spec" },
      "fail-rate": { type: "string", default: "0" }, "rate-limit": { type: "string", default: "60" }, "port-file": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!["spec", "live"].includes(values.profile)) {
  console.error(`--profile must be spec or live\n${USAGE}`);
  process.exit(2);
}
const sim = await startSimulator({
  port: Number(values.port),
  timeScale: Number(values["time-scale"]),
  profile: values.profile,
  failRate: Number(values["fail-rate"]),
  rateLimitPerMinute: Number(values["rate-limit"]),
});
if (values["port-file"]) writeFileSync(values["port-file"], String(sim.port));
console.log(`aivideo simulator on ${sim.url} (time scale ${sim.config.timeScale}, profile ${values.profile}, demo key ${DEMO_KEY})`);
const stop = () => sim.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
