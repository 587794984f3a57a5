// A CommonJS consumer: require("aivideo") as Node 18+ scripts do.
const { createClient, validatePayload } = require("aivideo");
const pkg = require("aivideo/package.json");

(async () => {
  const { workflow } = await import("./app.js");
  const r = await workflow({ createClient, validatePayload }, process.argv[2], "commonjs");
  r.count++;
  if (require.resolve("aivideo").endsWith("index.cjs") !== true) r.failures.push(`require resolved ${require.resolve("aivideo")}, not the CommonJS build`);
  r.count++;
  if (pkg.name !== "aivideo") r.failures.push("package.json not readable");
  console.log(JSON.stringify(r));
})();
