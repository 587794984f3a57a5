// Source of the package's CommonJS entry (`require("aivideo")`, Jest): pkg/index.cjs, the
// public API over ./glue.cjs (which reads the .wasm beside it at require time).
export * from "../pkg/api.js";
