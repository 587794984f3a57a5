// A CommonJS server entry (esbuild's and webpack's default for Node): require("aivideo/inline")
// so the single-file bundle needs no .wasm beside it.
const { createClient, validatePayload } = require("aivideo/inline");

import("./app.js")
  .then(({ workflow }) => workflow({ createClient, validatePayload }, process.argv[2], process.argv[3] || "cjs bundle"))
  .then((r) => console.log(JSON.stringify(r)));
