// The architecture rules of the Rust side (tests/rust/architecture.rs), applied to the
// JavaScript we ship and run (the package's entries, CLI, proxy and coordinator, the
// simulator, the demo page, the tools): every file opens with a comment saying what it owns,
// no file over 400 lines, no top-level function or class method over 150 lines, no function
// with more than four positional parameters (a public interface kept for its users may say
// `arch-allow: params` on the line above), no import cycle. Parsed with TypeScript's own
// parser (a dev dependency already). `node tools/js-architecture.mjs` prints each breach and
// exits 1; make test runs it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const DIRS = ["js", "pkg-build", "sim", "tools", "www", "examples"];
const MAX_FILE = 400;
const MAX_FUNCTION = 150;
const MAX_PARAMS = 4;

function files(dir, out = []) {
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else if (/\.(m?js|ts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The breaches in one file, and its relative imports. */
export function check(path) {
  const text = readFileSync(path, "utf8");
  const rel = relative(ROOT, path);
  const problems = [];
  const lines = text.split("\n").length;
  if (lines > MAX_FILE) problems.push(`${rel}: ${lines} lines (at most ${MAX_FILE})`);
  const body = text.startsWith("#!") ? text.slice(text.indexOf("\n") + 1) : text;
  if (!/^\s*(\/\/|\/\*)/.test(body)) problems.push(`${rel}: no header comment saying what the file owns`);
  const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith(".ts") ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const lineOf = (pos) => src.getLineAndCharacterOfPosition(pos).line + 1;
  const nameOf = (node) => (node.name && node.name.getText ? node.name.getText(src) : node.parent && ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(src) : "(anonymous)");
  const imports = [];
  const visit = (node, depth) => {
    if (ts.isImportDeclaration(node) || (ts.isExportDeclaration(node) && node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith(".")) imports.push(resolve(dirname(path), spec));
    }
    if (ts.isFunctionLike(node) && node.body) {
      const positional = node.parameters.filter((p) => !p.dotDotDotToken).length;
      // A public interface kept for its users says so on the line above: `arch-allow: params`.
      const above = text.split("\n")[lineOf(node.getStart(src)) - 2] || "";
      if (positional > MAX_PARAMS && !/arch-allow: params/.test(above)) problems.push(`${rel}:${lineOf(node.getStart(src))}: ${nameOf(node)} takes ${positional} positional parameters (at most ${MAX_PARAMS}: pass an object)`);
      // Top-level functions (declared, or bound to a top-level const) and class methods.
      const topLevel = depth === 0 || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node);
      const n = lineOf(node.end) - lineOf(node.getStart(src)) + 1;
      if (topLevel && n > MAX_FUNCTION) problems.push(`${rel}:${lineOf(node.getStart(src))}: ${nameOf(node)} is ${n} lines (at most ${MAX_FUNCTION})`);
      ts.forEachChild(node, (c) => visit(c, depth + 1));
      return;
    }
    // A top-level `const f = () => …` or `export const f = function …` is still depth 0.
    const passthrough = ts.isSourceFile(node) || ts.isVariableStatement(node) || ts.isVariableDeclarationList(node) || ts.isVariableDeclaration(node) || ts.isExportAssignment(node) || ts.isClassDeclaration(node);
    ts.forEachChild(node, (c) => visit(c, passthrough ? depth : depth + 1));
  };
  visit(src, 0);
  return { problems, imports };
}

/** An import cycle among `graph`'s files, or null. */
function cycle(graph) {
  const state = new Map();
  const stack = [];
  const walk = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const g of graph.get(f) || []) {
      if (!graph.has(g)) continue;
      if (state.get(g) === 1) return [...stack.slice(stack.indexOf(g)), g];
      if (!state.has(g)) {
        const found = walk(g);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(f, 2);
    return null;
  };
  for (const f of graph.keys()) {
    if (state.has(f)) continue;
    const found = walk(f);
    if (found) return found;
  }
  return null;
}

export function checkAll() {
  const all = DIRS.flatMap((d) => files(join(ROOT, d)));
  const graph = new Map();
  const problems = [];
  for (const f of all) {
    const r = check(f);
    problems.push(...r.problems);
    graph.set(f, r.imports);
  }
  const loop = cycle(graph);
  if (loop) problems.push(`import cycle: ${loop.map((f) => relative(ROOT, f)).join(" → ")}`);
  return { files: all.length, problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files: n, problems } = checkAll();
  for (const p of problems) console.log(p);
  console.log(`${n} files checked, ${problems.length} breaches`);
  process.exit(problems.length ? 1 : 0);
}
