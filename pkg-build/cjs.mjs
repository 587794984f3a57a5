// Builds the package's CommonJS files with esbuild (format cjs, Node 18), sharing one glue:
//   glue.cjs    the wasm-bindgen glue, initialized at require time from the .wasm beside it
//               (else from wasm-base64.js, required lazily: a single-file bundle copied alone);
//   index.cjs   require("aivideo"): the public API (api.js, token.js) over ./glue.cjs;
//   proxy.cjs   require("aivideo/proxy"): the proxy and the coordinator over ./index.cjs and
//               ./glue.cjs, with the parts of jose it uses bundled (jose is ES modules only,
//               which Node 18 cannot require);
//   inline.cjs  require("aivideo/inline"): require("aivideo") itself (./index.cjs): its glue
//               already falls back to the embedded copy where the .wasm is not beside it, so
//               a CommonJS server bundle that does not copy the .wasm runs as it is;
//   validate/index.cjs, validate/inline.cjs  the same two for aivideo/validate (its own glue
//               and wasm, the same fallback to validate/wasm-base64.js).
// So require("aivideo") and require("aivideo/proxy") share one wasm instance, as their ES
// module twins do.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("../pkg/", import.meta.url));
const HERE = fileURLToPath(new URL("./", import.meta.url));

/** Resolves the package's own modules to the CommonJS files that hold them (`shared`: file in
 * pkg/ → the required path), and `#aivideo` (the proxy's init import) to `./index.cjs`. */
function shared(map) {
  return {
    name: "aivideo-shared",
    setup(b) {
      b.onResolve({ filter: /^#aivideo$/ }, () => ({ path: "./index.cjs", external: true }));
      b.onResolve({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(".")) return undefined;
        const file = fileURLToPath(new URL(args.path, `file://${args.resolveDir}/`));
        const to = map[file.slice(PKG.length)];
        return file.startsWith(PKG) && to ? { path: to, external: true } : undefined;
      });
    },
  };
}

// jsonSchema()'s text, once: schemas.cjs beside the root's CommonJS files, for every build.
const SCHEMAS = { "schemas.js": "./schemas.cjs", "validate/schemas.js": "../schemas.cjs" };
const common = { bundle: true, format: "cjs", platform: "node", target: "node18", logLevel: "warning", logOverride: { "empty-import-meta": "silent" } };
await Promise.all([
  build({ ...common, entryPoints: [`${PKG}schemas.js`], outfile: `${PKG}schemas.cjs` }),
  build({ ...common, entryPoints: [`${HERE}cjs-glue.mjs`], outfile: `${PKG}glue.cjs`, plugins: [shared({ "wasm-base64.js": "./wasm-base64.js" })] }),
  build({ ...common, entryPoints: [`${HERE}cjs-entry.mjs`], outfile: `${PKG}index.cjs`, plugins: [shared({ "aivideo.js": "./glue.cjs", ...SCHEMAS })] }),
  build({ ...common, entryPoints: [`${HERE}cjs-proxy-entry.mjs`], outfile: `${PKG}proxy.cjs`, plugins: [shared({ "aivideo.js": "./glue.cjs", "api.js": "./index.cjs" })] }),
  build({ ...common, entryPoints: [`${HERE}cjs-inline-entry.mjs`], outfile: `${PKG}inline.cjs`, plugins: [shared({ "api.js": "./index.cjs" })] }),
  build({ ...common, entryPoints: [`${HERE}cjs-validate-entry.mjs`], outfile: `${PKG}validate/index.cjs`, plugins: [shared({ "validate/wasm-base64.js": "./wasm-base64.js", ...SCHEMAS })] }),
  build({ ...common, entryPoints: [`${HERE}cjs-validate-inline-entry.mjs`], outfile: `${PKG}validate/inline.cjs`, plugins: [shared({ "validate/api.js": "./index.cjs" })] }),
]);
