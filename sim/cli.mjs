#!/usr/bin/env node
// Start the simulator by hand: node sim/cli.mjs [--port 8787] [--time-scale 0.01]
//   [--fail-rate 0.1] [--rate-limit 60] [--port-file FILE]
import { writeFileSync } from "node:fs";
import { startSimulator, DEMO_KEY } from "./server.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const sim = await startSimulator({
  port: Number(opt("--port", 0)),
  timeScale: Number(opt("--time-scale", 0.01)),
  failRate: Number(opt("--fail-rate", 0)),
  rateLimitPerMinute: Number(opt("--rate-limit", 60)),
});
const portFile = opt("--port-file");
if (portFile) writeFileSync(portFile, String(sim.port));
console.log(`aivideo simulator on ${sim.url} (time scale ${sim.config.timeScale}, demo key ${DEMO_KEY})`);
const stop = () => sim.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
