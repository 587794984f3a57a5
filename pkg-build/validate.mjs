// Assembles pkg/validate/ (aivideo/validate): beside the glue and wasm built without the
// client (tools/build-wasm.sh … --no-default-features put them there), the same entry files
// as the package's root (they name ./aivideo.js, ./aivideo_bg.wasm and ./api.js, so they load
// this folder's), validation.js, an api.js naming the five offline functions, and
// declarations that re-export the root's (one set of types for both entries).
import { copyFileSync, rmSync, writeFileSync } from "node:fs";

const PKG = new URL("../pkg/", import.meta.url);
const OUT = new URL("validate/", PKG);
// wasm-bindgen's own declarations: the root's are the contract.
for (const f of ["aivideo.d.ts", "aivideo_bg.wasm.d.ts"]) rmSync(new URL(f, OUT), { force: true });
for (const f of ["index.js", "node.js", "workerd.js", "edge.js", "inline.js", "validation.js", "schemas.js"]) copyFileSync(new URL(f, PKG), new URL(f, OUT));

writeFileSync(new URL("api.js", OUT), `// aivideo/validate's public API: the offline contract alone, over this folder's wasm.
export { validatePayload, estimateCredits, describeModels, modelNames, jsonSchema } from "./validation.js";
`);
const TYPES = [
  "Model", "Payloads", "ImageInput", "T2vPayload", "I2vPayload", "LvPayload", "T2vV3Payload", "I2vV3Payload", "MinimaxPayload", "Seedance20Payload", "Wan27Payload", "HappyhorsePayload",
  "Issue", "IssueCode", "IssueDetail", "CreditEstimate", "MediaInfo", "ValidationSuccess", "ValidationFailure", "ValidationResult", "ValidateOptions", "Generation", "FieldDescription", "ModelDescription", "JsonSchema",
];
for (const [file, from] of [["index.d.ts", "../index.js"], ["index.d.cts", "../index.cjs"]]) {
  writeFileSync(new URL(file, OUT), `// aivideo/validate: the offline contract alone (validatePayload, estimateCredits,
// describeModels, modelNames, jsonSchema) with its own, smaller wasm; the same functions and types as "aivideo".
export { validatePayload, estimateCredits, describeModels, modelNames, jsonSchema } from "${from}";
export type { ${TYPES.join(", ")} } from "${from}";
`);
}
