// Shortens the wasm's import names and the glue's matching keys: wasm-bindgen names each import
// `__wbg_<name>_<16 hex digits>` under the module "./aivideo_bg.js", and both the .wasm and the
// glue carry every name once (about 1 KB of incompressible hashes in each; on aivideo/validate
// that was 2 % of the page). Each becomes "_" and a base-36 number, the module "m".
//   node tools/short-imports.mjs OUT_DIR   (rewrites OUT_DIR/aivideo_bg.wasm and aivideo.js)
// Fails (exit 1, both files untouched) when a name is not exactly once in the glue as an object
// key (a glue shape this script does not know): a silent skip once cost the validate page 0.5 kB.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MODULE = "./aivideo_bg.js";
const dir = process.argv[2];
const wasmFile = join(dir, "aivideo_bg.wasm");
const glueFile = join(dir, "aivideo.js");
const wasm = readFileSync(wasmFile);
// esbuild's --line-limit breaks long string literals with line continuations (a backslash
// before the newline), which can fall inside a key; joined first (they stand for nothing).
let glue = readFileSync(glueFile, "utf8").replace(/\\\n/g, "");

const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
function reader(buf, at) {
  const r = { at };
  r.u = () => {
    let n = 0, shift = 0, b;
    do {
      b = buf[r.at++];
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n;
  };
  r.name = () => {
    const len = r.u();
    const s = buf.subarray(r.at, r.at + len).toString("utf8");
    r.at += len;
    return s;
  };
  return r;
}

/** The import section rewritten, and the renames [old, new]; null when there is none. */
function rewrite(buf) {
  const r = reader(buf, 8);
  while (r.at < buf.length) {
    const start = r.at;
    const id = buf[r.at++];
    const size = r.u();
    const body = r.at;
    if (id !== 2) {
      r.at = body + size;
      continue;
    }
    const count = r.u();
    const out = [...uleb(count)];
    const renames = [];
    for (let i = 0; i < count; i++) {
      const mod = r.name();
      const field = r.name();
      const descStart = r.at;
      const kind = buf[r.at++];
      if (kind === 0) r.u();
      else if (kind === 1) { r.at++; const f = r.u(); r.u(); if (f & 1) r.u(); }
      else if (kind === 2) { const f = r.u(); r.u(); if (f & 1) r.u(); }
      else if (kind === 3) r.at += 2;
      else throw new Error(`import kind ${kind}`);
      const mine = mod === MODULE;
      const name = mine ? `_${renames.length.toString(36)}` : field;
      if (mine) renames.push([field, name]);
      for (const s of [mine ? "m" : mod, name]) out.push(...uleb(Buffer.byteLength(s)), ...Buffer.from(s));
      out.push(...buf.subarray(descStart, r.at));
    }
    const section = Buffer.from([2, ...uleb(out.length), ...out]);
    return { wasm: Buffer.concat([buf.subarray(0, start), section, buf.subarray(body + size)]), renames };
  }
  return null;
}

const done = rewrite(wasm);
const keyOf = (name) => new RegExp(`(^|[{,\\s])${name.replace(/[$]/g, "\\$")}:`, "gm");
const unknown = done && done.renames.find(([old]) => (glue.match(keyOf(old)) || []).length !== 1);
const moduleKey = `${JSON.stringify(MODULE)}:{`;
if (!done || unknown || glue.split(moduleKey).length !== 2) {
  console.error(`short-imports: left as they are (${!done ? "no import section" : unknown ? `${unknown[0]} is not once in the glue` : "the module key is not once in the glue"})`);
  process.exit(1);
} else {
  for (const [old, name] of done.renames) glue = glue.replace(keyOf(old), `$1${name}:`);
  glue = glue.replace(moduleKey, "m:{");
  writeFileSync(wasmFile, done.wasm);
  writeFileSync(glueFile, glue);
}
